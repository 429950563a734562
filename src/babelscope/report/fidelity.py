"""The language-fidelity section: does the model answer in the language it should?

The Language Confusion Benchmark's pass rates (analyses/fidelity.py): line-level (LPR),
word-level (WPR, only for languages where English words are detectable) and their harmonic
mean (LCPR), per (source, language) and averaged as the benchmark's authors average them. The
averages are read from the stored rows, not recomputed, so the report shows the numbers the
run published: per language (mean over its sources), per source (mean over its languages,
stored under the language ``mul``) and overall (mean over the per-language averages).
``skipped`` completions had no line long enough to judge and count nowhere, so they are shown
beside ``n`` (completions scored): a high skip count makes a pass rate thin.
"""

from __future__ import annotations

from typing import Any, Sequence

from .charts import Bar, hbar_chart
from .fmt import esc, is_number
from .sections import SectionContext, ordered, language_label, num_of, rollups
from .tables import Column, Num, render_table

#: The source (variant) of rows averaged over sources, as analyses/fidelity.py writes them.
ALL = "all"
METRICS = ("lpr", "wpr", "lcpr", "acc")
LABELS = {"lpr": "LPR", "wpr": "WPR", "lcpr": "LCPR", "acc": "line acc"}
METRIC_HELP = {
    "lpr": "line-level pass rate: share of scored completions whose every line is in the expected "
           "language (identifier's top label, p > 0.3)",
    "wpr": "word-level pass rate: among completions without a line error, share with no English word "
           "(ar, hi, ja, ko, ru, zh only)",
    "lcpr": "harmonic mean of LPR and WPR",
    "acc": "line accuracy: mean share of a completion's lines in the expected language",
}
METRIC_MISSING = {
    "wpr": "WPR is defined only for ar, hi, ja, ko, ru and zh",
    "lcpr": "LCPR needs WPR (ar, hi, ja, ko, ru, zh only)",
}
COUNT_HELP = {
    "n": "completions scored",
    "skipped": "completions with no line of 5+ tokens: judged nowhere",
    "completions": "completions read",
}


def is_aggregate_language(r: dict[str, Any]) -> bool:
    """Rows averaged over languages carry no corpus code (language "mul")."""
    return not r.get("corpus_code")


def wide(rows: Sequence[dict[str, Any]], source_col: bool) -> list[dict[str, Any]]:
    """One table row per (source, language) with a cell per metric."""
    out: dict[tuple[str, str, str], dict[str, Any]] = {}
    for r in rows:
        key = (str(r.get("variant") or ""), str(r.get("language") or ""), str(r.get("corpus_code") or ""))
        w = out.get(key)
        if w is None:
            w = out[key] = {
                "source": key[0], "language": key[1], "corpus_code": key[2],
                "language_name": r.get("language_name") or "", "script": r.get("script") or "",
                "family": r.get("family") or "", "n": r.get("n"), "skipped": r.get("skipped"),
                "completions": r.get("completions"),
            }
        w["m:" + r["metric"]] = num_of(r)
    for w in out.values():
        for m in METRICS:
            w.setdefault("m:" + m, Num(None, reason=METRIC_MISSING.get(m, "not computed")))
    return list(out.values())



def metric_cols(metrics: Sequence[str]) -> list[Column]:
    return [Column("m:" + m, LABELS.get(m, m), numeric=True, tip=METRIC_HELP.get(m, "")) for m in metrics]


def count_cols() -> list[Column]:
    return [Column(k, k, numeric=True, count=True, tip=tip) for k, tip in COUNT_HELP.items()]


def lang_cols(source: bool) -> list[Column]:
    cols = [Column("source", "Source", code=True)] if source else []
    return cols + [Column("language", "Language", code=True), Column("language_name", "Name"),
                   Column("script", "Script", code=True), Column("family", "Family"),
                   Column("corpus_code", "LCB code", code=True, tip="the language as the completions named it")]


