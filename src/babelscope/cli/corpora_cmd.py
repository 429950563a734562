"""`babelscope corpora SPEC`: which languages a parallel corpus holds, and how many segments."""

from __future__ import annotations

from typing import Optional

import typer
from rich.table import Table
from rich.text import Text

from .app import app, console, emit_json


@app.command("corpora")
def corpora(
    spec: str = typer.Argument("udhr", help="udhr | flores200:<dir> | flores_plus | files:<dir>"),
    split: Optional[str] = typer.Option(None, "--split", help="FLORES split: dev, devtest, all."),
    languages: Optional[str] = typer.Option(None, "--languages", "-l", help="Only these languages (comma list)."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON to stdout."),
) -> None:
    """List a corpus's languages: corpus code, canonical tag, script, segment count."""
    from ..corpora import open_corpus
    from ..languages import parse_languages

    corp = open_corpus(spec, parse_languages(languages) if languages else None, split=split)
    aligned = corp.meta.get("aligned", {})
    rows = [
        {"corpus_code": code, **corp.languages[code].row_fields(), "segments": len(corp.texts[code]),
         **({"fully_aligned": aligned[code]} if code in aligned else {})}
        for code in corp.codes()
    ]
    skipped = corp.meta.get("skipped", {})
    if json_out:
        emit_json({"corpus": corp.name, "version": corp.version, "languages": rows, "skipped": skipped})
        return
    table = Table(title=Text(f"{corp.name} {corp.version}: {len(rows)} texts"))
    for col in ("corpus code", "language", "iso639_3", "script", "name", "segments"):
        table.add_column(col)
    for r in rows:
        table.add_row(*(Text(str(x)) for x in (r["corpus_code"], r["language"], r["iso639_3"], r["script"],
                                                 r["language_name"], r["segments"])))
    console.print(table)
    if skipped:
        console.print(Text(f"skipped {len(skipped)}: " + ", ".join(f"{k} ({v})" for k, v in list(skipped.items())[:10])))
