"""The bits-per-byte section: how well the model predicts each language's text, on a scale
that does not depend on the tokenizer (bits per UTF-8 byte), charted and tabled."""

from __future__ import annotations

from .charts import Bar, hbar_chart
from .fmt import esc, is_number, number_format
from .sections import SectionContext, language_label, language_table, num_of, rollups


def render(ctx: SectionContext) -> str:
    bpb = ctx.where(metric="bits_per_byte")
    parts = ['<p class="lede">Bits per byte: the model\'s negative log-likelihood of the text, in '
             "bits per UTF-8 byte. Lower is better; unlike perplexity it compares across "
             "tokenizers.</p>"]
    if bpb:
        rows = sorted(bpb, key=lambda r: (not is_number(r.get("value")), r.get("value") if is_number(r.get("value")) else 0))
        ref = next((r.get("value") for r in rows if r.get("language") == ctx.pivot and is_number(r.get("value"))), None)
        fmt = number_format([r.get("value") for r in rows])
        bars = [Bar(language_label(r), r.get("value"), tip=language_label(r), reason=num_of(r).reason) for r in rows]
        svg = hbar_chart(bars, fmt, title="Bits per byte by language", reference=ref,
                         reference_label=f"pivot {ctx.pivot}" if ref is not None else "")
        parts.append(f'<div class="charts"><figure class="chart-box"><figcaption>{esc("Bits per byte")}'
                     f"</figcaption>{svg}</figure></div>")
    parts.append(language_table(ctx.rows, caption="Per language"))
    parts.append(rollups(ctx.rows))
    return "".join(parts)
