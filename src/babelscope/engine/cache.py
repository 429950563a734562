"""The request cache: model answers kept in SQLite, keyed by (model signature, request key).

Written one transaction per finished batch (WAL mode), so a run killed half-way keeps every
batch it finished and a rerun recomputes nothing it already has. The model signature in the
key means a different model, revision, dtype or tokenizer never reads another's answers.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from typing import Iterable, Mapping

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
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(self.path), timeout=60, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(SCHEMA)
        self._lock = threading.Lock()

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
