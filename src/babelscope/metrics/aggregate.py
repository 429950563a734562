"""Averages across languages and the gap to the pivot.

Macro averages weight every language equally (the question "how well does it serve languages"),
micro averages weight every item (the question "how many questions does it get right");
reporting both keeps a large language from hiding many small ones.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Callable, Iterable, Sequence

import numpy as np


def macro(per_language: dict[str, Sequence[float]]) -> float:
    means = [float(np.mean(v)) for v in per_language.values() if len(v)]
    return float(np.mean(means)) if means else float("nan")


def micro(per_language: dict[str, Sequence[float]]) -> float:
    allv = [x for v in per_language.values() for x in v]
    return float(np.mean(allv)) if allv else float("nan")


def gap_to_pivot(value: float, pivot_value: float) -> float:
    """value - pivot value (negative: the language trails the pivot)."""
    return float(value - pivot_value)


def roll_up(per_language: dict[str, Sequence[float]], key: Callable[[str], str]) -> dict[str, float]:
    """Macro average per group (script, family): languages grouped by ``key(language)``."""
    groups: dict[str, dict[str, Sequence[float]]] = defaultdict(dict)
    for lang, vals in per_language.items():
        groups[key(lang)][lang] = vals
    return {g: macro(v) for g, v in groups.items()}


def mean(values: Iterable[float]) -> float:
    v = list(values)
    return float(np.mean(v)) if v else float("nan")
