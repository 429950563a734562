"""What a forward pass runs: token windows to score, and length-sorted batches of them.

A window is ``(input ids, first scored position, targets)``: position ``start + k`` of the
input predicts ``targets[k]``. Log-likelihood and rolling (bits per byte) requests both become
windows, so one scoring path serves both; the cuts follow lm-evaluation-harness.
"""

from __future__ import annotations

from typing import Iterator, Sequence

Window = tuple[list[int], int, list[int]]


def loglikelihood_window(ctx: list[int], cont: list[int], max_length: int) -> Window:
    """The window of one log-likelihood request, left-truncated to ``max_length`` inputs."""
    full = (ctx + cont)[-(max_length + 1):]
    n = min(len(cont), len(full) - 1)
    inp = full[:-1]
    return inp, len(inp) - n, full[len(full) - n:]


def rolling_windows(seq: list[int], stride: int, max_length: int) -> Iterator[Window]:
    """Windows covering every token of ``seq`` but the first once (lm-eval's disjoint windows).

    ``seq[0]`` is the prefix token, or the first token when there is none (it cannot be
    scored). Each window predicts up to ``stride`` new tokens with up to ``max_length`` inputs.
    """
    a = 1
    while a < len(seq):
        b = min(len(seq), a + stride)
        lo = max(0, b - 1 - max_length)
        yield seq[lo: b - 1], a - 1 - lo, seq[a:b]
        a = b


def batches(lengths: Sequence[int], max_seqs: int, max_tokens: int) -> list[list[int]]:
    """Indices grouped longest-first so each batch pads little and any OOM shows at once."""
    order = sorted(range(len(lengths)), key=lambda i: -lengths[i])
    out: list[list[int]] = []
    cur: list[int] = []
    for i in order:
        longest = lengths[cur[0]] if cur else lengths[i]
        if cur and (len(cur) >= max_seqs or (len(cur) + 1) * longest > max_tokens):
            out.append(cur)
            cur = []
        cur.append(i)
    if cur:
        out.append(cur)
    return out
