"""The evaluation section: one per benchmark task that ``babelscope eval`` ran.

What a reader needs to judge a multilingual score: each language's accuracy with its 95% CI
and item count, how far it trails the pivot (the gap is the point of evaluating many
languages), and whether a low score is the model or the harness (answer-extraction failures of
generative tasks). Global-MMLU's culturally sensitive (CS) and agnostic (CA) items stand side
by side because model rankings change between them; a run with several prompt conditions gets
a languages x conditions matrix, since a gap that closes under other instructions or
demonstrations is a prompting problem, not a knowledge one. Derived tasks are labelled: their
numbers compare with no published benchmark.

Rows come from ``evaluation.rows_for``: one per (language, condition, subset, metric), with the
extra keys ``subset`` and ``condition``. The variant joins the two with "|", but condition
names contain "|" themselves, so this module reads the extra keys and never splits the variant.
The gap to the pivot is recomputed here from the pivot's own row (value - pivot's value), so it
holds whatever the stored run wrote.
"""

from __future__ import annotations

from typing import Any, Sequence

from ..errors import LanguageError
from ..languages import Language
from .charts import Bar, hbar_chart
from .fmt import esc, is_number, number_format
from .sections import SectionContext, ordered, language_label, num_of, rollups
from .tables import Column, Num, render_table

ALL = "all"
#: Global-MMLU's subsets (tasks/global_mmlu.py); every item is in "all" and in one of these.
CULTURAL = ("CS", "CA", "unannotated")
#: Translation rows of one source when a run has several (tasks/flores_translation.py).
FROM = "from="
#: Metrics that count harness failures, not model errors: shown beside accuracy, never as it.
FAILURE_METRICS = ("extraction_failure",)

METRIC_HELP: dict[str, str] = {
    "acc": "accuracy: share of items whose most likely choice (summed log-likelihood) is the gold one",
    "acc_norm": "byte-normalised accuracy: each choice's log-likelihood divided by its UTF-8 length in bytes",
    "exact_match": "share of responses whose extracted answer equals the reference",
    "extraction_failure": "share of responses from which no answer could be extracted (scored as wrong)",
    "chrf": "chrF++ (0-100): character n-gram F-score with word uni- and bigrams, per segment",
    "sem_b": "BLEnD SEM-B: share of answers matching any annotator's answer",
    "sem_w": "BLEnD SEM-W: matches weighted by the annotation's votes",
    "acc_subject_macro": "TUMLU's paper figure: mean of per-subject accuracies, without logic, world history, "
                         "philosophy, religion, human & society and computer science",
    "exact_match_strict": "MGSM as lm-evaluation-harness strict-match reads it: the language's 'The answer is N'",
    "exact_match_flexible": "MGSM as lm-evaluation-harness flexible-extract reads it: the last number",
}
SUBSET_HELP = {
    ALL: "all items",
    "CS": "culturally sensitive items (need regional or cultural knowledge)",
    "CA": "culturally agnostic items",
    "unannotated": "items without a cultural-sensitivity label",
}

Key = tuple[str, str]  # (language tag, corpus code)


def lang_key(r: dict[str, Any]) -> Key:
    return (str(r.get("language") or ""), str(r.get("corpus_code") or ""))


def subset_of(r: dict[str, Any]) -> str:
    return str(r.get("subset") or ALL)


def condition_of(r: dict[str, Any]) -> str:
    return str(r.get("condition") or "")


def pivot_tag(ctx: SectionContext) -> str:
    """The run's pivot as a row's language tag ("English" -> "en"); English when none is set."""
    raw = ctx.pivot or "en"
    try:
        return Language.parse(raw).tag
    except LanguageError:
        return raw


