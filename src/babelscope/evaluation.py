"""`babelscope eval`: tasks -> items -> engine requests -> per-item scores -> per-language rows.

The order of work is fixed so that nothing expensive starts before every cheap check passed:
resolve every (task, language, condition) and load its items first (unknown task, missing
language, malformed row all fail here), then send *all* log-likelihood requests to the engine
in one call and all generation requests in another, so the engine sees the whole workload
at once and can dedup, length-sort and batch across tasks and languages (and answer a rerun
from its request cache).
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

from .analyses.base import AnalysisOutput
from .conditions import parse_conditions  # noqa: F401  (moved; kept importable from here)
from .engine.requests import GenerationRequest, LoglikelihoodRequest
from .errors import BabelscopeError, ConfigError
from .languages import Language
from .metrics.aggregate import gap_to_pivot, macro, micro, roll_up
from .metrics.bootstrap import N_BOOT, bootstrap_ci
from .results import ResultRow
from .tasks.base import MULTIPLE_CHOICE, Condition, DataSource, Item, Task

log = logging.getLogger("babelscope.eval")


@dataclass
class Slice:
    """The items of one task in one language under one condition, and later their scores."""

    task: Task
    code: str
    language: Language
    condition: Condition
    items: list[Item]
    scores: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class EvalOutput(AnalysisOutput):
    """Rows and store items, plus one sample record per item for --log-samples."""

    samples: list[dict[str, Any]] = field(default_factory=list)


def plan(
    tasks: Sequence[Task],
    languages: Sequence[Language | str] | None,
    source: DataSource,
    conditions: Sequence[Condition],
    limit: int | None = None,
    limit_mode: str = "sample",
) -> list[Slice]:
    """Load every slice's items (all user-input errors surface here, before any model work).

    ``limit`` keeps N items per slice: a seeded sample stratified by subject (tasks/sampling.py),
    or the first N with ``limit_mode="head"``.
    """
    from .tasks.sampling import sample_items  # [h-scoring hook] deterministic --limit
    slices: list[Slice] = []
    for task in tasks:
        for cond in conditions:
            task.check_condition(cond)
        codes = [task.code_for(lang) for lang in languages] if languages else list(task.languages)
        if not codes:
            raise ConfigError(f"task {task.name!r} has no default languages; pass --languages")
        for code in codes:
            lang = task.language_codes()[code]
            for cond in conditions:
                items = task.items(code, source, cond)
                if limit is not None:
                    items = sample_items(items, limit, mode=limit_mode)  # [h-scoring hook]
                slices.append(Slice(task, code, lang, cond, items))
    return slices


def execute(slices: Sequence[Slice], runner: Any) -> None:
    """Answer every slice's requests with two engine calls, then score the items."""
    ll_requests: list[LoglikelihoodRequest] = []
    gen_requests: list[GenerationRequest] = []
    for s in slices:
        for it in s.items:
            if it.kind == MULTIPLE_CHOICE:
                ll_requests.extend(LoglikelihoodRequest(it.context, c) for c in it.continuations)
            else:
                gen_requests.append(GenerationRequest(context=it.context, stop=it.stop, max_tokens=it.max_tokens))
    ll_results = runner.loglikelihood(ll_requests) if ll_requests else []
    gen_results = runner.generate(gen_requests) if gen_requests else []
    li = gi = 0
    for s in slices:
        s.scores = []
        for it in s.items:
            if it.kind == MULTIPLE_CHOICE:
                k = len(it.continuations)
                response: Any = ll_results[li:li + k]
                li += k
            else:
                response = gen_results[gi]
                gi += 1
            s.scores.append(s.task.score(it, response, s.code))


