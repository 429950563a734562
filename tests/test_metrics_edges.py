"""Edge cases and defaults of metrics/, written to kill the mutants `make mutate` found alive.

Each test says which wrong variant it rules out. Expected values are worked out by hand or by
a plain loop here, never read back from babelscope.
"""

from __future__ import annotations

import math
import sys
import warnings

import numpy as np
import pytest
from naive_bootstrap import naive_quantile, naive_replicates

from babelscope.metrics.accuracy import score_multiple_choice
from babelscope.metrics.aggregate import macro, mean, micro
from babelscope.metrics.bootstrap import (
    bootstrap, mean_statistic, paired_bootstrap, percentile_interval, ratio_of_sums, replicates, two_sided_p,
)
from babelscope.metrics.correlation import (
    Correlation, bootstrap_correlations, fit_line, pearson, pearson_rows, r_squared,
)
from babelscope.metrics.instruction_following import accuracies, accuracy_cis, item_statistics


# -- bootstrap.py ---------------------------------------------------------------------------

def test_no_resamples_give_an_empty_array_not_an_error():
    """n_boot = 0: no replicates (not np.empty(1), not a concatenate error)."""
    r = replicates(np.arange(5.0), mean_statistic, 0, seed=1)
    assert r.shape == (0,)


def test_percentile_interval_default_is_95_percent():
    reps = np.arange(101, dtype=float)  # quantile q of 0..100 is 100 q exactly
    assert percentile_interval(reps) == (2.5, 97.5)
    assert percentile_interval(reps, 0.1) == (5.0, 95.0)


def test_one_item_and_one_resample_still_give_an_interval():
    """A single item is a valid sample (its interval is the point); n_boot = 1 is a valid
    request (one replicate: lo == hi == that replicate). Rules out `n == 1` / `n_boot <= 1`
    treated as "no interval"."""
    r = bootstrap(np.array([0.7]), mean_statistic, n_boot=50)
    assert (r.estimate, r.ci_low, r.ci_high, r.n_boot) == (0.7, 0.7, 0.7, 50)
    x = np.array([0.0, 1.0, 1.0])
    one = bootstrap(x, mean_statistic, n_boot=1, seed=4)
    rep = naive_replicates(3, 1, 4, lambda idx: sum(x[i] for i in idx) / 3)[0]
    assert (one.ci_low, one.ci_high, one.n_boot) == (pytest.approx(rep), pytest.approx(rep), 1)


def test_no_interval_asked_keeps_the_estimate():
    r = bootstrap(np.array([1.0, 0.0, 0.0, 1.0]), mean_statistic, n_boot=0)
    assert r.estimate == 0.5 and r.n_boot == 0 and math.isnan(r.ci_low) and math.isnan(r.ci_high)


def test_ratio_of_sums_statistic():
    """sum of column 0 over sum of column 1, per resample (not a product, not column 1 twice)."""
    resampled = np.array([[[1.0, 2.0], [3.0, 4.0]], [[5.0, 1.0], [1.0, 1.0]]])  # (B=2, n=2, 2)
    assert ratio_of_sums(resampled).tolist() == [4 / 6, 6 / 2]


def test_two_sided_p_edges():
    assert math.isnan(two_sided_p(np.array([])))
    assert math.isnan(two_sided_p(np.array([math.nan])))
    # one replicate, on the positive side: 2 * (0 + 1) / (1 + 1) = 1
    assert two_sided_p(np.array([0.5])) == 1.0
    # 3 of 9 replicates <= 0: 2 * 4 / 10
    assert two_sided_p(np.array([-1.0, -0.5, 0.0, 1, 2, 3, 4, 5, 6])) == pytest.approx(0.8)


def test_paired_bootstrap_edges():
    with pytest.raises(ValueError, match="^paired bootstrap needs the same items in both runs$"):
        paired_bootstrap([1.0, 0.0], [1.0])
    empty = paired_bootstrap([], [])
    assert empty.n == 0
    assert all(math.isnan(v) for v in (empty.mean_a, empty.mean_b, empty.delta, empty.ci_low,
                                       empty.ci_high, empty.p_value))
    one = paired_bootstrap([0.0], [1.0], n_boot=20)
    assert (one.n, one.mean_a, one.mean_b, one.delta, one.ci_low, one.ci_high) == (1, 0.0, 1.0, 1.0, 1.0, 1.0)
    assert one.p_value == pytest.approx(2 / 21)


def test_paired_bootstrap_honours_alpha_and_reports_both_means():
    a = [0.0, 1.0, 0.0, 0.0, 1.0, 1.0, 0.0, 1.0, 0.0, 0.0]
    b = [1.0, 1.0, 0.0, 1.0, 1.0, 1.0, 0.0, 1.0, 1.0, 0.0]
    r = paired_bootstrap(a, b, n_boot=300, alpha=0.2, seed=3)
    reps = naive_replicates(10, 300, 3, lambda idx: sum(b[i] - a[i] for i in idx) / 10)
    assert (r.ci_low, r.ci_high) == pytest.approx((naive_quantile(reps, 0.1), naive_quantile(reps, 0.9)), rel=1e-12)
    assert (r.mean_a, r.mean_b) == (0.4, 0.7)


