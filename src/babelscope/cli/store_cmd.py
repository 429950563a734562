"""`babelscope runs | show | export | report`: print what earlier runs stored.

Each command parses, calls :mod:`babelscope.runs` (the Python API for finished runs) and
prints. They never create a store, so a mistyped
--workspace is reported instead of answered with an empty list. Table cells are rich ``Text``
objects, so brackets in commands or language names are shown, never read as markup.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.table import Table
from rich.text import Text

from .app import app, console, emit_json, state

WORKSPACE_HELP = "Results folder (default: $BABELSCOPE_WORKSPACE or ./babelscope_runs)."
RUN_HELP = "Run id, a unique prefix of one, or 'latest'."


def _when(ts: float | None) -> str:
    from ..report.fmt import fmt_time

    return fmt_time(ts)


@app.command("runs")
def runs_command(
    workspace: Optional[Path] = typer.Option(None, "--workspace", "-w", help=WORKSPACE_HELP),
    json_out: bool = typer.Option(False, "--json", help="Print JSON to stdout."),
) -> None:
    """List the runs in the workspace, newest first."""
    from ..runs import list_runs

    runs = list_runs(workspace)
    if json_out:
        emit_json(runs)
        return
    if not runs:
        from ..workspace import store_path

        console.print(Text(f"no runs yet in {store_path(workspace)}"))
        return
    from rich import box

    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)  # no vertical rules: fits 80 columns
    table.add_column("run", no_wrap=True)  # ids must stay copyable whole
    table.add_column("created", overflow="fold", min_width=10)  # folds at 80 columns; ids never
    table.add_column("status", no_wrap=True, min_width=len("interrupted"))
    table.add_column("rows", justify="right", no_wrap=True)
    table.add_column("command", overflow="fold", min_width=7)
    table.add_column("signature", overflow="fold", min_width=10)
    for r in runs:
        table.add_row(Text(r["run_id"]), Text(_when(r["created"])), Text(r["status"]), Text(str(r["rows"])),
                      Text(r["command"]), Text(r["signature"]))
    console.print(table)
    stopped = [r for r in runs if r["status"] == "interrupted"]
    if stopped and not state["quiet"]:
        console.print(Text("interrupted runs: finished work is kept; rerun to resume:"))
        for r in stopped:
            console.print(Text(f"  {r['run_id']}: {r['resume_hint']}"), soft_wrap=True)


@app.command("show")
def show_command(
    run: str = typer.Argument(..., help=RUN_HELP),
    workspace: Optional[Path] = typer.Option(None, "--workspace", "-w", help=WORKSPACE_HELP),
    json_out: bool = typer.Option(False, "--json", help="Print JSON to stdout."),
) -> None:
    """Show one run: its signature, configuration and a summary of each metric."""
    from ..runs import show_run

    shown = show_run(run, workspace)
    info, summary = shown["run"], shown["summary"]
    if json_out:
        emit_json(shown)
        return
    head = Table.grid(padding=(0, 2))
    head.add_column(style="dim")
    head.add_column()
    for k, v in [("run", info["run_id"]), ("status", info["status"]), ("command", info["command"]),
                 ("signature", info["signature"]), ("created", _when(info["created"])),
                 ("finished", _when(info["finished"])), ("rows", str(shown["rows"]))]:
        head.add_row(Text(k), Text(v))
    console.print(head)
    if not summary:
        return
    table = Table()
    for col in ("name", "variant", "metric"):
        table.add_column(col, overflow="fold")
    for col in ("languages", "mean", "min", "max"):
        table.add_column(col, justify="right")
    for s in summary:
        table.add_row(
            Text(s["name"]), Text(s["variant"]), Text(s["metric"]), Text(str(s["languages"])),
            Text(_num(s["mean"])),
            Text(f"{_num(s['min'])} ({s['min_language']})" if s["min"] is not None else "-"),
            Text(f"{_num(s['max'])} ({s['max_language']})" if s["max"] is not None else "-"),
        )
    console.print(table)


@app.command("export")
def export_command(
    run: str = typer.Argument(..., help=RUN_HELP),
    fmt: Optional[str] = typer.Option(None, "--format", "-f", help="csv | json | parquet (default: from --out's suffix, else csv)."),
    out: Optional[str] = typer.Option(None, "--out", "-o", help="Output file ('-' = stdout for csv/json; default: <workspace>/exports/<run>.<format>)."),
    items: bool = typer.Option(False, "--items", help="Also export per-item records (JSON: 'items'; CSV/Parquet: <stem>.items.<format>)."),
    workspace: Optional[Path] = typer.Option(None, "--workspace", "-w", help=WORKSPACE_HELP),
) -> None:
    """Export a run's tidy rows as CSV, JSON or Parquet; prints the file written."""
    from ..runs import export_run

    path = export_run(run, out, fmt, items, workspace)
    if str(path) != "-":
        print(path)


@app.command("report")
def report_command(
    run: str = typer.Argument(..., help=RUN_HELP),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Output file (default: <workspace>/reports/<run>.html)."),
    workspace: Optional[Path] = typer.Option(None, "--workspace", "-w", help=WORKSPACE_HELP),
) -> None:
    """Write a run's self-contained HTML report; prints its path."""
    from ..runs import report_run

    path = report_run(run, out, workspace)
    if not state["quiet"]:
        console.print(Text("report written (self-contained, opens offline)"))
    print(path)


# -- helpers ------------------------------------------------------------------------------------


def _num(x: float | None) -> str:
    if x is None:
        return "-"
    return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:.4g}"
