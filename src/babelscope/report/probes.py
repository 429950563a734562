"""Report sections of the word- and layer-level probes (babelscope.probes).

Latent language and word similarity draw curves over layers (with CI bands); BLI is a table
of P@1/5/10 per setting with the filter counts; homographs are bars per class against the
random baseline, labelled as derived word sets. Everything comes from the run's artifacts
(``<probe>:<src>-<tgt>``), falling back to the generic table when a run has none; every text
passes through ``esc``.
"""

from __future__ import annotations

from typing import Any

from .charts import Bar, hbar_chart
from .fmt import esc
from .line_chart import Series, line_chart
from .sections import SectionContext, language_table
from .tables import Column, Num, render_table


def _arts(ctx: SectionContext, prefix: str) -> list[dict[str, Any]]:
    return [v for k, v in sorted(ctx.artifacts.items()) if k.startswith(prefix + ":") and isinstance(v, dict)]


def _counts(art: dict[str, Any]) -> str:
    c = art.get("counts") or {}
    return ", ".join(f"{k}: {v}" for k, v in c.items())


def _figure(caption: str, svg: str, note: str = "") -> str:
    extra = f' <span class="muted">({esc(note)})</span>' if note else ""
    return f'<figure class="chart-box"><figcaption>{esc(caption)}{extra}</figcaption>{svg}</figure>'


def _examples(rows: list[list[str]], header: list[str]) -> str:
    if not rows:
        return ""
    head = "".join(f"<th>{esc(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{esc(x)}</td>" for x in r) + "</tr>" for r in rows)
    return f'<table class="examples"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def render_latent_language(ctx: SectionContext) -> str:
    parts = ['<p class="lede">Logit lens: at every layer the last position of a few-shot word-translation '
             "prompt is decoded through the final norm and the output head. Solid: probability of the correct "
             "target-language word's first token; dashed: of its English equivalent's. Bands are 95% bootstrap "
             "CIs over prompts. The crossover is the first layer from which the target stays above English.</p>"]
    arts = _arts(ctx, "latent_language")
    charts = []
    for a in arts:
        pt, pe = a.get("p_target") or {}, a.get("p_english") or {}
        cross = a.get("crossover_layer")
        note = (f"{a.get('n')} prompts; crossover at layer {cross}" if cross is not None
                else f"{a.get('n')} prompts; the target never overtakes English")
        svg = line_chart(a.get("layers") or [], [
            Series(f"{a.get('target_name', a.get('target'))}", pt.get("mean") or [], pt.get("ci_low"), pt.get("ci_high")),
            Series("English", pe.get("mean") or [], pe.get("ci_low"), pe.get("ci_high"), dashed=True),
        ], title=f"{a.get('source')} -> {a.get('target')}", y_label="probability", y_min=0.0)
        charts.append(_figure(f"{a.get('source')} \u2192 {a.get('target')}", svg, note))
    if charts:
        parts.append(f'<div class="charts">{"".join(charts)}</div>')
    for a in arts:
        parts.append(f'<p class="muted">{esc(a.get("source"))}\u2192{esc(a.get("target"))} pairs: {esc(_counts(a))}</p>')
        parts.append(_examples(a.get("examples") or [], ["source word", "English", "target word"]))
    summary = [r for r in ctx.rows if r.get("metric") in ("crossover_layer", "p_target_final")]
    parts.append(language_table(summary, caption="Per target language"))
    return "".join(parts)


