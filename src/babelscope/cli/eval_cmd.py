"""`babelscope eval`: per-language benchmark accuracy, stored with the run's other results."""

from __future__ import annotations

import time
from pathlib import Path
from typing import List, Optional

import typer

from .app import app, console, emit_json, split_list, state
from .progress import progress_callback


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
    concurrency: Optional[int] = typer.Option(None, "--concurrency", min=1, help="API backends (api:/chat:): requests in flight at once."),
    # [h-scoring hook] generative formulation, deterministic --limit, stored responses
    formulation: Optional[str] = typer.Option(None, "--formulation", help="loglik | generate (comma list crosses both): rank lettered choices, or let the model answer and read it with the benchmark's own extraction."),
    limit_mode: str = typer.Option("sample", "--limit-mode", help="sample (seeded, stratified by subject, same items in every language) | head (first N)."),
    responses: Optional[Path] = typer.Option(None, "--responses", help="Score stored outputs (JSONL/CSV: id or question, language, response[, choices, model]) without a model."),
) -> None:
    """Evaluate a model on multilingual benchmarks, one row per language (with 95% CIs).

    Generative tasks also report language fidelity: the share of responses written in the
    language asked (``language_match``) and the Language Confusion Benchmark's LPR/WPR.
    """
    from ..presets import evaluate_study
    from ..evaluation import write_samples

    from ..workspace import check_writable

    t0 = time.perf_counter()
    check_writable([log_samples])  # an unwritable --log-samples fails now, not after the compute
    with progress_callback() as cb:
        result = evaluate_study(
            model=model, tasks=split_list(task), languages=split_list(languages) or None, data_dir=data_dir,
            split=split, limit=limit, conditions=conditions, pivot=pivot, sources=split_list(sources) or None,
            batch_size=batch_size, device=device, dtype=dtype, workspace=workspace, n_boot=n_boot, lid=lid,
            progress=cb, formulation=formulation, limit_mode=limit_mode, responses=responses,
            model_options={"concurrency": concurrency} if concurrency else None,
        )
    outputs = [o.output for o in result.outcomes if o.output is not None]
    if log_samples is not None:
        write_samples(log_samples, [s for out in outputs for s in getattr(out, "samples", [])])
    rows = [r.to_dict() for out in outputs for r in out.rows]
    if json_out:
        emit_json({"run_id": result.run_id, "rows": rows, "summary": result.artifacts.get("eval_summary", {}),
                   "signature": result.signature, "requests": result.requests})
        return
    if not state["quiet"]:
        _print_table(rows)
        console.print(f"run {result.run_id}: {len(rows)} rows in {time.perf_counter() - t0:.0f} s")


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
