"""Multi-IF / IFEval accuracies from per-conversation counts, and their bootstrap intervals.

Prompt-level accuracy is a mean over conversations; instruction-level accuracy is a ratio of
summed counts (instructions followed / instructions given), so resampling conversations must
carry each conversation's counts together. "overall" is the mean of the four accuracies, as
in the Multi-IF paper.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from .bootstrap import bootstrap

METRICS = ("prompt_strict", "inst_strict", "prompt_loose", "inst_loose")

#: Columns of the per-conversation statistics.
COLUMNS = ("prompt_strict", "strict_followed", "prompt_loose", "loose_followed", "instructions")


def item_statistics(strict: Sequence[Sequence[bool]], loose: Sequence[Sequence[bool]]) -> np.ndarray:
    """(n, 5) per-conversation counts (see COLUMNS) from per-instruction verdicts."""
    rows = [[float(all(s)), float(sum(s)), float(all(lo)), float(sum(lo)), float(len(s))]
            for s, lo in zip(strict, loose)]
    return np.asarray(rows, dtype=np.float64).reshape(-1, len(COLUMNS))


def accuracies(stats: np.ndarray) -> dict[str, np.ndarray]:
    """The four accuracies and "overall" of each resample in a (B, n, 5) array (B values each)."""
    n_inst = np.maximum(stats[..., 4].sum(axis=1), 1)
    d = {
        "prompt_strict": stats[..., 0].mean(axis=1),
        "inst_strict": stats[..., 1].sum(axis=1) / n_inst,
        "prompt_loose": stats[..., 2].mean(axis=1),
        "inst_loose": stats[..., 3].sum(axis=1) / n_inst,
    }
    d["overall"] = sum(d[m] for m in METRICS) / 4
    return d


def accuracy_cis(stats: np.ndarray, n_boot: int = 1000, seed: int = 0,
                 alpha: float = 0.05) -> dict[str, tuple[float, float]]:
    """Percentile bootstrap CI of every accuracy over resampled conversations (same resamples
    for all five, seed ``seed``); {} without conversations."""
    if len(stats) == 0:
        return {}
    out = {}
    for m in (*METRICS, "overall"):
        r = bootstrap(stats, lambda s, m=m: accuracies(s)[m], n_boot=n_boot, alpha=alpha, seed=seed)
        out[m] = (r.ci_low, r.ci_high)
    return out