class EvalRows:
    """One task's rows, indexed by (condition, subset, metric, language)."""

    def __init__(self, rows: Sequence[dict[str, Any]], pivot: str):
        self.rows = list(rows)
        self.pivot = pivot
        self.conditions: list[str] = ordered(condition_of(r) for r in rows)
        self.subsets: list[str] = ordered(subset_of(r) for r in rows)
        metrics = ordered(r["metric"] for r in rows)
        self.failures = [m for m in metrics if m in FAILURE_METRICS]
        self.scores = [m for m in metrics if m not in FAILURE_METRICS]
        #: The headline metric: the task's first (evaluation writes metrics in task order).
        self.main = self.scores[0] if self.scores else (metrics[0] if metrics else "")
        self.cells: dict[tuple[str, str, str, Key], dict[str, Any]] = {}
        self.langs: dict[Key, dict[str, Any]] = {}
        for r in rows:
            k = lang_key(r)
            self.cells.setdefault((condition_of(r), subset_of(r), r["metric"], k), r)
            self.langs.setdefault(k, r)
        self.pivot_key = next((k for k in self.langs if k[0] == pivot), None)

    def get(self, cond: str, subset: str, metric: str, key: Key) -> dict[str, Any] | None:
        return self.cells.get((cond, subset, metric, key))

    def value(self, cond: str, subset: str, metric: str, key: Key | None) -> float | None:
        r = self.get(cond, subset, metric, key) if key is not None else None
        return float(r["value"]) if r is not None and is_number(r.get("value")) else None

    def gap(self, cond: str, subset: str, metric: str, key: Key) -> Num:
        """value - the pivot's value on the same condition, subset and metric."""
        v = self.value(cond, subset, metric, key)
        pv = self.value(cond, subset, metric, self.pivot_key)
        if v is None:
            return Num(None, reason="no value for this language")
        if pv is None:
            return Num(None, reason=f"the pivot ({self.pivot}) has no value here")
        return Num(v - pv, note=f"{v!r} - {pv!r} (pivot {self.pivot})")

    @property
    def has_pivot(self) -> bool:
        return self.pivot_key is not None

    def translation_sources(self) -> list[str]:
        return [s[len(FROM):] for s in self.subsets if s.startswith(FROM)]


# -- building blocks ----------------------------------------------------------------------------

LANG_COLS = [Column("language", "Language", code=True), Column("language_name", "Name"),
             Column("script", "Script", code=True), Column("family", "Family")]


def label_fields(r: dict[str, Any]) -> dict[str, Any]:
    return {"language": r.get("language") or "", "language_name": r.get("language_name") or "",
            "script": r.get("script") or "", "family": r.get("family") or "",
            "corpus_code": r.get("corpus_code") or ""}


def label_columns(rows: Sequence[dict[str, Any]], condition: bool = False) -> list[Column]:
    cols = list(LANG_COLS)
    if any(r["corpus_code"] and r["corpus_code"] != r["language"] for r in rows):
        cols.append(Column("corpus_code", "Dataset code", code=True, tip="the language's code in the dataset"))
    if condition:
        cols.append(Column("condition", "Condition", code=True, tip="how the prompt was built"))
    return cols


def metric_column(key: str, metric: str, label: str | None = None) -> Column:
    return Column(key, label or metric, numeric=True, tip=METRIC_HELP.get(metric, ""))


def mean_of(values: Sequence[float | None]) -> float | None:
    vals = [v for v in values if v is not None]
    return sum(vals) / len(vals) if vals else None


# -- the section --------------------------------------------------------------------------------


def render(ctx: SectionContext) -> str:
    """The section of a benchmark task (translation tasks: ``translation.render``, chosen by
    ``sections.is_translation``, which builds on the blocks below)."""
    v = EvalRows(ctx.rows, pivot_tag(ctx))
    return intro(ctx, v) + body(ctx, v)


def intro(ctx: SectionContext, v: EvalRows) -> str:
    """Derived-task label, notes stored with the rows, what the metrics mean."""
    parts = []
    if any(r.get("derived") for r in ctx.rows):
        parts.append('<p class="warning"><span class="badge warn">derived</span> A derived task: '
                     "babelscope builds it from freely available text, it is not a published "
                     "benchmark. Its numbers compare languages and models within babelscope, never "
                     "with a published result.</p>")
    notes = ordered(str(r["note"]) for r in ctx.rows if r.get("note"))
    if notes:
        parts.append('<ul class="help">' + "".join(f"<li>{esc(n)}</li>" for n in notes[:20]) + "</ul>")
    pivot = (f"gaps are to the pivot <code>{esc(v.pivot)}</code>" if v.has_pivot else
             f"the pivot <code>{esc(v.pivot)}</code> was not evaluated, so no gap is shown")
    parts.append(f'<p class="lede">Headline metric <b>{esc(v.main)}</b>, with 95% bootstrap CIs in '
                 f"brackets; {pivot}. {len(v.langs)} language(s), {len(v.conditions)} prompt condition(s).</p>")
    helps = [f"<li><b>{esc(m)}</b>: {esc(METRIC_HELP[m])}</li>" for m in v.scores + v.failures if m in METRIC_HELP]
    if helps:
        parts.append(f'<ul class="help">{"".join(helps)}</ul>')
    return "".join(parts)


