"""The results store: one SQLite file per workspace.

WAL mode, and every write is one transaction, so an interrupted run leaves either a whole
analysis's rows or none of them. Reports and exports read only from here.
"""

from __future__ import annotations

import functools
import json
import os
import shlex
import socket
import sqlite3
import sys
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Sequence, TypeVar

from .errors import BabelscopeError, StoreError
from .results import ResultRow
from .sqlite_health import file_problem, is_readonly_error, quick_check

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

#: Columns added after the first release: added to an older store when it is opened (old
#: versions of babelscope read runs by position, so new columns only ever go at the end).
RUN_COLUMNS_ADDED = (
    ("pid", "INTEGER"),        # the process that runs it, to tell a killed run from a live one
    ("host", "TEXT"),
    ("proc_start", "REAL"),    # that process's start time, so a reused pid is not taken as alive
    ("resume", "TEXT"),        # the command line that reruns (and so resumes) it, if known
    ("cwd", "TEXT"),           # the folder it was started in (the command's paths are relative)
)

#: Options whose values never reach the store (the resume command is stored as typed).
_SECRET_WORDS = ("token", "secret", "password", "passwd", "key")

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
    pid: int | None = None
    host: str | None = None
    proc_start: float | None = None
    resume: str | None = None
    cwd: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id, "created": self.created, "finished": self.finished,
            "status": self.status, "command": self.command, "signature": self.signature,
            "config": self.config, "resume": self.resume,
        }


_F = TypeVar("_F", bound=Callable[..., Any])


def _sqlite_errors(method: _F) -> _F:
    """Turn SQLite's errors into a StoreError that names the file (exit 2, no traceback)."""

    @functools.wraps(method)
    def wrapper(self: "Store", *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except sqlite3.Error as e:
            raise self._error(e) from e

    return wrapper  # type: ignore[return-value]


class Store:
    """A results database. Cheap to open; use one per process.

    Opening checks the file (header, length, ``PRAGMA quick_check``): a damaged or empty store
    raises :class:`StoreError` naming the file and what ``babelscope doctor`` can salvage,
    instead of failing later on a query or passing for an empty store. ``readonly=True`` opens
    without writing anything (no schema, no migration), for commands that only read.
    """

    def __init__(self, path: str | Path, readonly: bool = False, check: bool = True):
        self.path = Path(path)
        self.readonly = readonly
        if check:
            problem = file_problem(self.path)
            if problem:
                raise corrupt_store_error(self.path, problem)
        try:
            if readonly:
                self._db = _connect_readonly(self.path)
            else:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._db = sqlite3.connect(str(self.path), timeout=30)
                self._db.execute("PRAGMA journal_mode=WAL")
                self._db.execute("PRAGMA synchronous=NORMAL")
                self._db.executescript(SCHEMA)
                self._migrate()
            problem = quick_check(self._db) if check else None
        except OSError as e:
            raise StoreError(f"{self.path}: cannot create the results store: {e.strerror or e}") from e
        except sqlite3.Error as e:
            raise self._error(e) from e
        if problem:
            self._db.close()
            raise corrupt_store_error(self.path, problem)

    def _error(self, e: sqlite3.Error) -> StoreError:
        if is_readonly_error(e):
            return StoreError(
                f"{self.path}: cannot write the results store ({e}); make the workspace writable "
                "or pass --workspace DIR for a writable folder"
            )
        return corrupt_store_error(self.path, f"cannot be read ({e})")

    def _migrate(self) -> None:
        have = {r[1] for r in self._db.execute("PRAGMA table_info(runs)")}
        for name, kind in RUN_COLUMNS_ADDED:
            if name in have:
                continue
            try:
                with self._db:
                    self._db.execute(f"ALTER TABLE runs ADD COLUMN {name} {kind}")
            except sqlite3.OperationalError as e:
                if "duplicate column" not in str(e).lower():
                    raise  # another process opening the same old store added it first: fine

    def close(self) -> None:
        self._db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        try:
            with self._db:  # commits on success, rolls back on any exception
                yield self._db
        except sqlite3.Error as e:
            raise self._error(e) from e

    # -- runs -------------------------------------------------------------------------------
    def start_run(self, command: str, signature: str, config: dict[str, Any],
                  resume: str | None = None) -> str:
        """Record a run as ``running`` before its work starts, with who runs it.

        The process id, host and the process's start time let :meth:`stale_running_runs` tell
        a run whose process was killed from one still going. ``resume`` is the command line
        that reruns it (default: this process's command line when it is the babelscope CLI).
        """
        run_id = time.strftime("%Y%m%d-%H%M%S-") + uuid.uuid4().hex[:6]
        pid = os.getpid()
        with self.transaction() as db:
            db.execute(
                "INSERT INTO runs (run_id, created, finished, status, command, signature, config,"
                " pid, host, proc_start, resume, cwd) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                (run_id, time.time(), None, "running", command, signature,
                 json.dumps(config, ensure_ascii=False, default=str),
                 pid, socket.gethostname(), process_start_time(pid),
                 resume if resume is not None else cli_command_line(), os.getcwd()),
            )
        return run_id

    def mark_interrupted(self, run_id: str) -> None:
        """Mark a run that stopped before finishing (killed, Ctrl-C) as ``interrupted``."""
        self.finish_run(run_id, "interrupted")

    @_sqlite_errors
    def stale_running_runs(self) -> list[RunInfo]:
        """Runs still marked ``running`` whose process on this host is gone (killed, crashed).

        Runs started on another host, or by a babelscope too old to record its process, are
        never reported: there is no way to tell from here whether they still run.
        """
        host = socket.gethostname()
        rows = self._db.execute("SELECT * FROM runs WHERE status='running' ORDER BY created").fetchall()
        return [r for r in map(_run, rows)
                if r.pid is not None and r.host == host and not process_alive(r.pid, r.proc_start)]

    @_sqlite_errors
    def finish_run(self, run_id: str, status: str = "finished", signature: str | None = None) -> None:
        with self.transaction() as db:
            db.execute("UPDATE runs SET finished=?, status=? WHERE run_id=?", (time.time(), status, run_id))
            if signature is not None:
                db.execute("UPDATE runs SET signature=? WHERE run_id=?", (signature, run_id))

    @_sqlite_errors
    def reopen_run(self, run_id: str) -> None:
        """Mark an unfinished run as running again (a rerun resumes it), now owned by this process."""
        pid = os.getpid()
        with self.transaction() as db:
            db.execute("UPDATE runs SET status='running', finished=NULL WHERE run_id=?", (run_id,))
            # issue 14: the new process, so a live rerun is not taken for the killed one
            db.execute("UPDATE runs SET pid=?, host=?, proc_start=? WHERE run_id=?",
                       (pid, socket.gethostname(), process_start_time(pid), run_id))

    @_sqlite_errors
    def resumable_run(self, command: str, study_hash: str) -> RunInfo | None:
        """The newest run of ``command`` with this study hash that did not finish, if any."""
        for r in self._db.execute(
                "SELECT * FROM runs WHERE command=? AND status!='finished' ORDER BY created DESC", (command,)):
            info = _run(r)
            if info.config.get("study_hash") == study_hash:
                return info
        return None

    @_sqlite_errors
    def runs(self) -> list[RunInfo]:
        cur = self._db.execute("SELECT * FROM runs ORDER BY created DESC")
        return [_run(r) for r in cur.fetchall()]

    @_sqlite_errors
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
    @_sqlite_errors
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

    @_sqlite_errors
    def unit_ids(self, run_id: str) -> set[str]:
        return {r[0] for r in self._db.execute("SELECT unit_id FROM units WHERE run_id=?", (run_id,))}

    @_sqlite_errors
    def units(self, run_id: str) -> list[dict[str, Any]]:
        return [json.loads(r[0]) for r in self._db.execute(
            "SELECT info FROM units WHERE run_id=? ORDER BY finished", (run_id,))]

    @_sqlite_errors
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

    @_sqlite_errors
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

    @_sqlite_errors
    def result_counts(self) -> dict[str, int]:
        """Result rows per run id (for listings, without loading the rows)."""
        return dict(self._db.execute("SELECT run_id, COUNT(*) FROM results GROUP BY run_id").fetchall())

    @_sqlite_errors
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
    extra = tuple(r[7:12]) + (None,) * (12 - len(r))  # pid, host, proc_start, resume, cwd
    return RunInfo(r[0], r[1], r[2], r[3], r[4], r[5], json.loads(r[6]), *extra)


