"""Result rows: every number babelscope produces, keyed by a language.

Language is an axis, not a suffix: a row never hides the language inside a task name. Each row
carries the language's canonical tag, ISO 639-3 code, script and family so reports can roll up
by any of them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from .languages import Language


@dataclass(frozen=True)
class ResultRow:
    """One per-language number of one analysis or task.

    ``variant`` is the extra key some analyses need beside the language (the tokenizer for
    premium, the layer for alignment, the condition for a task); it is "" when unused.
    """

    name: str
    metric: str
    language: Language
    value: float | None
    variant: str = ""
    kind: str = "analysis"
    corpus_code: str = ""
    n: int | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """A flat JSON-ready dict: language fields inlined, NaN turned into None."""
        d: dict[str, Any] = {
            "kind": self.kind,
            "name": self.name,
            "metric": self.metric,
            "variant": self.variant,
            **self.language.row_fields(),
            "corpus_code": self.corpus_code,
            "value": _clean(self.value),
            "ci_low": _clean(self.ci_low),
            "ci_high": _clean(self.ci_high),
            "n": self.n,
        }
        d.update(self.extra)
        return d


def _clean(x: float | None) -> float | None:
    if x is None:
        return None
    x = float(x)
    return None if math.isnan(x) or math.isinf(x) else x


def widen(rows: list[dict[str, Any]], variant_name: str = "variant") -> list[dict[str, Any]]:
    """Pivot tidy rows (one metric each) into one row per (name, variant, language).

    Each metric becomes a column holding its value; the language columns and corpus code are
    kept, and the variant is renamed to ``variant_name`` (e.g. "tokenizer").
    """
    keep = ("kind", "name", "language", "iso639_3", "script", "family", "language_name", "corpus_code")
    out: dict[tuple, dict[str, Any]] = {}
    for r in rows:
        key = (r.get("name"), r.get("variant"), r.get("language"), r.get("corpus_code"))
        w = out.get(key)
        if w is None:
            w = {variant_name: r.get("variant"), **{k: r.get(k) for k in keep if k in r}}
            out[key] = w
        w[r["metric"]] = r.get("value")
        if r.get("n") is not None:
            w.setdefault("n", r.get("n"))
    return list(out.values())
