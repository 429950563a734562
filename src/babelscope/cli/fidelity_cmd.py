"""`babelscope fidelity`: does the model answer in the language it was asked in (LCB metrics)?"""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer
from rich.markup import escape
from rich.table import Table

from .app import app, console, emit_json, split_list
from .progress import progress_callback


@app.command("fidelity")
def fidelity_command(
    completions: Optional[Path] = typer.Option(None, "--completions", help="CSV/JSONL with language and completion columns (LCB outputs format)."),
    model: Optional[str] = typer.Option(None, "--model", "-m", help="Generate LCB completions with this model (default | hf:<folder>)."),
    lcb_data: Optional[Path] = typer.Option(None, "--lcb-data", help="Local copy of the LCB (folder holding test_sets/)."),
    sources: Optional[List[str]] = typer.Option(None, "--sources", help="LCB sources to run (okapi, sharegpt, ...)."),
    languages: Optional[List[str]] = typer.Option(None, "--languages", "-l", help="LCB languages to run (fr, zh, ...)."),
    limit: Optional[int] = typer.Option(None, "--limit", help="First N prompts per LCB file."),
    max_tokens: int = typer.Option(100, "--max-tokens", help="Tokens per completion (the LCB authors used 100)."),
    lid: str = typer.Option("py3langid", "--lid", help="py3langid | lingua | fasttext-lite | heliport | script"),
    english_words: Optional[Path] = typer.Option(None, "--english-words", help="The LCB English word list (for WPR)."),
    threshold: float = typer.Option(0.3, "--threshold", help="LID probability a line needs (LCB: > 0.3)."),
    workspace: Optional[Path] = typer.Option(None, "--workspace", "-w", help="Store the rows in this results folder."),
    json_out: bool = typer.Option(False, "--json", help="Print the scores as JSON to stdout."),
) -> None:
    """Line- and word-level pass rates (LPR, WPR, LCPR) per source and language."""
    from ..presets import fidelity_study

    with progress_callback() as cb:
        res = fidelity_study(
            completions=completions, model=model, lcb_data=lcb_data, sources=split_list(sources) or None,
            languages=split_list(languages) or None, limit=limit, max_tokens=max_tokens, lid=lid,
            english_words=english_words, threshold=threshold, workspace=workspace, progress=cb,
        )
    out = res.outcome("fidelity")
    assert out is not None and out.output is not None
    report = out.output.payload
    result = report.to_dict()
    if workspace is not None or model is not None:
        result["run_id"] = res.run_id
    if json_out:
        emit_json(result)
        return
    _print(report)


def _fmt(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.2%}"


def _print(report) -> None:
    table = Table("source", "language", "LPR", "WPR", "LCPR", "n", "skipped", title=f"fidelity (LID {escape(report.lid)})")
    for g in [*report.groups, *report.by_source, *report.by_language, report.overall]:
        table.add_row(escape(g.source), escape(g.language), _fmt(g.lpr), _fmt(g.wpr), _fmt(g.lcpr), str(g.n), str(g.skipped))
    console.print(table)
