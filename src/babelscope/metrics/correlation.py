"""Correlations and a line fit over languages, with bootstrap intervals (alignment calibration).

Pearson and Spearman are written out rather than taken from scipy so that the bootstrap can
compute all resamples at once (row-wise over a (B, n) array) and so that the tie rule is
stated here: ties share the mean of the ranks they span, as scipy.stats.rankdata does.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from .bootstrap import bootstrap


def pearson(x: np.ndarray, y: np.ndarray) -> float:
    """Pearson's r; NaN when either side is constant."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    return float(pearson_rows(x[None, :], y[None, :])[0])


def spearman(x: np.ndarray, y: np.ndarray) -> float:
    """Spearman's rho: Pearson's r of the average ranks (ties share their mean rank)."""
    return pearson(rankdata(x), rankdata(y))


def rankdata(a: np.ndarray) -> np.ndarray:
    """1-based ranks, ties given the mean of the ranks they span."""
    a = np.asarray(a, dtype=np.float64)
    order = np.argsort(a, kind="mergesort")
    sorted_a = a[order]
    ranks = np.empty(len(a), dtype=np.float64)
    # Each run of equal values gets the mean of positions start+1 .. end.
    boundaries = np.flatnonzero(np.diff(sorted_a)) + 1
    starts = np.concatenate(([0], boundaries))
    ends = np.concatenate((boundaries, [len(a)]))
    for s, e in zip(starts, ends):
        ranks[order[s:e]] = (s + 1 + e) / 2.0
    return ranks


def pearson_rows(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Row-wise Pearson r of two (B, n) arrays (the bootstrap computes all resamples at once)."""
    xc = x - x.mean(axis=1, keepdims=True)
    yc = y - y.mean(axis=1, keepdims=True)
    sxx = (xc * xc).sum(axis=1)
    syy = (yc * yc).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = (xc * yc).sum(axis=1) / np.sqrt(sxx * syy)
    # A constant side has no correlation; round-off can leave a tiny non-zero variance.
    r[(sxx <= 1e-24) | (syy <= 1e-24)] = np.nan
    return np.clip(r, -1.0, 1.0)


def pearson_statistic(resampled: np.ndarray) -> np.ndarray:
    """Pearson r of columns 0 and 1 of each (n, 2) resample."""
    return pearson_rows(resampled[..., 0], resampled[..., 1])


def spearman_statistic(resampled: np.ndarray) -> np.ndarray:
    """Spearman rho of columns 0 and 1 of each (n, 2) resample (ranks taken within it)."""
    rx = np.stack([rankdata(row) for row in resampled[..., 0]])
    ry = np.stack([rankdata(row) for row in resampled[..., 1]])
    return pearson_rows(rx, ry)


def _clean(v: float) -> float | None:
    return None if v is None or not math.isfinite(v) else float(v)


@dataclass(frozen=True)
class Correlation:
    """A correlation with a percentile bootstrap interval over resampled languages."""

    r: float
    ci_low: float
    ci_high: float
    n_boot: int

    def to_dict(self) -> dict[str, Any]:
        return {"r": _clean(self.r), "ci_low": _clean(self.ci_low), "ci_high": _clean(self.ci_high),
                "n_boot": self.n_boot}


def bootstrap_correlations(
    x: np.ndarray, y: np.ndarray, n_boot: int = 2000, seed: int = 0, level: float = 0.95,
) -> tuple[Correlation, Correlation]:
    """Pearson and Spearman with percentile bootstrap CIs (languages resampled with replacement).

    Both use the same resampled languages (same seed). Resamples in which one side is constant
    have no correlation and are left out of the percentiles (with only a few languages that
    happens often enough to matter); ``n_boot`` of the result counts the resamples kept.
    """
    xy = np.stack([np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)], axis=1)
    alpha = 1 - level
    out = []
    for stat in (pearson_statistic, spearman_statistic):
        b = bootstrap(xy, stat, n_boot=n_boot, alpha=alpha, seed=seed)
        out.append(Correlation(b.estimate, b.ci_low, b.ci_high, b.n_boot))
    return out[0], out[1]


def fit_line(x: np.ndarray, y: np.ndarray, intercept: bool = True) -> tuple[float, float]:
    """Least squares y ~ a*x + b (b = 0 without intercept); returns (a, b)."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if intercept:
        design = np.stack([x, np.ones_like(x)], axis=1)
        (a, b), *_ = np.linalg.lstsq(design, y, rcond=None)
        return float(a), float(b)
    sxx = float(x @ x)
    return (float(x @ y) / sxx if sxx > 0 else math.nan), 0.0


def r_squared(x: np.ndarray, y: np.ndarray, a: float, b: float) -> float:
    """1 - SS_res / SS_tot of the line a*x + b; NaN when y is constant."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    resid = y - (a * x + b)
    ss_tot = float(((y - y.mean()) ** 2).sum())
    return 1.0 - float(resid @ resid) / ss_tot if ss_tot > 0 else math.nan
