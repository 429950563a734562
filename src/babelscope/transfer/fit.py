"""Does typology predict the measured transfer? Rank correlations, bootstrap CIs, held-out targets.

Each off-diagonal cell (S != T) of a transfer matrix is one observation: the score with
demonstrations from S, minus the mean over sources for the same target (targets differ in
difficulty; what a source buys is relative to the target's other sources). Per distance the
statistic is Spearman's rho between the distance, centred the same way (minus its mean over the
target's sources), and that relative score: a within-target association, so a negative rho
means "for a given target, closer sources help more", which is what typology predicts. The combination is a
ridge regression on all distances plus script mismatch, fitted leave-one-target-out: the
weights that predict target T's cells never saw T, and rho is measured on those held-out
predictions only.

Intervals are percentile bootstraps over cells. The resampling is written as a statistic of
an index array (:func:`bootstrap_statistic`), so it ports to a generic bootstrap as is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Sequence

import numpy as np

from ..errors import BabelscopeError
from ..metrics.bootstrap import N_BOOT, SEED
from .matrix import TransferMatrix
from .uriel import DISTANCES, distances, uriel, uriel_code

RIDGE = 1.0


def rankdata(x: np.ndarray) -> np.ndarray:
    """Ranks 1..n with ties given their average rank."""
    order = np.argsort(x, kind="mergesort")
    ranks = np.empty(len(x), dtype=np.float64)
    ranks[order] = np.arange(1, len(x) + 1)
    for v in np.unique(x):
        tie = x == v
        if tie.sum() > 1:
            ranks[tie] = ranks[tie].mean()
    return ranks


def spearman(x: Sequence[float], y: Sequence[float]) -> float:
    """Spearman's rho (Pearson on average ranks); nan when either side is constant or n < 3."""
    a, b = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if a.size < 3 or np.ptp(a) == 0 or np.ptp(b) == 0:
        return float("nan")
    ra, rb = rankdata(a), rankdata(b)
    ra -= ra.mean()
    rb -= rb.mean()
    return float((ra @ rb) / np.sqrt((ra @ ra) * (rb @ rb)))


def bootstrap_statistic(n: int, statistic: Callable[[np.ndarray], float], n_boot: int = N_BOOT,
                        alpha: float = 0.05, seed: int = SEED) -> tuple[float, float]:
    """Percentile interval of ``statistic(idx)`` over resampled index arrays (nan draws dropped)."""
    if n == 0 or n_boot < 1:
        return float("nan"), float("nan")
    rng = np.random.default_rng(seed)
    draws = np.array([statistic(rng.integers(0, n, size=n)) for _ in range(n_boot)])
    draws = draws[~np.isnan(draws)]
    if draws.size == 0:
        return float("nan"), float("nan")
    lo, hi = np.quantile(draws, [alpha / 2, 1 - alpha / 2])
    return float(lo), float(hi)


@dataclass
class Observations:
    """One row per off-diagonal cell: target, source, relative score, predictors."""

    targets: list[str]
    sources: list[str]
    score: np.ndarray
    relative: np.ndarray
    predictors: dict[str, np.ndarray]


def observations(m: TransferMatrix) -> Observations:
    """Off-diagonal cells with a value, their distances, and per-target-centred scores."""
    u = uriel()
    targets, sources, scores = [], [], []
    preds: dict[str, list[float]] = {k: [] for k in (*DISTANCES, "script_mismatch")}
    for t in m.targets:
        for s in m.sources:
            cell = m.get(s, t)
            if s == t or cell is None or cell.value is None or not np.isfinite(cell.value):
                continue
            try:
                d = distances(u.profile(uriel_code(t)), u.profile(uriel_code(s)))
            except BabelscopeError:
                d = {k: None for k in DISTANCES}
            for k in DISTANCES:
                preds[k].append(np.nan if d[k] is None else d[k])
            preds["script_mismatch"].append(0.0 if s.script == t.script else 1.0)
            targets.append(t.tag)
            sources.append(s.tag)
            scores.append(float(cell.value))
    y = np.asarray(scores, dtype=np.float64)
    rel = y.copy()
    for t in set(targets):
        idx = [i for i, x in enumerate(targets) if x == t]
        rel[idx] = y[idx] - y[idx].mean()
    return Observations(targets, sources, y, rel, {k: np.asarray(v) for k, v in preds.items()})


def centred(x: np.ndarray, targets: Sequence[str]) -> np.ndarray:
    """``x`` minus its mean over the same target's cells (nan-aware)."""
    out = np.array(x, dtype=np.float64)
    tarr = np.asarray(targets)
    for t in set(targets):
        m = tarr == t
        if np.any(~np.isnan(out[m])):
            out[m] = out[m] - np.nanmean(out[m])
    return out


