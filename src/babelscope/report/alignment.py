"""The alignment (MEXA) section: a languages x layers heatmap, per-language mean/max bars and,
when the run was calibrated, a scatter of measured score against alignment with the fitted line.

All SVG is drawn here from numbers in the store; every label passes through ``esc``.
"""

from __future__ import annotations

from typing import Any

from .charts import Bar, colour_legend, hbar_chart
from .fmt import esc, is_number, number_format
from .sections import SectionContext, language_label, language_table, rollups

CELL_W = 22
CELL_H = 18
LABEL_W = 170


def render(ctx: SectionContext) -> str:
    m = _matrix(ctx)
    parts = ['<p class="lede">Cross-lingual alignment (MEXA): the share of parallel sentences whose '
             "embedding is the mutual nearest neighbour of its pivot translation's (cosine, strictly "
             "above every other sentence in its row and column), per layer; layer 0 is the embedding "
             "layer. Higher means the model represents the language more like the pivot.</p>"]
    if m is not None:
        meta = f"pivot {m.get('pivot', '')}, {m.get('pooling', '')} pooling, {m.get('n', '')} sentences"
        parts.append(f'<figure class="chart-box"><figcaption>{esc("Alignment by layer")} '
                     f'<span class="muted">({esc(meta)})</span></figcaption>{heatmap(m)}'
                     f'{colour_legend(0.0, 1.0, _colour, "alignment")}</figure>')
    charts = []
    for metric, title in (("mean", "Mean alignment over layers"), ("max", "Best layer's alignment")):
        rows = sorted(ctx.where(metric=metric), key=lambda r: -(r["value"] if is_number(r.get("value")) else -1))
        if rows:
            bars = [Bar(language_label(r), r.get("value"), tip=f"{language_label(r)} [{r.get('corpus_code', '')}]")
                    for r in rows]
            # the table's rounding (number_format over the same values), so both show one number
            svg = hbar_chart(bars, number_format([r.get("value") for r in rows]), title=title, high_is_bad=False)
            charts.append(f'<figure class="chart-box"><figcaption>{esc(title)}</figcaption>{svg}</figure>')
    if charts:
        parts.append(f'<div class="charts">{"".join(charts)}</div>')
    cal = ctx.artifacts.get("alignment_calibration")
    if isinstance(cal, dict):
        parts.append(calibration_block(cal))
    agg = [r for r in ctx.rows if r.get("metric") in ("mean", "max")]
    # the rows repeat their own value as an extra ("mean": v) and carry run-wide constants
    # (pooling, pivot, precision) that the caption states once: neither gets a column
    constant = {k: agg[0].get(k) for k in ("pooling", "pivot", "precision") if agg and
                all(r.get(k) == agg[0].get(k) for r in agg)}
    table_rows = [{k: v for k, v in r.items() if k not in ("mean", "max") and k not in constant} for r in agg]
    note = ", ".join(f"{k} {v}" for k, v in constant.items() if v is not None)
    parts.append(language_table(table_rows, caption="Per language (over layers)" + (f"; {note}" if note else "")))
    parts.append(rollups(agg))
    return "".join(parts)


def render_estimates(ctx: SectionContext) -> str:
    """The calibration's predicted scores: always labelled as estimates, never as measurements."""
    cal = ctx.artifacts.get("alignment_calibration")
    parts = ['<p class="warning">ESTIMATES, not measurements: scores predicted from alignment by a '
             "line fitted on the languages that have both (see the alignment section).</p>"]
    if isinstance(cal, dict):
        parts.append(calibration_block(cal, scatter=False))
    parts.append(language_table(ctx.rows, caption="Estimated scores (predicted from alignment)"))
    return "".join(parts)


def _matrix(ctx: SectionContext) -> dict[str, Any] | None:
    m = ctx.artifacts.get("alignment_matrix")
    if isinstance(m, dict) and m.get("scores"):
        return m
    rows = ctx.where(metric="score")  # no artifact: rebuild from the rows
    if not rows:
        return None
    langs: dict[str, str] = {}
    cells: dict[tuple[str, int], float] = {}
    for r in rows:
        langs.setdefault(r["language"], r.get("language_name") or r["language"])
        cells[(r["language"], int(r.get("layer", 0)))] = r.get("value")
    layers = sorted({k[1] for k in cells})
    return {"languages": list(langs), "language_names": list(langs.values()), "layers": layers,
            "scores": [[cells.get((lang, layer)) for layer in layers] for lang in langs]}


def _colour(v: float) -> str:
    """Pale yellow (0) to deep blue (1), readable in print."""
    v = min(max(v, 0.0), 1.0)
    lo, hi = (255, 247, 188), (8, 64, 129)
    r, g, b = (round(a + (c - a) * v) for a, c in zip(lo, hi))
    return f"rgb({r},{g},{b})"


