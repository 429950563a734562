"""`babelscope runs | show | export | report`: read what earlier runs stored.

These commands only read the workspace's store (they never create one), so a mistyped
--workspace is reported instead of answered with an empty list. Table cells are rich ``Text``
objects, so brackets in commands or language names are shown, never read as markup.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Optional

import typer
from rich.table import Table
from rich.text import Text

from .app import app, console, emit_json, state

WORKSPACE_HELP = "Results folder (default: $BABELSCOPE_WORKSPACE or ./babelscope_runs)."
RUN_HELP = "Run id, a unique prefix of one, or 'latest'."


def _open(workspace: Optional[Path]) -> Any:
    from ..workspace import open_store

    return open_store(workspace, create=False)


def _when(ts: float | None) -> str:
    from ..report.fmt import fmt_time

    return fmt_time(ts)


@app.command("runs")
def runs_command(
    workspace: Optional[Path] = typer.Option(None, "--workspace", "-w", help=WORKSPACE_HELP),
    json_out: bool = typer.Option(False, "--json", help="Print JSON to stdout."),
) -> None:
    """List the runs in the workspace, newest first."""
    store = _open(workspace)
    try:
        interrupted = _mark_interrupted(store)
        runs = store.runs()
        counts = store.result_counts()
    finally:
        store.close()
    if interrupted:  # a read-only store cannot be updated: show them as interrupted anyway
        from dataclasses import replace

        runs = [replace(r, status="interrupted") if r.run_id in interrupted else r for r in runs]
    if json_out:
        emit_json([{**r.to_dict(), "rows": counts.get(r.run_id, 0)} for r in runs])
        return
    if not runs:
        console.print(Text(f"no runs yet in {store.path}"))
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
        table.add_row(Text(r.run_id), Text(_when(r.created)), Text(r.status), Text(str(counts.get(r.run_id, 0))),
                      Text(r.command), Text(r.signature))
    console.print(table)
    stopped = [r for r in runs if r.status == "interrupted"]
    if stopped and not state["quiet"]:
        console.print(Text("interrupted runs: finished work is kept; rerun to resume:"))
        for r in stopped:
            console.print(Text(f"  {r.run_id}: {resume_hint(r)}"), soft_wrap=True)


def _mark_interrupted(store: Any) -> set[str]:
    """Mark runs whose process is gone as interrupted; their ids (also when read-only)."""
    stale = store.stale_running_runs()
    if not store.readonly:
        for r in stale:
            store.mark_interrupted(r.run_id)
    return {r.run_id for r in stale}


def resume_hint(run: Any) -> str:
    """The command that resumes an interrupted run (rerunning it reuses the request cache)."""
    import os
    import shlex

    if not run.resume:
        return f"rerun the same `babelscope {run.command}` command (its command line was not recorded)"
    if run.cwd and os.path.abspath(run.cwd) != os.getcwd():
        return f"cd {shlex.quote(run.cwd)} && {run.resume}"
    return run.resume


@app.command("show")
def show_command(
    run: str = typer.Argument(..., help=RUN_HELP),
    workspace: Optional[Path] = typer.Option(None, "--workspace", "-w", help=WORKSPACE_HELP),
    json_out: bool = typer.Option(False, "--json", help="Print JSON to stdout."),
) -> None:
    """Show one run: its signature, configuration and a summary of each metric."""
    store = _open(workspace)
    try:
        info = store.run(run)
        rows = store.results(info.run_id)
    finally:
        store.close()
    summary = summarize(rows)
    if json_out:
        emit_json({"run": info.to_dict(), "rows": len(rows), "summary": summary})
        return
    head = Table.grid(padding=(0, 2))
    head.add_column(style="dim")
    head.add_column()
    for k, v in [("run", info.run_id), ("status", info.status), ("command", info.command),
                 ("signature", info.signature), ("created", _when(info.created)),
                 ("finished", _when(info.finished)), ("rows", str(len(rows)))]:
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
    from ..export import export_run, infer_format

    store = _open(workspace)
    try:
        info = store.run(run)
        if out is None:
            f = infer_format("", fmt or "csv")
            target: str | Path = store.path.parent / "exports" / f"{info.run_id}.{f}"
        else:
            target = out
            f = infer_format(out, fmt) if (fmt or Path(out).suffix) else "csv"
        path = export_run(store, info.run_id, f, target, items=items)
    finally:
        store.close()
    if str(path) != "-":
        print(path)


@app.command("report")
def report_command(
    run: str = typer.Argument(..., help=RUN_HELP),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Output file (default: <workspace>/reports/<run>.html)."),
    workspace: Optional[Path] = typer.Option(None, "--workspace", "-w", help=WORKSPACE_HELP),
) -> None:
    """Write a run's self-contained HTML report; prints its path."""
    from ..report import write_report

    store = _open(workspace)
    try:
        path = write_report(store, run, out)
    finally:
        store.close()
    if not state["quiet"]:
        console.print(Text("report written (self-contained, opens offline)"))
    print(path)


# -- helpers ------------------------------------------------------------------------------------


def summarize(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per (name, variant, metric): languages, mean, and the languages at min and max."""
    groups: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for r in rows:
        groups.setdefault((r["name"], r.get("variant") or "", r["metric"]), []).append(r)
    out = []
    for (name, variant, metric), rs in groups.items():
        vals = [(float(r["value"]), r["language"]) for r in rs
                if isinstance(r.get("value"), (int, float)) and math.isfinite(r["value"])]
        lo = min(vals) if vals else None
        hi = max(vals) if vals else None
        out.append({
            "name": name, "variant": variant, "metric": metric,
            "languages": len({r["language"] for r in rs}),
            "mean": sum(v for v, _ in vals) / len(vals) if vals else None,
            "min": lo[0] if lo else None, "min_language": lo[1] if lo else None,
            "max": hi[0] if hi else None, "max_language": hi[1] if hi else None,
        })
    return out


def _num(x: float | None) -> str:
    if x is None:
        return "-"
    return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:.4g}"
