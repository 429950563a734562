"""The surprisal section: how well the model predicts each language's text.

The headline is bits per parallel segment relative to the pivot (the same content's total
surprisal); bits per byte follows, labelled as per-byte, since UTF-8 byte lengths differ by
script for the same content."""

from __future__ import annotations

from .charts import Bar, hbar_chart
from .fmt import esc, is_number, number_format
from .sections import SectionContext, language_label, language_table, num_of, rollups


def _chart(ctx: SectionContext, rows, title: str) -> str:
    rows = sorted(rows, key=lambda r: (not is_number(r.get("value")), r.get("value") if is_number(r.get("value")) else 0))
    ref = next((r.get("value") for r in rows if r.get("language") == ctx.pivot and is_number(r.get("value"))), None)
    fmt = number_format([r.get("value") for r in rows])
    bars = [Bar(language_label(r), r.get("value"), tip=language_label(r), reason=num_of(r).reason) for r in rows]
    svg = hbar_chart(bars, fmt, title=title, reference=ref,
                     reference_label=f"pivot {ctx.pivot}" if ref is not None else "")
    return f'<figure class="chart-box"><figcaption>{esc(title)}</figcaption>{svg}</figure>'


def render(ctx: SectionContext) -> str:
    bpb = ctx.where(metric="bits_per_byte")
    ratio = ctx.where(metric="bits_per_segment_ratio")
    parts = []
    if ratio:
        parts.append('<p class="lede">Surprisal of the same content: the model\'s total negative '
                     "log-likelihood (bits) of each language's parallel segments, relative to the pivot's "
                     "over the same segments (bits per parallel segment ratio; Mielke et al. 2019). "
                     "Lower is better; 1 is the pivot.</p>")
        parts.append(f'<div class="charts">{_chart(ctx, ratio, "Bits per parallel segment, ratio to pivot")}</div>')
    parts.append('<p class="lede">Bits per byte: the same negative log-likelihood per UTF-8 byte. It '
                 "compares across tokenizers, but not across scripts: a script spending 2-3 bytes per "
                 "character (Cyrillic, Tamil, Thai) gets a lower figure for the same content.</p>")
    if bpb:
        rows = sorted(bpb, key=lambda r: (not is_number(r.get("value")), r.get("value") if is_number(r.get("value")) else 0))
        ref = next((r.get("value") for r in rows if r.get("language") == ctx.pivot and is_number(r.get("value"))), None)
        fmt = number_format([r.get("value") for r in rows])
        bars = [Bar(language_label(r), r.get("value"), tip=language_label(r), reason=num_of(r).reason) for r in rows]
        svg = hbar_chart(bars, fmt, title="Bits per byte by language", reference=ref,
                         reference_label=f"pivot {ctx.pivot}" if ref is not None else "")
        parts.append(f'<div class="charts"><figure class="chart-box"><figcaption>{esc("Bits per byte")}'
                     f"</figcaption>{svg}</figure></div>")
    first = [m for m in ("bits_per_segment_ratio", "bits_per_segment", "bits_per_byte") if m in ctx.metrics]
    metrics = first + [m for m in ctx.metrics if m not in first]
    parts.append(language_table(ctx.rows, caption="Per language", metrics=metrics))
    parts.append(rollups(ctx.rows, metrics=metrics))
    return "".join(parts)