def body(ctx: SectionContext, v: EvalRows) -> str:
    parts = [per_language_table(v), summary_table(v)]
    if len(v.conditions) > 1:
        parts.append(conditions_matrix(v))
    if any(s in v.subsets for s in CULTURAL[:2]):
        parts.append(cultural_table(v))
    other = [s for s in v.subsets if s != ALL and s not in CULTURAL and not s.startswith(FROM)]
    if other:
        parts.append(subset_matrix(v, other))
    charts = [main_chart(v, cond) for cond in v.conditions]
    parts.append('<div class="charts">' + "".join(c for c in charts if c) + "</div>")
    parts.append(rollups(rollup_rows(v), variant_label="condition", metrics=v.scores + v.failures))
    return "".join(parts)


def per_language_table(v: EvalRows) -> str:
    """One row per (condition, language): every metric on all items, gap, failures, n."""
    multi = len(v.conditions) > 1
    out = []
    for cond in v.conditions:
        for key, first in v.langs.items():
            main = v.get(cond, ALL, v.main, key)
            if not any(v.get(cond, ALL, m, key) for m in v.scores + v.failures):
                continue
            row = {**label_fields(first), "condition": cond}
            for m in v.scores + v.failures:
                row["m:" + m] = num_of(v.get(cond, ALL, m, key))
            row["gap"] = v.gap(cond, ALL, v.main, key)
            row["n"] = main.get("n") if main else None
            out.append(row)
    cols = label_columns(out, condition=multi)
    cols += [metric_column("m:" + m, m) for m in v.scores]
    if v.has_pivot:
        cols.append(Column("gap", f"gap to {v.pivot}", numeric=True,
                           tip=f"{v.main} minus the pivot's {v.main} (negative: trails the pivot)"))
    cols += [metric_column("m:" + m, m, "extraction failures" if m == "extraction_failure" else m) for m in v.failures]
    cols.append(Column("n", "n", numeric=True, count=True, tip="items scored"))
    return render_table(cols, out, caption="Per language")


def summary_table(v: EvalRows) -> str:
    """Per condition: macro means (each language once), the n-weighted micro mean, the pivot."""
    out = []
    for cond in v.conditions:
        row: dict[str, Any] = {"condition": cond}
        keys = [k for k in v.langs if v.get(cond, ALL, v.main, k)]
        row["languages"] = len(keys)
        for m in v.scores + v.failures:
            row["m:" + m] = Num(mean_of([v.value(cond, ALL, m, k) for k in keys]), reason="no language has a value")
        weighted = [(v.value(cond, ALL, v.main, k), (v.get(cond, ALL, v.main, k) or {}).get("n") or 0) for k in keys]
        total = sum(n for x, n in weighted if x is not None)
        row["micro"] = Num(sum(x * n for x, n in weighted if x is not None) / total if total else None,
                           reason="no item scored")
        row["pivot"] = Num(v.value(cond, ALL, v.main, v.pivot_key), reason="the pivot was not evaluated")
        out.append(row)
    cols = [Column("condition", "Condition", code=True), Column("languages", "Languages", numeric=True, count=True)]
    cols += [metric_column("m:" + m, m, f"mean {m}") for m in v.scores + v.failures]
    cols.append(Column("micro", f"micro {v.main}", numeric=True, tip="mean over all items of all languages"))
    if v.has_pivot:
        cols.append(Column("pivot", f"{v.main} of {v.pivot}", numeric=True, tip="the pivot's own value"))
    return render_table(cols, out, caption="Mean over languages (macro: each language counts once)")


def conditions_matrix(v: EvalRows) -> str:
    """Languages x prompt conditions of the headline metric, and its spread across them."""
    out = []
    for key, first in v.langs.items():
        row = label_fields(first)
        vals = []
        for i, cond in enumerate(v.conditions):
            row[f"c{i}"] = num_of(v.get(cond, ALL, v.main, key))
            vals.append(v.value(cond, ALL, v.main, key))
        have = [x for x in vals if x is not None]
        row["spread"] = Num(max(have) - min(have) if len(have) > 1 else None,
                            reason="needs values under two conditions")
        out.append(row)
    cols = label_columns(out)
    cols += [Column(f"c{i}", cond, numeric=True, tip=f"{v.main} under {cond}") for i, cond in enumerate(v.conditions)]
    cols.append(Column("spread", "spread (max - min)", numeric=True, tip="how much the prompt condition moves the score"))
    return "<h3>Prompt conditions</h3>" + render_table(cols, out, caption=f"{v.main} by language and condition")


