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
    """A 95% interval, not a 90% one: for n = 2000, p = 0.6 the normal half-widths are 0.0215
    (95%) and 0.0180 (90%), 0.0035 apart; the bootstrap with B = 4000 is within 0.0015 of the
    95% one (Monte-Carlo error of a 2.5% quantile with B = 4000 is about 0.0006, plus the 1/n
    lattice). The exact pin against a naive loop is in test_statistics_reference.py."""
    rng = np.random.default_rng(0)
    x = (rng.random(2000) < 0.6).astype(float)
    lo, hi = bootstrap_ci(x, n_boot=4000)
    m, se = x.mean(), x.std() / math.sqrt(len(x))
    assert lo < m < hi
    assert lo == pytest.approx(m - 1.96 * se, abs=0.0015), "accuracy CI is not a 95% interval"
    assert hi == pytest.approx(m + 1.96 * se, abs=0.0015), "accuracy CI is not a 95% interval"
    assert abs(lo - (m - 1.645 * se)) > 0.002  # and clearly not the 90% one
    assert bootstrap_ci([1.0] * 10) == (1.0, 1.0)
    assert all(math.isnan(v) for v in bootstrap_ci([]))


def test_paired_bootstrap():
    a = [0, 1, 0, 1, 1, 0, 0, 1, 0, 0] * 10
    same = paired_bootstrap(a, a)
    assert same.delta == 0 and same.p_value == 1.0
    b = [1] * 100
    better = paired_bootstrap(a, b)
    # closed form: no resample of 100 items draws only the 40 "1" items of a (0.4**100), so no
    # replicate difference is <= 0 and p = 2 * (0 + 1) / (B + 1)
    assert better.delta == pytest.approx(0.6) and better.ci_low > 0
    assert better.p_value == 2 / 1001, "paired bootstrap p-value"
    # one flipped item in 100: two-sided p = 2 * 0.99**100 = 0.732 (see test_statistics_reference);
    # with B = 1000 the Monte-Carlo standard error is 0.03; a one-sided p (0.366) is far outside
    c = list(a)
    c[0] = 1
    assert paired_bootstrap(a, c).p_value == pytest.approx(2 * 0.99 ** 100, abs=0.1), "two-sided p-value"
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
    """Against sacrebleu called directly (chrF++ = chrF with word_order=2) on strings written
    here, so the reference check runs without ../shared; plus the two ends of the scale."""
    import sacrebleu

    from babelscope.metrics.chrf import chrfpp_from_statistics, corpus_chrfpp, sentence_chrfpp, sentence_statistics
    assert sentence_chrfpp("Habari ya asubuhi", "Habari ya asubuhi") == pytest.approx(100.0)
    assert sentence_chrfpp("xyz", "Habari") == 0.0
    hyps = ["Habari", "ndiyo", "Paka amelala juu ya mkeka", "Ninaenda sokoni"]
    refs = ["Habari ya asubuhi", "ndiyo", "Paka amelala kwenye mkeka", "Ninakwenda sokoni leo"]
    for h, r in zip(hyps, refs):
        expected = sacrebleu.sentence_chrf(h, [r], word_order=2).score
        assert sentence_chrfpp(h, r) == pytest.approx(expected, rel=1e-12), f"sentence chrF++ of {h!r}"
    corpus = sacrebleu.corpus_chrf(hyps, [refs], word_order=2).score
    assert corpus_chrfpp(hyps, refs) == pytest.approx(corpus, rel=1e-12), "corpus chrF++"
    # corpus chrF++ is not the mean of sentence scores (the fixture tells the two rules apart)
    assert abs(corpus - np.mean([sentence_chrfpp(h, r) for h, r in zip(hyps, refs)])) > 1.0
    assert chrfpp_from_statistics(sentence_statistics(hyps, refs).sum(axis=0)) == pytest.approx(corpus, rel=1e-12)
    with pytest.raises(ValueError):
        sentence_statistics(["a"], [])


def test_bootstrap_ci_without_resamples_or_values_is_nan():
    import math

    assert all(math.isnan(v) for v in bootstrap_ci([1.0, 0.0, 1.0], n_boot=0))
    assert all(math.isnan(v) for v in bootstrap_ci([], n_boot=100))
