"""An inline SVG line chart over layers, with optional confidence bands (no script library).

Used by the probe sections, whose results are curves over a model's layers. Colours are set
inline so the chart needs nothing from report.css; every label passes through ``esc``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from .charts import nice_ticks
from .fmt import esc, is_number

PALETTE = ("#08519c", "#d94801", "#238b45", "#6a51a3", "#b10026", "#525252")


@dataclass(frozen=True)
class Series:
    """One curve: y per x, with an optional band (low, high per x); a missing y breaks the line."""

    label: str
    y: Sequence[float | None]
    low: Sequence[float | None] | None = None
    high: Sequence[float | None] | None = None
    dashed: bool = False


def line_chart(xs: Sequence[float], series: Sequence[Series], title: str = "", x_label: str = "layer",
               y_label: str = "", width: int = 520, height: int = 240, y_min: float | None = None) -> str:
    left, right, top, bottom = 48, 130, 16, 34
    vals = [float(v) for s in series for seq in (s.y, s.low or (), s.high or ()) for v in seq if is_number(v)]
    lo = min(vals + [0.0]) if y_min is None else y_min
    hi = max(vals + [lo + 1e-9])
    ticks = nice_ticks(hi - lo) if hi > lo else [0.0]
    span = (ticks[-1] or 1.0)
    x0, x1 = (min(xs), max(xs)) if xs else (0, 1)
    pw, ph = width - left - right, height - top - bottom

    def px(x: float) -> float:
        return left + pw * ((x - x0) / (x1 - x0) if x1 > x0 else 0.5)

    def py(y: float) -> float:
        return top + ph * (1 - (y - lo) / span)

    out = [f'<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
           f'aria-label="{esc(title)}">']
    if title:
        out.append(f"<title>{esc(title)}</title>")
    for t in ticks:
        y = py(lo + t)
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + pw}" y2="{y:.1f}" stroke="#ddd" stroke-width="1"/>')
        out.append(f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end" font-size="10">{esc(f"{lo + t:.3g}")}</text>')
    step = max(1, len(xs) // 10)
    for x in list(xs)[::step]:
        out.append(f'<text x="{px(x):.1f}" y="{top + ph + 14}" text-anchor="middle" font-size="10">{esc(f"{x:g}")}</text>')
    out.append(f'<text x="{left + pw / 2:.1f}" y="{height - 4}" text-anchor="middle" font-size="11">{esc(x_label)}</text>')
    if y_label:
        out.append(f'<text x="10" y="{top + ph / 2:.1f}" font-size="11" transform="rotate(-90 10 {top + ph / 2:.1f})" '
                   f'text-anchor="middle">{esc(y_label)}</text>')
    for i, s in enumerate(series):
        colour = PALETTE[i % len(PALETTE)]
        if s.low is not None and s.high is not None:
            pts = [(x, a, b) for x, a, b in zip(xs, s.low, s.high) if is_number(a) and is_number(b)]
            if pts:
                poly = [f"{px(x):.1f},{py(b):.1f}" for x, _, b in pts] + \
                       [f"{px(x):.1f},{py(a):.1f}" for x, a, _ in reversed(pts)]
                out.append(f'<polygon points="{" ".join(poly)}" fill="{colour}" fill-opacity="0.15" stroke="none"/>')
        seg: list[str] = []
        for x, y in list(zip(xs, s.y)) + [(None, None)]:
            if x is not None and is_number(y):
                seg.append(f"{px(x):.1f},{py(float(y)):.1f}")
                continue
            if seg:
                dash = ' stroke-dasharray="5,3"' if s.dashed else ""
                out.append(f'<polyline points="{" ".join(seg)}" fill="none" stroke="{colour}" stroke-width="2"{dash}>'
                           f"<title>{esc(s.label)}</title></polyline>")
            seg = []
        ly = top + 12 + 16 * i
        dash = ' stroke-dasharray="5,3"' if s.dashed else ""
        out.append(f'<line x1="{left + pw + 10}" y1="{ly - 4}" x2="{left + pw + 28}" y2="{ly - 4}" stroke="{colour}" '
                   f'stroke-width="2"{dash}/>')
        label = s.label if len(s.label) <= 16 else s.label[:15] + "\u2026"
        out.append(f'<text x="{left + pw + 32}" y="{ly}" font-size="11"><title>{esc(s.label)}</title>{esc(label)}</text>')
    out.append("</svg>")
    return "".join(out)
