"""`babelscope card LANG`: one language's identity, coverage, typology, results and diagnosis."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from .app import app, console, emit_json, split_list, state


@app.command("card")
def card_command(
    language: str = typer.Argument(..., help="Language (tag, ISO 639-3 code or name)."),
    run: Optional[str] = typer.Option(None, "--run", help="Only this stored run's results (default: every run in the store)."),
    pivot: str = typer.Option("en", "--pivot", help="Language premiums and gaps are measured against."),
    tokenizers: Optional[List[str]] = typer.Option(None, "--tokenizers", help="Tokenizers for premiums when the store has none (default: the known ones)."),
    no_measure: bool = typer.Option(False, "--no-measure", help="Do not tokenize anything: stored premiums only."),
    workspace: Optional[Path] = typer.Option(None, "--workspace", "-w", help="Results folder to read (default: $BABELSCOPE_WORKSPACE or ./babelscope_runs)."),
    json_out: bool = typer.Option(False, "--json", help="Print the card as JSON to stdout."),
) -> None:
    """A language's card: names, scripts, family, coverage, premiums, results, nearest languages, diagnosis."""
    from ..advice import language_card

    card = language_card(language, run=run, pivot=pivot, tokenizers=split_list(tokenizers) or None,
                         measure=not no_measure, workspace=workspace)
    if json_out:
        emit_json(card)
    elif not state["quiet"]:
        _print(card)


def _print(card: dict) -> None:
    from rich.table import Table
    from rich.text import Text

    ident = card["language"]
    console.print(Text(f"{ident['name']} ({ident['tag']}, {ident['iso639_3']})"
                       + (f" - {ident['autonym']}" if ident.get("autonym") else ""), style="bold"))
    pop = ident.get("population")
    console.print(Text(f"family {ident['family']}; scripts {', '.join(card['scripts'])}; "
                       f"speakers {pop:,}" if pop else f"family {ident['family']}; scripts {', '.join(card['scripts'])}"))
    console.print(Text("diagnosis: " + card["diagnosis"]["summary"]))
    tasks = ", ".join(f"{t['task']}" + (f" ({t['items']} items)" if t.get("items") else "") for t in card["tasks"])
    console.print(Text(f"tasks: {tasks or 'none'}"))
    console.print(Text("LID: " + ", ".join(f"{k}={'yes' if v else 'no' if v is False else '?'}" for k, v in card["lid"].items())))
    if card["tokenizer_premiums"]:
        console.print(Text("premiums: " + ", ".join(f"{k} {v:.2f}" for k, v in card["tokenizer_premiums"].items()
                                                      if v is not None)))
    table = Table("distance", "nearest languages", title="nearest (UDHR languages)")
    for kind, near in card["nearest"].items():
        table.add_row(kind, Text(", ".join(f"{n['language']} {n['distance']:.2f}" for n in near)))
    console.print(table)
    rows = [r for r in card["results"] if r.get("metric") in ("acc", "premium", "bits_per_byte", "mean")]
    if rows:
        t = Table("run", "name", "metric", "variant", "value", "gap", title="stored results")
        for r in rows[:40]:
            g = r.get("gap_to_pivot")
            t.add_row(Text(r["run_id"]), Text(r["name"]), Text(r["metric"]), Text(str(r.get("variant") or "")),
                      "" if r.get("value") is None else f"{r['value']:.3f}", "" if g is None else f"{g:+.3f}")
        console.print(t)
