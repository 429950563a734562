"""Report sections: a registry of per-analysis renderers and the generic fallback.

Each analysis or task name in a run gets one section. A renderer registered for the name draws
it (charts, pivot tables). Some names are open-ended (``babelscope eval`` names its rows after
each benchmark; a generative task's fidelity rows are ``<task>:fidelity``), so a name without
an entry is next matched by the *shape* of its rows against :data:`_FALLBACKS`; anything still
unmatched is drawn by :func:`render_generic` as per-language tables with script and family
roll-ups, so a new analysis shows up in the report without touching the report code.
Renderers are registered lazily as ``"module:function"`` strings (or callables), which keeps
importing the report cheap.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

from ..store import RunInfo, Store
from .fmt import esc, is_number
from .rollup import rollup
from .tables import Column, Num, render_table

#: A renderer turns a section's context into an HTML fragment it has escaped itself.
Renderer = Callable[["SectionContext"], str]

_REGISTRY: dict[str, tuple[Renderer | str, str | None]] = {
    "tokenizers": ("babelscope.report.tokenizers:render", "Tokenizer premium"),
    "bits_per_byte": ("babelscope.report.bits_per_byte:render", "Bits per byte"),
    "alignment": ("babelscope.report.alignment:render", "Cross-lingual alignment (MEXA)"),
    "alignment_calibration": ("babelscope.report.alignment:render_estimates", "Alignment calibration: estimated scores"),
    "fidelity": ("babelscope.report.fidelity:render", "Language fidelity"),
    "multi_if": ("babelscope.report.multi_if:render", "Multi-IF: multi-turn instruction following"),
    "ifeval": ("babelscope.report.multi_if:render", "IFEval: instruction following"),  # issue 17
    "m_ifeval": ("babelscope.report.multi_if:render", "M-IFEval: localized instruction following"),  # issue 17
    "flores_translation": ("babelscope.report.translation:render", "Translation: flores_translation (chrF++)"),
    # probes (babelscope probe KIND; report/probes.py)
    "latent_language": ("babelscope.report.probes:render_latent_language", "Latent language (logit lens)"),
    "bli": ("babelscope.report.probes:render_bli", "Bilingual lexicon induction"),
    "homographs": ("babelscope.report.probes:render_homographs", "Cognates, homographs, non-cognates"),
    "word_similarity": ("babelscope.report.probes:render_word_similarity", "Word similarity across languages"),
}

#: Tells whether a section's rows (name, rows) are of a kind a fallback renderer draws.
Matcher = Callable[[str, Sequence[dict[str, Any]]], bool]


def is_task_fidelity(name: str, rows: Sequence[dict[str, Any]]) -> bool:
    """Fidelity rows of a generative task (``analyses.fidelity.task_fidelity``)."""
    return name.endswith(":fidelity")


def is_evaluation(name: str, rows: Sequence[dict[str, Any]]) -> bool:
    """Rows written by ``babelscope eval`` (``evaluation.rows_for``): task rows that carry the
    subset and prompt condition they were measured on."""
    return bool(rows) and all(r.get("kind") == "task" and "subset" in r and "condition" in r for r in rows)


def is_translation(name: str, rows: Sequence[dict[str, Any]]) -> bool:
    """Evaluation rows of a translation task: one ``from=<source>`` subset per source language,
    or chrF++ as the headline metric (the first metric written that is not a failure count)."""
    if not is_evaluation(name, rows):
        return False
    if any(str(r.get("subset") or "").startswith("from=") for r in rows):
        return True
    main = next((r["metric"] for r in rows if r["metric"] != "extraction_failure"), None)
    return main == "chrf"
def is_transfer_matrix(name: str, rows: Sequence[dict[str, Any]]) -> bool:
    """Evaluation rows where some condition names a demonstration language (report/transfer.py
    draws them: the usual evaluation section, then the S x T matrix)."""
    return is_evaluation(name, rows) and any(
        "demos=" in str(r.get("condition") or "") and "demos=same" not in str(r.get("condition") or "")
        for r in rows)


#: Renderers for names without an entry of their own, chosen by their rows; tried in order.
#: "{name}" in a title stands for the section's name.
_FALLBACKS: list[tuple[Matcher, Renderer | str, str | None]] = [
    (is_task_fidelity, "babelscope.report.fidelity:render", "Language fidelity: {name}"),
    (is_translation, "babelscope.report.translation:render", "Evaluation: {name}"),
    (is_transfer_matrix, "babelscope.report.transfer:render", "Evaluation and transfer matrix: {name}"),  # h-transfer
    (is_evaluation, "babelscope.report.evaluation:render", "Evaluation: {name}"),
]

#: Row keys that are not "extra" information worth a table column.
STANDARD_KEYS = frozenset({
    "run_id", "kind", "name", "metric", "variant", "tag", "language", "iso639_3", "script",
    "family", "language_name", "corpus_code", "value", "ci_low", "ci_high", "n", "reason", "note",
})

#: Header tooltips for metrics the built-in analyses produce.
METRIC_HELP: dict[str, str] = {
    "tokens": "tokens needed for the whole text",
    "premium": "tokens for this language's text / tokens for the same text in the pivot (1.0 = parity)",
    "byte_premium": "UTF-8 bytes of this language's text / bytes of the pivot's",
    "chars_per_token": "characters per token (higher = more compression)",
    "bytes_per_token": "UTF-8 bytes per token (higher = more compression)",
    "fertility": "tokens per whitespace-separated word",
    "unk_rate": "share of tokens that are the unknown token",
    "byte_fallback_rate": "share of tokens that are byte-fallback pieces",
    "bits_per_byte": "model's negative log-likelihood in bits per UTF-8 byte (lower = better)",
    "bytes": "UTF-8 bytes of text scored",
    "bits_per_byte_ratio": "bits per byte / the pivot's bits per byte (1.0 = parity)",
}


#: Tooltips for a missing value when the analysis gave no "reason" of its own.
MISSING_HELP: dict[str, str] = {
    "fertility": "undefined: the text is written without spaces between words",
    "premium": "undefined: the pivot has no value for this text",
    "byte_premium": "undefined: the pivot has no value for this text",
}


@dataclass
class SectionContext:
    """What a renderer gets: its rows (one analysis or task), the run, artifacts and the store."""

    name: str
    rows: list[dict[str, Any]]
    run: RunInfo
    artifacts: dict[str, Any] = field(default_factory=dict)
    store: Store | None = None

    @property
    def metrics(self) -> list[str]:
        return ordered(r["metric"] for r in self.rows)

    @property
    def variants(self) -> list[str]:
        return ordered(str(r.get("variant") or "") for r in self.rows)

    @property
    def pivot(self) -> str:
        return str(self.run.config.get("pivot") or "")

    def where(self, **match: Any) -> list[dict[str, Any]]:
        """Rows whose keys equal the given values (e.g. ``metric="premium"``)."""
        return [r for r in self.rows if all(r.get(k) == v for k, v in match.items())]

    def items(self) -> list[dict[str, Any]]:
        """Per-item records of this section (loaded on demand; they can be large)."""
        return self.store.items(self.run.run_id, self.name) if self.store else []


def register_section(name: str, renderer: Renderer | str, title: str | None = None) -> None:
    """Draw the rows named ``name`` with ``renderer`` (a callable or "module:function")."""
    _REGISTRY[name] = (renderer, title)


def register_fallback(matcher: Matcher, renderer: Renderer | str, title: str | None = None) -> None:
    """Draw any section without an entry of its own whose (name, rows) ``matcher`` accepts.

    Tried before the built-in fallbacks, so a plugin can take over a kind of rows.
    """
    _FALLBACKS.insert(0, (matcher, renderer, title))


def section_renderer(name: str, rows: Sequence[dict[str, Any]] = ()) -> tuple[Renderer, str]:
    """The renderer and title for ``name``: the registered one, else the first fallback that
    recognises ``rows``, else the generic tables."""
    entry = _REGISTRY.get(name)
    if entry is not None:
        fn, title = entry
        if isinstance(fn, str):
            fn = _load(fn)
            _REGISTRY[name] = (fn, title)
        return fn, title or default_title(name)
    for i, (matcher, fn, title) in enumerate(_FALLBACKS):
        if matcher(name, rows):
            if isinstance(fn, str):
                fn = _load(fn)
                _FALLBACKS[i] = (matcher, fn, title)
            return fn, title.replace("{name}", name) if title else default_title(name)
    return render_generic, default_title(name)


def _load(spec: str) -> Renderer:
    module, _, attr = spec.partition(":")
    return getattr(importlib.import_module(module), attr)


def default_title(name: str) -> str:
    text = name.replace("_", " ").strip()
    return text[:1].upper() + text[1:] if text else "(unnamed)"


# -- building blocks renderers share ------------------------------------------------------------


def ordered(values: Any) -> list[Any]:
    """Distinct values in order of first appearance."""
    seen: dict[Any, None] = {}
    for v in values:
        seen.setdefault(v, None)
    return list(seen)


def reason_of(row: dict[str, Any]) -> str:
    """Why a row's value is missing, if the analysis said (extra key "reason" or "note")."""
    return str(row.get("reason") or row.get("note") or "")


