"""Language fidelity: does the model answer in the language it should?

The Language Confusion Benchmark's metrics (Marchisio et al. 2024), computed as its authors
compute them so numbers line up with published ones:

- A completion is normalised and split into lines; lines of fewer than 5 tokens are dropped,
  and a completion left with no line is *skipped* (it counts nowhere).
- A line passes when the identifier's top label is the target language with p > 0.3
  (otherwise the label is "unknown", which is an error).
- LPR (line-level pass rate) = 1 - completions with any failing line / non-skipped ones.
- WPR (word-level pass rate; ar, hi, ja, ko, ru, zh only) = 1 - completions with no line error
  but an English word / (non-skipped - completions with line errors).
- Averages: per source over its languages, per language over its sources, overall over the
  per-language averages. Like the authors' script, a group with nothing to score gets 1.0
  (``n`` = 0 says so).
- Everything is keyed by (task, source, language). The LCB has two tasks, monolingual and
  crosslingual, that the paper always reports apart, and one source (okapi) appears in both:
  the authors' script, run on each task's rows, gives each task's groups and averages, and
  pooling the two would merge okapi's groups. Averages are computed within a task
  (``by_task`` holds each task's overall); ``overall`` is that task's when there is one, and
  the unweighted mean of the per-task overalls when there are several (never a pooled group).

LCPR (the harmonic mean of LPR and WPR) is given where both exist.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Any, Iterable, Sequence

from ..errors import LanguageError
from ..languages import Language
from ..lid import LanguageIdentifier
from ..results import ResultRow
from .base import AnalysisOutput
from .fidelity_text import MIN_LINE_TOKENS, WPR_LANGUAGES, normalize, tokenize

LID_THRESHOLD = 0.3
ALL = "all"


@dataclass(frozen=True)
class CompletionVerdict:
    """What the metric saw in one completion (kept as a per-item record)."""

    skipped: bool
    lines: int = 0
    line_errors: int = 0
    english_words: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()

    @property
    def line_error(self) -> bool:
        return self.line_errors > 0

    @property
    def word_error(self) -> bool:
        return not self.skipped and not self.line_error and bool(self.english_words)


@dataclass
class FidelityScore:
    """LCB metrics of one group of completions (one source and language, or an average)."""

    source: str
    language: str
    lpr: float
    wpr: float | None
    acc: float
    n: int = 0
    skipped: int = 0
    completions: int = 0
    line_errors: int = 0
    word_errors: int = 0
    groups: int = 1
    task: str = ""

    @property
    def lcpr(self) -> float | None:
        return harmonic_mean(self.lpr, self.wpr)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["lcpr"] = self.lcpr
        return d


@dataclass
class FidelityReport:
    """Per (source, language) scores plus the three kinds of averages."""

    groups: list[FidelityScore]
    by_source: list[FidelityScore]
    by_language: list[FidelityScore]
    overall: FidelityScore
    lid: str = ""
    english_words: str = ""
    verdicts: dict[tuple[str, str, str], list[CompletionVerdict]] = field(default_factory=dict, repr=False)
    by_task: list[FidelityScore] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "lid": self.lid,
            "english_words": self.english_words,
            "groups": [g.to_dict() for g in self.groups],
            "by_source": [g.to_dict() for g in self.by_source],
            "by_language": [g.to_dict() for g in self.by_language],
            "by_task": [g.to_dict() for g in self.by_task],
            "overall": self.overall.to_dict(),
        }


def harmonic_mean(a: float | None, b: float | None) -> float | None:
    if a is None or b is None:
        return None
    return 0.0 if a + b == 0 else 2 * a * b / (a + b)


@lru_cache(maxsize=1024)
def lcb_code(language: str) -> str:
    """The two-letter code the LCB rules key on ("zh" for "zho_Hans", "cmn", "Chinese")."""
    if language in WPR_LANGUAGES or language in ("zh", "ja"):
        return language
    try:
        return Language.parse(language).tag.split("-")[0]
    except LanguageError:
        return language


def judge_completion(
    completion: str,
    language: str,
    lid: LanguageIdentifier,
    english_words: frozenset[str] | None,
    threshold: float = LID_THRESHOLD,
) -> CompletionVerdict:
    """Apply the LCB rules to one completion whose expected language is ``language``."""
    code = lcb_code(language)
    lines = normalize(completion).split("\n")
    kept = [(line, toks) for line in lines if len(toks := tokenize(line, code)) >= MIN_LINE_TOKENS]
    if not kept:
        return CompletionVerdict(skipped=True)
    preds = lid.predict([line for line, _ in kept])
    labels = tuple(p.confident(threshold) for p in preds)
    errors = sum(not lid.accepts(label, language) for label in labels)
    found: tuple[str, ...] = ()
    if not errors and english_words:
        found = tuple(t.strip() for _, toks in kept for t in toks if t.strip() in english_words)
    return CompletionVerdict(False, len(kept), errors, found, labels)


def score_group(
    source: str,
    language: str,
    verdicts: Sequence[CompletionVerdict],
    wpr: bool | None = None,
) -> FidelityScore:
    """LPR, WPR and line accuracy of one group's verdicts."""
    scored = [v for v in verdicts if not v.skipped]
    line_err = sum(v.line_error for v in scored)
    word_err = sum(v.word_error for v in scored)
    acc = [1 - v.line_errors / v.lines for v in scored]
    want_wpr = lcb_code(language) in WPR_LANGUAGES if wpr is None else wpr
    return FidelityScore(
        source=source,
        language=language,
        lpr=1 - line_err / max(1, len(scored)),
        wpr=(1 - word_err / max(1, len(scored) - line_err)) if want_wpr else None,
        acc=sum(acc) / len(acc) if acc else 1.0,
        n=len(scored),
        skipped=len(verdicts) - len(scored),
        completions=len(verdicts),
        line_errors=line_err,
        word_errors=word_err,
    )


