"""`babelscope fidelity`: does the model answer in the language it was asked in (LCB metrics)?"""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer
from rich.markup import escape
from rich.table import Table

from ..errors import ConfigError, ModelError
from .app import app, console, emit_json, split_list, state


def live_generator(model_spec: str):
    """The engine over a loaded model; a clear error if the engine is not available."""
    try:
        from ..engine.executor import Engine
        from ..models import load_model
    except ImportError as e:
        raise ModelError(f"live generation needs babelscope's engine and model loader ({e})") from e
    return Engine(load_model(model_spec))


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
    from ..analyses.fidelity import report_output, score_completions
    from ..analyses.fidelity_io import read_completions, read_lcb_prompts
    from ..analyses.fidelity_text import WPR_LANGUAGES, find_english_words, load_english_words
    from ..analyses.fidelity import lcb_code
    from ..lid import get_identifier

    if completions is None and model is None:
        raise ConfigError("give --completions FILE (score existing outputs) or --model SPEC with --lcb-data DIR")
    if completions is not None and model is not None:
        raise ConfigError("--completions and --model exclude each other")
    if not 0 <= threshold < 1:
        raise ConfigError(f"--threshold must be in [0, 1), got {threshold}")
    identifier = get_identifier(lid)

    if completions is not None:
        records = read_completions(completions)
        source_label = str(completions)
    else:
        if lcb_data is None:
            raise ConfigError("--model needs --lcb-data DIR (a local copy of the LCB test sets)")
        prompts = read_lcb_prompts(lcb_data, split_list(sources) or None, split_list(languages) or None, limit)
        records = _generate(model, prompts, max_tokens)
        source_label = f"lcb:{lcb_data}"

    needs_wpr = any(lcb_code(r["language"]) in WPR_LANGUAGES for r in records)
    words_path = None
    try:
        words_path = find_english_words(english_words)
    except ConfigError:
        if needs_wpr or english_words is not None:
            raise
    words = load_english_words(words_path) if words_path else None

    report = score_completions(records, identifier, words, threshold)
    report.english_words = str(words_path or "")
    result = report.to_dict()

    if workspace is not None or model is not None:
        from ..workspace import open_store

        store = open_store(workspace)
        out = report_output(report, kind="task" if model else "analysis")
        run_id = store.start_run("fidelity", f"lid={identifier.version}|data={source_label}|model={model or '-'}",
                                 {"completions": str(completions) if completions else None, "model": model,
                                  "lid": lid, "threshold": threshold})
        store.add_results(run_id, out.rows, out.items, out.artifacts)
        store.finish_run(run_id)
        result["run_id"] = run_id

    if json_out:
        emit_json(result)
        return
    _print(report)


def _generate(model: str, prompts, max_tokens: int) -> list[dict[str, str]]:
    from ..analyses.fidelity_io import generate_completions

    engine = live_generator(model)
    if not state["quiet"]:
        console.print(f"generating {len(prompts)} LCB completions with {escape(model)}")
    return generate_completions(prompts, engine, max_tokens)


def _fmt(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.2%}"


def _print(report) -> None:
    table = Table("source", "language", "LPR", "WPR", "LCPR", "n", "skipped", title=f"fidelity (LID {escape(report.lid)})")
    for g in [*report.groups, *report.by_source, *report.by_language, report.overall]:
        table.add_row(escape(g.source), escape(g.language), _fmt(g.lpr), _fmt(g.wpr), _fmt(g.lcpr), str(g.n), str(g.skipped))
    console.print(table)
