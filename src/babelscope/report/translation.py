"""The translation section (FLORES, chrF++): the evaluation section plus a directions matrix.

A translation score belongs to a direction, not a language. With several source languages a
run measures a sources x targets grid (zero-shot transfer studies), and the matrix is what a
reader compares: which sources translate best into which targets. Rows hold one target each;
a target with several sources has one "from=<source>" subset per source, and a target that
is itself a source keeps only the other sources (one, when two were given: then its "all"
row is that single direction, which the matrix places using the run's configured sources).
"""

from __future__ import annotations

from typing import Any

from ..errors import LanguageError
from ..languages import Language
from .evaluation import ALL, FROM, EvalRows, Key, body, intro, label_columns, label_fields, pivot_tag, mean_of
from .fmt import esc
from .sections import SectionContext, ordered, num_of
from .tables import Column, Num, render_table


def render(ctx: SectionContext) -> str:
    v = EvalRows(ctx.rows, pivot_tag(ctx))
    if "chrf_corpus" in v.scores:  # corpus-level chrF++ is the number translation papers report
        v.main = "chrf_corpus"
    sources = all_sources(ctx, v)
    what = ", ".join(sources) if sources else "the pivot"
    parts = [f'<p class="lede">Translation into each language, scored by chrF++ (0-100, higher is '
             f"better) against the reference; source language(s): <code>{esc(what)}</code>. "
             "A row is a target language.</p>"]
    if len(sources) > 1:
        for cond in v.conditions:
            parts.append(directions_matrix(v, cond, sources))
    return "".join(parts) + intro(ctx, v) + body(ctx, v)


def _tag(code: str) -> str:
    try:
        return Language.parse(code).tag
    except LanguageError:
        return code


def all_sources(ctx: SectionContext, v: EvalRows) -> list[str]:
    """The run's configured sources (else its pivot), then any others the rows name."""
    cfg = ctx.run.config.get("sources")
    configured = [cfg] if isinstance(cfg, str) else list(cfg or [])
    if not configured and not v.translation_sources():
        configured = [ctx.pivot or "en"]
    return ordered([_tag(str(s)) for s in configured] + v.translation_sources())


def directions(v: EvalRows, cond: str, sources: list[str]) -> dict[tuple[str, Key], dict[str, Any]]:
    """(source, target) -> the row of that direction under ``cond``."""
    cells: dict[tuple[str, Key], dict[str, Any]] = {}
    for key in v.langs:
        found = False
        for src in sources:
            r = v.get(cond, FROM + src, v.main, key)
            if r is not None:
                cells[(src, key)] = r
                found = True
        if not found:  # a single source for this target: its "all" row is that direction
            others = [s for s in sources if s != key[0]]
            r = v.get(cond, ALL, v.main, key)
            if r is not None and len(others) == 1:
                cells[(others[0], key)] = r
    return cells


def directions_matrix(v: EvalRows, cond: str, sources: list[str]) -> str:
    """Targets (rows) x sources (columns) of chrF++, then each source's mean over its targets."""
    cells = directions(v, cond, sources)
    out = []
    for key, first in v.langs.items():
        row = label_fields(first)
        for i, src in enumerate(sources):
            r = cells.get((src, key))
            if r is None:
                why = "source and target are the same language" if src == key[0] else "direction not evaluated"
                row[f"f{i}"] = Num(None, reason=why)
            else:
                row[f"f{i}"] = num_of(r)
        out.append(row)
    cols = label_columns(out)
    cols += [Column(f"f{i}", f"from {src}", numeric=True, tip=f"{v.main}, {src} -> this language")
             for i, src in enumerate(sources)]
    means = []
    for src in sources:
        vals = [num_of(r).value for (s, _), r in cells.items() if s == src]
        means.append({"source": src, "targets": len(vals), "mean": Num(mean_of(vals), reason="no target")})
    suffix = f" ({cond})" if len(v.conditions) > 1 else ""
    return ("<h3>Directions" + esc(suffix) + "</h3>"
            + render_table(cols, out, caption=f"{v.main} by direction: target (rows) x source (columns){suffix}")
            + render_table([Column("source", "Source", code=True), Column("targets", "Targets", numeric=True, count=True),
                            Column("mean", f"mean {v.main}", numeric=True, tip="mean over the source's targets")],
                           means, caption=f"{v.main} by source language: mean over targets{suffix}"))