# -- accuracy.py ----------------------------------------------------------------------------

class _LL:
    def __init__(self, logprob):
        self.logprob = logprob


def test_multiple_choice_reads_result_objects_and_normalises_one_byte_options():
    # result objects: their .logprob is used; option 1 wins on the sum
    s = score_multiple_choice([_LL(-4.0), _LL(-1.0)], 1, ["x", "y"])
    assert s["logliks"] == [-4.0, -1.0] and s["pred"] == 1 and s["acc"] == 1.0
    # per byte: "a" (1 byte) -1.0 per byte vs "bc" -0.9 per byte -> option 1 (a floor of 2
    # bytes would make it -0.5 vs -0.9 -> option 0)
    s = score_multiple_choice([-1.0, -1.8], 1, ["a", "bc"])
    assert s["pred"] == 0 and s["pred_norm"] == 1
    with pytest.raises(ValueError, match="1 log-likelihoods for 2 choices"):
        score_multiple_choice([-1.0], 0, ["a", "b"])


# -- aggregate.py ---------------------------------------------------------------------------

def test_averages_of_nothing_are_nan_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # np.mean([]) would warn: the empty case must not reach it
        assert math.isnan(macro({})) and math.isnan(macro({"en": []}))
        assert math.isnan(micro({})) and math.isnan(micro({"en": []}))
        assert math.isnan(mean([])) and math.isnan(mean(iter([])))
    assert mean(iter([1.0, 2.0, 6.0])) == 3.0


# -- correlation.py ---------------------------------------------------------------------------

def test_pearson_constant_side_is_nan_even_with_round_off_and_without_warnings():
    # 0.1 * 3 / 3 is not 0.1 in binary: the "constant" side keeps a ~1e-33 variance
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert math.isnan(pearson([0.1, 0.1, 0.1], [1.0, 2.0, 3.0]))
        assert math.isnan(pearson([1.0, 2.0, 3.0], [0.1, 0.1, 0.1]))
        assert math.isnan(pearson([2.0, 2.0], [2.0, 2.0]))


def test_pearson_is_clipped_to_the_unit_interval():
    """Round-off can give 1.0000000000000002 for an exact line (found by search); the reported r
    is a correlation, so it is clipped to [-1, 1]."""
    x = np.array([0.2697867137638703, 0.04097352393619469, 0.016527635528529094, 0.8132702392002724,
                  0.9127555772777217, 0.6066357757671799, 0.7294965609839984, 0.5436249914654229])
    xc = x - x.mean()
    y = 2 * x + 1
    yc = y - y.mean()
    raw = float((xc * yc).sum() / np.sqrt((xc * xc).sum() * (yc * yc).sum()))
    assert raw > 1.0  # the precondition: unclipped round-off overshoots
    assert pearson_rows(x[None], y[None])[0] == 1.0
    assert pearson_rows(x[None], -y[None])[0] == -1.0


def test_correlation_to_dict_cleans_non_finite_values():
    d = Correlation(0.5, math.nan, math.inf, 7).to_dict()
    assert d == {"r": 0.5, "ci_low": None, "ci_high": None, "n_boot": 7}
    assert Correlation(-0.25, -0.5, 0.0, 3).to_dict() == {"r": -0.25, "ci_low": -0.5, "ci_high": 0.0, "n_boot": 3}


def test_bootstrap_correlations_defaults_and_level():
    """Defaults: 2000 resamples, seed 0; ``level`` sets the interval (here 80%)."""
    x = [0.1, 0.4, 0.35, 0.8, 0.6, 0.9]
    y = [0.2, 0.3, 0.5, 0.7, 0.65, 0.8]

    def r(idx):
        xs, ys = [x[i] for i in idx], [y[i] for i in idx]
        mx, my = sum(xs) / 6, sum(ys) / 6
        sxx = sum((a - mx) ** 2 for a in xs)
        syy = sum((b - my) ** 2 for b in ys)
        if sxx <= 1e-24 or syy <= 1e-24:
            return math.nan
        return sum((a - mx) * (b - my) for a, b in zip(xs, ys)) / math.sqrt(sxx * syy)

    reps = naive_replicates(6, 2000, 0, r)
    p, _ = bootstrap_correlations(np.array(x), np.array(y))
    assert p.n_boot == sum(1 for v in reps if not math.isnan(v)) and p.n_boot <= 2000
    assert (p.ci_low, p.ci_high) == pytest.approx((naive_quantile(reps, 0.025), naive_quantile(reps, 0.975)), rel=1e-9)
    p80, _ = bootstrap_correlations(np.array(x), np.array(y), level=0.8)
    assert (p80.ci_low, p80.ci_high) == pytest.approx((naive_quantile(reps, 0.1), naive_quantile(reps, 0.9)), rel=1e-9)


