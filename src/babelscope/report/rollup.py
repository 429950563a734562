"""Roll-ups: a metric's mean over the languages of a script or family.

Language is an axis, so any per-language result can be cut by script or family. Each language
counts once: a language with several rows for the same metric (several corpus files) is
averaged first, so it does not outweigh the others.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Sequence

from .fmt import is_number


@dataclass
class Group:
    """One (variant, group) cell of a roll-up: its languages and per-metric means."""

    group: str
    variant: str
    languages: set[str] = field(default_factory=set)
    #: metric -> (mean over languages with a value, number of such languages)
    means: dict[str, tuple[float | None, int]] = field(default_factory=dict)


def rollup(rows: Sequence[dict[str, Any]], by: str) -> list[Group]:
    """Group tidy rows by (variant, ``by``) and average each metric over languages.

    ``by`` is a row key such as "script" or "family". Groups come sorted by variant (in order
    of first appearance), then by group name.
    """
    per_lang: dict[tuple[str, str, str, str], list[float]] = defaultdict(list)
    groups: dict[tuple[str, str], Group] = {}
    variant_order: dict[str, int] = {}
    for r in rows:
        variant = str(r.get("variant") or "")
        variant_order.setdefault(variant, len(variant_order))
        g = str(r.get(by) or "Unknown")
        lang = str(r.get("language") or r.get("tag") or "")
        grp = groups.setdefault((variant, g), Group(g, variant))
        grp.languages.add(lang)
        vals = per_lang[(variant, g, str(r["metric"]), lang)]
        if is_number(r.get("value")):
            vals.append(float(r["value"]))
    metric_langs: dict[tuple[str, str, str], list[float]] = defaultdict(list)
    metrics_seen: dict[tuple[str, str], list[str]] = defaultdict(list)
    for (variant, g, metric, _lang), vals in per_lang.items():
        if metric not in metrics_seen[(variant, g)]:
            metrics_seen[(variant, g)].append(metric)
        if vals:
            metric_langs[(variant, g, metric)].append(sum(vals) / len(vals))
    for (variant, g), grp in groups.items():
        for metric in metrics_seen[(variant, g)]:
            vals = metric_langs.get((variant, g, metric), [])
            grp.means[metric] = (sum(vals) / len(vals) if vals else None, len(vals))
    return sorted(groups.values(), key=lambda x: (variant_order[x.variant], x.group))
