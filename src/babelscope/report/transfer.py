"""Report view of a transfer matrix: the S x T heatmap with CIs, and the typology fit as scatters.

An evaluation whose conditions name demonstration languages (``demos=en,de,...``) is drawn
as the usual evaluation section followed by, per task and metric, a sources x targets grid
(cell colour = score, tooltip = value, 95% CI and n) and, when the matrix has enough cells,
one scatter per distance of each cell's relative score against that distance with the
Spearman rho and its bootstrap interval (transfer/fit.py).
"""

from __future__ import annotations

from typing import Any, Sequence

from .fmt import esc, is_number
from .sections import SectionContext, is_transfer_matrix  # noqa: F401  (kept importable here)

CELL_W, CELL_H, LABEL_W = 64, 26, 150


def render(ctx: SectionContext) -> str:
    from ..transfer.matrix import matrices_from_rows
    from .evaluation import render as render_evaluation

    out = [render_evaluation(ctx)]
    metric = "acc" if any(r.get("metric") == "acc" for r in ctx.rows) else str(ctx.rows[0].get("metric"))
    for m in matrices_from_rows(ctx.rows, metric=metric):
        out.append(f"<h3>{esc(f'Transfer matrix: {m.task} ({m.metric}), demonstrations in S, test in T')}</h3>")
        if m.condition:
            out.append(f'<p class="lede">{esc("condition: " + m.condition)}</p>')
        out.append(f'<figure class="chart-box">{heatmap(m)}</figure>')
        out.append(fit_block(m))
    return "".join(out)


def _colour(v: float) -> str:
    v = min(max(v, 0.0), 1.0)
    lo, hi = (255, 247, 188), (8, 64, 129)
    r, g, b = (round(a + (c - a) * v) for a, c in zip(lo, hi))
    return f"rgb({r},{g},{b})"


def heatmap(m: Any) -> str:
    """Sources (rows) x targets (columns); each cell shows the value and a CI tooltip."""
    width = LABEL_W + CELL_W * len(m.targets) + 10
    height = 40 + CELL_H * len(m.sources) + 8
    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
             'role="img" aria-label="transfer matrix">',
             f'<text class="tick" x="{LABEL_W + CELL_W * len(m.targets) / 2:.1f}" y="12" '
             'text-anchor="middle">target T</text>']
    for j, t in enumerate(m.targets):
        x = LABEL_W + j * CELL_W + CELL_W / 2
        parts.append(f'<text class="tick" x="{x:.1f}" y="32" text-anchor="middle"><title>{esc(t.name)}</title>'
                     f"{esc(t.tag)}</text>")
    for i, s in enumerate(m.sources):
        y = 40 + i * CELL_H
        parts.append(f'<text class="label" x="{LABEL_W - 6}" y="{y + CELL_H - 8}" text-anchor="end">'
                     f"<title>{esc(s.name)}</title>{esc(f'demos {s.tag}')}</text>")
        for j, t in enumerate(m.targets):
            c = m.get(s, t)
            v = c.value if c is not None else None
            x = LABEL_W + j * CELL_W
            fill = _colour(float(v)) if is_number(v) else "#ddd"
            ci = (f", 95% CI {c.ci_low:.3f}-{c.ci_high:.3f}" if c is not None and is_number(c.ci_low)
                  and is_number(c.ci_high) else "")
            tip = f"demos {s.tag} -> test {t.tag}: " + (f"{float(v):.3f}{ci}, n={c.n}" if is_number(v) else "no value")
            parts.append(f'<rect x="{x}" y="{y}" width="{CELL_W - 1}" height="{CELL_H - 1}" fill="{fill}">'
                         f"<title>{esc(tip)}</title></rect>")
            if is_number(v):
                cls = "value" if float(v) < 0.6 else "value light"
                parts.append(f'<text class="{cls}" x="{x + CELL_W / 2:.1f}" y="{y + CELL_H - 8}" '
                             f'text-anchor="middle">{esc(f"{float(v):.2f}")}</text>')
    parts.append("</svg>")
    return "".join(parts)


def fit_block(m: Any) -> str:
    from ..errors import BabelscopeError
    from ..transfer.fit import fit_matrix

    try:
        fit = fit_matrix(m, n_boot=500)
    except BabelscopeError as e:
        return f'<p class="warning">{esc(f"No typology fit: {e}")}</p>'

    def f(x: Any) -> str:
        return f"{x:+.2f}" if is_number(x) else "n/a"

    comb = fit["combined"]
    text = (f"Does typology predict this matrix? Spearman rho between each distance and the score, both centred per target, "
            f"over {fit['n_cells']} off-diagonal cells (negative = closer sources transfer "
            f"better); combined leave-one-target-out ridge: rho {f(comb['spearman'])} "
            f"(95% CI {f(comb['ci_low'])} to {f(comb['ci_high'])}).")
    out = [f'<p class="lede">{esc(text)}</p>', '<div class="chart-row">']
    for k, v in fit["distances"].items():
        cap = f"{k}: rho {f(v['spearman'])} (95% CI {f(v['ci_low'])} to {f(v['ci_high'])})"
        out.append(f'<figure class="chart-box"><figcaption>{esc(cap)}</figcaption>{scatter(fit["cells"], k)}</figure>')
    out.append("</div>")
    return "".join(out)


def scatter(cells: Sequence[dict[str, Any]], key: str, width: int = 260, height: int = 200) -> str:
    pts = [(c["centred"][key], c["relative"], f"{c['source']}->{c['target']}") for c in cells
           if is_number((c.get("centred") or {}).get(key)) and is_number(c.get("relative"))]
    if not pts:
        return ""
    pad = 30
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    x0, x1 = min(xs), max(xs)
    y0, y1 = min(ys), max(ys)
    if x1 - x0 < 1e-9:
        x0, x1 = x0 - 0.5, x1 + 0.5
    if y1 - y0 < 1e-9:
        y0, y1 = y0 - 0.5, y1 + 0.5

    def px(x: float) -> float:
        return pad + (width - 2 * pad) * (x - x0) / (x1 - x0)

    def py(y: float) -> float:
        return height - pad - (height - 2 * pad) * (y - y0) / (y1 - y0)

    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
             f'role="img" aria-label="{esc(key)} vs transfer">',
             f'<line class="grid" x1="{pad}" y1="{height - pad}" x2="{width - pad}" y2="{height - pad}"/>',
             f'<line class="grid" x1="{pad}" y1="{pad}" x2="{pad}" y2="{height - pad}"/>',
             f'<text class="tick" x="{width / 2}" y="{height - 6}" text-anchor="middle">{esc(key)} (centred per target)</text>',
             f'<text class="tick" x="10" y="{height / 2}" text-anchor="middle" '
             f'transform="rotate(-90 10 {height / 2})">relative score</text>']
    for x, y, label in pts:
        parts.append(f'<circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="4" fill="#2c6fbb">'
                     f"<title>{esc(f'{label}: {key} (centred) {x:+.3f}, relative score {y:+.3f}')}</title></circle>")
    parts.append("</svg>")
    return "".join(parts)
