"""llama-cpp-python's own OpenAI server, with one pure-Python sort replaced by numpy selection.

    python tests/llama_server_fast.py --model model.gguf --port 8000 ...   # the same arguments

Why: for every token whose log-probabilities a request asks for (every prompt token of an
echoed log-likelihood request), ``Llama._create_completion`` ranks the whole vocabulary with
``list(sorted(zip(logprobs_row, range(n_vocab)), reverse=True))`` and then reads only the first
``logprobs`` entries (the ``top_logprobs``). With Gemma's 262,144-token vocabulary that is a
Python sort of numpy scalars, about 0.3 s per token on one core, so one XCOPA request costs
seconds and a 100-item benchmark hours. No server option avoids it: the sort runs whenever
``logprobs`` is set, and log-likelihoods need ``logprobs``.

What changes: nothing but that sort. This launcher puts a ``sorted`` into the
``llama_cpp.llama`` module's globals (shadowing the builtin for that module alone) and then
runs ``llama_cpp.server`` exactly as ``python -m llama_cpp.server`` does. The replacement
answers only that one call shape (a ``zip`` of a fresh row iterator with a fresh
``range(len(row))`` iterator, ``reverse=True``, called from ``Llama._create_completion`` with an
integer ``logprobs`` in its frame); every other call, and any row holding NaN, goes to the
builtin. For that shape it returns the first ``logprobs`` entries of the very list the builtin
would return: the same ``(value, index)`` tuples (the row's own elements, numpy scalars
included) in the same order. Python orders the tuples descending by value and, for equal
values, by the larger index first; the replacement does the same with ``np.partition`` (the
k-th largest value, every tie at that value kept) and ``np.lexsort`` on the few candidates:
O(V) per token instead of O(V log V) Python comparisons. The caller slices ``[:logprobs]``, so
what reaches the response is identical; tests/test_backends_server.py checks byte-identical
JSON from the patched and the unpatched server, and tests/test_llama_server_fast.py checks the
ordering against the builtin on rows full of ties.
"""

from __future__ import annotations

import builtins
import runpy
import sys
from typing import Any

import numpy as np


def _caller_top_k() -> int | None:
    """The ``logprobs`` of the ``Llama._create_completion`` call that is sorting, else None."""
    import llama_cpp.llama as ll

    frame = sys._getframe(2)  # 0: here, 1: top_k_sorted, 2: its caller
    if frame.f_code is not ll.Llama._create_completion.__code__:
        return None
    k = frame.f_locals.get("logprobs")
    return k if isinstance(k, int) and not isinstance(k, bool) and k >= 0 else None


def _zip_of_row_and_range(iterable: Any) -> Any:
    """The row of ``zip(row, range(len(row)))`` when ``iterable`` is exactly that (both
    iterators untouched), else None. ``zip`` and the sequence iterators expose what they wrap
    through ``__reduce__`` (their pickle support)."""
    if type(iterable) is not zip:
        return None
    parts = iterable.__reduce__()[1]
    if len(parts) != 2:
        return None
    row_it, range_it = (p.__reduce__() for p in parts)
    if len(row_it) != 3 or len(range_it) != 3 or row_it[2] != 0 or range_it[2] != 0:
        return None
    row, (rng,) = row_it[1][0], range_it[1]
    if not isinstance(row, (np.ndarray, list)) or not isinstance(rng, range):
        return None
    if rng != range(len(row)) or (isinstance(row, np.ndarray) and row.ndim != 1):
        return None
    return row


def top_k_prefix(row: Any, values: np.ndarray, k: int) -> list[tuple[Any, int]]:
    """``sorted(zip(row, range(len(row))), reverse=True)[:k]`` without sorting the whole row.

    ``row`` is a 1-D float array or list, ``values`` the same numbers as an array (no NaN).
    Equal values order by the larger index first, as Python's tuple comparison does. The
    tuples hold ``row``'s own elements (numpy scalars stay numpy scalars)."""
    n = len(values)
    k = min(k, n)
    if k == 0:
        return []
    kth = np.partition(values, n - k)[n - k]  # the k-th largest value
    cand = np.flatnonzero(values >= kth)  # the top k and every tie at the k-th value
    order = cand[np.lexsort((cand, values[cand]))[::-1]][:k]  # value desc, then index desc
    return [(row[i], i) for i in order.tolist()]


def top_k_sorted(iterable: Any, /, *, key: Any = None, reverse: bool = False) -> list:
    """``sorted`` for ``llama_cpp.llama``: the top-k prefix for the one call shape described in
    the module docstring, the builtin for everything else."""
    if key is None and reverse:
        row = _zip_of_row_and_range(iterable)
        if row is not None:
            k = _caller_top_k()
            values = np.asarray(row)
            if k is not None and values.dtype.kind == "f" and not np.isnan(values).any():
                return top_k_prefix(row, values, k)
    return builtins.sorted(iterable, key=key, reverse=reverse)


def install() -> None:
    """Shadow ``sorted`` in ``llama_cpp.llama`` (that module alone)."""
    import llama_cpp.llama as ll

    ll.sorted = top_k_sorted  # type: ignore[attr-defined]


def main() -> None:
    install()
    sys.argv[0] = "llama_cpp.server"
    runpy.run_module("llama_cpp.server", run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