def add_fidelity(slices: Sequence[Slice], lid: Any, english_words: frozenset[str] | None = None) -> list[ResultRow]:
    """Language fidelity beside accuracy for every generative slice.

    Each response gets the language an identifier sees in it (``detected_language``) and a
    0/1 ``language_match`` score, which rows_for reports as one more metric; the return
    value is the Language Confusion Benchmark's rows (LPR, WPR) per task and language,
    named ``<task>:fidelity``. A model that answers a Swahili question in English can be
    right about the number and still fail its user: both numbers belong side by side.
    """
    from .analyses.fidelity import detect_responses, task_fidelity

    rows: list[ResultRow] = []
    groups: dict[tuple[str, str], list[Slice]] = {}
    for s in slices:
        if s.scores and any(it.kind != MULTIPLE_CHOICE for it in s.items):
            groups.setdefault((s.task.name, s.condition.name), []).append(s)
    for (task, cond), group in groups.items():
        responses, targets, owners = [], [], []
        for s in group:
            for it, sc in zip(s.items, s.scores):
                if it.kind != MULTIPLE_CHOICE and isinstance(sc.get("response"), str):
                    responses.append(sc["response"])
                    targets.append(s.language)
                    owners.append(sc)
        if not responses:
            continue
        for sc, det in zip(owners, detect_responses(responses, targets, lid)):
            sc["detected_language"] = det.language or det.label
            sc["language_match"] = float(det.passed)
        for row in task_fidelity(task, responses, targets, lid, english_words):
            if cond != Condition().name:
                row.variant = "|".join(p for p in (row.variant, cond) if p)
                row.extra["condition"] = cond
            rows.append(row)
    return rows


def rows_for(slices: Sequence[Slice], pivot: Language | None = None, n_boot: int = N_BOOT) -> EvalOutput:
    """Per-language rows (every metric, every subset) with bootstrap CIs; items; samples."""
    out = EvalOutput()
    headline: dict[tuple[str, str, str, str], float] = {}  # (task, condition, metric) of the pivot
    rows_meta: list[tuple[ResultRow, tuple[str, str, str, str]]] = []
    for s in slices:
        cond = "" if s.condition.is_default() else s.condition.name
        subsets: dict[str, list[int]] = {"all": list(range(len(s.items)))}
        for i, it in enumerate(s.items):
            for sub in it.subsets:
                subsets.setdefault(sub, []).append(i)
        metrics = list(s.task.metrics_for(s.condition))  # [h-scoring hook] + extraction_failure when generated
        if any("language_match" in sc for sc in s.scores):  # see add_fidelity
            metrics.append("language_match")
        for sub, idx in subsets.items():
            for metric in metrics:
                vals = [s.scores[i][metric] for i in idx if s.scores[i].get(metric) is not None]
                value = float(np.mean(vals)) if vals else float("nan")
                lo, hi = bootstrap_ci(vals, n_boot=n_boot)
                variant = "|".join(p for p in (sub if sub != "all" else "", cond) if p)
                row = ResultRow(
                    name=s.task.name, metric=metric, language=s.language, value=value, variant=variant,
                    kind="task", corpus_code=s.code, n=len(vals), ci_low=lo, ci_high=hi,
                    extra={"task": s.task.name, "subset": sub, "condition": s.condition.name,
                           **({"derived": True} if s.task.derived else {})},
                )
                rows_meta.append((row, (s.task.name, s.condition.name, metric, sub)))
                if pivot is not None and s.language == pivot:
                    headline[(s.task.name, s.condition.name, metric, sub)] = value
            corpus_level = getattr(s.task, "corpus_scores", None)  # e.g. corpus chrF++
            corpus_ci = getattr(s.task, "corpus_intervals", None)  # its CI: sentences resampled
            sub_items, sub_scores = [s.items[i] for i in idx], [s.scores[i] for i in idx]
            intervals = corpus_ci(sub_items, sub_scores, n_boot=n_boot) if corpus_level and corpus_ci else {}
            for metric, value in (corpus_level(sub_items, sub_scores) if corpus_level else {}).items():
                lo, hi = intervals.get(metric, (None, None))
                row = ResultRow(
                    name=s.task.name, metric=metric, language=s.language, value=value,
                    variant="|".join(p for p in (sub if sub != "all" else "", cond) if p),
                    kind="task", corpus_code=s.code, n=len(idx), ci_low=lo, ci_high=hi,
                    extra={"task": s.task.name, "subset": sub, "condition": s.condition.name},
                )
                rows_meta.append((row, (s.task.name, s.condition.name, metric, sub)))
                if pivot is not None and s.language == pivot:
                    headline[(s.task.name, s.condition.name, metric, sub)] = value
        for i, (it, sc) in enumerate(zip(s.items, s.scores)):
            rec = {"task": s.task.name, "language": s.language.tag, "corpus_code": s.code,
                   "condition": s.condition.name, "index": i, "id": it.id,
                   "target": it.target, **sc, "context": it.context}
            if it.kind == MULTIPLE_CHOICE:
                rec["choices"] = list(it.continuations)
            out.samples.append(rec)
            out.items.append((s.task.name, s.language.tag, f"{s.condition.name}#{it.id}",
                              {k: v for k, v in rec.items() if k not in ("task", "language")}))
    for row, key in rows_meta:
        pv = headline.get(key)
        if pv is not None and row.value is not None:
            row.extra["gap_to_pivot"] = gap_to_pivot(row.value, pv)
        out.rows.append(row)
    from .transfer.matrix import annotate_rows

    annotate_rows(out.rows)  # demos=<S>: the source language as typed fields beside the target's
    out.artifacts["eval_summary"] = summary(slices)
    return out


