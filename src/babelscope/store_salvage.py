"""Salvage what a damaged results store still holds into a new, sound store.

SQLite's own ``.recover`` lives in the sqlite3 shell, not in Python's module, so this reads
the damaged file table by table, row by row: a scan that hits a damaged page skips ahead by
rowid (doubling the step) and goes on, so one bad page costs the rows on it, not the rest.
It always reads a private copy of the file (and its write-ahead log), so the damaged original
is never written to, not even by SQLite's checkpoint on close.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from .sqlite_health import private_copy as _private_copy
from .sqlite_health import readable_rows as readable_rows  # noqa: F401 (re-exported)
from .sqlite_health import scan_table as _scan

@dataclass
class SalvageReport:
    """What came across: runs and rows per table, and how many damaged regions were skipped."""

    source: Path
    target: Path
    runs: list[str] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)      # table -> rows copied
    per_run: dict[str, int] = field(default_factory=dict)   # run id -> result rows copied
    damaged_regions: int = 0
    orphans: int = 0  # rows whose run record was lost (kept under a placeholder run)

    def to_dict(self) -> dict[str, Any]:
        return {"source": str(self.source), "target": str(self.target), "runs": self.runs,
                "rows": self.rows, "per_run": self.per_run,
                "damaged_regions": self.damaged_regions, "orphan_rows": self.orphans}


def salvage_store(source: str | Path, target: str | Path) -> SalvageReport:
    """Copy every readable run, result row, item and artifact of ``source`` into ``target``.

    ``target`` must not exist yet; it is written through :class:`~babelscope.store.Store`, so
    it is a sound store with the current schema. Rows whose run record was lost are kept under
    a placeholder run with status ``salvaged`` rather than dropped.
    """
    from .errors import StoreError
    from .store import Store

    source, target = Path(source), Path(target)
    if target.exists():
        raise StoreError(f"{target} exists already; pick a new file for the salvaged store")
    report = SalvageReport(source, target)
    with _private_copy(source) as db:
        out = Store(target)
        try:
            if db is None:
                return report
            tables = {}
            for table in ("runs", "results", "items", "artifacts", "units"):
                rows, skipped = _scan(db, table) if _has_table(db, table) else ([], 0)
                tables[table] = rows
                report.damaged_regions += skipped
            run_cols = _columns(out._db, "runs")
            known: set[str] = set()
            with out.transaction() as w:
                for r in tables["runs"]:
                    values = dict(zip(run_cols, r))
                    if not isinstance(values.get("run_id"), str) or values["run_id"] in known:
                        continue
                    values = _fill_run(values)
                    w.execute(f"INSERT INTO runs ({','.join(values)}) VALUES ({','.join('?' * len(values))})",
                              tuple(values.values()))
                    known.add(values["run_id"])
                    report.runs.append(values["run_id"])
                for table in ("results", "items", "artifacts", "units"):
                    cols = _columns(out._db, table)
                    n = 0
                    for r in tables[table]:
                        if len(r) != len(cols) or not isinstance(r[0], str):
                            continue
                        if r[0] not in known:
                            placeholder = _fill_run({"run_id": r[0], "status": "salvaged",
                                                     "command": "(salvaged: run record lost)"})
                            w.execute(f"INSERT INTO runs ({','.join(placeholder)}) VALUES "
                                      f"({','.join('?' * len(placeholder))})", tuple(placeholder.values()))
                            known.add(r[0])
                            report.runs.append(r[0])
                            report.orphans += 1
                        verb = {"artifacts": "INSERT OR REPLACE", "units": "INSERT OR IGNORE"}.get(table, "INSERT")
                        w.execute(f"{verb} INTO {table} VALUES ({','.join('?' * len(cols))})", r)
                        n += 1
                        if table == "results":
                            report.per_run[r[0]] = report.per_run.get(r[0], 0) + 1
                    report.rows[table] = n
            report.rows["runs"] = len(report.runs)
        finally:
            out.close()
    return report


def _fill_run(values: dict[str, Any]) -> dict[str, Any]:
    """Defaults for the NOT NULL columns a damaged record may have lost."""
    values.setdefault("created", 0.0)
    for k, default in (("created", 0.0), ("status", "salvaged"), ("command", "?"),
                       ("signature", ""), ("config", "{}")):
        if values.get(k) is None:
            values[k] = default
    try:
        json.loads(values["config"])
    except (TypeError, ValueError):
        values["config"] = "{}"
    return values


def _has_table(db: sqlite3.Connection, table: str) -> bool:
    """Whether the damaged store has ``table`` at all (older stores have no units table)."""
    try:
        return db.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", (table,)).fetchone() is not None
    except sqlite3.Error:
        return True  # the schema itself is damaged: let the scan try and count the damage


def _columns(db: sqlite3.Connection, table: str) -> list[str]:
    return [r[1] for r in db.execute(f"PRAGMA table_info({table})")]


def iter_salvage_lines(report: SalvageReport) -> Iterator[str]:
    """Plain-text lines describing a salvage, for the CLI."""
    yield f"salvaged {len(report.runs)} run(s) from {report.source} into {report.target}"
    for table in ("results", "items", "artifacts"):
        yield f"  {table}: {report.rows.get(table, 0)} row(s)"
    if report.damaged_regions:
        yield f"  {report.damaged_regions} damaged region(s) skipped: rows on them are lost"
    if report.orphans:
        yield f"  {report.orphans} run(s) kept with status 'salvaged' (their run record was lost)"
