"""`babelscope doctor`: check a workspace's store and cache, salvage a damaged store.

Every other command refuses a damaged store (exit 2, naming the file); this one is where the
user goes next. The work is in :mod:`babelscope.store_salvage` and :mod:`babelscope.recovery`.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any, Optional

import typer
from rich.text import Text

from .app import app, console, emit_json, state

WORKSPACE_HELP = "Results folder (default: $BABELSCOPE_WORKSPACE or ./babelscope_runs)."


@app.command("doctor")
def doctor_command(
    workspace: Optional[Path] = typer.Option(None, "--workspace", "-w", help=WORKSPACE_HELP),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Where to write the salvaged store (default: <workspace>/results.salvaged-<time>.sqlite)."),
    replace: bool = typer.Option(False, "--replace", help="Put the salvaged store in place of the damaged one (kept as results.sqlite.corrupt-<time>)."),
    import_file: Optional[Path] = typer.Option(None, "--import", help="Add the rows of a recovery file (written when a store failed) to the store."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON to stdout."),
) -> None:
    """Check the results store and request cache; salvage readable runs from a damaged store."""
    from ..errors import BabelscopeError, StoreError
    from ..store import Store
    from ..workspace import CACHE_FILE, store_path, workspace_dir

    ws = workspace_dir(workspace)
    path = store_path(ws)
    report: dict[str, Any] = {"store": str(path)}
    if not path.exists():
        raise BabelscopeError(f"no results store at {path}; pass --workspace DIR")
    store: Store | None = None
    try:
        store = Store(path)
    except StoreError as e:
        if "cannot write" in str(e):
            raise
        report["problem"] = str(e)
    if store is not None:
        try:
            stale = store.stale_running_runs()
            for r in stale:
                store.mark_interrupted(r.run_id)
            report.update(status="ok", runs=len(store.runs()), marked_interrupted=[r.run_id for r in stale])
            if import_file is not None:
                from ..recovery import import_recovery

                report["imported_run"] = import_recovery(store, import_file)
        finally:
            store.close()
    else:
        report.update(_salvage(path, out, replace))
    cache = ws / CACHE_FILE
    if cache.exists():
        from ..engine.cache import RequestCache

        rc = RequestCache(cache)
        rc.close()
        report["cache"] = {"path": str(cache), "status": "rebuilt" if rc.moved_aside else "ok",
                           "moved_aside": str(rc.moved_aside) if rc.moved_aside else None}
    if json_out:
        emit_json(report)
        return
    if state["quiet"]:
        return
    for line in _lines(report):
        console.print(Text(line), soft_wrap=True)


def _salvage(path: Path, out: Optional[Path], replace: bool) -> dict[str, Any]:
    from ..store_salvage import salvage_store

    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = out or path.with_name(f"results.salvaged-{stamp}.sqlite")
    rep = salvage_store(path, target)
    result: dict[str, Any] = {"status": "salvaged", "salvage": rep.to_dict()}
    if replace:
        aside = path.with_name(f"{path.name}.corrupt-{stamp}")
        os.replace(path, aside)
        for suffix in ("-wal", "-shm"):
            side = Path(str(path) + suffix)
            if side.exists():
                os.replace(side, Path(str(aside) + suffix))
        os.replace(target, path)
        result.update(status="replaced", corrupt_copy=str(aside))
    return result


def _lines(report: dict[str, Any]) -> list[str]:
    from ..store_salvage import SalvageReport, iter_salvage_lines

    lines = []
    if report["status"] == "ok":
        lines.append(f"{report['store']}: ok ({report['runs']} run(s))")
        if report["marked_interrupted"]:
            lines.append("marked interrupted (their process is gone): " + ", ".join(report["marked_interrupted"]))
        if report.get("imported_run"):
            lines.append(f"imported the recovery file as run {report['imported_run']}")
    else:
        lines.append(report["problem"])
        s = report["salvage"]
        rep = SalvageReport(Path(s["source"]), Path(s["target"]), s["runs"], s["rows"], s["per_run"],
                            s["damaged_regions"], s["orphan_rows"])
        lines.extend(iter_salvage_lines(rep))
        if report["status"] == "replaced":
            lines.append(f"the salvaged store is now {report['store']}; the damaged file is kept as "
                         f"{report['corrupt_copy']}")
        else:
            lines.append(f"to use it: rerun with --replace, or move {s['target']} to {report['store']}")
    cache = report.get("cache")
    if cache:
        if cache["status"] == "ok":
            lines.append(f"{cache['path']}: ok")
        else:
            lines.append(f"{cache['path']}: damaged; moved to {cache['moved_aside']} and started empty")
    return lines
