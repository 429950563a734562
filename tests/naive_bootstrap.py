"""The naive bootstrap that statistics tests compare babelscope against.

Plain loops with the same generator calls as babelscope's vectorised code (one
``default_rng(seed).integers(0, n)`` call per drawn index, resample by resample), hand-written
type-7 quantiles and the two-sided p-value's definition, so a test can require equality with
babelscope's intervals and p-values, not a range. Imported by the test modules (like
mexa_reference.py); not a test file itself.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np


def naive_indices(n: int, n_boot: int, seed: int) -> list[list[int]]:
    rng = np.random.default_rng(seed)
    return [[int(rng.integers(0, n)) for _ in range(n)] for _ in range(n_boot)]


def naive_replicates(n: int, n_boot: int, seed: int, stat: Callable[[list[int]], float]) -> list[float]:
    """``stat`` of each resample's indices."""
    return [stat(idx) for idx in naive_indices(n, n_boot, seed)]


def naive_quantile(values: list[float], q: float) -> float:
    """Linear interpolation between order statistics (Hyndman & Fan type 7, numpy's default),
    over the defined (non-NaN) values."""
    s = sorted(v for v in values if not math.isnan(v))
    h = (len(s) - 1) * q
    lo = math.floor(h)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (h - lo) * (s[hi] - s[lo])


def naive_interval(reps: list[float], alpha: float = 0.05) -> tuple[float, float]:
    return naive_quantile(reps, alpha / 2), naive_quantile(reps, 1 - alpha / 2)


def naive_two_sided_p(reps: list[float]) -> float:
    below = sum(1 for r in reps if r <= 0)
    above = sum(1 for r in reps if r >= 0)
    return min(1.0, 2 * (min(below, above) + 1) / (len(reps) + 1))