def render(ctx: SectionContext) -> str:
    rows = ctx.rows
    metrics = [m for m in METRICS if m in ordered(r["metric"] for r in rows)]
    groups = [r for r in rows if not is_aggregate_language(r) and str(r.get("variant")) != ALL]
    by_language = [r for r in rows if not is_aggregate_language(r) and str(r.get("variant")) == ALL]
    by_source = [r for r in rows if is_aggregate_language(r) and str(r.get("variant")) != ALL]
    overall = [r for r in rows if is_aggregate_language(r) and str(r.get("variant")) == ALL]
    if not by_language:  # rows written without averages: the groups are all there is
        by_language = groups
    parts = [lede(rows, overall, metrics)]
    helps = "".join(f"<li><b>{esc(LABELS[m])}</b>: {esc(METRIC_HELP[m])}</li>" for m in metrics)
    parts.append(f'<ul class="help">{helps}</ul>')
    if overall:
        parts.append(render_table([Column("source", "Sources", code=True)] + metric_cols(metrics) + count_cols(),
                                  wide(overall, False), caption="Overall: mean over languages"))
    parts.append(render_table(lang_cols(False) + metric_cols(metrics) + count_cols(), wide(by_language, False),
                              caption="Per language: mean over sources"))
    charts = [chart(by_language, m, overall) for m in ("lpr", "wpr") if m in metrics]
    parts.append('<div class="charts">' + "".join(c for c in charts if c) + "</div>")
    sources = ordered(str(r.get("variant")) for r in groups)
    if groups:
        parts.append(render_table(lang_cols(True) + metric_cols(metrics) + count_cols(), wide(groups, True),
                                  caption="Per source and language"))
    if by_source and len(sources) > 1:
        parts.append(render_table([Column("source", "Source", code=True)] + metric_cols(metrics) + count_cols(),
                                  wide(by_source, True), caption="Per source: mean over languages"))
    parts.append(rollups([{**r, "variant": ""} for r in by_language], metrics=[m for m in metrics if m != "acc"]))
    return "".join(parts)


def lede(rows: Sequence[dict[str, Any]], overall: Sequence[dict[str, Any]], metrics: Sequence[str]) -> str:
    lids = ordered(str(r.get("lid")) for r in rows if r.get("lid"))
    head = ""
    if overall:
        vals = {r["metric"]: r.get("value") for r in overall}
        shown = ", ".join(f"{LABELS[m]} {vals[m]:.1%}" for m in metrics if is_number(vals.get(m)))
        o = overall[0]
        head = (f"Overall {esc(shown)} ({esc(o.get('n'))} completions scored, "
                f"{esc(o.get('skipped'))} skipped). ")
    lid = f" Language identifier: <code>{esc(', '.join(lids))}</code>." if lids else ""
    return (f'<p class="lede">{head}Pass rates of the Language Confusion Benchmark: how often the model '
            f"answers in the language it was asked in.{lid}</p>")


def chart(by_language: Sequence[dict[str, Any]], metric: str, overall: Sequence[dict[str, Any]]) -> str:
    rows = [r for r in by_language if r["metric"] == metric]
    if not rows:
        return ""
    rows.sort(key=lambda r: (not is_number(r.get("value")), -(r["value"] if is_number(r.get("value")) else 0)))
    ref = next((r.get("value") for r in overall if r["metric"] == metric and is_number(r.get("value"))), None)
    bars = [Bar(language_label(r), r.get("value"), tip=language_label(r), reason=num_of(r).reason) for r in rows]
    title = f"{LABELS[metric]} by language"
    svg = hbar_chart(bars, lambda x: f"{x:.3f}", title=title, reference=ref,
                     reference_label="overall" if ref is not None else "", high_is_bad=False)
    return f'<figure class="chart-box"><figcaption>{esc(title)}</figcaption>{svg}</figure>'
