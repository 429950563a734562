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
    #: 95% confidence interval, drawn as a whisker when both ends are numbers.
    ci_low: float | None = None
    ci_high: float | None = None
    #: The pivot's own bar: drawn outlined and its label in bold, so the eye finds it.
    highlight: bool = False


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
    chance: float | None = None,
    chance_label: str = "chance",
) -> str:
    """A horizontal bar chart as an ``<svg>`` element (all text escaped).

    With a ``reference`` (the pivot's 1.0 for premiums) a dashed line marks it and bars beyond
    it get the warning colour (``high_is_bad``) or the good one. Bars with a CI get a whisker;
    ``chance`` draws a dotted line at the score of guessing. The SVG has a viewBox and no fixed
    size in CSS terms, so it shrinks with a narrow screen instead of overflowing.
    """
    values = [b.value for b in bars if is_number(b.value)]
    values += [b.ci_high for b in bars if is_number(b.value) and is_number(b.ci_high)]
    hi = max(values + [r for r in (reference, chance) if is_number(r)] + [0.0])
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
            f'<text class="label{" pivot" if b.highlight else ""}" x="{LABEL_W - 6}" y="{y + ROW_H - 5}" '
            f'text-anchor="end"><title>{esc(tip)}</title>{esc(label)}</text>'
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
        if b.highlight:
            cls += " pivot"
        w = max(x(v) - LABEL_W, 0.5)
        has_ci = is_number(b.ci_low) and is_number(b.ci_high)
        ci_text = f" (95% CI {fmt(float(b.ci_low))} to {fmt(float(b.ci_high))})" if has_ci else ""
        parts.append(
            f'<rect class="{cls}" x="{LABEL_W}" y="{y + 3}" width="{w:.1f}" height="{ROW_H - 6}">'
            f"<title>{esc(tip)}: {esc(fmt(v))}{esc(ci_text)}</title></rect>"
        )
        end = LABEL_W + w
        if has_ci:
            lo, hi_x = x(float(b.ci_low)), x(float(b.ci_high))
            mid = y + ROW_H / 2
            parts.append(
                f'<g class="whisker"><line x1="{lo:.1f}" y1="{mid:.1f}" x2="{hi_x:.1f}" y2="{mid:.1f}"/>'
                f'<line x1="{lo:.1f}" y1="{mid - 4:.1f}" x2="{lo:.1f}" y2="{mid + 4:.1f}"/>'
                f'<line x1="{hi_x:.1f}" y1="{mid - 4:.1f}" x2="{hi_x:.1f}" y2="{mid + 4:.1f}"/></g>'
            )
            end = max(end, hi_x)
        parts.append(f'<text class="value" x="{end + 4:.1f}" y="{y + ROW_H - 5}">{esc(fmt(v))}</text>')
    if reference is not None:
        rx = x(reference)
        parts.append(f'<line class="ref" x1="{rx:.1f}" y1="{TOP - 6}" x2="{rx:.1f}" y2="{base_y}"/>')
        if reference_label:
            parts.append(f'<text class="ref-label" x="{rx:.1f}" y="{TOP - 10}" text-anchor="middle">{esc(reference_label)}</text>')
    if is_number(chance):
        cx = x(float(chance))
        parts.append(f'<line class="chance" x1="{cx:.1f}" y1="{TOP - 6}" x2="{cx:.1f}" y2="{base_y}"/>'
                     f'<text class="chance-label" x="{cx:.1f}" y="{TOP - 18}" text-anchor="middle">'
                     f"{esc(chance_label)} {esc(fmt(float(chance)))}</text>")
    parts.append("</svg>")
    return "".join(parts)


#: Series colours of grouped charts (colour-blind-safe Okabe-Ito order).
SERIES_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")


