"""Finished runs, read back: list, show, export, report and compare them from Python.

The CLI's ``runs``, ``show``, ``export``, ``report`` and ``compare`` commands are thin
printers over these functions, so a notebook gets the same answers (and the same errors:
a mistyped workspace is a ConfigError, never an empty list) without parsing CLI output.
Every function opens the workspace's store read-only-if-possible and closes it before
returning; none creates a store.
"""

from __future__ import annotations

import math
import os
import shlex
from dataclasses import replace
from pathlib import Path
from typing import Any

from .errors import ConfigError
from .workspace import reading_store

WorkspaceArg = str | Path | None


def list_runs(workspace: WorkspaceArg = None) -> list[dict[str, Any]]:
    """Every run in the workspace, newest first, with its row count.

    Runs whose process is gone are marked interrupted (in the store when it is writable, in
    the answer always), so a killed run never shows as "running" forever.
    """
    with reading_store(workspace) as store:
        stale = {r.run_id for r in store.stale_running_runs()}
        if not store.readonly:
            for run_id in stale:
                store.mark_interrupted(run_id)
        runs = store.runs()
        counts = store.result_counts()
        path = store.path
    out = []
    for r in runs:
        info = replace(r, status="interrupted") if r.run_id in stale else r
        out.append({**info.to_dict(), "rows": counts.get(r.run_id, 0), "resume_hint": resume_hint(info),
                    "store": str(path)})
    return out


def resume_hint(run: Any) -> str:
    """The command that resumes an interrupted run (rerunning it reuses the request cache)."""
    if not run.resume:
        return f"rerun the same `babelscope {run.command}` command (its command line was not recorded)"
    if run.cwd and os.path.abspath(run.cwd) != os.getcwd():
        return f"cd {shlex.quote(run.cwd)} && {run.resume}"
    return run.resume


def show_run(run: str = "latest", workspace: WorkspaceArg = None) -> dict[str, Any]:
    """One run: its record (signature, configuration, status), row count and per-metric summary."""
    with reading_store(workspace) as store:
        info = store.run(run)
        rows = store.results(info.run_id)
    return {"run": info.to_dict(), "rows": len(rows), "summary": summarize(rows)}


def run_rows(run: str = "latest", workspace: WorkspaceArg = None, items: bool = False) -> list[dict[str, Any]]:
    """A stored run's result rows (or, with ``items=True``, its per-item records)."""
    with reading_store(workspace) as store:
        info = store.run(run)
        return store.items(info.run_id) if items else store.results(info.run_id)


def export_run(run: str = "latest", out: str | Path | None = None, fmt: str | None = None, items: bool = False,
           workspace: WorkspaceArg = None) -> Path:
    """Write a run's tidy rows as CSV, JSON or Parquet; returns the file written.

    The format is ``fmt``, else ``out``'s suffix, else CSV; without ``out`` the file goes to
    ``<workspace>/exports/<run>.<format>``. ``out="-"`` writes CSV or JSON to stdout.
    """
    from .export import export_run as write_export
    from .export import infer_format

    with reading_store(workspace) as store:
        info = store.run(run)
        if out is None:
            f = infer_format("", fmt or "csv")
            target: str | Path = store.path.parent / "exports" / f"{info.run_id}.{f}"
        else:
            target = out
            f = infer_format(out, fmt) if (fmt or Path(str(out)).suffix) else "csv"
        return write_export(store, info.run_id, f, target, items=items)


def report_run(run: str = "latest", out: str | Path | None = None, workspace: WorkspaceArg = None) -> Path:
    """Write a run's self-contained HTML report (default ``<workspace>/reports/<run>.html``)."""
    from .report import write_report

    with reading_store(workspace) as store:
        return write_report(store, run, Path(out) if out is not None else None)


def compare_runs(run_a: str, run_b: str, metric: str | None = None, n_boot: int = 1000,
            workspace: WorkspaceArg = None) -> dict[str, Any]:
    """Run B minus run A per (task, language): paired bootstrap CI and p-value over shared items."""
    from .compare import compare_items

    with reading_store(workspace) as store:
        a, b = store.run(run_a), store.run(run_b)
        if a.run_id == b.run_id:
            raise ConfigError(f"compare: {run_a!r} and {run_b!r} are the same run ({a.run_id}); "
                              "give two different runs (e.g. `babelscope runs` lists them)")
        items_a, items_b = store.items(a.run_id), store.items(b.run_id)
    return {"run_a": a.run_id, "run_b": b.run_id, "rows": compare_items(items_a, items_b, metric, n_boot)}


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