def num_of(row: dict[str, Any] | None) -> Num:
    if row is None:
        return Num(None, reason="not computed for this language")
    return Num(
        row.get("value") if is_number(row.get("value")) else None,
        reason=reason_of(row) or MISSING_HELP.get(row.get("metric", ""), "no value (invalid or not computed)"),
        ci_low=row.get("ci_low"),
        ci_high=row.get("ci_high"),
    )


def language_label(row: dict[str, Any]) -> str:
    """"Swahili (sw)" for chart labels."""
    name = row.get("language_name") or ""
    tag = row.get("language") or row.get("tag") or ""
    return f"{name} ({tag})" if name and name != tag else str(tag)


def language_table(
    rows: Sequence[dict[str, Any]],
    variant_label: str = "variant",
    metrics: Sequence[str] | None = None,
    caption: str = "",
) -> str:
    """One row per (variant, language, corpus code), one column per metric; sortable."""
    metrics = list(metrics) if metrics is not None else ordered(r["metric"] for r in rows)
    wide: dict[tuple[str, str, str], dict[str, Any]] = {}
    extras: dict[str, None] = {}
    for r in rows:
        if r["metric"] not in metrics:
            continue
        key = (str(r.get("variant") or ""), str(r.get("language") or ""), str(r.get("corpus_code") or ""))
        w = wide.get(key)
        if w is None:
            w = {
                "variant": key[0], "language": key[1], "corpus_code": key[2],
                "language_name": r.get("language_name") or "", "script": r.get("script") or "",
                "family": r.get("family") or "", "n": None,
            }
            wide[key] = w
        w[("m", r["metric"])] = num_of(r)
        if w["n"] is None and r.get("n") is not None:
            w["n"] = r["n"]
        for k, v in r.items():
            if k in STANDARD_KEYS or isinstance(v, (dict, list)) or v is None:
                continue
            extras.setdefault(k, None)
            vals = w.setdefault(("x", k), [])
            if v not in vals:
                vals.append(v)
    # an extra key whose values are all single numbers is a numeric column, else text
    numeric_extras = {
        k for k in extras
        if all(len(w.get(("x", k), [])) <= 1 and all(is_number(v) for v in w.get(("x", k), []))
               for w in wide.values())
    }
    table_rows = []
    for w in wide.values():
        out = {k: v for k, v in w.items() if isinstance(k, str)}
        for m in metrics:
            out["m:" + m] = w.get(("m", m), num_of(None))
        for k in extras:
            vals = w.get(("x", k), [])
            if k in numeric_extras:
                out["x:" + k] = Num(vals[0] if vals else None, reason="not given for this row")
            else:
                out["x:" + k] = ", ".join(str(v) for v in vals) if vals else None
        table_rows.append(out)
    cols = [Column("language", "Language", code=True), Column("language_name", "Name")]
    cols += [Column("script", "Script", code=True), Column("family", "Family")]
    if any(w["variant"] for w in table_rows):
        cols.append(Column("variant", variant_label))
    if any(w["corpus_code"] and w["corpus_code"] != w["language"] for w in table_rows):
        cols.append(Column("corpus_code", "Corpus code", code=True))
    cols += [Column("x:" + k, k, numeric=k in numeric_extras) for k in extras]
    cols += [Column("m:" + m, m, numeric=True, tip=METRIC_HELP.get(m, "")) for m in metrics]
    if any(w["n"] is not None for w in table_rows):
        cols.append(Column("n", "n", numeric=True, tip="items or segments behind the value"))
    return render_table(cols, table_rows, caption=caption)


