"""The request cache: model answers kept in SQLite, keyed by (model signature, request key).

Written one transaction per finished batch (WAL mode), so a run killed half-way keeps every
batch it finished and a rerun recomputes nothing it already has. The model signature in the
key means a different model, revision, dtype or tokenizer never reads another's answers.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
from pathlib import Path
from typing import Iterable, Mapping

from ..errors import StoreError
from ..sqlite_health import file_problem, is_readonly_error, quick_check

log = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS responses (
    model   TEXT NOT NULL,
    key     TEXT NOT NULL,
    kind    TEXT NOT NULL,
    value   BLOB NOT NULL,
    PRIMARY KEY (model, key)
) WITHOUT ROWID;
"""

#: SQLite caps the number of bound parameters per statement; look keys up in slices.
_LOOKUP_SLICE = 500


class RequestCache:
    """Bytes per (model signature, request key); the engine decides how values are encoded."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        #: Where a damaged cache file was moved to (None when the cache was sound).
        self.moved_aside: Path | None = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise StoreError(f"{self.path.parent}: cannot create the request cache's folder ({e.strerror or e})") from e
        problem = file_problem(self.path)
        if problem is None:
            try:
                self._db = self._open()
                problem = quick_check(self._db)
                if problem:
                    self._db.close()
            except sqlite3.Error as e:
                if is_readonly_error(e):
                    raise StoreError(f"{self.path}: cannot write the request cache ({e}); "
                                     "make the workspace writable or choose another --workspace") from e
                problem = f"cannot be read ({e})"
        if problem:
            # Only a cache: keep the damaged file for inspection, start an empty one.
            self.moved_aside = self._move_aside()
            log.warning("request cache %s %s; moved it to %s and starting an empty cache "
                        "(answers are recomputed)", self.path, problem, self.moved_aside)
            self._db = self._open()
        self._lock = threading.Lock()

    def _open(self) -> sqlite3.Connection:
        db = sqlite3.connect(str(self.path), timeout=60, check_same_thread=False)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.executescript(SCHEMA)
        return db

    def _move_aside(self) -> Path:
        target = self.path.with_name(f"{self.path.name}.corrupt-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}")
        try:
            os.replace(self.path, target)
        except OSError as e:
            raise StoreError(f"request cache {self.path} is damaged and cannot be moved aside "
                             f"({e.strerror or e}); delete it by hand (it is only a cache)") from e
        for suffix in ("-wal", "-shm"):
            side = Path(str(self.path) + suffix)
            if side.exists():
                try:
                    os.replace(side, Path(str(target) + suffix))
                except OSError:
                    side.unlink(missing_ok=True)
        return target

    def get_many(self, model: str, keys: Iterable[str]) -> dict[str, bytes]:
        keys = list(keys)
        out: dict[str, bytes] = {}
        with self._lock:
            for s in range(0, len(keys), _LOOKUP_SLICE):
                part = keys[s: s + _LOOKUP_SLICE]
                q = f"SELECT key, value FROM responses WHERE model=? AND key IN ({','.join('?' * len(part))})"
                out.update({k: bytes(v) for k, v in self._db.execute(q, (model, *part))})
        return out

    def put_many(self, model: str, kind: str, values: Mapping[str, bytes]) -> None:
        """Store one batch of answers in a single transaction (all or nothing)."""
        with self._lock, self._db:
            self._db.executemany(
                "INSERT OR REPLACE INTO responses (model, key, kind, value) VALUES (?,?,?,?)",
                [(model, k, kind, sqlite3.Binary(v)) for k, v in values.items()],
            )

    def count(self, model: str | None = None) -> int:
        with self._lock:
            if model is None:
                return int(self._db.execute("SELECT COUNT(*) FROM responses").fetchone()[0])
            return int(self._db.execute("SELECT COUNT(*) FROM responses WHERE model=?", (model,)).fetchone()[0])

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> "RequestCache":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
