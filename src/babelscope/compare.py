"""Paired comparison of two systems on the items both scored: the gap, its CI and p-value.

Used by `babelscope compare RUN_A RUN_B` and by the report's model-comparison view (two
models of one study). Items pair by (task, language, condition, item id), so item difficulty
cancels out of the difference; items only one side has are left out and counted.
"""

from __future__ import annotations

from typing import Any

from .errors import BabelscopeError
from .metrics.bootstrap import paired_bootstrap

HEADLINE = ("acc", "exact_match", "chrf", "score")


def compare_items(items_a: list[dict[str, Any]], items_b: list[dict[str, Any]], metric: str | None = None,
                  n_boot: int = 1000) -> list[dict[str, Any]]:
    """Paired bootstrap per (task, language, condition) over the items both runs scored.

    Items pair by id; items only one run has are left out and counted, so a comparison over
    different subsets cannot pass silently for a paired one.
    """
    def group(items: list[dict[str, Any]]) -> dict[tuple[str, str, str], dict[str, dict]]:
        g: dict[tuple[str, str, str], dict[str, dict]] = {}
        for it in items:
            key = (it["name"], it["language"], str(it.get("condition", "")))
            g.setdefault(key, {})[it["item_id"]] = it
        return g

    ga, gb = group(items_a), group(items_b)
    out = []
    for key in [k for k in ga if k in gb]:
        a, b = ga[key], gb[key]
        common = [i for i in a if i in b]
        m = metric or next((h for h in HEADLINE if common and h in a[common[0]]), None)
        if m is None:
            raise BabelscopeError(f"compare: no metric to compare for task {key[0]}; pass --metric")
        va = [a[i].get(m) for i in common]
        vb = [b[i].get(m) for i in common]
        if any(v is None for v in va + vb):
            raise BabelscopeError(f"compare: metric {m!r} is missing on some items of task {key[0]} ({key[1]})")
        r = paired_bootstrap([float(v) for v in va], [float(v) for v in vb], n_boot=n_boot)
        out.append({"task": key[0], "language": key[1], "condition": key[2], "metric": m,
                    "n": r.n, "a": r.mean_a, "b": r.mean_b, "delta": r.delta, "ci_low": r.ci_low,
                    "ci_high": r.ci_high, "p_value": r.p_value,
                    "only_a": len(a) - len(common), "only_b": len(b) - len(common)})
    if not out:
        raise BabelscopeError("compare: the two runs share no (task, language, condition) with per-item records")
    return out
