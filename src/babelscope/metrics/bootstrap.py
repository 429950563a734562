"""Bootstrap confidence intervals and paired bootstrap significance over items.

Per-language benchmark slices are often small (100-250 items), so a point accuracy alone
invites reading noise as a language gap. Percentile bootstrap over items is assumption-light
and works for any per-item score (0/1 accuracy, chrF, extraction success).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

N_BOOT = 1000
SEED = 12345


def bootstrap_ci(values: Sequence[float], n_boot: int = N_BOOT, alpha: float = 0.05,
                 seed: int = SEED) -> tuple[float, float]:
    """Percentile (1 - alpha) interval of the mean of ``values``; (nan, nan) when empty or when
    ``n_boot`` is 0 (no interval asked for)."""
    x = np.asarray(values, dtype=np.float64)
    if x.size == 0 or n_boot < 1:
        return float("nan"), float("nan")
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, x.size, size=(n_boot, x.size))
    means = x[idx].mean(axis=1)
    lo, hi = np.quantile(means, [alpha / 2, 1 - alpha / 2])
    return float(lo), float(hi)


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

    The p-value is two-sided: twice the share of resampled differences on the far side of
    zero from the observed one (capped at 1), with the +1 correction so it is never 0.
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
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, n, size=(n_boot, n))
    deltas = d[idx].mean(axis=1)
    obs = float(d.mean())
    lo, hi = np.quantile(deltas, [alpha / 2, 1 - alpha / 2])
    if obs == 0 and not np.any(d):
        p = 1.0
    else:
        far = np.sum(deltas <= 0) if obs > 0 else np.sum(deltas >= 0)
        p = min(1.0, 2 * (far + 1) / (n_boot + 1))
    return PairedResult(n, float(xa.mean()), float(xb.mean()), obs, float(lo), float(hi), float(p))
