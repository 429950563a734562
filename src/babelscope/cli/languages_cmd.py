"""`babelscope languages QUERY...`: show what a tag, code or name resolves to."""

from __future__ import annotations

from typing import List

import typer
from rich.table import Table

from ..languages import Language
from .app import app, console, emit_json


@app.command("languages")
def languages(
    queries: List[str] = typer.Argument(..., help="Tags, ISO codes, FLORES codes or English names."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON to stdout."),
) -> None:
    """Resolve language tags to their canonical identity (tag, ISO 639-3, script, family)."""
    langs = [Language.parse(q) for q in queries]
    if json_out:
        emit_json([lang.to_dict() for lang in langs])  # always a list, also for one query
        return
    table = Table("query", "tag", "iso639_3", "script", "name", "family", "population")
    for lang in langs:
        table.add_row(lang.query, lang.tag, lang.iso639_3, lang.script, lang.name, lang.family,
                      f"{lang.population:,}" if lang.population else "")
    console.print(table)
