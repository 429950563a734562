"""`babelscope eval`: per-language benchmark accuracy, stored with the run's other results."""

from __future__ import annotations

import time
from pathlib import Path
from typing import List, Optional

import typer

from .app import app, console, emit_json, split_list, state


@app.command("eval")
def eval_command(
    model: str = typer.Option("default", "--model", "-m", help="default | hf:<hub id or folder>[@rev] | gguf:<path>"),
    task: List[str] = typer.Option(..., "--task", "-t", help="Task name(s), comma-separated or repeated (see --list)."),
    languages: Optional[List[str]] = typer.Option(None, "--languages", "-l", help="Comma list; default: every language the task has."),
    data_dir: Optional[Path] = typer.Option(None, "--data-dir", "-d", help="Local copy of the task's data (else the hub, when online)."),
    split: Optional[str] = typer.Option(None, "--split", help="Evaluation split (default: the task's test split)."),
    limit: Optional[int] = typer.Option(None, "--limit", min=1, help="N items per language (and condition): a seeded sample stratified by subject; see --limit-mode."),
    conditions: Optional[str] = typer.Option(None, "--conditions", help="Prompt-condition matrix, e.g. 'lit=native,en;shots=0,5;demos=same,en'."),
    pivot: str = typer.Option("en", "--pivot", help="Language the gap is measured against (when evaluated)."),
    sources: Optional[List[str]] = typer.Option(None, "--sources", help="Translation tasks: source languages (default: the pivot); with several, a sources x targets matrix."),
    batch_size: int = typer.Option(8, "--batch-size", min=1),
    device: Optional[str] = typer.Option(None, "--device"),
    dtype: Optional[str] = typer.Option(None, "--dtype"),
    workspace: Optional[Path] = typer.Option(None, "--workspace", "-w", help="Results folder (default: $BABELSCOPE_WORKSPACE or ./babelscope_runs)."),
    log_samples: Optional[Path] = typer.Option(None, "--log-samples", help="Write one JSON line per item (index, target, logliks / response, scores)."),
    n_boot: int = typer.Option(1000, "--bootstrap", min=0, help="Bootstrap resamples for the confidence intervals."),
    lid: str = typer.Option("py3langid", "--lid", help="Language identifier for the fidelity of generative tasks' responses (py3langid | fasttext-lite | lingua | heliport | script | none)."),
    json_out: bool = typer.Option(False, "--json", help="Print the rows as JSON to stdout."),
    # [h-scoring hook] generative formulation, deterministic --limit, stored responses
    formulation: Optional[str] = typer.Option(None, "--formulation", help="loglik | generate (comma list crosses both): rank lettered choices, or let the model answer and read it with the benchmark's own extraction."),
    limit_mode: str = typer.Option("sample", "--limit-mode", help="sample (seeded, stratified by subject, same items in every language) | head (first N)."),
    responses: Optional[Path] = typer.Option(None, "--responses", help="Score stored outputs (JSONL/CSV: id or question, language, response[, choices, model]) without a model."),
) -> None:
    """Evaluate a model on multilingual benchmarks, one row per language (with 95% CIs).

    Generative tasks also report language fidelity: the share of responses written in the
    language asked (``language_match``) and the Language Confusion Benchmark's LPR/WPR.
    """
    from ..evaluation import parse_conditions, template_hash, write_samples
    from ..languages import parse_languages
    from ..tasks.base import MULTIPLE_CHOICE, DataSource, get_tasks
    from ..workspace import open_store, workspace_dir

    t0 = time.perf_counter()
    tasks = get_tasks(split_list(task))
    for t in tasks:
        if hasattr(t, "sources"):  # translation: which languages to translate from
            t.sources = tuple(split_list(sources)) or (pivot,)
    langs = parse_languages(split_list(languages)) if languages else None
    if lid.strip().lower() != "none":
        from ..lid import BACKENDS

        if lid.strip().lower() not in (*BACKENDS, "fasttext"):
            from ..errors import ConfigError

            raise ConfigError(f"unknown --lid backend {lid!r}; choose one of: {', '.join(BACKENDS)}, none")
    conds = parse_conditions(conditions)
    if formulation:  # [h-scoring hook] --formulation crosses the condition matrix
        from dataclasses import replace as _replace

        conds = [_replace(c, formulation=f) for f in split_list([formulation]) for c in conds]
    if data_dir is not None and not data_dir.is_dir():
        from ..errors import ConfigError

        raise ConfigError(f"--data-dir {data_dir} is not a folder")
    source = DataSource(data_dir=data_dir, split=split)

    from ..evaluation import plan

    from ..evaluation import execute, rows_for
    from ..languages import Language
    from .progress import progress_callback

    if responses is not None:  # [h-scoring hook] stored outputs: no model is loaded
        from ..tasks.responses import evaluate_responses

        identifier = None
        if lid.strip().lower() != "none":
            from ..lid import get_identifier

            identifier = get_identifier(lid)
        out = evaluate_responses(tasks, langs, source, conds if (conditions or formulation) else None, responses,
                                 limit, limit_mode, pivot, n_boot, identifier)
        from ..tasks.responses import condition_from_name

        runner = None
        model = f"responses:{responses}"
        limit = out.artifacts["responses"]["limit"]
        conds = [condition_from_name(n) for n in out.artifacts["responses"]["conditions"]]
    else:
        slices = plan(tasks, langs, source, conds, limit, limit_mode)  # every input error before loading a model
        with progress_callback() as cb:
            runner = _runner(model, batch_size, device, dtype, workspace, slices, cb)
            execute(slices, runner)
        fidelity = []
        if lid.strip().lower() != "none" and any(it.kind != MULTIPLE_CHOICE for s in slices for it in s.items):
            from ..evaluation import add_fidelity
            from ..lid import get_identifier

            fidelity = add_fidelity(slices, get_identifier(lid))
        out = rows_for(slices, Language.parse(pivot) if pivot else None, n_boot=n_boot)
        out.rows.extend(fidelity)

    ws = workspace_dir(workspace)
    store = open_store(ws)
    sig = "|".join([f"model:{getattr(runner, 'signature', None) or getattr(getattr(runner, 'model', None), 'signature', model)}",
                    f"tasks:{','.join(t.name for t in tasks)}",
                    f"data:{data_dir or 'hub'}", f"template:{template_hash(tasks)}",
                    f"conditions:{';'.join(c.name for c in conds)}", f"limit:{limit}"]
                   + ([f"limit_mode:{limit_mode}"] if limit is not None and limit_mode != "sample" else [])
                   # [h-scoring hook] where a task's scoring differs from its authors' on purpose (BLEnD lemmatisers)
                   + [f"{t.name}:{t.signature_notes([t.code_for(x) for x in langs] if langs else list(t.languages))}"
                      for t in tasks if hasattr(t, "signature_notes")])
    config = {"model": model, "tasks": [t.name for t in tasks], "languages": [lang.tag for lang in langs or []],
              "data_dir": str(data_dir) if data_dir else None, "split": split, "limit": limit,
              "conditions": [c.name for c in conds], "pivot": pivot, "batch_size": batch_size, "lid": lid,
              "sources": next((list(t.sources) for t in tasks if hasattr(t, "sources")), None)}
    run_id = store.start_run("eval", sig, config)
    store.add_results(run_id, out.rows, out.items, out.artifacts)
    store.finish_run(run_id)
    store.close()
    if log_samples is not None:
        write_samples(log_samples, out.samples)
    rows = [r.to_dict() for r in out.rows]
    if json_out:
        emit_json({"run_id": run_id, "rows": rows, "summary": out.artifacts.get("eval_summary", {})})
        return
    if not state["quiet"]:
        _print_table(rows)
        console.print(f"run {run_id}: {len(rows)} rows in {time.perf_counter() - t0:.0f} s")


