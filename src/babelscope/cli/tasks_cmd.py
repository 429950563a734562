"""`babelscope tasks`: the benchmark tasks, their languages, data sources and licences.

:func:`print_tasks` is also what `eval --list` should call (hook for cli/eval_cmd.py).
"""

from __future__ import annotations

import typer
from rich.table import Table
from rich.text import Text

from .app import app, console, emit_json


def print_tasks(json_out: bool = False) -> None:
    """Print the task catalogue (a table on stderr, or JSON on stdout)."""
    from ..tasks.catalog import task_catalog

    rows = task_catalog()
    if json_out:
        emit_json(rows)
        return
    table = Table()
    table.add_column("task", no_wrap=True)
    table.add_column("measures", overflow="fold", ratio=3)
    table.add_column("kind", no_wrap=True)
    table.add_column("languages", overflow="fold", ratio=2)
    table.add_column("licence", overflow="fold", ratio=1)
    for r in rows:
        langs = r["languages_note"] or f"{r['n_languages']}: {' '.join(r['languages'][:12])}"
        if not r["languages_note"] and r["n_languages"] > 12:
            langs += " …"
        table.add_row(Text(r["name"]), Text(r["measures"]), Text(r["kind"]), Text(langs),
                      Text(r["licence"]))
    console.print(table)
    console.print(Text("data sources: babelscope tasks --json (field 'source')", style="dim"))


@app.command("tasks")
def tasks_command(
    json_out: bool = typer.Option(False, "--json", help="Print JSON to stdout."),
) -> None:
    """List the benchmark tasks: what each measures, languages, kind, data source, licence."""
    print_tasks(json_out)
