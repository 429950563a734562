"""Every interval and p-value babelscope reports, pinned to a naive reference written here.

Each reference is a plain Python loop: the same seeded generator (numpy's default_rng, drawing
one index at a time, which yields the same stream as babelscope's one (B, n) draw), the
statistic recomputed from scratch with Python sums, and the linear-interpolation quantile
written out. The comparison is equality up to float rounding (rel 1e-12), not a range: a
wrong alpha, a lost pairing, a one-sided p-value all move the numbers by far more.
Where a closed form exists it is checked too, with a tolerance derived from the Monte-Carlo
error of B resamples (stated at each check).
"""

from __future__ import annotations

import math
import statistics

import numpy as np
import pytest
from naive_bootstrap import naive_indices, naive_interval, naive_two_sided_p

from babelscope.metrics.bootstrap import (
    SEED, bootstrap, bootstrap_ci, mean_statistic, paired_bootstrap, percentile_interval, replicates,
    two_sided_p,
)

EXACT = dict(rel=1e-12, abs=1e-12)


# -- closed forms --------------------------------------------------------------------------------

def binom_quantile(n: int, p: float, q: float) -> int:
    """Smallest k with P(Binomial(n, p) <= k) >= q (summed in log space)."""
    cdf = 0.0
    for k in range(n + 1):
        cdf += math.exp(math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)
                        + k * math.log(p) + (n - k) * math.log1p(-p))
        if cdf >= q:
            return k
    return n


# -- accuracy CI (the mean of per-item scores) ----------------------------------------------------

def test_bootstrap_ci_of_the_mean_equals_naive_loop():
    """Continuous per-item scores (chrF-like), so every resample has its own mean: with 0/1
    scores many seeds give the same lattice quantiles and a wrong seed could pass."""
    rng = np.random.default_rng(3)
    x = [float(v) for v in rng.random(37) * 100]
    reps = [sum(x[i] for i in idx) / len(x) for idx in naive_indices(len(x), 500, SEED)]
    lo, hi = bootstrap_ci(x, n_boot=500)
    assert (lo, hi) == pytest.approx(naive_interval(reps), **EXACT), "accuracy 95% bootstrap CI"
    lo90, hi90 = bootstrap_ci(x, n_boot=500, alpha=0.10)
    assert (lo90, hi90) == pytest.approx(naive_interval(reps, 0.10), **EXACT), "accuracy 90% bootstrap CI"
    assert hi90 - lo90 < hi - lo


def test_bootstrap_ci_of_a_proportion_matches_the_binomial_closed_form():
    """The bootstrap distribution of a mean of n 0/1 values is exactly Binomial(n, p_hat)/n, so
    with B = 20000 the percentile interval sits within one or two lattice steps (1/n) of the
    binomial quantiles. A 90% interval labelled 95% (alpha for alpha/2) is 0.0035 narrower on
    each side here, seven lattice steps."""
    n = 2000
    x = np.zeros(n)
    x[:1200] = 1.0  # p_hat = 0.6 exactly
    lo, hi = bootstrap_ci(x, n_boot=20000)
    exact_lo = binom_quantile(n, 0.6, 0.025) / n
    exact_hi = binom_quantile(n, 0.6, 0.975) / n
    assert abs(lo - exact_lo) <= 2 / n, f"accuracy CI lower bound {lo} vs binomial {exact_lo}"
    assert abs(hi - exact_hi) <= 2 / n, f"accuracy CI upper bound {hi} vs binomial {exact_hi}"
    # the wrong rule (alpha in place of alpha/2) lands outside that tolerance
    assert abs(binom_quantile(n, 0.6, 0.05) / n - exact_lo) > 4 / n


def test_generic_bootstrap_reports_estimate_and_defined_resamples():
    x = np.array([[1.0, 2.0], [3.0, 1.0], [0.0, 0.0], [5.0, 5.0]])
    ratio = lambda s: s[..., 0].sum(axis=1) / s[..., 1].sum(axis=1)  # noqa: E731
    with np.errstate(divide="ignore", invalid="ignore"):  # resamples of row 3 only: 0/0
        r = bootstrap(x, ratio, n_boot=300, seed=11)
    assert r.estimate == pytest.approx(9 / 8)
    reps = []
    for idx in naive_indices(4, 300, 11):
        num, den = sum(x[i, 0] for i in idx), sum(x[i, 1] for i in idx)
        reps.append(num / den if den else math.nan)  # 0/0 on all-"row 3" resamples
    assert (r.ci_low, r.ci_high) == pytest.approx(naive_interval(reps), **EXACT)
    assert r.n_boot == sum(1 for v in reps if not math.isnan(v))
    assert bootstrap(x[:0], ratio).n_boot == 0 and math.isnan(bootstrap(x[:0], ratio).estimate)
    assert all(math.isnan(v) for v in percentile_interval(np.array([math.nan])))


