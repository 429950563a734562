"""How well the model already serves each language, read from the store.

Planning can prefer "the closest languages the model is already good at": this turns stored
rows of one metric into a [0, 1] score per language (1 = best served among the candidates),
flipping metrics where lower is better.
"""

from __future__ import annotations

from typing import Any, Sequence

from ..errors import BabelscopeError
from ..languages import Language

#: Metrics where a lower value means a better-served language.
LOWER_IS_BETTER = frozenset({"bits_per_byte", "bpb", "premium", "byte_premium", "token_premium",
                             "fertility", "perplexity"})


def served_scores(store: Any, run_id: str, metric: str, languages: Sequence[Language]) -> dict[Language, float]:
    """Mean of ``metric`` per language over the run's rows, min-max scaled over ``languages``.

    Default-condition rows are preferred; a run with only other conditions (a transfer matrix)
    is averaged over them.
    """
    run = store.run(run_id)
    per: dict[str, list[float]] = {}
    other: dict[str, list[float]] = {}  # rows under non-default conditions: used only if no default ones
    for r in store.results(run.run_id):
        if r.get("metric") != metric or r.get("value") is None or r.get("subset", "all") != "all":
            continue
        default = "demos=" not in str(r.get("variant") or "")
        (per if default else other).setdefault(r["language"], []).append(float(r["value"]))
    per = per or other
    if not per:
        raise BabelscopeError(f"run {run.run_id} has no rows of metric {metric!r} to weight candidates by")
    means = {}
    for lang in languages:
        vals = per.get(lang.tag)
        if vals:
            means[lang] = sum(vals) / len(vals)
    if not means:
        return {}
    lo, hi = min(means.values()), max(means.values())
    span = hi - lo
    out = {}
    for lang, v in means.items():
        s = 1.0 if span == 0 else (v - lo) / span
        out[lang] = 1.0 - s if metric in LOWER_IS_BETTER else s
    return out


def stored_languages(store: Any) -> list[Language]:
    """Every language with a result row in the store, in first-seen order."""
    seen: list[Language] = []
    for run in store.runs():
        for r in store.results(run.run_id):
            try:
                lang = Language.parse(r["language"])
            except BabelscopeError:
                continue
            if lang not in seen:
                seen.append(lang)
    return seen