def average(source: str, language: str, scores: Sequence[FidelityScore], task: str = "") -> FidelityScore:
    """Unweighted mean of group scores (WPR over the groups that have one), counts summed."""
    wprs = [s.wpr for s in scores if s.wpr is not None]
    return FidelityScore(
        task=task,
        source=source,
        language=language,
        lpr=sum(s.lpr for s in scores) / len(scores),
        wpr=sum(wprs) / len(wprs) if wprs else None,
        acc=sum(s.acc for s in scores) / len(scores),
        n=sum(s.n for s in scores),
        skipped=sum(s.skipped for s in scores),
        completions=sum(s.completions for s in scores),
        line_errors=sum(s.line_errors for s in scores),
        word_errors=sum(s.word_errors for s in scores),
        groups=len(scores),
    )


def score_completions(
    records: Iterable[dict[str, str]],
    lid: LanguageIdentifier,
    english_words: frozenset[str] | None,
    threshold: float = LID_THRESHOLD,
) -> FidelityReport:
    """Score records with ``source``, ``language``, ``completion`` and optionally ``task``.

    Groups and averages are per task (records without a task form the task "").
    """
    by_group: dict[tuple[str, str, str], list[CompletionVerdict]] = defaultdict(list)
    for rec in records:
        key = (str(rec.get("task") or ""), str(rec.get("source") or ALL), str(rec["language"]))
        by_group[key].append(judge_completion(str(rec["completion"] or ""), key[2], lid, english_words, threshold))
    groups: list[FidelityScore] = []
    by_source: list[FidelityScore] = []
    by_language: list[FidelityScore] = []
    by_task: list[FidelityScore] = []
    for task in sorted({k[0] for k in by_group}):
        tgroups = []
        for t, s, lang in sorted(k for k in by_group if k[0] == task):
            g = score_group(s, lang, by_group[(t, s, lang)])
            g.task = task
            tgroups.append(g)
        per_source: dict[str, list[FidelityScore]] = defaultdict(list)
        per_lang: dict[str, list[FidelityScore]] = defaultdict(list)
        for g in tgroups:
            per_source[g.source].append(g)
            per_lang[g.language].append(g)
        t_lang = [average(ALL, lang, v, task) for lang, v in per_lang.items()]
        groups += tgroups
        by_source += [average(s, ALL, v, task) for s, v in per_source.items()]
        by_language += t_lang
        by_task.append(average(ALL, ALL, t_lang, task))
    if not by_task:
        overall = FidelityScore(ALL, ALL, 1.0, None, 1.0, groups=0)
    elif len(by_task) == 1:
        overall = by_task[0]
    else:
        overall = average(ALL, ALL, by_task, ALL)
    return FidelityReport(groups, by_source, by_language, overall, lid=lid.version, verdicts=dict(by_group),
                          by_task=by_task)