def test_chunked_replicates_equal_one_block(monkeypatch):
    """Chunking the resamples (memory) must not change a single replicate."""
    import babelscope.metrics.bootstrap as bs

    x = np.arange(50, dtype=float)
    whole = replicates(x, mean_statistic, 64, seed=5)
    monkeypatch.setattr(bs, "_CHUNK_ELEMENTS", 7 * 50)
    assert np.array_equal(replicates(x, mean_statistic, 64, seed=5), whole)


# -- paired bootstrap (compare) ------------------------------------------------------------------

def test_paired_bootstrap_equals_naive_loop():
    rng = np.random.default_rng(8)
    a = [float(v) for v in (rng.random(60) < 0.5)]
    b = [float(v) for v in (rng.random(60) < 0.6)]
    reps = [sum(b[i] - a[i] for i in idx) / 60 for idx in naive_indices(60, 400, SEED)]
    r = paired_bootstrap(a, b, n_boot=400)
    assert r.delta == pytest.approx((sum(b) - sum(a)) / 60, **EXACT)
    assert (r.ci_low, r.ci_high) == pytest.approx(naive_interval(reps), **EXACT), "paired CI of compare"
    assert r.p_value == pytest.approx(naive_two_sided_p(reps), **EXACT), "two-sided p-value of compare"


def test_paired_p_value_one_flipped_item_closed_form():
    """One item of 100 flipped 0 -> 1: a resample's mean difference is <= 0 exactly when that
    item is not drawn, probability (1 - 1/100)**100 = 0.366; it is never < 0. So the two-sided
    p-value is 2 * 0.99**100 = 0.732. With B = 20000 the Monte-Carlo standard error of p is
    2 * sqrt(0.366 * 0.634 / 20000) = 0.0068; the tolerance is 4 of those. A one-sided p-value
    (0.366) fails by 54 standard errors."""
    a = [0.0] * 100
    b = [1.0] + [0.0] * 99
    p = paired_bootstrap(a, b, n_boot=20000).p_value
    assert p == pytest.approx(2 * 0.99 ** 100, abs=4 * 0.0068), f"two-sided p-value {p}"
    # the direction of the flip does not matter to a two-sided test
    assert paired_bootstrap(b, a, n_boot=20000).p_value == p


def test_paired_p_value_closed_forms_at_the_extremes():
    # d = 1 on half the items, 0 on the rest: a resample is <= 0 only if it draws no "1" item
    # (probability 0.5**100), so no replicate is on the far side and p = 2 * (0 + 1) / (B + 1).
    a = [0.0, 1.0] * 50
    b = [1.0] * 100
    assert paired_bootstrap(a, b, n_boot=999).p_value == 2 / 1000
    # identical runs: every replicate is 0, both tails hold all of them, p is capped at 1
    assert paired_bootstrap(a, a).p_value == 1.0
    assert two_sided_p(np.array([0.1, 0.2, -0.3])) == pytest.approx(2 * 2 / 4)


# -- tokenizer premium and byte premium (paired ratio of sums) --------------------------------------

class CharTokenizer:
    """One token per character: token counts the test can compute itself."""

    name = "chars"
    vocab_size = 0

    def encode(self, text: str) -> list[str]:
        return list(text)


def _premium_corpus(n: int = 25, doubled: bool = False):
    from babelscope.corpora.base import ParallelCorpus
    from babelscope.languages import Language

    rng = np.random.default_rng(1)
    en = {str(i): "a" * int(rng.integers(3, 40)) for i in range(n)}
    if doubled:
        de = {k: v * 2 for k, v in en.items()}
    else:  # loosely tied to the English length, as translations are
        de = {k: "ä" * (len(v) + int(rng.integers(0, 30))) for k, v in en.items()}
    return ParallelCorpus("t", "1", {"en": en, "de": de}, {"en": Language.parse("en"), "de": Language.parse("de")}), en, de


def _row(out, metric, lang="de"):
    return next(r for r in out.rows if r.metric == metric and r.language.tag == lang)


