"""Rank correlations, bootstrap intervals and the leave-one-target-out fit of transfer matrices.

Expected values: Spearman from the textbook no-ties formula 1 - 6 sum d^2 / (n (n^2 - 1)) and a
hand-ranked tie example; matrices built here so that the score is a known monotone function of
a distance (so the per-target rho must be exactly -1).
"""

from __future__ import annotations

import numpy as np
import pytest

from babelscope.languages import Language
from babelscope.transfer.fit import bootstrap_statistic, fit_matrix, loto_predictions, observations, spearman
from babelscope.transfer.matrix import Cell, TransferMatrix
from babelscope.transfer.uriel import language_distances


def test_spearman_matches_the_no_ties_formula():
    rng = np.random.default_rng(3)
    for _ in range(20):
        x, y = rng.permutation(9).astype(float), rng.permutation(9).astype(float)
        d = (x - y)  # already ranks 0..8
        expect = 1 - 6 * float((d ** 2).sum()) / (9 * (81 - 1))
        assert spearman(x, y) == pytest.approx(expect)


def test_spearman_with_ties_uses_average_ranks():
    # x ranks: 1, 2.5, 2.5, 4 ; y ranks: 1, 2, 3, 4 -> Pearson of those ranks, by hand:
    rx, ry = np.array([1, 2.5, 2.5, 4]), np.array([1, 2, 3, 4.0])
    rx, ry = rx - rx.mean(), ry - ry.mean()
    expect = float(rx @ ry / np.sqrt((rx @ rx) * (ry @ ry)))
    assert spearman([10, 20, 20, 30], [1, 2, 3, 4]) == pytest.approx(expect)
    assert np.isnan(spearman([1, 1, 1], [1, 2, 3]))


def test_bootstrap_statistic_brackets_the_estimate_and_is_reproducible():
    x = np.arange(50, dtype=float)
    lo, hi = bootstrap_statistic(50, lambda i: x[i].mean(), n_boot=400)
    assert lo < x.mean() < hi
    assert (lo, hi) == bootstrap_statistic(50, lambda i: x[i].mean(), n_boot=400)


LANGS = ["en", "de", "fr", "sw", "yo"]


def _matrix(score_fn) -> TransferMatrix:
    langs = [Language.parse(t) for t in LANGS]
    m = TransferMatrix("t", "acc", "", sources=list(langs), targets=list(langs))
    for s in langs:
        for t in langs:
            m.cells[(s.tag, t.tag)] = Cell(score_fn(s.tag, t.tag))
    return m


def test_fit_recovers_a_score_that_falls_with_featural_distance():
    # Score = 1 - featural distance (+ a per-target offset the fit must ignore).
    offset = {t: i * 0.1 for i, t in enumerate(LANGS)}
    m = _matrix(lambda s, t: 0.9 if s == t else 1 - language_distances(s, t)["featural"] + offset[t])
    fit = fit_matrix(m, n_boot=200)
    assert fit["n_cells"] == 20
    feat = fit["distances"]["featural"]
    assert all(v == pytest.approx(-1.0) for v in feat["per_target"].values())
    assert feat["spearman"] == pytest.approx(-1.0)  # centring per target removes the offsets
    assert feat["ci_low"] <= feat["spearman"] <= feat["ci_high"] + 1e-12
    assert fit["strongest"] == "featural"
    assert fit["combined"]["spearman"] > 0.5


def test_leave_one_target_out_predictions_never_see_the_held_out_target():
    base = _matrix(lambda s, t: 1 - language_distances(s, t)["syntactic"])
    obs = observations(base)
    names = ["syntactic", "genetic"]
    pred = loto_predictions(obs, names)
    # Scramble every cell of target "sw": predictions for sw must not move (its weights were
    # fitted on the other targets), while other targets' predictions may.
    changed = observations(base)
    sw = np.array([t == "sw" for t in changed.targets])
    changed.relative[sw] = changed.relative[sw][::-1] * 5
    pred2 = loto_predictions(changed, names)
    assert np.allclose(pred[sw], pred2[sw])
    assert not np.allclose(pred[~sw], pred2[~sw])


def test_fit_on_too_few_cells_is_a_user_error():
    from babelscope.errors import BabelscopeError

    langs = [Language.parse("en"), Language.parse("de")]
    m = TransferMatrix("t", "acc", "", sources=langs, targets=langs,
                       cells={("en", "de"): Cell(0.5), ("de", "en"): Cell(0.4)})
    with pytest.raises(BabelscopeError, match="at least 3"):
        fit_matrix(m)
