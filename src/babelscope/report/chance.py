"""The score of guessing, drawn as a line on evaluation charts.

A task row may carry its own ``chance`` (an extra field); otherwise tasks with a fixed number
of answer options have it here: 1 / options, for the accuracy metrics only (an exact-match or
chrF score has no guessing baseline).
"""

from __future__ import annotations

from typing import Any, Sequence

#: task -> answer options per item (XCOPA: 2 choices; MMLU-style and Belebele: 4;
#: udhr_continuation: the true continuation among 4).
OPTIONS = {"xcopa": 2, "global_mmlu": 4, "global_mmlu_lite": 4, "belebele": 4, "udhr_continuation": 4}
ACCURACY_METRICS = ("acc", "acc_norm")


def chance_level(rows: Sequence[dict[str, Any]], metric: str) -> float | None:
    """The guessing score for ``metric`` over ``rows`` of one task, or None when unknown."""
    own = {float(r["chance"]) for r in rows if isinstance(r.get("chance"), (int, float))}
    if len(own) == 1:
        return own.pop()
    if own:
        return None  # items with different option counts: no single line is honest
    if metric not in ACCURACY_METRICS:
        return None
    names = {r.get("name") for r in rows}
    if len(names) != 1:
        return None
    options = OPTIONS.get(str(names.pop()))
    return 1.0 / options if options else None
