"""Accuracy scoring, bootstrap intervals, paired significance and cross-language averages."""

from __future__ import annotations

import math

import numpy as np
import pytest

from babelscope.metrics.accuracy import score_multiple_choice
from babelscope.metrics.aggregate import gap_to_pivot, macro, micro, roll_up
from babelscope.metrics.bootstrap import bootstrap_ci, paired_bootstrap


def test_acc_and_byte_normalised_acc():
    # per character the Latin option wins (-1.5 vs -3); per UTF-8 byte the CJK one does (-1.5 vs -1)
    s = score_multiple_choice([-3.0, -6.0], 1, ["ab", "日本"])
    assert s["pred"] == 0 and s["acc"] == 0.0
    assert s["pred_norm"] == 1 and s["acc_norm"] == 1.0
    assert score_multiple_choice([-1.0, -1.0], 0, ["a", "b"])["pred"] == 0  # ties go to the first
    with pytest.raises(ValueError):
        score_multiple_choice([-1.0], 0, ["a", "b"])


def test_bootstrap_ci_matches_normal_approximation():
    rng = np.random.default_rng(0)
    x = (rng.random(2000) < 0.6).astype(float)
    lo, hi = bootstrap_ci(x, n_boot=2000)
    m, se = x.mean(), x.std() / math.sqrt(len(x))
    assert lo < m < hi
    assert lo == pytest.approx(m - 1.96 * se, abs=0.006)
    assert hi == pytest.approx(m + 1.96 * se, abs=0.006)
    assert bootstrap_ci([1.0] * 10) == (1.0, 1.0)
    assert all(math.isnan(v) for v in bootstrap_ci([]))


def test_paired_bootstrap():
    a = [0, 1, 0, 1, 1, 0, 0, 1, 0, 0] * 10
    same = paired_bootstrap(a, a)
    assert same.delta == 0 and same.p_value == 1.0
    b = [1] * 100
    better = paired_bootstrap(a, b)
    assert better.delta == pytest.approx(0.6) and better.p_value < 0.01 and better.ci_low > 0
    # one flipped item in 100 is not significant
    c = list(a)
    c[0] = 1
    assert paired_bootstrap(a, c).p_value > 0.2
    with pytest.raises(ValueError):
        paired_bootstrap([1, 0], [1])


def test_macro_micro_gap_rollup():
    per = {"en": [1, 1, 1, 1], "sw": [0, 1], "yo": [0, 0, 0, 0, 0, 1]}
    assert macro(per) == pytest.approx((1 + 0.5 + 1 / 6) / 3)
    assert micro(per) == pytest.approx(6 / 12)
    assert gap_to_pivot(0.5, 1.0) == -0.5
    fam = roll_up(per, lambda t: {"en": "Indo-European"}.get(t, "Niger-Congo"))
    assert fam == {"Indo-European": 1.0, "Niger-Congo": pytest.approx((0.5 + 1 / 6) / 2)}


def test_chrfpp():
    from babelscope.metrics.chrf import corpus_chrfpp, sentence_chrfpp
    assert sentence_chrfpp("Habari ya asubuhi", "Habari ya asubuhi") == pytest.approx(100.0)
    low = sentence_chrfpp("Habari", "Habari ya asubuhi")
    assert 0 < low < 100
    assert 0 < corpus_chrfpp(["Habari", "ndiyo"], ["Habari ya asubuhi", "ndiyo"]) < 100


def test_bootstrap_ci_without_resamples_or_values_is_nan():
    import math

    assert all(math.isnan(v) for v in bootstrap_ci([1.0, 0.0, 1.0], n_boot=0))
    assert all(math.isnan(v) for v in bootstrap_ci([], n_boot=100))
