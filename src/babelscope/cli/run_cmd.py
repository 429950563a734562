"""`babelscope run`: the main job. With no arguments, the embedded default run."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from ..config import DEFAULT_ANALYSES, DEFAULT_LANGUAGES, RunConfig
from .app import app, console, emit_json, split_list, state
from .progress import progress_callback


@app.command("run")
def run_command(
    model: str = typer.Option("default", "--model", "-m", help="default | hf:<hub id or folder>[@rev] | gguf:<path>"),
    corpus: str = typer.Option("udhr", "--corpus", "-c", help="udhr | flores200:<dir> | flores_plus | files:<dir>"),
    split: Optional[str] = typer.Option(None, "--split", help="Corpus split (FLORES: dev, devtest, all)."),
    languages: Optional[List[str]] = typer.Option(None, "--languages", "-l", help=f"Comma list; default: {','.join(DEFAULT_LANGUAGES)}"),
    pivot: str = typer.Option("en", "--pivot", help="The language others are compared to."),
    analyses: Optional[List[str]] = typer.Option(None, "--analyses", "-a", help=f"Comma list; default: {','.join(DEFAULT_ANALYSES)}"),
    tokenizer: Optional[List[str]] = typer.Option(None, "--tokenizer", "-t", help="Tokenizer spec for the premium analysis (repeatable)."),
    max_segments: Optional[int] = typer.Option(None, "--max-segments", help="Cap on parallel segments per language for model analyses."),
    batch_size: int = typer.Option(16, "--batch-size", help="Sequences per forward pass."),
    device: Optional[str] = typer.Option(None, "--device", help="cpu, cuda, cuda:1 ... (default: cuda if available)"),
    dtype: Optional[str] = typer.Option(None, "--dtype", help="float32, bfloat16, float16"),
    workspace: Optional[Path] = typer.Option(None, "--workspace", "-w", help="Results folder (default: $BABELSCOPE_WORKSPACE or ./babelscope_runs)."),
    no_report: bool = typer.Option(False, "--no-report", help="Skip writing the HTML report."),
    json_out: bool = typer.Option(False, "--json", help="Print the run's rows as JSON to stdout."),
) -> None:
    """Run analyses on a model and corpus, store the results and write the HTML report."""
    from ..runner import run
    from ..workspace import open_store

    cfg = RunConfig(
        model=model, corpus=corpus, split=split, pivot=pivot, batch_size=batch_size,
        device=device, dtype=dtype, max_segments=max_segments,
        tokenizers=split_list(tokenizer) or None,
        **({"languages": split_list(languages)} if languages else {}),
        **({"analyses": split_list(analyses)} if analyses else {}),
    )
    with progress_callback() as cb:
        result = run(cfg, workspace=workspace, progress=cb, write_report=not no_report)
    if json_out:
        store = open_store(workspace)
        emit_json({"run_id": result.run_id, "report": str(result.report) if result.report else None,
                   "seconds": round(result.seconds, 2), "requests": result.requests,
                   "rows": store.results(result.run_id)})
        return
    if not state["quiet"]:
        cached = ""
        if result.requests and result.requests.get("cached"):
            cached = f" ({result.requests['cached']} of {result.requests['unique']} model requests from the cache)"
        console.print(f"run {result.run_id}: {result.rows} rows in {result.seconds:.0f} s{cached}")
    if result.report:
        print(f"report: {result.report.resolve()}")