def summary(slices: Sequence[Slice]) -> dict[str, Any]:
    """Macro/micro averages and roll-ups by script and family, per task, condition and metric."""
    table: dict[str, Any] = {}
    by: dict[tuple[str, str, str], dict[str, list[float]]] = {}
    langs: dict[str, Language] = {}
    for s in slices:
        langs[s.language.tag] = s.language
        extra = ["language_match"] if any("language_match" in sc for sc in s.scores) else []
        for metric in [*s.task.metrics_for(s.condition), *extra]:  # [h-scoring hook]
            vals = [sc[metric] for sc in s.scores if sc.get(metric) is not None]
            by.setdefault((s.task.name, s.condition.name, metric), {})[s.language.tag] = vals
    for (task, cond, metric), per_lang in by.items():
        table.setdefault(task, {}).setdefault(cond, {})[metric] = {
            "macro": macro(per_lang),
            "micro": micro(per_lang),
            "by_script": roll_up(per_lang, lambda t: langs[t].script),
            "by_family": roll_up(per_lang, lambda t: langs[t].family),
            "n_languages": len(per_lang),
        }
    return table


def template_hash(tasks: Sequence[Task]) -> str:
    """Hash of the task modules and the literal tables: a changed prompt changes the signature."""
    import inspect

    from .tasks import blend_scoring, extraction, literals

    h = hashlib.sha256()
    # [h-scoring hook] answer extraction and BLEnD matching rules are part of the template
    for src in sorted({inspect.getsourcefile(type(t)) for t in tasks} | {literals.__file__, extraction.__file__,
                                                                        blend_scoring.__file__}):
        h.update(Path(src).read_bytes())
    return h.hexdigest()[:10]