# -- result rows ---------------------------------------------------------------------------------

METRICS = ("lpr", "wpr", "lcpr", "acc")


def report_rows(report: FidelityReport, name: str = "fidelity", kind: str = "analysis") -> list[ResultRow]:
    """ResultRows per (source, language) and per-language averages (variant = source or "all").

    Averages over languages (per source and overall) are keyed by the ISO code ``mul``
    (multiple languages), since a row always carries a Language. Rows of an LCB task are named
    ``<name>.<task>:fidelity`` (one report section per task, so the two are never pooled);
    rows without a task keep ``name``.
    """
    rows: list[ResultRow] = []
    tasks = {s.task for s in report.groups}
    scores = [*report.groups, *report.by_language, *report.by_source]
    scores += report.by_task if any(tasks) else [report.overall]
    for score in scores:
        lang = Language.parse("mul") if score.language == ALL else _language(score.language)
        if lang is None:
            continue
        row_name = name
        if score.task:
            base = name[: -len(":fidelity")] if name.endswith(":fidelity") else name
            row_name = f"{base}.{score.task}:fidelity"
        extra = {"skipped": score.skipped, "completions": score.completions, "lid": report.lid,
                 **({"task": score.task} if score.task else {})}
        for metric in METRICS:
            value = getattr(score, metric)
            if value is None:
                continue
            rows.append(ResultRow(
                name=row_name, metric=metric, language=lang, value=float(value), variant=score.source,
                kind=kind, corpus_code="" if score.language == ALL else score.language, n=score.n,
                extra=dict(extra),
            ))
    return rows


def report_output(report: FidelityReport, name: str = "fidelity", kind: str = "analysis") -> AnalysisOutput:
    """Rows, per-completion records and the whole report as an artifact, ready for the Store."""
    out = AnalysisOutput(rows=report_rows(report, name, kind))
    for (task, source, language), verdicts in report.verdicts.items():
        lang = _language(language)
        tag = lang.tag if lang else language
        for i, v in enumerate(verdicts):
            out.items.append((name, tag, f"{task}:{source}:{i}" if task else f"{source}:{i}", {
                "source": source, **({"task": task} if task else {}), "skipped": v.skipped, "lines": v.lines, "line_errors": v.line_errors,
                "english_words": list(v.english_words[:20]), "labels": list(v.labels),
            }))
    out.artifacts[name] = report.to_dict()
    return out


def _language(code: str) -> Language | None:
    try:
        return Language.parse(code)
    except LanguageError:
        return None


# -- fidelity beside accuracy, for any generative task -------------------------------------------

@dataclass(frozen=True)
class DetectedLanguage:
    """The language a response was written in, as one identifier saw the whole response."""

    label: str
    prob: float
    language: str | None
    passed: bool


def detect_responses(
    responses: Sequence[str], targets: Sequence["Language | str"], lid: LanguageIdentifier,
    threshold: float = LID_THRESHOLD,
) -> list[DetectedLanguage]:
    """Detected language of each response (newlines folded) and whether it is the target.

    This is what a generative task records per item; :func:`task_fidelity` turns the items of
    a task into per-language LCB rows beside its accuracy.
    """
    preds = lid.predict([" ".join(normalize(r).split()) for r in responses])
    out = []
    for pred, target in zip(preds, targets):
        label = pred.confident(threshold)
        lang = lid.language_of(label)
        out.append(DetectedLanguage(pred.label, pred.prob, lang.tag if lang else None, lid.accepts(label, target)))
    return out


def task_fidelity(
    task: str,
    responses: Sequence[str],
    targets: Sequence["Language | str"],
    lid: LanguageIdentifier,
    english_words: frozenset[str] | None = None,
) -> list[ResultRow]:
    """Per-language LCB fidelity rows (name ``<task>:fidelity``) for a generative task's responses."""
    records = [
        {"source": task, "language": str(t.query or t.tag) if isinstance(t, Language) else str(t), "completion": r}
        for r, t in zip(responses, targets)
    ]
    report = score_completions(records, lid, english_words)
    return report_rows(report, name=f"{task}:fidelity", kind="task")
