"""Token windows, length batches and stop strings: the pure pieces split out of models/hf.py.

Expected values are read off the definitions: a window ``(inp, start, targets)`` claims that
position ``start + k`` of ``inp`` predicts ``targets[k]``, i.e. that ``inp[:start + k + 1]``
is exactly the text's tokens before that target (checked against the sequence itself).
"""

from __future__ import annotations

import pytest

from babelscope.models.stopping import cut_at_stop
from babelscope.models.windows import batches, loglikelihood_window, rolling_windows


def _check_window(seq: list[int], offset: int, inp: list[int], start: int, targets: list[int]) -> None:
    """``targets`` are seq[offset:offset+len]; each is predicted by the tokens right before it."""
    assert targets == seq[offset: offset + len(targets)]
    for k in range(len(targets)):
        before = inp[: start + k + 1]
        assert before == seq[offset + k - len(before): offset + k]


@pytest.mark.parametrize("n,stride,max_length", [(1, 4, 4), (2, 4, 4), (10, 4, 4), (10, 2, 4), (11, 3, 5), (7, 10, 10)])
def test_rolling_windows_score_every_token_once_within_the_window(n, stride, max_length):
    seq = list(range(100, 100 + n))  # seq[0] stands for the prefix token
    covered = []
    for inp, start, targets in rolling_windows(seq, stride, max_length):
        assert 0 < len(targets) <= stride and len(inp) <= max_length
        _check_window(seq, len(covered) + 1, inp, start, targets)
        covered += targets
    assert covered == seq[1:]


def test_loglikelihood_window_truncates_on_the_left():
    ctx, cont = [1, 2, 3, 4, 5], [6, 7]
    assert loglikelihood_window(ctx, cont, 100) == ([1, 2, 3, 4, 5, 6], 4, [6, 7])
    inp, start, targets = loglikelihood_window(ctx, cont, 3)
    assert (inp, start, targets) == ([4, 5, 6], 1, [6, 7])  # the last 3 + 1 tokens, two scored
    _check_window(ctx + cont, 5, inp, start, targets)
    # a continuation longer than the window keeps only what the window can predict
    assert loglikelihood_window([1], [2, 3, 4, 5], 2) == ([3, 4], 0, [4, 5])


def test_batches_longest_first_under_both_budgets():
    lengths = [3, 9, 1, 9, 4, 2]
    got = batches(lengths, max_seqs=2, max_tokens=18)
    assert sorted(i for b in got for i in b) == list(range(6))
    assert [lengths[b[0]] for b in got] == sorted((lengths[b[0]] for b in got), reverse=True)
    for b in got:
        assert len(b) <= 2 and len(b) * max(lengths[i] for i in b) <= 18
    assert got == [[1, 3], [4, 0], [5, 2]]  # 9+9 pad to 18; 4,3 -> 8; 2,1 -> 4
    assert batches([50, 5], max_seqs=8, max_tokens=10) == [[0], [1]]  # an over-long sequence runs alone


def test_cut_at_stop_uses_the_earliest_stop():
    assert cut_at_stop("a. b\n\nc", [".", "\n\n"]) == "a"
    assert cut_at_stop("a\n\nb. c", [".", "\n\n"]) == "a"
    assert cut_at_stop("no stop here", ["###", ""]) == "no stop here"  # empty stop strings are ignored
