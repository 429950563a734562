"""`babelscope multi-if`: multi-turn, multilingual instruction following (Multi-IF)."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer
from rich.markup import escape
from rich.table import Table

from ..errors import ConfigError
from .app import app, console, emit_json, split_list, state
from .progress import progress_callback


@app.command("multi-if")
def multi_if_command(
    data: Path = typer.Option(..., "--data", help="Multi-IF file (CSV/JSONL/Parquet as published)."),
    responses: Optional[Path] = typer.Option(None, "--responses", help="Score stored responses (key, turn, response) instead of generating."),
    model: Optional[str] = typer.Option(None, "--model", "-m", help="Generate with this model (default | hf:<folder>)."),
    languages: Optional[List[str]] = typer.Option(None, "--languages", "-l", help="Only these languages."),
    limit: Optional[int] = typer.Option(None, "--limit", help="First N conversations."),
    turns: int = typer.Option(3, "--turns", help="Turns to run and score (1-3)."),
    max_tokens: int = typer.Option(1024, "--max-tokens"),
    lid: str = typer.Option("py3langid", "--lid", help="Identifier for the language checks."),
    bootstrap: int = typer.Option(1000, "--bootstrap", help="Bootstrap resamples for the 95% CIs (0: none)."),
    workspace: Optional[Path] = typer.Option(None, "--workspace", "-w", help="Store the rows in this results folder."),
    json_out: bool = typer.Option(False, "--json", help="Print the rows as JSON to stdout."),
    # issue 17: which published checker semantics score the answers (named in the signature)
    checkers: str = typer.Option("auto", "--checkers", help="Checker variant: auto (default: the one the data's authors publish: ifeval for IFEval files, m-ifeval for M-IFEval, multi-if for Multi-IF) | ifeval | m-ifeval | multi-if | babelscope (babelscope's own multilingual rewrite, which reproduces no published number)."),
) -> None:
    """Strict/loose, prompt/instruction-level accuracy per turn and language, with CIs."""
    from ..presets import multi_if_study
    from ..tasks import multi_if as mi

    if not 1 <= turns <= mi.MAX_TURNS:
        raise ConfigError(f"--turns must be 1..{mi.MAX_TURNS}, got {turns}")
    if model is not None and not state["quiet"]:
        console.print(f"running Multi-IF conversations x {turns} turns with {escape(model)}")
    with progress_callback() as cb:
        res = multi_if_study(
            data=data, responses=responses, model=model, languages=split_list(languages) or None, limit=limit,
            turns=turns, max_tokens=max_tokens, lid=lid, bootstrap=bootstrap, workspace=workspace, progress=cb,
            checkers=checkers,
        )
    out = res.outcome("multi_if")
    assert out is not None and out.output is not None
    groups = out.output.payload["groups"]
    result: dict = {"conversations": out.output.payload["conversations"], "checkers": out.output.payload["checkers"],
                    "rows": [r.to_dict() for r in out.output.rows],
                    "signature": res.signature}  # issue 17: names the checker variant
    if workspace is not None or model is not None:
        result["run_id"] = res.run_id

    if json_out:
        emit_json(result)
        return
    table = Table("turn", "language", "prompt strict", "inst strict", "prompt loose", "inst loose", "overall", "n")
    for g in groups:
        v = g.values()
        table.add_row(str(g.turn), escape(g.language), *(f"{v[m]:.3f}" for m in (*mi.METRICS, "overall")), str(len(g.results)))
    console.print(table)
    console.print(f"checkers: {escape(checkers)}")  # issue 17: which variant the numbers come from