def cultural_table(v: EvalRows) -> str:
    """Global-MMLU: the headline metric on all, CS, CA and unannotated items, side by side."""
    subs = [ALL] + [s for s in CULTURAL if s in v.subsets]
    multi = len(v.conditions) > 1
    out = []
    for cond in v.conditions:
        for key, first in v.langs.items():
            if not any(v.get(cond, s, v.main, key) for s in subs):
                continue
            row = {**label_fields(first), "condition": cond}
            for s in subs:
                r = v.get(cond, s, v.main, key)
                row["s:" + s] = num_of(r)
                row["n:" + s] = r.get("n") if r else None
            cs, ca = v.value(cond, "CS", v.main, key), v.value(cond, "CA", v.main, key)
            row["cs_ca"] = Num(cs - ca if cs is not None and ca is not None else None, reason="needs both CS and CA")
            out.append(row)
    cols = label_columns(out, condition=multi)
    cols += [Column("s:" + s, s.upper() if s == ALL else s, numeric=True, tip=f"{v.main} on {SUBSET_HELP[s]}") for s in subs]
    cols.append(Column("cs_ca", "CS - CA", numeric=True, tip="culturally sensitive minus agnostic (negative: worse on cultural items)"))
    cols += [Column("n:" + s, f"n {s.upper() if s == ALL else s}", numeric=True, count=True,
                    tip=f"items: {SUBSET_HELP[s]}")
             for s in subs[1:]]
    return ("<h3>Cultural sensitivity</h3>"
            + render_table(cols, out, caption=f"{v.main} on all items (ALL), culturally sensitive (CS), "
                                             "culturally agnostic (CA) and unannotated items"))


def subset_matrix(v: EvalRows, subsets: list[str]) -> str:
    """Languages x other subsets (a subject, a category) of the headline metric, folded."""
    multi = len(v.conditions) > 1
    out = []
    for cond in v.conditions:
        for key, first in v.langs.items():
            row = {**label_fields(first), "condition": cond}
            for i, s in enumerate(subsets):
                row[f"s{i}"] = num_of(v.get(cond, s, v.main, key))
            out.append(row)
    cols = label_columns(out, condition=multi)
    cols += [Column(f"s{i}", s, numeric=True, tip=f"{v.main} on subset {s}") for i, s in enumerate(subsets)]
    open_attr = " open" if len(subsets) <= 8 else ""
    return (f'<details{open_attr}><summary>By subset ({len(subsets)})</summary>'
            + render_table(cols, out, caption=f"{v.main} by language and subset") + "</details>")


def main_chart(v: EvalRows, cond: str) -> str:
    rows = [r for r in (v.get(cond, ALL, v.main, k) for k in v.langs) if r is not None]
    if not rows:
        return ""
    rows.sort(key=lambda r: (not is_number(r.get("value")), -(r["value"] if is_number(r.get("value")) else 0)))
    ref = v.value(cond, ALL, v.main, v.pivot_key)
    from .chance import chance_level  # issue 14: CI whiskers, chance line, pivot marked

    pivot_lang = v.pivot_key[0] if v.pivot_key else None
    bars = [Bar(language_label(r), r.get("value"), tip=language_label(r), reason=num_of(r).reason,
                ci_low=r.get("ci_low"), ci_high=r.get("ci_high"), highlight=r.get("language") == pivot_lang)
            for r in rows]
    title = f"{v.main} by language" + (f", {cond}" if len(v.conditions) > 1 else "")
    svg = hbar_chart(bars, number_format([r.get("value") for r in rows]), title=title, reference=ref,
                     reference_label=f"pivot {v.pivot}" if ref is not None else "", high_is_bad=False,
                     chance=chance_level(rows, v.main))
    return f'<figure class="chart-box"><figcaption>{esc(title)}</figcaption>{svg}</figure>'


def rollup_rows(v: EvalRows) -> list[dict[str, Any]]:
    """Rows on all items, the condition as the variant (none when there is one condition)."""
    multi = len(v.conditions) > 1
    return [{**r, "variant": condition_of(r) if multi else ""} for r in v.rows if subset_of(r) == ALL]