def heatmap(m: dict[str, Any]) -> str:
    """Languages (rows) x layers (columns) as an SVG grid with a tooltip per cell."""
    langs = list(m.get("languages") or [])
    names = list(m.get("language_names") or langs)
    layers = list(m.get("layers") or [])
    scores = m.get("scores") or []
    width = LABEL_W + CELL_W * len(layers) + 10
    height = 24 + CELL_H * len(langs) + 8
    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
             'role="img" aria-label="alignment heatmap">']
    for j, layer in enumerate(layers):
        x = LABEL_W + j * CELL_W + CELL_W / 2
        parts.append(f'<text class="tick" x="{x:.1f}" y="16" text-anchor="middle">{esc(layer)}</text>')
    for i, tag in enumerate(langs):
        y = 24 + i * CELL_H
        label = f"{names[i]} ({tag})" if i < len(names) and names[i] != tag else str(tag)
        short = label if len(label) <= 28 else label[:27] + "\u2026"
        parts.append(f'<text class="label" x="{LABEL_W - 6}" y="{y + CELL_H - 5}" text-anchor="end">'
                     f"<title>{esc(label)}</title>{esc(short)}</text>")
        for j, layer in enumerate(layers):
            v = scores[i][j] if i < len(scores) and j < len(scores[i]) else None
            x = LABEL_W + j * CELL_W
            fill = _colour(float(v)) if is_number(v) else "#ddd"
            tip = f"{label}, layer {layer}: " + (f"{float(v):.3f}" if is_number(v) else "no value")
            parts.append(f'<rect x="{x}" y="{y}" width="{CELL_W - 1}" height="{CELL_H - 1}" fill="{fill}">'
                         f"<title>{esc(tip)}</title></rect>")
    parts.append("</svg>")
    return "".join(parts)


def calibration_block(cal: dict[str, Any], scatter: bool = True) -> str:
    fit = cal.get("fit") or {}
    p, s = cal.get("pearson") or {}, cal.get("spearman") or {}

    def r(c: dict[str, Any]) -> str:
        f = lambda v: f"{v:.2f}" if is_number(v) else "n/a"  # noqa: E731
        return f"{f(c.get('r'))} (95% CI {f(c.get('ci_low'))} to {f(c.get('ci_high'))})"

    b = fit.get("intercept") if is_number(fit.get("intercept")) else 0.0
    line = (f"score = {fit['slope']:.3f} \u00d7 alignment"
            + (f" {'-' if b < 0 else '+'} {abs(b):.3f}" if fit.get("with_intercept") else "")
            if is_number(fit.get("slope")) else "no fit")
    text = (f"Calibration against {cal.get('source', '')} on {fit.get('n_languages', 0)} languages "
            f"(alignment {cal.get('alignment_aggregate', '')} over layers): {line}; "
            f"Pearson {r(p)}, Spearman {r(s)}.")
    out = f'<p class="lede">{esc(text)}</p>'
    if cal.get("note"):
        out += f'<p class="warning">{esc(cal["note"])}</p>'
    if scatter:
        out += f'<figure class="chart-box"><figcaption>{esc("Measured score vs alignment")}</figcaption>{scatter_svg(cal)}</figure>'
    return out


def scatter_svg(cal: dict[str, Any], width: int = 480, height: int = 320) -> str:
    """Measured languages as filled dots, estimates as hollow dots on the fitted line."""
    pts = [(d, False) for d in cal.get("measured") or []] + [(d, True) for d in cal.get("estimates") or []]
    xs = [d["alignment"] for d, _ in pts if is_number(d.get("alignment"))]
    ys = [(d["predicted"] if est else d["measured"]) for d, est in pts]
    ys = [y for y in ys if is_number(y)]
    if not xs or not ys:
        return ""
    pad = 40
    x0, x1 = min(xs + [0.0]), max(xs + [1.0])
    y0, y1 = min(ys), max(ys)
    if y1 - y0 < 1e-9:
        y0, y1 = y0 - 0.5, y1 + 0.5

    def px(x: float) -> float:
        return pad + (width - 2 * pad) * (x - x0) / (x1 - x0)

    def py(y: float) -> float:
        return height - pad - (height - 2 * pad) * (y - y0) / (y1 - y0)

    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
             'role="img" aria-label="calibration scatter">',
             f'<line class="grid" x1="{pad}" y1="{height - pad}" x2="{width - pad}" y2="{height - pad}"/>',
             f'<line class="grid" x1="{pad}" y1="{pad}" x2="{pad}" y2="{height - pad}"/>',
             f'<text class="tick" x="{width / 2}" y="{height - 8}" text-anchor="middle">alignment</text>',
             f'<text class="tick" x="12" y="{height / 2}" text-anchor="middle" '
             f'transform="rotate(-90 12 {height / 2})">score</text>']
    for v, anchor in ((x0, "start"), (x1, "end")):
        parts.append(f'<text class="tick" x="{px(v):.1f}" y="{height - pad + 14}" text-anchor="{anchor}">{v:.2f}</text>')
    for v in (y0, y1):
        parts.append(f'<text class="tick" x="{pad - 4}" y="{py(v) + 4:.1f}" text-anchor="end">{v:.2f}</text>')
    fit = cal.get("fit") or {}
    a, b = fit.get("slope"), fit.get("intercept") or 0.0
    if is_number(a):
        ya, yb = a * x0 + b, a * x1 + b
        parts.append(f'<line class="ref" x1="{px(x0):.1f}" y1="{py(ya):.1f}" x2="{px(x1):.1f}" y2="{py(yb):.1f}"/>')
    for d, est in pts:
        y = d.get("predicted") if est else d.get("measured")
        if not (is_number(d.get("alignment")) and is_number(y)):
            continue
        label = f"{d.get('language_name') or ''} ({d.get('language')})"
        tip = f"{label}: alignment {d['alignment']:.3f}, " + (f"ESTIMATED score {y:.3f}" if est else f"measured {y:.3f}")
        style = 'fill="none" stroke="#c0392b" stroke-width="1.5"' if est else 'fill="#2c6fbb"'
        parts.append(f'<circle cx="{px(d["alignment"]):.1f}" cy="{py(y):.1f}" r="4.5" {style}>'
                     f"<title>{esc(tip)}</title></circle>")
        parts.append(f'<text class="value" x="{px(d["alignment"]) + 6:.1f}" y="{py(y) + 4:.1f}">'
                     f"{esc(d.get('language'))}{' (est.)' if est else ''}</text>")
    parts.append("</svg>")
    return "".join(parts)