def test_premium_ci_equals_naive_paired_loop():
    from babelscope.analyses.tokenization import BOOTSTRAP_SEED, run_tokenizers
    from babelscope.languages import Language

    corpus, en, de = _premium_corpus()
    out = run_tokenizers(corpus, [Language.parse("de")], Language.parse("en"), [CharTokenizer()], bootstrap=300)
    ids = corpus.shared_ids(["en", "de"])
    tok_en = [len(en[i]) for i in ids]
    tok_de = [len(de[i]) for i in ids]
    bytes_en = [len(en[i].encode()) for i in ids]
    bytes_de = [len(de[i].encode()) for i in ids]
    prem, byte_prem = [], []
    for idx in naive_indices(len(ids), 300, BOOTSTRAP_SEED):  # the SAME segments for both languages
        prem.append(sum(tok_de[i] for i in idx) / sum(tok_en[i] for i in idx))
        byte_prem.append(sum(bytes_de[i] for i in idx) / sum(bytes_en[i] for i in idx))
    p = _row(out, "premium")
    assert p.value == pytest.approx(sum(tok_de) / sum(tok_en), **EXACT)
    assert (p.ci_low, p.ci_high) == pytest.approx(naive_interval(prem), **EXACT), "tokenizer premium CI"
    bp = _row(out, "byte_premium")
    assert (bp.ci_low, bp.ci_high) == pytest.approx(naive_interval(byte_prem), **EXACT), "byte premium CI"


def test_premium_ci_is_a_point_when_every_segment_has_the_same_premium():
    """Closed form: each German segment is its English one twice over, so every resample's
    premium is exactly 2 and the paired interval is [2, 2]. Resampling the pivot independently
    of the language (the pairing lost) gives a wide interval instead."""
    from babelscope.analyses.tokenization import run_tokenizers
    from babelscope.languages import Language

    corpus, _, _ = _premium_corpus(doubled=True)
    out = run_tokenizers(corpus, [Language.parse("de")], Language.parse("en"), [CharTokenizer()], bootstrap=200)
    p = _row(out, "premium")
    assert (p.value, p.ci_low, p.ci_high) == pytest.approx((2.0, 2.0, 2.0), **EXACT), "premium CI must be paired"
    assert _row(out, "premium", "en").ci_low == pytest.approx(1.0, **EXACT)


# -- Multi-IF --------------------------------------------------------------------------------------

def test_multi_if_cis_equal_naive_loop():
    """Conversations with unequal numbers of instructions, so instruction-level accuracy (a
    ratio of summed counts) differs from the mean of per-conversation shares: the wrong rule
    gives different numbers on this fixture."""
    from babelscope.ifeval import FollowResult
    from babelscope.tasks import multi_if as mi

    rng = np.random.default_rng(4)
    results = []
    for i in range(23):
        k = 1 + i % 4
        strict = tuple(bool(v) for v in rng.random(k) < 0.6)
        loose = tuple(s or bool(rng.random() < 0.5) for s in strict)
        results.append(FollowResult(tuple("x" * k), strict, loose))
    g = mi.TurnScores(2, "en", results, [str(i) for i in range(23)])

    def naive(res):
        n_inst = sum(len(r.strict) for r in res)
        d = {"prompt_strict": sum(all(r.strict) for r in res) / len(res),
             "inst_strict": sum(sum(r.strict) for r in res) / n_inst,
             "prompt_loose": sum(all(r.loose) for r in res) / len(res),
             "inst_loose": sum(sum(r.loose) for r in res) / n_inst}
        d["overall"] = (d["prompt_strict"] + d["inst_strict"] + d["prompt_loose"] + d["inst_loose"]) / 4
        return d

    draws = [naive([results[i] for i in idx]) for idx in naive_indices(23, 300, 9)]
    ci = mi.bootstrap_ci(g, n_boot=300, seed=9)
    for m in ("prompt_strict", "inst_strict", "prompt_loose", "inst_loose", "overall"):
        assert ci[m] == pytest.approx(naive_interval([d[m] for d in draws]), **EXACT), f"Multi-IF {m} CI"
    # the fixture discriminates: mean of per-conversation shares != pooled instruction accuracy
    per_conv = statistics.mean(sum(r.strict) / len(r.strict) for r in results)
    assert abs(per_conv - naive(results)["inst_strict"]) > 0.01
    rows = {(r.metric): r for r in mi.result_rows([g], n_boot=300, seed=9)}
    assert (rows["inst_loose"].ci_low, rows["inst_loose"].ci_high) == ci["inst_loose"]


# -- calibration correlations ------------------------------------------------------------------------

