"""The model-comparison view: one table and chart per headline metric, models side by side.

Shown when a run holds rows of more than one model (a study of several models). Per language,
each model's value with its CI, and each later model's gap to the first; where both models
scored the same items (benchmark tasks keep per-item records), the gap gets a paired-bootstrap
CI and two-sided p-value from :func:`babelscope.compare.compare_items`, so "model B is better
in Swahili" comes with the evidence for it.
"""

from __future__ import annotations

from typing import Any, Sequence

from .charts import LABEL_W, ROW_H, TOP, nice_ticks
from .fmt import esc, is_number, number_format
from .sections import language_label, ordered
from .tables import Column, Num, render_table

#: At most this many metrics per analysis or task (the first ones are the headline ones).
MAX_METRICS = 3
#: Metrics that say nothing about a model (counts, sizes) are left out of the comparison.
SKIP_METRICS = {"tokens", "bytes", "n", "segments", "chars", "words"}
#: Colours of the models' bars, in order (a legend names them).
PALETTE = ("#3b8e8c", "#2f6fdb", "#d9822b", "#8e44ad", "#9b2c2c", "#5b6478")


def models_in(rows: Sequence[dict[str, Any]]) -> list[str]:
    return ordered(r["model"] for r in rows if r.get("model"))


def render_comparison(rows: Sequence[dict[str, Any]], items_of: Any, pivot: str = "") -> str:
    """HTML of the comparison (escaped here). ``items_of(name)`` returns a section's per-item records."""
    models = models_in(rows)
    if len(models) < 2:
        return ""
    parts = [f'<p class="lede">{len(models)} models in this run: '
             + ", ".join(f'<span class="swatch" style="background:{PALETTE[i % len(PALETTE)]}"></span>'
                         f"<code>{esc(m)}</code>" for i, m in enumerate(models))
             + f". Gaps are each model minus <code>{esc(models[0])}</code>; p-values are two-sided, "
               "from a paired bootstrap over the items both models scored.</p>"]
    for name in ordered(r["name"] for r in rows if r.get("model")):
        sec = [r for r in rows if r["name"] == name and r.get("model") and not r.get("variant")]
        metrics = [m for m in ordered(r["metric"] for r in sec) if m not in SKIP_METRICS
                   and len({r["model"] for r in sec if r["metric"] == m}) > 1][:MAX_METRICS]
        if not metrics:
            continue
        paired = _paired(items_of(name), models) if any(r.get("kind") == "task" for r in sec) else {}
        parts.append(f"<h3>{esc(name)}</h3>")
        for metric in metrics:
            mrows = [r for r in sec if r["metric"] == metric]
            parts.append(_table(name, metric, mrows, models, paired))
            parts.append(_chart(f"{name}: {metric}", mrows, models))
    return "".join(parts)


def _paired(items: list[dict[str, Any]], models: list[str]) -> dict[tuple[str, str, str], dict[str, Any]]:
    """(model, language, metric) -> the paired comparison with the first model."""
    from ..compare import HEADLINE, compare_items

    by_model: dict[str, list[dict[str, Any]]] = {}
    for it in items:
        by_model.setdefault(str(it.get("model")), []).append(it)
    out: dict[tuple[str, str, str], dict[str, Any]] = {}
    base = by_model.get(models[0], [])
    for m in models[1:]:
        other = by_model.get(m, [])
        if not base or not other:
            continue
        for metric in HEADLINE:
            if metric not in base[0]:
                continue
            try:
                res = compare_items(base, other, metric)
            except Exception:  # noqa: BLE001 - no shared items for this metric: no paired test
                continue
            for r in res:
                if r["condition"] and not r["condition"].startswith("lit=default|shots=default|demos=same"):
                    continue
                out[(m, r["language"], metric)] = r
    return out


