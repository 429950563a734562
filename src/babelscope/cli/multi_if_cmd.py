"""`babelscope multi-if`: multi-turn, multilingual instruction following (Multi-IF)."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer
from rich.markup import escape
from rich.table import Table

from ..errors import ConfigError
from .app import app, console, emit_json, split_list, state


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
    checkers: str = typer.Option("babelscope", "--checkers", help="Checker variant: ifeval | m-ifeval | multi-if | babelscope | auto (the data's own)."),
) -> None:
    """Strict/loose, prompt/instruction-level accuracy per turn and language, with CIs."""
    from ..lid import get_identifier
    from ..tasks import multi_if as mi

    if not 1 <= turns <= mi.MAX_TURNS:
        raise ConfigError(f"--turns must be 1..{mi.MAX_TURNS}, got {turns}")
    if bootstrap < 0:
        raise ConfigError("--bootstrap must be >= 0")
    if (responses is None) == (model is None):
        raise ConfigError("give exactly one of --responses FILE (score stored answers) or --model SPEC (generate)")
    identifier = get_identifier(lid)
    langs = split_list(languages) or None
    convs = mi.load_conversations(data, limit=limit, languages=langs, checkers=checkers)  # issue 17: checkers
    checkers = mi.resolve_checkers(checkers, convs)  # issue 17: "auto" -> the variant the data's authors publish

    if responses is not None:
        answers = mi.read_responses(responses, convs)
    else:
        from .fidelity_cmd import live_generator

        if not state["quiet"]:
            console.print(f"running {len(convs)} conversations x {turns} turns with {escape(model)}")
        answers = mi.generate_responses(convs, live_generator(model), max_tokens=max_tokens, turns=turns)

    groups = mi.score(convs, answers, lid=identifier, turns=turns, checkers=checkers)  # issue 17: checkers
    rows = mi.result_rows(groups, n_boot=bootstrap)
    result: dict = {"conversations": len(convs), "checkers": checkers, "rows": [r.to_dict() for r in rows]}  # issue 17

    if workspace is not None or model is not None:
        from ..workspace import open_store

        store = open_store(workspace)
        run_id = store.start_run("multi-if", f"data={data}|model={model or '-'}|lid={identifier.version}"
                                 f"|checkers={checkers}",  # issue 17: the checker variant in the signature
                                 {"data": str(data), "responses": str(responses) if responses else None,
                                  "model": model, "turns": turns, "lid": lid, "checkers": checkers})
        items = mi.item_records(groups)
        if model is not None:
            for i, (name, tag, item_id, d) in enumerate(items):
                key, turn = item_id.rsplit("#turn", 1)
                d["response"] = answers.get((key, int(turn)), "")
        store.add_results(run_id, rows, items)
        store.finish_run(run_id)
        result["run_id"] = run_id

    if json_out:
        emit_json(result)
        return
    table = Table("turn", "language", "prompt strict", "inst strict", "prompt loose", "inst loose", "overall", "n")
    for g in groups:
        v = g.values()
        table.add_row(str(g.turn), escape(g.language), *(f"{v[m]:.3f}" for m in (*mi.METRICS, "overall")), str(len(g.results)))
    console.print(table)
    console.print(f"checkers: {escape(checkers)}")  # issue 17: which variant the numbers come from
