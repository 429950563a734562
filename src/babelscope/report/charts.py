"""Inline SVG charts drawn in Python, so the report needs no script library or network.

Horizontal bars suit per-language values: language names stay readable and the chart grows
downward with the number of languages instead of squeezing labels.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Sequence

from .fmt import esc, is_number

ROW_H = 18
LABEL_W = 170
VALUE_W = 64
TOP = 28
BOTTOM = 22


@dataclass(frozen=True)
class Bar:
    """One bar: ``label`` is drawn, ``tip`` is the hover text, ``reason`` explains a missing value."""

    label: str
    value: float | None
    tip: str = ""
    reason: str = ""


def nice_ticks(hi: float, count: int = 5) -> list[float]:
    """Round tick positions from 0 to at least ``hi``."""
    if hi <= 0 or not math.isfinite(hi):
        return [0.0]
    raw = hi / count
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    n = int(math.ceil(hi / step - 1e-9))
    return [round(i * step, 10) for i in range(n + 1)]


def hbar_chart(
    bars: Sequence[Bar],
    fmt: Callable[[float], str],
    title: str = "",
    reference: float | None = None,
    reference_label: str = "",
    width: int = 560,
    high_is_bad: bool = True,
) -> str:
    """A horizontal bar chart as an ``<svg>`` element (all text escaped).

    With a ``reference`` (the pivot's 1.0 for premiums) a dashed line marks it and bars beyond
    it get the warning colour (``high_is_bad``) or the good one.
    """
    values = [b.value for b in bars if is_number(b.value)]
    hi = max(values + ([reference] if reference is not None else []) + [0.0])
    ticks = nice_ticks(hi * 1.02 if hi > 0 else 1.0)
    top_val = ticks[-1] if ticks[-1] > 0 else 1.0
    plot_w = width - LABEL_W - VALUE_W
    height = TOP + ROW_H * max(len(bars), 1) + BOTTOM

    def x(v: float) -> float:
        return LABEL_W + plot_w * max(v, 0.0) / top_val

    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="{esc(title)}">'
    ]
    if title:
        parts.append(f"<title>{esc(title)}</title>")
    base_y = TOP + ROW_H * len(bars)
    for t in ticks:  # grid and axis labels
        tx = x(t)
        parts.append(f'<line class="grid" x1="{tx:.1f}" y1="{TOP - 4}" x2="{tx:.1f}" y2="{base_y}"/>')
        parts.append(f'<text class="tick" x="{tx:.1f}" y="{base_y + 15}" text-anchor="middle">{esc(_tick(t))}</text>')
    for i, b in enumerate(bars):
        y = TOP + i * ROW_H
        label = b.label if len(b.label) <= 28 else b.label[:27] + "\u2026"
        tip = b.tip or b.label
        parts.append(
            f'<text class="label" x="{LABEL_W - 6}" y="{y + ROW_H - 5}" text-anchor="end">'
            f"<title>{esc(tip)}</title>{esc(label)}</text>"
        )
        if not is_number(b.value):
            why = b.reason or "no value"
            parts.append(
                f'<text class="na" x="{LABEL_W + 4}" y="{y + ROW_H - 5}"><title>{esc(tip)}: {esc(why)}</title>'
                "\u2014</text>"
            )
            continue
        v = float(b.value)
        cls = "bar"
        if reference is not None and v > reference:
            cls += " over" if high_is_bad else " good"
        w = max(x(v) - LABEL_W, 0.5)
        parts.append(
            f'<rect class="{cls}" x="{LABEL_W}" y="{y + 3}" width="{w:.1f}" height="{ROW_H - 6}">'
            f"<title>{esc(tip)}: {esc(fmt(v))}</title></rect>"
        )
        parts.append(f'<text class="value" x="{LABEL_W + w + 4:.1f}" y="{y + ROW_H - 5}">{esc(fmt(v))}</text>')
    if reference is not None:
        rx = x(reference)
        parts.append(f'<line class="ref" x1="{rx:.1f}" y1="{TOP - 6}" x2="{rx:.1f}" y2="{base_y}"/>')
        if reference_label:
            parts.append(f'<text class="ref-label" x="{rx:.1f}" y="{TOP - 10}" text-anchor="middle">{esc(reference_label)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _tick(t: float) -> str:
    return f"{t:g}"
