"""The tokenizer-premium section: one premium chart per tokenizer, a languages x tokenizers
table, every metric per language, and roll-ups by script and family."""

from __future__ import annotations

from .charts import Bar, grouped_hbar_chart, hbar_chart
from .fmt import esc, is_number, number_format
from .sections import SectionContext, language_label, language_table, num_of, rollups
from .tables import Column, render_table


def render(ctx: SectionContext) -> str:
    tokenizers = ctx.variants
    premium = ctx.where(metric="premium")
    pivot = ctx.pivot
    parts = [
        f'<p class="lede">Premium = tokens a text needs in a language / tokens the same text needs '
        f"in the pivot{f' (<code>{esc(pivot)}</code>)' if pivot else ''}; 1.0 is parity, 2.0 means "
        f"twice the cost, context use and latency. {len(tokenizers)} tokenizer(s), "
        f"{len({r['language'] for r in ctx.rows})} language(s).</p>"
    ]
    if premium:
        parts.append(premium_matrix(premium, tokenizers))
        parts.append(grouped_premium_chart(premium, tokenizers, pivot))
    parts.append('<h3>All metrics</h3>')
    parts.append(language_table(ctx.rows, variant_label="tokenizer", caption="Per language and tokenizer"))
    parts.append(rollups(ctx.rows, variant_label="tokenizer"))
    return "".join(parts)


def premium_matrix(premium: list[dict], tokenizers: list[str]) -> str:
    """Languages as rows, tokenizers as columns, premium in the cells."""
    by_lang: dict[str, dict] = {}
    for r in premium:
        w = by_lang.setdefault(r["language"], {
            "language": r["language"], "language_name": r.get("language_name") or "",
            "script": r.get("script") or "", "family": r.get("family") or "",
        })
        w["t:" + str(r.get("variant") or "")] = num_of(r)
    cols = [Column("language", "Language", code=True), Column("language_name", "Name"),
            Column("script", "Script", code=True), Column("family", "Family")]
    cols += [Column("t:" + t, t or "(tokenizer)", numeric=True, tip=f"premium of {t}") for t in tokenizers]
    rows = [{**w, **{c.key: w.get(c.key, num_of(None)) for c in cols if c.numeric}} for w in by_lang.values()]
    return render_table(cols, rows, caption="Premium by language and tokenizer")


def premium_chart(premium: list[dict], tokenizer: str, pivot: str = "") -> str:
    rows = [r for r in premium if str(r.get("variant") or "") == tokenizer]
    rows.sort(key=lambda r: (not is_number(r.get("value")), r.get("value") if is_number(r.get("value")) else 0))
    fmt = number_format([r.get("value") for r in rows])
    bars = [Bar(language_label(r), r.get("value"), tip=language_label(r), reason=num_of(r).reason) for r in rows]
    label = f"pivot {pivot} = 1" if pivot else "parity = 1"
    svg = hbar_chart(bars, fmt, title=f"Token premium, {tokenizer}", reference=1.0, reference_label=label)
    return f'<figure class="chart-box"><figcaption>{esc(tokenizer or "(tokenizer)")}</figcaption>{svg}</figure>'


def grouped_premium_chart(premium: list[dict], tokenizers: list[str], pivot: str = "") -> str:
    """Every tokenizer's premium per language on one shared axis (languages by mean premium)."""
    values: dict[tuple[str, str], float | None] = {}
    labels: dict[str, str] = {}
    for r in premium:
        lab = language_label(r)
        labels[lab] = lab
        values[(lab, str(r.get("variant") or ""))] = r.get("value") if is_number(r.get("value")) else None

    def mean(lab: str) -> float:
        vs = [float(v) for (g, _), v in values.items() if g == lab and is_number(v)]
        return sum(vs) / len(vs) if vs else float("inf")

    groups = sorted(labels, key=lambda g: (mean(g), g))
    fmt = number_format([r.get("value") for r in premium])
    label = f"pivot {pivot} = 1" if pivot else "parity = 1"
    svg = grouped_hbar_chart(groups, [str(t) for t in tokenizers], values, fmt,
                             title="Token premium by language and tokenizer", reference=1.0, reference_label=label)
    return (f'<figure class="chart-box wide"><figcaption>{esc("Token premium by language, all tokenizers")}'
            f"</figcaption>{svg}</figure>")