def rollup_table(
    rows: Sequence[dict[str, Any]],
    by: str,
    variant_label: str = "variant",
    metrics: Sequence[str] | None = None,
) -> str:
    """Means of each metric over the languages of each ``by`` group ("script" or "family")."""
    groups = rollup(rows, by)
    metrics = list(metrics) if metrics is not None else ordered(r["metric"] for r in rows)
    has_variant = any(g.variant for g in groups)
    table_rows = []
    for g in groups:
        out: dict[str, Any] = {"group": g.group, "variant": g.variant, "languages": len(g.languages)}
        for m in metrics:
            mean, k = g.means.get(m, (None, 0))
            out["m:" + m] = Num(mean, reason="no language in this group has a value",
                                note=f"mean over {k} of {len(g.languages)} languages")
        table_rows.append(out)
    cols = []
    if has_variant:
        cols.append(Column("variant", variant_label))
    cols += [Column("group", by.capitalize(), code=(by == "script")),
             Column("languages", "Languages", numeric=True, count=True, tip="languages in the group")]
    cols += [Column("m:" + m, f"mean {m}", numeric=True, tip=METRIC_HELP.get(m, "")) for m in metrics]
    return render_table(cols, table_rows, caption=f"By {by}: mean over languages")


def rollups(rows: Sequence[dict[str, Any]], variant_label: str = "variant",
            metrics: Sequence[str] | None = None) -> str:
    """Roll-ups by script and by family, folded away when they are long."""
    inner = rollup_table(rows, "script", variant_label, metrics) + rollup_table(rows, "family", variant_label, metrics)
    n_groups = len(rollup(rows, "script")) + len(rollup(rows, "family"))
    open_attr = " open" if n_groups <= 60 else ""
    n_metrics = len(metrics) if metrics is not None else len({r["metric"] for r in rows})
    layout = "grid2" if n_metrics <= 4 else "stack"  # wide tables get the full width
    return (f'<details class="rollups"{open_attr}><summary>Roll-ups by script and family</summary>'
            f'<div class="{layout}">{inner}</div></details>')


def render_generic(ctx: SectionContext) -> str:
    """Any analysis or task: a per-language table of every metric, plus roll-ups."""
    metrics = ctx.metrics
    helps = [f"<li><b>{esc(m)}</b>: {esc(METRIC_HELP[m])}</li>" for m in metrics if m in METRIC_HELP]
    intro = f'<ul class="help">{"".join(helps)}</ul>' if helps else ""
    return intro + language_table(ctx.rows, caption="Per language") + rollups(ctx.rows)