def _ranks(v: list[float]) -> list[float]:
    out = []
    for x in v:
        less = sum(1 for y in v if y < x)
        eq = sum(1 for y in v if y == x)
        out.append(less + (eq + 1) / 2)
    return out


def _pearson(x: list[float], y: list[float]) -> float:
    mx, my = sum(x) / len(x), sum(y) / len(y)
    sxx = sum((a - mx) ** 2 for a in x)
    syy = sum((b - my) ** 2 for b in y)
    if sxx <= 1e-24 or syy <= 1e-24:
        return math.nan
    return sum((a - mx) * (b - my) for a, b in zip(x, y)) / math.sqrt(sxx * syy)


def test_calibration_cis_equal_naive_loop():
    from babelscope.metrics.correlation import bootstrap_correlations

    x = [0.31, 0.52, 0.48, 0.77, 0.61, 0.40, 0.52, 0.90]
    y = [0.35, 0.50, 0.58, 0.70, 0.52, 0.41, 0.49, 0.86]
    p, s = bootstrap_correlations(np.array(x), np.array(y), n_boot=400, seed=2)
    pr, sr = [], []
    for idx in naive_indices(len(x), 400, 2):
        xs, ys = [x[i] for i in idx], [y[i] for i in idx]
        pr.append(_pearson(xs, ys))
        sr.append(_pearson(_ranks(xs), _ranks(ys)))
    assert p.r == pytest.approx(statistics.correlation(x, y), **EXACT)
    assert (p.ci_low, p.ci_high) == pytest.approx(naive_interval(pr), rel=1e-9), "calibration Pearson CI"
    assert (s.ci_low, s.ci_high) == pytest.approx(naive_interval(sr), rel=1e-9), "calibration Spearman CI"
    assert p.n_boot == sum(1 for v in pr if not math.isnan(v))
    assert s.r == pytest.approx(_pearson(_ranks(x), _ranks(y)), **EXACT)


# -- corpus chrF++ -----------------------------------------------------------------------------------

HYPS = ["Habari ya asubuhi rafiki", "Ninakwenda sokoni leo", "Paka amelala juu ya mkeka",
        "Mvua inanyesha sana", "Watoto wanacheza nje", "Sijui", "Asante sana kwa chakula",
        "Tutaonana kesho asubuhi"]
REFS = ["Habari za asubuhi rafiki yangu", "Ninaenda sokoni leo", "Paka amelala kwenye mkeka",
        "Mvua inanyesha kwa nguvu", "Watoto wanacheza nje", "Sijui jibu", "Asante kwa chakula",
        "Tutaonana kesho"]


def test_corpus_chrfpp_ci_equals_naive_sacrebleu_loop():
    """Reference: sacrebleu.corpus_chrf called on each resample's sentences (no statistics
    shortcut), same seed."""
    import sacrebleu

    from babelscope.metrics.chrf import corpus_chrfpp, corpus_chrfpp_ci

    reps = []
    for idx in naive_indices(len(HYPS), 150, SEED):
        reps.append(sacrebleu.corpus_chrf([HYPS[i] for i in idx], [[REFS[i] for i in idx]], word_order=2).score)
    r = corpus_chrfpp_ci(HYPS, REFS, n_boot=150)
    assert r.estimate == pytest.approx(sacrebleu.corpus_chrf(HYPS, [REFS], word_order=2).score, **EXACT)
    assert r.estimate == pytest.approx(corpus_chrfpp(HYPS, REFS), **EXACT)
    assert (r.ci_low, r.ci_high) == pytest.approx(naive_interval(reps), **EXACT), "corpus chrF++ CI"


def test_flores_task_reports_corpus_chrfpp_interval():
    import sacrebleu

    from babelscope.tasks.base import GENERATE, Item
    from babelscope.tasks.flores_translation import FloresTranslation

    items = [Item(id=str(i), kind=GENERATE, context="", target=t) for i, t in enumerate(REFS)]
    scores = [{"response": h, "chrf": 0.0} for h in HYPS]
    task = FloresTranslation()
    reps = [sacrebleu.corpus_chrf([HYPS[i] for i in idx], [[REFS[i] for i in idx]], word_order=2).score
            for idx in naive_indices(len(HYPS), 100, SEED)]
    assert task.corpus_intervals(items, scores, n_boot=100)["chrf_corpus"] == pytest.approx(naive_interval(reps), **EXACT)
    assert task.corpus_intervals(items, scores, n_boot=0) == {}