def _table(name: str, metric: str, rows: list[dict[str, Any]], models: list[str],
           paired: dict[tuple[str, str, str], dict[str, Any]]) -> str:
    by = {(r["model"], r["language"]): r for r in rows}
    langs = ordered(r["language"] for r in rows)
    cols = [Column("language", "language")]
    for m in models:
        cols.append(Column(m, m, numeric=True))
    for m in models[1:]:
        cols.append(Column(f"gap:{m}", f"{m} − {models[0]}", numeric=True,
                           tip="paired-bootstrap gap with its 95% CI where both models scored the same items"))
        cols.append(Column(f"p:{m}", "p", numeric=True, tip="two-sided paired-bootstrap p-value"))
    table_rows = []
    for lang in langs:
        first = next((by[(m, lang)] for m in models if (m, lang) in by), {})
        tr: dict[str, Any] = {"language": language_label(first) if first else lang}
        for m in models:
            r = by.get((m, lang))
            tr[m] = (Num(r.get("value"), ci_low=r.get("ci_low"), ci_high=r.get("ci_high")) if r
                     else Num(None, reason="not run"))
        a = by.get((models[0], lang))
        for m in models[1:]:
            b = by.get((m, lang))
            pr = paired.get((m, lang, metric))
            if pr is not None:
                tr[f"gap:{m}"] = Num(pr["delta"], ci_low=pr["ci_low"], ci_high=pr["ci_high"])
                tr[f"p:{m}"] = Num(pr["p_value"])
            elif a and b and is_number(a.get("value")) and is_number(b.get("value")):
                tr[f"gap:{m}"] = Num(float(b["value"]) - float(a["value"]))
                tr[f"p:{m}"] = Num(None, reason="no per-item records to pair")
            else:
                tr[f"gap:{m}"] = Num(None, reason="a model has no value")
                tr[f"p:{m}"] = Num(None, reason="a model has no value")
        table_rows.append(tr)
    return render_table(cols, table_rows, caption=f"{name} · {metric} by model")


def _chart(title: str, rows: list[dict[str, Any]], models: list[str], width: int = 620) -> str:
    """Grouped horizontal bars: one group per language, one bar per model (legend above)."""
    langs = ordered(r["language"] for r in rows)
    by = {(r["model"], r["language"]): r for r in rows}
    vals = [float(r["value"]) for r in rows if is_number(r.get("value"))]
    if not vals:
        return ""
    lo = min(0.0, min(vals))
    ticks = nice_ticks(max(max(vals), 1e-9) * 1.02)
    hi = ticks[-1] or 1.0
    bar_h = max(4, (ROW_H - 4) // len(models))
    group_h = bar_h * len(models) + 6
    plot_w = width - LABEL_W - 60
    height = TOP + group_h * len(langs) + 24
    fmt = number_format(vals)

    def x(v: float) -> float:
        return LABEL_W + plot_w * (v - lo) / (hi - lo)

    parts = [f'<figure class="chart-box"><figcaption>{esc(title)}</figcaption>'
             f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{esc(title)}">']
    for i, m in enumerate(models):
        parts.append(f'<rect x="{LABEL_W + i * 150}" y="6" width="10" height="10" fill="{PALETTE[i % len(PALETTE)]}"/>'
                     f'<text class="label" x="{LABEL_W + i * 150 + 14}" y="15">{esc(m[-22:])}</text>')
    base_y = TOP + group_h * len(langs)
    for t in ticks:
        tx = x(t)
        parts.append(f'<line class="grid" x1="{tx:.1f}" y1="{TOP - 4}" x2="{tx:.1f}" y2="{base_y}"/>'
                     f'<text class="tick" x="{tx:.1f}" y="{base_y + 15}" text-anchor="middle">{esc(fmt(t))}</text>')
    for j, lang in enumerate(langs):
        y0 = TOP + j * group_h
        parts.append(f'<text class="label" x="{LABEL_W - 6}" y="{y0 + group_h / 2 + 4:.1f}" text-anchor="end">'
                     f"{esc(lang)}</text>")
        for i, m in enumerate(models):
            r = by.get((m, lang))
            if not r or not is_number(r.get("value")):
                continue
            v = float(r["value"])
            w = max(x(v) - x(lo), 0.5)
            parts.append(f'<rect x="{x(lo):.1f}" y="{y0 + 3 + i * bar_h}" width="{w:.1f}" height="{bar_h - 1}" '
                         f'fill="{PALETTE[i % len(PALETTE)]}"><title>{esc(m)} · {esc(lang)}: {esc(fmt(v))}</title></rect>')
            if is_number(r.get("ci_low")) and is_number(r.get("ci_high")):
                cy = y0 + 3 + i * bar_h + (bar_h - 1) / 2
                parts.append(f'<line class="ref" x1="{x(float(r["ci_low"])):.1f}" y1="{cy:.1f}" '
                             f'x2="{x(float(r["ci_high"])):.1f}" y2="{cy:.1f}" style="stroke-dasharray:none;stroke-width:1"/>')
    parts.append("</svg></figure>")
    return "".join(parts)
