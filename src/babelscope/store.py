"""The results store: one SQLite file per workspace.

WAL mode, and every write is one transaction, so an interrupted run leaves either a whole
analysis's rows or none of them. Reports and exports read only from here.
"""

from __future__ import annotations

import json
import sqlite3
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

from .errors import BabelscopeError
from .results import ResultRow

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    run_id      TEXT PRIMARY KEY,
    created     REAL NOT NULL,
    finished    REAL,
    status      TEXT NOT NULL,
    command     TEXT NOT NULL,
    signature   TEXT NOT NULL,
    config      TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS results (
    run_id      TEXT NOT NULL REFERENCES runs(run_id),
    kind        TEXT NOT NULL,
    name        TEXT NOT NULL,
    metric      TEXT NOT NULL,
    variant     TEXT NOT NULL,
    tag         TEXT NOT NULL,
    iso639_3    TEXT NOT NULL,
    script      TEXT NOT NULL,
    family      TEXT NOT NULL,
    corpus_code TEXT NOT NULL,
    value       REAL,
    ci_low      REAL,
    ci_high     REAL,
    n           INTEGER,
    extra       TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS results_run ON results(run_id, name);
CREATE TABLE IF NOT EXISTS items (
    run_id      TEXT NOT NULL REFERENCES runs(run_id),
    name        TEXT NOT NULL,
    tag         TEXT NOT NULL,
    item_id     TEXT NOT NULL,
    data        TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS items_run ON items(run_id, name);
CREATE TABLE IF NOT EXISTS units (
    run_id      TEXT NOT NULL REFERENCES runs(run_id),
    unit_id     TEXT NOT NULL,
    kind        TEXT NOT NULL,
    name        TEXT NOT NULL,
    model       TEXT,
    status      TEXT NOT NULL,
    signature   TEXT NOT NULL,
    info        TEXT NOT NULL,
    finished    REAL NOT NULL,
    PRIMARY KEY (run_id, unit_id)
);
CREATE TABLE IF NOT EXISTS artifacts (
    run_id      TEXT NOT NULL REFERENCES runs(run_id),
    name        TEXT NOT NULL,
    data        TEXT NOT NULL,
    PRIMARY KEY (run_id, name)
);
"""

ROW_COLUMNS = (
    "kind", "name", "metric", "variant", "tag", "iso639_3", "script", "family",
    "corpus_code", "value", "ci_low", "ci_high", "n",
)


@dataclass(frozen=True)
class RunInfo:
    run_id: str
    created: float
    finished: float | None
    status: str
    command: str
    signature: str
    config: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id, "created": self.created, "finished": self.finished,
            "status": self.status, "command": self.command, "signature": self.signature,
            "config": self.config,
        }


class Store:
    """A results database. Cheap to open; use one per process."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(self.path), timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(SCHEMA)

    def close(self) -> None:
        self._db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        with self._db:  # commits on success, rolls back on any exception
            yield self._db

    # -- runs -------------------------------------------------------------------------------
    def start_run(self, command: str, signature: str, config: dict[str, Any]) -> str:
        run_id = time.strftime("%Y%m%d-%H%M%S-") + uuid.uuid4().hex[:6]
        with self.transaction() as db:
            db.execute(
                "INSERT INTO runs VALUES (?,?,?,?,?,?,?)",
                (run_id, time.time(), None, "running", command, signature,
                 json.dumps(config, ensure_ascii=False, default=str)),
            )
        return run_id

    def finish_run(self, run_id: str, status: str = "finished", signature: str | None = None) -> None:
        with self.transaction() as db:
            db.execute("UPDATE runs SET finished=?, status=? WHERE run_id=?", (time.time(), status, run_id))
            if signature is not None:
                db.execute("UPDATE runs SET signature=? WHERE run_id=?", (signature, run_id))

    def reopen_run(self, run_id: str) -> None:
        """Mark an unfinished run as running again (a rerun resumes it)."""
        with self.transaction() as db:
            db.execute("UPDATE runs SET status='running', finished=NULL WHERE run_id=?", (run_id,))

    def resumable_run(self, command: str, study_hash: str) -> RunInfo | None:
        """The newest run of ``command`` with this study hash that did not finish, if any."""
        for r in self._db.execute(
                "SELECT * FROM runs WHERE command=? AND status!='finished' ORDER BY created DESC", (command,)):
            info = _run(r)
            if info.config.get("study_hash") == study_hash:
                return info
        return None

    def runs(self) -> list[RunInfo]:
        cur = self._db.execute("SELECT * FROM runs ORDER BY created DESC")
        return [_run(r) for r in cur.fetchall()]

    def run(self, run_id: str) -> RunInfo:
        """A run by id, a unique id prefix, or "latest"."""
        if run_id == "latest":
            r = self._db.execute("SELECT * FROM runs ORDER BY created DESC LIMIT 1").fetchone()
            if r is None:
                raise BabelscopeError(f"{self.path}: the store holds no runs yet")
            return _run(r)
        if not run_id:
            raise BabelscopeError(f"{self.path}: empty run id; give a run id, a unique prefix or 'latest'")
        # substr, not LIKE: '%' and '_' in a typed prefix must not act as wildcards.
        rows = self._db.execute(
            "SELECT * FROM runs WHERE substr(run_id, 1, ?) = ? ORDER BY created", (len(run_id), run_id)
        ).fetchall()
        if len(rows) == 1:
            return _run(rows[0])
        if not rows:
            known = [r.run_id for r in self.runs()[:5]]
            raise BabelscopeError(
                f"{self.path}: no run {run_id!r}" + (f"; latest runs: {', '.join(known)}" if known else "")
            )
        raise BabelscopeError(f"run id prefix {run_id!r} is ambiguous: {', '.join(r[0] for r in rows)}")

    # -- rows -------------------------------------------------------------------------------
    def add_results(
        self,
        run_id: str,
        rows: Sequence[ResultRow],
        items: Iterable[tuple[str, str, str, dict[str, Any]]] = (),
        artifacts: dict[str, Any] | None = None,
    ) -> None:
        """Write one analysis's rows, per-item records and artifacts in a single transaction.

        ``items`` are (name, language tag, item id, data) tuples.
        """
        with self.transaction() as db:
            db.executemany(
                f"INSERT INTO results VALUES (?,{','.join('?' * len(ROW_COLUMNS))},?)",  # run_id, columns, extra
                [_row_tuple(run_id, r) for r in rows],
            )
            db.executemany(
                "INSERT INTO items VALUES (?,?,?,?,?)",
                [(run_id, n, t, i, json.dumps(d, ensure_ascii=False, default=str)) for n, t, i, d in items],
            )
            for name, data in (artifacts or {}).items():
                db.execute(
                    "INSERT OR REPLACE INTO artifacts VALUES (?,?,?)",
                    (run_id, name, json.dumps(data, ensure_ascii=False, default=str)),
                )

    # -- units: one record per (run, unit), written with the unit's rows -------------------------
    def add_unit(
        self,
        run_id: str,
        unit: dict[str, Any],
        rows: Sequence[ResultRow],
        items: Iterable[tuple[str, str, str, dict[str, Any]]] = (),
        artifacts: dict[str, Any] | None = None,
    ) -> bool:
        """Write a unit's record, rows, items and artifacts in ONE transaction.

        Returns False (and writes nothing) when this run already holds the unit: running a unit
        twice never duplicates its rows. Artifacts with a name the run already has are merged
        (dictionaries key by key), so units of one run can each add to a shared table.
        """
        with self.transaction() as db:
            if db.execute("SELECT 1 FROM units WHERE run_id=? AND unit_id=?", (run_id, unit["id"])).fetchone():
                return False
            db.execute("INSERT INTO units VALUES (?,?,?,?,?,?,?,?,?)", (
                run_id, unit["id"], unit["kind"], unit["name"], unit.get("model"), unit.get("status", "done"),
                unit.get("signature", ""), json.dumps(unit, ensure_ascii=False, default=str), time.time()))
            db.executemany(
                f"INSERT INTO results VALUES (?,{','.join('?' * len(ROW_COLUMNS))},?)",
                [_row_tuple(run_id, r) for r in rows],
            )
            db.executemany(
                "INSERT INTO items VALUES (?,?,?,?,?)",
                [(run_id, n, t, i, json.dumps(d, ensure_ascii=False, default=str)) for n, t, i, d in items],
            )
            for name, data in (artifacts or {}).items():
                old = db.execute("SELECT data FROM artifacts WHERE run_id=? AND name=?", (run_id, name)).fetchone()
                if old is not None:
                    data = _merge(json.loads(old[0]), data)
                db.execute("INSERT OR REPLACE INTO artifacts VALUES (?,?,?)",
                           (run_id, name, json.dumps(data, ensure_ascii=False, default=str)))
        return True

    def unit_ids(self, run_id: str) -> set[str]:
        return {r[0] for r in self._db.execute("SELECT unit_id FROM units WHERE run_id=?", (run_id,))}

    def units(self, run_id: str) -> list[dict[str, Any]]:
        return [json.loads(r[0]) for r in self._db.execute(
            "SELECT info FROM units WHERE run_id=? ORDER BY finished", (run_id,))]

    def results(self, run_id: str, name: str | None = None) -> list[dict[str, Any]]:
        q = "SELECT * FROM results WHERE run_id=?"
        args: list[Any] = [run_id]
        if name:
            q += " AND name=?"
            args.append(name)
        cur = self._db.execute(q + " ORDER BY rowid", args)
        cols = [c[0] for c in cur.description]
        out = []
        for r in cur.fetchall():
            d = dict(zip(cols, r))
            extra = json.loads(d.pop("extra"))
            d["language"] = d["tag"]
            d.update(extra)
            out.append(d)
        return out

    def items(self, run_id: str, name: str | None = None) -> list[dict[str, Any]]:
        q = "SELECT name, tag, item_id, data FROM items WHERE run_id=?"
        args: list[Any] = [run_id]
        if name:
            q += " AND name=?"
            args.append(name)
        return [
            {"name": n, "language": t, "item_id": i, **json.loads(d)}
            for n, t, i, d in self._db.execute(q + " ORDER BY rowid", args)
        ]

    def result_counts(self) -> dict[str, int]:
        """Result rows per run id (for listings, without loading the rows)."""
        return dict(self._db.execute("SELECT run_id, COUNT(*) FROM results GROUP BY run_id").fetchall())

    def artifacts(self, run_id: str) -> dict[str, Any]:
        return {
            n: json.loads(d)
            for n, d in self._db.execute("SELECT name, data FROM artifacts WHERE run_id=?", (run_id,))
        }


def _row_tuple(run_id: str, r: ResultRow) -> tuple:
    d = r.to_dict()
    lang = {**r.language.row_fields(), "tag": r.language.tag}  # row_fields names the tag "language"
    base = {k: d[k] for k in ROW_COLUMNS if k in d}
    base.update({k: lang[k] for k in ("tag", "iso639_3", "script", "family")})
    known = set(ROW_COLUMNS) | {"language"}  # language_name is not a column: it travels in extra
    extra = {k: v for k, v in d.items() if k not in known}
    return (run_id, *[base.get(k) if base.get(k) is not None or k in ("value", "ci_low", "ci_high", "n") else "" for k in ROW_COLUMNS], json.dumps(extra, ensure_ascii=False, default=str))


def _merge(old: Any, new: Any) -> Any:
    """Dictionaries merged key by key (recursively); anything else: the new value wins."""
    if isinstance(old, dict) and isinstance(new, dict):
        out = dict(old)
        for k, v in new.items():
            out[k] = _merge(old[k], v) if k in old else v
        return out
    return new


def _run(r: tuple) -> RunInfo:
    return RunInfo(r[0], r[1], r[2], r[3], r[4], r[5], json.loads(r[6]))