def test_fit_line_without_intercept_and_r_squared():
    # through the origin: a = sum(xy) / sum(xx) = (0.1*0.3 + 0.2*0.5) / (0.01 + 0.04) = 2.6
    a, b = fit_line(np.array([0.1, 0.2]), np.array([0.3, 0.5]), intercept=False)
    assert (a, b) == (pytest.approx(2.6), 0.0)
    a, b = fit_line(np.array([0.0, 0.0]), np.array([1.0, 2.0]), intercept=False)
    assert math.isnan(a) and b == 0.0
    # r^2 by hand: y = [1, 3, 2, 4], line 1 * x + 0.5 at x = [0, 1, 2, 3] -> fitted [0.5, 1.5, 2.5, 3.5]
    # residuals [0.5, 1.5, -0.5, 0.5] -> SS_res = 3.0; mean 2.5 -> SS_tot = 5.0; r^2 = 0.4
    assert r_squared([0, 1, 2, 3], [1, 3, 2, 4], 1.0, 0.5) == pytest.approx(0.4)
    assert r_squared([0, 1, 2, 3], [1, 3, 2, 4], 0.0, 2.5) == pytest.approx(0.0)
    assert math.isnan(r_squared([0, 1], [2.0, 2.0], 0.0, 2.0))
    # a small total sum of squares (0.02 < 1) is still a valid denominator: line y = 0.2 x + 0.1
    # through (0, 0.1), (1, 0.3) fits exactly -> r^2 = 1
    assert r_squared([0, 1], [0.1, 0.3], 0.2, 0.1) == pytest.approx(1.0)


# -- instruction_following.py ---------------------------------------------------------------------

def test_instruction_accuracy_with_a_single_instruction():
    stats = item_statistics([[True]], [[True]])
    assert accuracies(stats[None])["inst_strict"].tolist() == [1.0]  # 1 of 1, not 1 of max(2, 1)
    assert accuracy_cis(stats, n_boot=10)["inst_strict"] == (1.0, 1.0)  # one conversation: a point
    assert accuracy_cis(stats[:0]) == {}


def test_instruction_cis_defaults_and_alpha():
    """Defaults 1000 resamples, seed 0, 95%; alpha honoured."""
    rng = np.random.default_rng(21)
    strict = [[bool(v) for v in rng.random(1 + i % 5) < 0.6] for i in range(15)]
    loose = [[s or bool(rng.random() < 0.5) for s in row] for row in strict]
    stats = item_statistics(strict, loose)

    def inst_strict(idx):  # a ratio of summed counts: many distinct values, so a seed shows
        return sum(sum(strict[i]) for i in idx) / sum(len(strict[i]) for i in idx)

    reps = naive_replicates(15, 1000, 0, inst_strict)
    assert accuracy_cis(stats)["inst_strict"] == pytest.approx((naive_quantile(reps, 0.025), naive_quantile(reps, 0.975)), rel=1e-12)
    assert accuracy_cis(stats, alpha=0.5)["inst_strict"] == pytest.approx((naive_quantile(reps, 0.25), naive_quantile(reps, 0.75)), rel=1e-12)
    # the fixture tells the defaults apart: 1001 resamples, or seed 1, give other bounds
    def bounds(r):
        return [naive_quantile(r, q) for q in (0.025, 0.975, 0.25, 0.75)]

    assert bounds(naive_replicates(15, 1001, 0, inst_strict)) != bounds(reps)
    assert bounds(naive_replicates(15, 1000, 1, inst_strict)) != bounds(reps)


# -- chrf.py ----------------------------------------------------------------------------------------

def test_chrf_errors_name_the_problem(monkeypatch):
    from babelscope.errors import BabelscopeError
    from babelscope.metrics import chrf

    with pytest.raises(ValueError, match="2 hypotheses for 1 references"):
        chrf.sentence_statistics(["a", "b"], ["a"])
    monkeypatch.setitem(sys.modules, "sacrebleu.metrics", None)  # import fails as if not installed
    with pytest.raises(BabelscopeError, match=r"^chrF\+\+ needs the 'sacrebleu' package \(pip install sacrebleu\)$"):
        chrf.sentence_chrfpp("a", "a")


def test_pearson_rows_treats_a_variance_at_the_guard_as_constant():
    # The round-off guard is "sum of squared deviations <= 1e-24": x = (b, -b) has mean 0 and
    # sxx = 2 b**2, exactly 1e-24 in float64 for this b (checked here), so r is undefined (NaN)
    # on either side; a hair above the guard, r is the plain -1 of two opposite pairs.
    b = 7.071067811865475e-13
    at_guard = np.array([[b, -b]])
    assert float((at_guard * at_guard).sum()) == 1e-24
    other = np.array([[0.0, 1.0]])
    assert np.isnan(pearson_rows(at_guard, other)[0])
    assert np.isnan(pearson_rows(other, at_guard)[0])
    assert pearson_rows(1.5 * at_guard, other)[0] == -1.0
    assert pearson_rows(other, 1.5 * at_guard)[0] == -1.0