def render_bli(ctx: SectionContext) -> str:
    parts = ['<p class="lede">Bilingual lexicon induction: each test word is looked up among the target words by '
             "cosine (NN) or CSLS, with the raw spaces and after an orthogonal Procrustes map fitted on the seed "
             "split. P@k: share of test words with a dictionary translation among the k best.</p>"]
    arts = _arts(ctx, "bli")
    rows = []
    for a in arts:
        for r in a.get("results") or []:
            rows.append({"pair": f"{a.get('source')}-{a.get('target')}", "vectors": r.get("vectors"),
                         "retrieval": r.get("retrieval"), "alignment": r.get("alignment"),
                         **{f"p{k}": _num(ctx, a, r, k) for k in (1, 5, 10)}})
    if rows:
        cols = [Column("pair", "Pair", code=True), Column("vectors", "Vectors"), Column("retrieval", "Retrieval"),
                Column("alignment", "Alignment")] + [Column(f"p{k}", f"P@{k}", numeric=True) for k in (1, 5, 10)]
        parts.append(render_table(cols, rows, caption="P@1/5/10 (95% bootstrap CI over test words)"))
    for a in arts:
        layer = a.get("layer")
        parts.append(f'<p class="muted">{esc(a.get("source"))}-{esc(a.get("target"))}: {esc(_counts(a))}; '
                     f'{esc(a.get("n_targets"))} target words searched; contextual vectors from layer {esc(layer)}</p>')
    if not rows:
        parts.append(language_table(ctx.rows, caption="Per language"))
    return "".join(parts)


def _num(ctx: SectionContext, art: dict[str, Any], r: dict[str, Any], k: int) -> Num:
    variant = f"{r.get('vectors')}/{r.get('retrieval')}/{r.get('alignment')}"
    row = next((x for x in ctx.rows if x.get("metric") == f"p@{k}" and x.get("variant") == variant
                and x.get("language") == art.get("target") and x.get("source") == art.get("source")), None)
    if row is not None:
        return Num(row.get("value"), ci_low=row.get("ci_low"), ci_high=row.get("ci_high"))
    return Num(r.get(f"p@{k}"))


def render_homographs(ctx: SectionContext) -> str:
    parts = ['<p class="lede">Derived word sets (from the dictionaries, by documented spelling rules): cognates, '
             "interlingual homographs (same spelling, different meaning) and non-cognates. The model picks the "
             "meaning of the foreign word between its translation and a distractor by log-likelihood; the dashed "
             "line is the random baseline (0.5). Below chance on homographs means spelling fools the model.</p>"]
    arts = _arts(ctx, "homographs")
    charts = []
    for a in arts:
        bars = []
        for c, m in (a.get("summary") or {}).items():
            acc = m.get("accuracy") or {}
            tip = f"{c}: {acc.get('value', 0):.2f} [95% CI {acc.get('ci_low', 0):.2f}, {acc.get('ci_high', 0):.2f}], n={acc.get('n')}"
            bars.append(Bar(f"{c} (derived)", acc.get("value"), tip=tip))
        svg = hbar_chart(bars, lambda v: f"{v:.2f}", title="accuracy", reference=0.5, reference_label="random",
                         high_is_bad=False)
        charts.append(_figure(f"en \u2192 {a.get('target_name', a.get('target'))}", svg, _counts(a)))
    if charts:
        parts.append(f'<div class="charts">{"".join(charts)}</div>')
    for a in arts:
        ex = [[c, f, e, d] for c, rows in (a.get("examples") or {}).items() for f, e, d in rows]
        parts.append(_examples(ex, ["class", f"word ({a.get('target')})", "meaning", "distractor"]))
    parts.append(language_table(ctx.rows, variant_label="word class", caption="Per language and class"))
    return "".join(parts)


def render_word_similarity(ctx: SectionContext) -> str:
    parts = ['<p class="lede">Cosine similarity of translation pairs (solid) against random pairs (dashed) per '
             "layer, each word embedded alone with MEXA's pooling; the gap's band is a 95% bootstrap CI over "
             "pairs.</p>"]
    charts = []
    arts = _arts(ctx, "word_similarity")
    for a in arts:
        svg = line_chart(a.get("layers") or [], [
            Series("translation", a.get("translation") or []),
            Series("random", a.get("random") or [], dashed=True),
            Series("gap", a.get("gap") or [], a.get("gap_low"), a.get("gap_high")),
        ], title=f"{a.get('source')}-{a.get('target')}", y_label="cosine")
        charts.append(_figure(f"{a.get('source')}-{a.get('target')}", svg, f"{a.get('n')} pairs"))
    if charts:
        parts.append(f'<div class="charts">{"".join(charts)}</div>')
    parts.append(language_table(ctx.where(metric="best_gap"), caption="Best layer per language pair"))
    return "".join(parts)
