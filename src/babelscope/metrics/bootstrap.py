"""One percentile bootstrap over items, for every interval and paired p-value babelscope reports.

Per-language benchmark slices are often small (100-250 items), so a point accuracy alone
invites reading noise as a language gap. Percentile bootstrap over items is assumption-light
and works for any score computed from per-item statistics: a mean of 0/1 accuracies, a ratio
of summed token counts (tokenizer premium, bits per byte), corpus chrF++ from summed n-gram
statistics, Multi-IF's instruction-level accuracy, a correlation over languages.

The one rule everything shares: item indices are drawn once, with replacement, from a seeded
generator (``numpy.random.default_rng(seed).integers(0, n, size=(n_boot, n))``), every column
of the per-item statistics is resampled with the *same* indices (so paired quantities such as
a language and its pivot stay paired), and the interval is the (alpha/2, 1 - alpha/2) quantile
pair of the statistic over the resamples (numpy's default linear interpolation). Resamples on
which the statistic is undefined (NaN, e.g. a correlation with a constant side) are left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

N_BOOT = 1000
SEED = 12345

#: Maps resampled per-item statistics, shape (B, n, *item_shape), to B scores, shape (B,).
Statistic = Callable[[np.ndarray], np.ndarray]

#: Resampled arrays are built in chunks of at most this many elements (memory, not results:
#: the indices are drawn up front, so chunking cannot change a number).
_CHUNK_ELEMENTS = 1 << 22


def resample_indices(n: int, n_boot: int, seed: int) -> np.ndarray:
    """The (n_boot, n) item indices every bootstrap in babelscope uses for ``seed``."""
    return np.random.default_rng(seed).integers(0, n, size=(n_boot, n))


def replicates(stats: np.ndarray, statistic: Statistic, n_boot: int = N_BOOT, seed: int = SEED) -> np.ndarray:
    """The statistic on each of ``n_boot`` resamples of the rows (items) of ``stats``."""
    x = np.asarray(stats)
    n = x.shape[0]
    idx = resample_indices(n, n_boot, seed)
    per_row = max(1, int(np.prod(x.shape, dtype=np.int64)))
    step = max(1, _CHUNK_ELEMENTS // per_row)
    out = [np.asarray(statistic(x[idx[i:i + step]]), dtype=np.float64).reshape(-1)
           for i in range(0, n_boot, step)]
    return np.concatenate(out) if out else np.empty(0)


def percentile_interval(reps: np.ndarray, alpha: float = 0.05) -> tuple[float, float]:
    """(alpha/2, 1 - alpha/2) quantiles of the defined replicates; (nan, nan) if there are none."""
    r = np.asarray(reps, dtype=np.float64)
    r = r[~np.isnan(r)]
    if r.size == 0:
        return float("nan"), float("nan")
    lo, hi = np.quantile(r, [alpha / 2, 1 - alpha / 2])
    return float(lo), float(hi)


@dataclass(frozen=True)
class BootstrapResult:
    """A statistic on all items, its percentile interval, and how many resamples defined it."""

    estimate: float
    ci_low: float
    ci_high: float
    n_boot: int


def bootstrap(stats: np.ndarray, statistic: Statistic, n_boot: int = N_BOOT, alpha: float = 0.05,
              seed: int = SEED) -> BootstrapResult:
    """Estimate and percentile interval of ``statistic`` over the items (rows) of ``stats``.

    No items, or ``n_boot`` < 1 (no interval asked for), give NaN bounds and ``n_boot`` 0.
    """
    x = np.asarray(stats)
    nan = float("nan")
    if x.shape[0] == 0:
        return BootstrapResult(nan, nan, nan, 0)
    estimate = float(np.asarray(statistic(x[None]), dtype=np.float64).reshape(-1)[0])
    if n_boot < 1:
        return BootstrapResult(estimate, nan, nan, 0)
    reps = replicates(x, statistic, n_boot, seed)
    lo, hi = percentile_interval(reps, alpha)
    return BootstrapResult(estimate, lo, hi, int(np.count_nonzero(~np.isnan(reps))))


def mean_statistic(resampled: np.ndarray) -> np.ndarray:
    """Mean over the items of each resample."""
    return resampled.mean(axis=1)


def ratio_of_sums(resampled: np.ndarray) -> np.ndarray:
    """sum(column 0) / sum(column 1) per resample: premium, bits per byte, chars per token."""
    return resampled[..., 0].sum(axis=1) / resampled[..., 1].sum(axis=1)


def bootstrap_ci(values: Sequence[float], n_boot: int = N_BOOT, alpha: float = 0.05,
                 seed: int = SEED) -> tuple[float, float]:
    """Percentile (1 - alpha) interval of the mean of ``values``; (nan, nan) when empty or when
    ``n_boot`` is 0 (no interval asked for)."""
    r = bootstrap(np.asarray(values, dtype=np.float64), mean_statistic, n_boot, alpha, seed)
    return r.ci_low, r.ci_high


def two_sided_p(reps: np.ndarray) -> float:
    """Two-sided bootstrap p-value of "the statistic is zero", from its replicates.

    It is the smallest alpha at which the percentile interval excludes zero:
    2 * min(share of replicates <= 0, share >= 0), with the +1 correction of Davison & Hinkley
    ((count + 1) / (B + 1)) so it is never 0, capped at 1. For one item flipped 0 -> 1 out of
    n, a replicate is <= 0 exactly when the item is not drawn, so p -> 2 * (1 - 1/n)**n
    (0.732 for n = 100) as B grows.
    """
    r = np.asarray(reps, dtype=np.float64)
    r = r[~np.isnan(r)]
    if r.size == 0:
        return float("nan")
    side = min(int(np.sum(r <= 0)), int(np.sum(r >= 0)))
    return float(min(1.0, 2 * (side + 1) / (r.size + 1)))


@dataclass(frozen=True)
class PairedResult:
    """Run B minus run A on the same items: mean difference, its interval, two-sided p."""

    n: int
    mean_a: float
    mean_b: float
    delta: float
    ci_low: float
    ci_high: float
    p_value: float


def paired_bootstrap(a: Sequence[float], b: Sequence[float], n_boot: int = N_BOOT,
                     alpha: float = 0.05, seed: int = SEED) -> PairedResult:
    """Resample item indices jointly, so item difficulty cancels out of the difference.

    The interval is the percentile interval of the mean of b - a; the p-value is
    :func:`two_sided_p` of the same replicates (so p < alpha exactly when the interval
    excludes zero, up to quantile interpolation).
    """
    xa = np.asarray(a, dtype=np.float64)
    xb = np.asarray(b, dtype=np.float64)
    if xa.shape != xb.shape:
        raise ValueError("paired bootstrap needs the same items in both runs")
    n = xa.size
    if n == 0:
        nan = float("nan")
        return PairedResult(0, nan, nan, nan, nan, nan, nan)
    d = xb - xa
    reps = replicates(d, mean_statistic, n_boot, seed)
    lo, hi = percentile_interval(reps, alpha)
    return PairedResult(n, float(xa.mean()), float(xb.mean()), float(d.mean()), lo, hi, two_sided_p(reps))