def loto_predictions(obs: Observations, names: Sequence[str], ridge: float = RIDGE) -> np.ndarray:
    """Leave-one-target-out ridge predictions of the relative score from ``names``."""
    X = np.column_stack([obs.predictors[k] for k in names]) if names else np.zeros((len(obs.relative), 0))
    X = np.where(np.isnan(X), np.nanmean(X, axis=0, keepdims=True) if X.size else X, X)
    X = np.nan_to_num(X)
    pred = np.full(len(obs.relative), np.nan)
    tarr = np.asarray(obs.targets)
    for t in sorted(set(obs.targets)):
        test, train = tarr == t, tarr != t
        if train.sum() < 2:
            continue
        mu, sd = X[train].mean(axis=0), X[train].std(axis=0)
        sd[sd == 0] = 1.0
        Xt = (X[train] - mu) / sd
        yt = obs.relative[train] - obs.relative[train].mean()
        w = np.linalg.solve(Xt.T @ Xt + ridge * np.eye(Xt.shape[1]), Xt.T @ yt)
        pred[test] = ((X[test] - mu) / sd) @ w + obs.relative[train].mean()
    return pred


def fit_matrix(m: TransferMatrix, n_boot: int = N_BOOT) -> dict[str, Any]:
    """Per-distance and combined rank correlations with the measured transfer, with CIs."""
    obs = observations(m)
    n = len(obs.relative)
    if n < 3:
        raise BabelscopeError(
            f"task {m.task}: only {n} off-diagonal cells with values; a fit needs at least 3 "
            "(two or more sources and targets)"
        )
    out: dict[str, Any] = {"task": m.task, "metric": m.metric, "condition": m.condition, "n_cells": n,
                           "sources": [s.tag for s in m.sources], "targets": [t.tag for t in m.targets],
                           "distances": {}, "cells": []}
    for k, x in obs.predictors.items():
        ok = ~np.isnan(x)
        xs, ys = centred(x, obs.targets)[ok], obs.relative[ok]
        rho = spearman(xs, ys)
        lo, hi = bootstrap_statistic(len(xs), lambda i, xs=xs, ys=ys: spearman(xs[i], ys[i]), n_boot)
        per_target = {}
        for t in sorted(set(obs.targets)):
            idx = [i for i, tt in enumerate(obs.targets) if tt == t and ok[i]]
            per_target[t] = _nan_none(spearman(x[idx], obs.relative[idx])) if len(idx) >= 3 else None
        out["distances"][k] = {"spearman": _nan_none(rho), "ci_low": _nan_none(lo), "ci_high": _nan_none(hi),
                               "n": int(ok.sum()), "per_target": per_target}
    names = list(obs.predictors)
    pred = loto_predictions(obs, names)
    ok = ~np.isnan(pred)
    ps, ys = pred[ok], obs.relative[ok]
    rho = spearman(ps, ys)
    lo, hi = bootstrap_statistic(len(ps), lambda i: spearman(ps[i], ys[i]), n_boot)
    out["combined"] = {"model": f"ridge (lambda={RIDGE:g}) on standardised {', '.join(names)}, leave-one-target-out",
                       "spearman": _nan_none(rho), "ci_low": _nan_none(lo), "ci_high": _nan_none(hi),
                       "n": int(ok.sum()), "sign": "positive = held-out predictions rank the sources right"}
    usable = {k: v for k, v in out["distances"].items() if v["spearman"] is not None and k != "script_mismatch"}
    out["strongest"] = min(usable, key=lambda k: usable[k]["spearman"]) if usable else None
    cent = {k: centred(x, obs.targets) for k, x in obs.predictors.items()}
    for i in range(n):
        out["cells"].append({"target": obs.targets[i], "source": obs.sources[i], "score": float(obs.score[i]),
                             "relative": float(obs.relative[i]),
                             **{k: _nan_none(float(v[i])) for k, v in obs.predictors.items()},
                             "centred": {k: _nan_none(float(v[i])) for k, v in cent.items()},
                             "combined_prediction": _nan_none(float(pred[i]))})
    return out


def fit_run(store: Any, run_id: str, metric: str = "acc", task: str | None = None,
            n_boot: int = N_BOOT) -> dict[str, Any]:
    """Fit every transfer matrix of a stored run."""
    from .matrix import load_matrices

    run = store.run(run_id)
    mats = load_matrices(store, run.run_id, metric=metric, task=task)
    return {"run_id": run.run_id, "metric": metric,
            "reading": "spearman < 0 for a distance: closer sources transferred better (typology predicts)",
            "fits": [fit_matrix(m, n_boot) for m in mats]}


def _nan_none(x: float) -> float | None:
    return None if x is None or not np.isfinite(x) else float(x)