def write_samples(path: Path, samples: Sequence[dict[str, Any]]) -> None:
    """One JSON object per item (index, target, logliks in choice order, scores)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as f:
        for s in samples:
            f.write(json.dumps(s, ensure_ascii=False, default=str) + "\n")
    tmp.replace(path)


def evaluate(
    runner: Any,
    tasks: Sequence[Task],
    languages: Sequence[Language | str] | None,
    source: DataSource,
    conditions: Sequence[Condition] = (Condition(),),
    limit: int | None = None,
    pivot: Language | str | None = "en",
    n_boot: int = N_BOOT,
    on_planned: Callable[[list[Slice]], None] | None = None,
    lid: Any = None,
    limit_mode: str = "sample",
) -> EvalOutput:
    """The whole evaluation in memory: plan, execute on ``runner`` (an Engine or a Model), score.

    ``lid`` (a LanguageIdentifier) adds language fidelity to generative tasks (add_fidelity).
    """
    slices = plan(tasks, languages, source, list(conditions), limit, limit_mode)
    if on_planned is not None:
        on_planned(slices)
    execute(slices, runner)
    fidelity = add_fidelity(slices, lid) if lid is not None else []
    out = rows_for(slices, Language.parse(pivot) if pivot else None, n_boot=n_boot)
    out.rows.extend(fidelity)
    return out


# -- task units of a study (see plan.py): one (task, condition) over a language set -------------


def task_for_unit(unit: Any) -> Task:
    """The task a unit names, configured as the unit says (e.g. a translation task's sources)."""
    from .tasks.base import get_task

    task = get_task(unit.name)
    if hasattr(task, "sources"):  # translation: which languages to translate from
        task.sources = tuple(unit.options.get("sources") or (unit.pivot,))
    return task


def plan_unit(unit: Any) -> list[Slice]:
    """Load a task unit's items (every input error surfaces here, before any model work).

    Languages given for the task itself must all exist in it; languages inherited from the
    study are those the task has (a study may span tasks with different language coverage),
    and a unit left with none is an error.
    """
    task = task_for_unit(unit)
    o = unit.options
    cond = Condition(**o.get("condition", {}))
    source = DataSource(data_dir=Path(o["data_dir"]).expanduser() if o.get("data_dir") else None,
                        split=o.get("split"))
    if source.data_dir is not None and not source.data_dir.is_dir():
        raise ConfigError(f"--data-dir {source.data_dir} is not a folder")
    wanted = [x for x in unit.languages if x != "*"]
    langs: list[Language] | None = None
    if wanted:
        langs = [Language.parse(x) for x in wanted]
        if o.get("languages_from") == "study":
            have = []
            for lang in langs:
                try:
                    task.code_for(lang)
                    have.append(lang)
                except BabelscopeError:
                    log.warning("task %s has no %s; skipped for it", task.name, lang.tag)
            if not have:
                raise ConfigError(f"task {task.name!r} has none of the study's languages "
                                  f"({', '.join(x.tag for x in langs)}); it has: {', '.join(task.languages)}")
            langs = have
    return plan([task], langs, source, [cond], o.get("limit"), o.get("limit_mode", "sample"))


def finish_unit(unit: Any, slices: Sequence[Slice]) -> EvalOutput:
    """Rows, items and samples of a task unit whose slices were executed, with fidelity for
    generative tasks (unless the unit's LID is ``none``)."""
    o = unit.options
    lid_name = str(o.get("lid") or "none")
    fidelity: list[ResultRow] = []
    if lid_name.lower() != "none" and any(it.kind != MULTIPLE_CHOICE for s in slices for it in s.items):
        from .lid import get_identifier

        fidelity = add_fidelity(slices, get_identifier(lid_name))
    out = rows_for(slices, Language.parse(unit.pivot) if unit.pivot else None, n_boot=int(o.get("bootstrap", N_BOOT)))
    out.rows.extend(fidelity)
    return out


def unit_signature_parts(unit: Any, slices: Sequence[Slice]) -> dict[str, Any]:
    """What decides a task unit's numbers, for the run signature."""
    o = unit.options
    tasks = [s.task for s in slices[:1]] or [task_for_unit(unit)]
    task = tasks[0]
    codes = sorted({s.code for s in slices}) or list(task.languages)
    notes = task.signature_notes(codes) if hasattr(task, "signature_notes") else None
    limit = o.get("limit")
    return {"tasks": unit.name, "data": o.get("data_dir") or "hub", "template": template_hash(tasks),
            "conditions": unit.condition or Condition().name,
            "limit": None if limit is None else f"{limit}" + ("" if o.get("limit_mode", "sample") == "sample" else ":head"),
            "differs": f"{task.name}:{notes}" if notes else None,
            "lid": o.get("lid") if any(it.kind != MULTIPLE_CHOICE for s in slices for it in s.items) else None,
            "boot": o.get("bootstrap")}
