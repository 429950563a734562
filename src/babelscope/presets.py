"""Presets: what `eval`, `align`, `fidelity`, `multi-if` and `tokenizers` mean, as studies.

Each command keeps its flags and its JSON output, but none of them orchestrates any more:
each builds a Study of one model and one task set or analysis and runs it through the same
pipeline as `babelscope run` (one Session, one signature format, one store transaction per
unit, the request cache). These functions are that translation, usable from Python too.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Sequence

from .errors import ConfigError
from .pipeline import StudyResult, run_study
from .study import build_study

Progress = Callable[[str, int, int], None] | None


def _model(spec: str, batch_size: int | None, device: str | None, dtype: str | None,
           options: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"spec": spec, "batch_size": batch_size, "device": device, "dtype": dtype, "options": options or {}}


def _check_lid(lid: str) -> None:
    from .lid import BACKENDS

    if lid.strip().lower() not in (*BACKENDS, "fasttext", "none"):
        raise ConfigError(f"unknown --lid backend {lid!r}; choose one of: {', '.join(BACKENDS)}, none")


def evaluate_study(
    *, model: str, tasks: Sequence[str], languages: Sequence[str] | None, data_dir: str | Path | None = None,
    split: str | None = None, limit: int | None = None, conditions: str | None = None, pivot: str = "en",
    sources: Sequence[str] | None = None, batch_size: int = 8, device: str | None = None,
    dtype: str | None = None, workspace: str | Path | None = None, n_boot: int = 1000, lid: str = "py3langid",
    progress: Progress = None, formulation: str | None = None, limit_mode: str = "sample",
    responses: str | Path | None = None, model_options: dict[str, Any] | None = None,
) -> StudyResult:
    """`babelscope eval`: tasks on one model (every language each task has unless given), or
    scoring stored ``responses`` without a model.

    ``formulation`` ("loglik", "generate" or both) crosses the condition matrix. With
    ``responses``, what the file records (a --log-samples file: its languages, conditions and
    --limit) fills in what is not given, so scoring a run's own samples gives the run's numbers.
    """
    from .conditions import parse_conditions
    from .tasks.base import TASKS

    if not tasks:
        raise ConfigError("--task: give at least one task")
    for t in tasks:
        TASKS.entry(t.strip().lower().replace("-", "_"))  # unknown task: exit 2 with the closest names
    _check_lid(lid)
    if data_dir is not None and not Path(data_dir).is_dir():
        raise ConfigError(f"--data-dir {data_dir} is not a folder")
    if limit_mode not in ("sample", "head"):
        raise ConfigError(f"--limit-mode must be 'sample' or 'head', not {limit_mode!r}")
    spec: str | list[str] | None = conditions
    if formulation:
        forms = ",".join(p.strip() for p in formulation.split(",") if p.strip())
        spec = f"{conditions};form={forms}" if conditions else f"form={forms}"
    if responses is not None:
        from .tasks.responses import conditions_in, inferred_limit, languages_in, read_responses

        if not Path(responses).is_file():
            raise ConfigError(f"--responses {responses}: no such file")
        rows = read_responses(responses, default_language=languages[0] if languages and len(languages) == 1 else None)
        languages = list(languages) if languages else languages_in(rows)
        if spec is None:
            spec = [c.name for c in conditions_in(rows)] or None
        if limit is None:
            limit = inferred_limit(rows)
    conds = parse_conditions(spec) if not isinstance(spec, list) else spec
    task_opts = {"languages": list(languages) if languages else ["*"],
                 "data_dir": str(data_dir) if data_dir else None, "split": split, "limit": limit,
                 "limit_mode": limit_mode, "conditions": spec, "sources": list(sources) if sources else None,
                 "responses": str(responses) if responses is not None else None}
    study = build_study({
        "models": [_model(model, batch_size, device, dtype, model_options)],
        "languages": list(languages) if languages else ["*"],
        "pivot": pivot, "analyses": {}, "tasks": {t: dict(task_opts) for t in tasks}, "lid": lid,
        "bootstrap": n_boot, "batch_size": batch_size,
        "workspace": str(workspace) if workspace is not None else None, "report": False,
    }, where="eval")
    config = {"model": f"responses:{responses}" if responses is not None else model, "tasks": list(tasks),
              "languages": list(languages or []), "data_dir": str(data_dir) if data_dir else None, "split": split,
              "limit": limit, "conditions": [c if isinstance(c, str) else c.name for c in conds], "pivot": pivot,
              "batch_size": batch_size, "lid": lid, "sources": list(sources) if sources else None,
              "limit_mode": limit_mode, "responses": str(responses) if responses is not None else None}
    return run_study(study, command="eval", progress=progress, write_report=False, resume=False, config=config)


def align_study(
    *, model: str, corpus: str, split: str | None, languages: Sequence[str], pivot: str, sentences: int,
    pooling: str, precision: str, against: str | None, aggregate: str, intercept: bool, batch_size: int,
    device: str | None, dtype: str | None, workspace: str | Path | None, store: bool, progress: Progress = None,
) -> StudyResult:
    """`babelscope align`: MEXA (and optionally its calibration) on one model."""
    study = build_study({
        "models": [_model(model, batch_size, device, dtype)], "languages": list(languages), "pivot": pivot,
        "corpus": corpus, "split": split, "batch_size": batch_size,
        "analyses": {"alignment": {"sentences": sentences, "pooling": pooling, "precision": precision,
                                   "against": against, "against_aggregate": aggregate, "intercept": intercept}},
        "workspace": str(workspace) if workspace is not None else None, "report": False,
    }, where="align")
    config = {"model": model, "corpus": corpus, "split": split, "languages": list(languages), "pivot": pivot,
              "sentences": sentences, "pooling": pooling, "precision": precision, "against": against}
    return run_study(study, command="align", progress=progress, write_report=False, resume=False, persist=store,
                     config=config)


def fidelity_study(
    *, completions: str | Path | None, model: str | None, lcb_data: str | Path | None,
    sources: Sequence[str] | None, languages: Sequence[str] | None, limit: int | None, max_tokens: int,
    lid: str, english_words: str | Path | None, threshold: float, workspace: str | Path | None,
    progress: Progress = None,
) -> StudyResult:
    """`babelscope fidelity`: LCB metrics of stored completions, or of completions a model writes."""
    if completions is None and model is None:
        raise ConfigError("give --completions FILE (score existing outputs) or --model SPEC with --lcb-data DIR")
    if completions is not None and model is not None:
        raise ConfigError("--completions and --model exclude each other")
    if model is not None and lcb_data is None:
        raise ConfigError("--model needs --lcb-data DIR (a local copy of the LCB test sets)")
    opts = {"completions": str(completions) if completions else None, "lcb_data": str(lcb_data) if lcb_data else None,
            "sources": list(sources) if sources else None, "limit": limit, "max_tokens": max_tokens, "lid": lid,
            "english_words": str(english_words) if english_words else None, "threshold": threshold}
    study = build_study({
        "models": [model or "default"], "languages": list(languages) if languages else ["*"],
        "analyses": {"fidelity": {k: v for k, v in opts.items() if v is not None}}, "lid": lid,
        "workspace": str(workspace) if workspace is not None else None, "report": False,
    }, where="fidelity")
    persist = workspace is not None or model is not None
    config = {"completions": str(completions) if completions else None, "model": model, "lid": lid,
              "threshold": threshold}
    return run_study(study, command="fidelity", progress=progress, write_report=False, resume=False,
                     persist=persist, config=config)


def multi_if_study(
    *, data: str | Path, responses: str | Path | None, model: str | None, languages: Sequence[str] | None,
    limit: int | None, turns: int, max_tokens: int, lid: str, bootstrap: int, workspace: str | Path | None,
    progress: Progress = None, checkers: str = "auto",
) -> StudyResult:
    """`babelscope multi-if`: Multi-IF (or IFEval, M-IFEval) from stored responses or generated by a model,
    scored by the ``checkers`` variant."""
    if bootstrap < 0:
        raise ConfigError("--bootstrap must be >= 0")
    if (responses is None) == (model is None):
        raise ConfigError("give exactly one of --responses FILE (score stored answers) or --model SPEC (generate)")
    opts = {"data": str(data), "responses": str(responses) if responses else None, "limit": limit,
            "turns": turns, "max_tokens": max_tokens, "lid": lid, "bootstrap": bootstrap, "checkers": checkers}
    study = build_study({
        "models": [model or "default"], "languages": list(languages) if languages else ["*"],
        "analyses": {"multi_if": {k: v for k, v in opts.items() if v is not None}}, "lid": lid,
        "bootstrap": bootstrap, "workspace": str(workspace) if workspace is not None else None, "report": False,
    }, where="multi-if")
    persist = workspace is not None or model is not None
    config = {"data": str(data), "responses": str(responses) if responses else None, "model": model,
              "turns": turns, "lid": lid, "checkers": checkers}
    return run_study(study, command="multi-if", progress=progress, write_report=False, resume=False,
                     persist=persist, config=config)


def tokenizers_study(
    *, corpus: str, split: str | None, join: bool, tokenizers: Sequence[str] | None, languages: Sequence[str],
    pivot: str, progress: Progress = None,
) -> StudyResult:
    """`babelscope tokenizers`: the premium analysis alone, kept in memory (no results folder)."""
    study = build_study({
        "languages": list(languages), "pivot": pivot, "corpus": corpus, "split": split,
        "analyses": {"tokenizers": {"join": join, **({"tokenizers": list(tokenizers)} if tokenizers else {})}},
        "report": False,
    }, where="tokenizers")
    return run_study(study, command="tokenizers", progress=progress, write_report=False, resume=False, persist=False)


def trim_eval_difference(original: Path, trimmed: Path, tasks: Sequence[str], languages: Sequence[Any],
                         data_dir: str | Path | None = None, limit: int | None = None, n_boot: int = 0,
                         device: str | None = None) -> list[dict[str, Any]]:
    """`babelscope trim --eval`: the original and the trimmed model as a two-model study on the
    same items; one record per (task, language, metric, variant) with both scores and
    trimmed - original. Languages a task does not have are skipped (a task with none, too).

    Checks (1)-(3) of trimming prove the kept logits are unchanged, but a benchmark scores
    log-probabilities normalised over the vocabulary, and the trimmed softmax runs over fewer
    tokens: the per-language difference is what a user wants to know before shipping it.
    """
    from .errors import BabelscopeError
    from .languages import Language
    from .tasks.base import get_task

    task_langs: dict[str, list[str]] = {}
    for name in tasks:
        task = get_task(name)
        have = []
        for lang in languages:
            try:
                task.code_for(Language.parse(lang) if isinstance(lang, str) else lang)
                have.append(lang.tag if not isinstance(lang, str) else lang)
            except BabelscopeError:
                continue
        if have:
            task_langs[name] = have
    if not task_langs:
        return []
    a, b = f"hf:{original}", f"hf:{trimmed}"
    study = build_study({
        "models": [{"spec": a, "device": device, "dtype": "float32"}, {"spec": b, "device": device, "dtype": "float32"}],
        "languages": sorted({x for v in task_langs.values() for x in v}), "analyses": {}, "lid": "none",
        "tasks": {t: {"languages": v, "data_dir": str(data_dir) if data_dir else None, "limit": limit}
                  for t, v in task_langs.items()},
        "bootstrap": n_boot, "report": False,
    }, where="trim --eval")
    res = run_study(study, command="trim-eval", write_report=False, resume=False, persist=False)
    scores: dict[str, dict[tuple, tuple]] = {a: {}, b: {}}
    for r in res.rows:
        scores[r["model"]][(r["name"], r["language"], r["metric"], r.get("variant") or "")] = (r["value"], r["n"])
    records = []
    for key in sorted(scores[a]):
        if key not in scores[b]:
            continue
        (va, n), (vb, _) = scores[a][key], scores[b][key]
        task, lang, metric, variant = key
        records.append({"task": task, "language": lang, "metric": metric, "variant": variant, "n": n,
                        "original": va, "trimmed": vb, "difference": None if va is None or vb is None else vb - va})
    return records


def probe_study(
    *, kind: str, model: str, options: dict[str, Any], batch_size: int, device: str | None, dtype: str | None,
    workspace: str | Path | None, store: bool, progress: Progress = None,
) -> StudyResult:
    """`babelscope probe KIND`: one probe (an analysis of the study registry) on one model."""
    name = kind.replace("-", "_")
    study = build_study({
        "models": [_model(model, batch_size, device, dtype)], "languages": ["*"], "batch_size": batch_size,
        "analyses": {name: {k: v for k, v in options.items() if v is not None}},
        "workspace": str(workspace) if workspace is not None else None, "report": False,
    }, where=f"probe {kind}")
    config = {"probe": kind, "model": model, **options}
    return run_study(study, command=f"probe {kind}", progress=progress, write_report=False, resume=False,
                     persist=store, config=config)