def _runner(model: str, batch_size: int, device, dtype, workspace, slices, progress):
    """The Engine over the loaded model (request cache in the workspace), checked up front."""
    from ..models import load_model
    from ..models.base import Capability, require
    from ..tasks.base import GENERATE
    from ..workspace import workspace_dir

    m = load_model(model, device=device, dtype=dtype, batch_size=batch_size)
    # [h-scoring hook] by item kind: a multiple-choice task under formulation=generate generates
    needed = {Capability.GENERATE if it.kind == GENERATE else Capability.LOGLIKELIHOOD for s in slices for it in s.items[:1]}
    require(m, *sorted(needed, key=lambda c: c.value))
    from ..engine.cache import RequestCache
    from ..engine.executor import Engine

    cache = RequestCache(workspace_dir(workspace) / "request_cache.sqlite")
    # The model batches by --batch-size; the engine hands it larger chunks so it can group
    # the choices of one question (shared prefix) and length-sort across questions.
    return Engine(m, cache=cache, batch_size=max(64, batch_size), progress=progress)


def _print_table(rows: list[dict]) -> None:
    from rich.markup import escape
    from rich.table import Table

    table = Table(title="babelscope eval")
    for col in ("task", "language", "variant", "metric", "value", "95% CI", "n", "gap"):
        table.add_column(col)
    for r in rows:
        v = r.get("value")
        ci = f"{r['ci_low']:.3f}-{r['ci_high']:.3f}" if r.get("ci_low") is not None else ""
        gap = r.get("gap_to_pivot")
        table.add_row(escape(str(r.get("task"))), escape(f"{r['language']} ({r.get('corpus_code')})"),
                      escape(str(r.get("variant") or "")), escape(r["metric"]),
                      "" if v is None else f"{v:.3f}", ci, str(r.get("n")),
                      "" if gap is None else f"{gap:+.3f}")
    console.print(table)