def _connect_readonly(path: Path) -> sqlite3.Connection:
    """Open without writing: plain read-only first, then immutable (for a read-only folder,
    where SQLite cannot create the WAL index; the store is then read as last checkpointed)."""
    if not path.exists():
        raise StoreError(f"no results store at {path}")
    uri = path.resolve().as_uri()
    try:
        db = sqlite3.connect(f"{uri}?mode=ro", uri=True, timeout=30)
        db.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return db
    except sqlite3.OperationalError:
        return sqlite3.connect(f"{uri}?immutable=1", uri=True)


def corrupt_store_error(path: Path, problem: str) -> StoreError:
    """The error for a damaged store: the file, what is wrong, and what can be salvaged."""
    from .sqlite_health import readable_rows

    n = readable_rows(path, "runs")
    workspace = shlex.quote(str(path.parent))
    if n:
        hint = (f"{n} run(s) in it can still be read: `babelscope doctor --workspace {workspace}` "
                "copies them into a new store")
    else:
        hint = ("no run in it can be read; restore it from a backup, or move it away to start "
                "a new store (`babelscope doctor --workspace " + workspace + " --replace` does that)")
    return StoreError(f"results store {path} {problem}; {hint}")


def cli_command_line(argv: Sequence[str] | None = None) -> str | None:
    """This process's command line as a ``babelscope ...`` string, secrets masked; None when
    the process is not the babelscope CLI (tests, notebooks: the caller passes its own)."""
    argv = list(sys.argv if argv is None else argv)
    if not argv:
        return None
    prog = Path(argv[0])
    if not (prog.name == "babelscope" or (prog.name == "__main__.py" and prog.parent.name == "babelscope")):
        return None
    out: list[str] = []
    mask_next = False
    for a in argv[1:]:
        if mask_next:
            out.append("***")
            mask_next = False
            continue
        name, eq, _ = a.partition("=")
        secret = a.startswith("--") and any(w in name.lower() for w in _SECRET_WORDS)
        if secret and eq:
            out.append(f"{name}=***")
        else:
            out.append(a)
            mask_next = secret
    return shlex.join(["babelscope", *out])


def process_start_time(pid: int) -> float | None:
    """When process ``pid`` started (seconds since the epoch), from /proc; None elsewhere."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        btime = next(float(line.split()[1]) for line in Path("/proc/stat").read_text().splitlines()
                     if line.startswith("btime "))
        ticks = int(stat.rsplit(")", 1)[1].split()[19])  # field 22: starttime, in clock ticks
        return btime + ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, StopIteration):
        return None


def process_alive(pid: int, started: float | None = None) -> bool:
    """Whether ``pid`` still runs (and, given its start time, is still the same process)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    except OSError:
        return False
    try:
        if Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z":
            return False  # a zombie: dead, only not yet reaped
    except (OSError, IndexError):
        pass
    now = process_start_time(pid)
    if started is not None and now is not None and abs(now - started) > 2.0:
        return False  # the pid was reused by a later process
    return True