def grouped_hbar_chart(
    groups: Sequence[str],
    series: Sequence[str],
    values: dict[tuple[str, str], float | None],
    fmt: Callable[[float], str],
    title: str = "",
    reference: float | None = None,
    reference_label: str = "",
    width: int = 560,
    tips: dict[str, str] | None = None,
) -> str:
    """Several series per group on ONE shared axis (e.g. every tokenizer's premium per
    language), with a legend, instead of one chart per series with axes that differ."""
    sub_h = 11
    group_h = sub_h * max(len(series), 1) + 8
    nums = [float(v) for v in values.values() if is_number(v)]
    hi = max(nums + ([reference] if is_number(reference) else []) + [0.0])
    ticks = nice_ticks(hi * 1.02 if hi > 0 else 1.0)
    top_val = ticks[-1] if ticks[-1] > 0 else 1.0
    legend_rows = (len(series) + 2) // 3
    top = TOP + 16 * legend_rows
    plot_w = width - LABEL_W - VALUE_W
    height = top + group_h * max(len(groups), 1) + BOTTOM

    def x(v: float) -> float:
        return LABEL_W + plot_w * max(v, 0.0) / top_val

    parts = [f'<svg class="chart grouped" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
             f'role="img" aria-label="{esc(title)}">']
    if title:
        parts.append(f"<title>{esc(title)}</title>")
    for k, name in enumerate(series):  # legend
        lx = 8 + (k % 3) * ((width - 16) / 3)
        ly = 6 + 16 * (k // 3)
        short = name if len(name) <= 24 else name[:23] + "\u2026"
        parts.append(f'<g class="legend-item"><rect x="{lx:.1f}" y="{ly}" width="10" height="10" '
                     f'fill="{SERIES_COLOURS[k % len(SERIES_COLOURS)]}"/><text class="legend" x="{lx + 14:.1f}" '
                     f'y="{ly + 9}"><title>{esc(name)}</title>{esc(short)}</text></g>')
    base_y = top + group_h * len(groups)
    for t in ticks:
        tx = x(t)
        parts.append(f'<line class="grid" x1="{tx:.1f}" y1="{top - 4}" x2="{tx:.1f}" y2="{base_y}"/>')
        parts.append(f'<text class="tick" x="{tx:.1f}" y="{base_y + 15}" text-anchor="middle">{esc(_tick(t))}</text>')
    for i, g in enumerate(groups):
        y0 = top + i * group_h
        label = g if len(g) <= 28 else g[:27] + "\u2026"
        parts.append(f'<text class="label" x="{LABEL_W - 6}" y="{y0 + group_h / 2 + 4:.1f}" text-anchor="end">'
                     f"<title>{esc((tips or {}).get(g, g))}</title>{esc(label)}</text>")
        for k, s in enumerate(series):
            v = values.get((g, s))
            y = y0 + 4 + k * sub_h
            if not is_number(v):
                parts.append(f'<text class="na" x="{LABEL_W + 4}" y="{y + sub_h - 2}"><title>{esc(g)}, {esc(s)}: '
                             "no value</title>\u2014</text>")
                continue
            w = max(x(float(v)) - LABEL_W, 0.5)
            parts.append(f'<rect x="{LABEL_W}" y="{y}" width="{w:.1f}" height="{sub_h - 2}" '
                         f'fill="{SERIES_COLOURS[k % len(SERIES_COLOURS)]}"><title>{esc(g)}, {esc(s)}: '
                         f"{esc(fmt(float(v)))}</title></rect>")
    if is_number(reference):
        rx = x(float(reference))
        parts.append(f'<line class="ref" x1="{rx:.1f}" y1="{top - 6}" x2="{rx:.1f}" y2="{base_y}"/>')
        if reference_label:
            parts.append(f'<text class="ref-label" x="{rx:.1f}" y="{top - 8}" text-anchor="middle">'
                         f"{esc(reference_label)}</text>")
    parts.append("</svg>")
    return "".join(parts)


def colour_legend(low: float, high: float, colour: Callable[[float], str], label: str = "",
                  width: int = 260, steps: int = 10) -> str:
    """A horizontal colour scale from ``low`` to ``high`` for a heatmap (an ``<svg>``)."""
    bar_w = (width - 60) / steps
    parts = [f'<svg class="chart legend-scale" viewBox="0 0 {width} 34" width="{width}" height="34" '
             f'role="img" aria-label="{esc(label or "colour scale")}">']
    for i in range(steps):
        frac = (i + 0.5) / steps
        parts.append(f'<rect x="{30 + i * bar_w:.1f}" y="4" width="{bar_w + 0.5:.1f}" height="12" '
                     f'fill="{colour(frac)}"/>')
    parts.append(f'<text class="tick" x="30" y="29" text-anchor="middle">{esc(_tick(low))}</text>')
    parts.append(f'<text class="tick" x="{width - 30}" y="29" text-anchor="middle">{esc(_tick(high))}</text>')
    if label:
        parts.append(f'<text class="tick" x="{width / 2:.1f}" y="29" text-anchor="middle">{esc(label)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _tick(t: float) -> str:
    return f"{t:g}"
