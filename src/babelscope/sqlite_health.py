"""Is an SQLite file sound? Checks shared by the results store and the request cache.

SQLite opens a truncated or overwritten file without complaint and fails later, on whichever
query first touches a missing page, with a bare ``DatabaseError``; a 0-byte file opens as an
empty database, so lost runs look like "no runs yet". These checks run at open time so both
cases are named before any work starts: first the file itself (size, header, page count),
then ``PRAGMA quick_check`` over the b-trees.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

#: Every SQLite 3 database file starts with these 16 bytes.
SQLITE_HEADER = b"SQLite format 3\x00"
_HEADER_SIZE = 100


def file_problem(path: str | Path) -> str | None:
    """Why the file at ``path`` is not a sound SQLite database, or None (also when missing).

    Reads only the 100-byte header, so it is cheap enough for every open. A main file that is
    empty while a non-empty write-ahead log sits beside it is left to SQLite: that is how a
    freshly created WAL database can look for an instant.
    """
    p = Path(path)
    if not p.exists():
        return None
    size = p.stat().st_size
    wal = Path(str(p) + "-wal")
    live_wal = wal.exists() and wal.stat().st_size > 0
    if size == 0:
        if live_wal:
            return None
        return "is empty (0 bytes): whatever it held is gone"
    with p.open("rb") as f:
        head = f.read(_HEADER_SIZE)
    if len(head) < _HEADER_SIZE or not head.startswith(SQLITE_HEADER):
        return "does not start with an SQLite header (truncated or overwritten)"
    page_size = int.from_bytes(head[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    if page_size < 512 or page_size & (page_size - 1):
        return f"has a damaged header (page size {page_size})"
    # The header's page count is valid when the "version-valid-for" number equals the change
    # counter (SQLite >= 3.7.0 keeps them in step). A file shorter than that count was cut off.
    pages = int.from_bytes(head[28:32], "big")
    # With a write-ahead log present another process may be checkpointing right now (header
    # first, file extended after): only quick_check, under SQLite's locks, can judge then.
    if pages and not live_wal and head[24:28] == head[92:96] and size < pages * page_size:
        return f"is truncated ({size:,} bytes of the {pages * page_size:,} its header promises)"
    return None


def quick_check(db: sqlite3.Connection) -> str | None:
    """The first problems ``PRAGMA quick_check`` finds, or None when it says "ok"."""
    rows = [r[0] for r in db.execute("PRAGMA quick_check(3)").fetchall()]
    if rows == ["ok"]:
        return None
    return "fails SQLite's integrity check (" + "; ".join(str(r) for r in rows) + ")"


def is_readonly_error(e: BaseException) -> bool:
    """An SQLite error that means "cannot write here", not "the file is damaged"."""
    text = str(e).lower()
    return any(s in text for s in ("readonly", "read-only", "unable to open", "disk i/o error",
                                   "permission", "unable to write"))
