"""Is an SQLite file sound? Checks shared by the results store and the request cache.

SQLite opens a truncated or overwritten file without complaint and fails later, on whichever
query first touches a missing page, with a bare ``DatabaseError``; a 0-byte file opens as an
empty database, so lost runs look like "no runs yet". These checks run at open time so both
cases are named before any work starts: first the file itself (size, header, page count),
then ``PRAGMA quick_check`` over the b-trees.
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
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


# -- reading what a damaged file still holds (store_salvage builds on these) ---------------------

#: Stop skipping ahead past a damaged region once the step grows beyond this many rowids.
_MAX_SKIP = 1 << 40


def readable_rows(path: str | Path, table: str = "runs") -> int:
    """How many rows of ``table`` a damaged database still yields (0 when nothing can be read)."""
    try:
        with private_copy(Path(path)) as db:
            if db is None:
                return 0
            rows, _ = scan_table(db, table)
            return len(rows)
    except (OSError, sqlite3.Error):
        return 0


def scan_table(db: sqlite3.Connection, table: str) -> tuple[list[tuple], int]:
    """All readable rows of ``table`` in rowid order, and how many damaged regions were skipped."""
    rows: list[tuple] = []
    try:
        db.execute(f"SELECT 1 FROM {table} LIMIT 0").fetchall()
    except sqlite3.Error:
        return rows, 1  # the table's schema or root page is gone
    pos, step, skipped = 0, 1, 0
    while True:
        try:
            for r in db.execute(f"SELECT rowid, * FROM {table} WHERE rowid > ? ORDER BY rowid", (pos,)):
                rows.append(tuple(r[1:]))
                pos, step = r[0], 1
            return rows, skipped
        except sqlite3.Error:
            if step == 1:
                skipped += 1
            pos += step
            step *= 2
            if step > _MAX_SKIP:
                return rows, skipped


class private_copy:
    """Context manager: a connection to a temporary copy of ``path`` (+ its WAL), or None
    when the file has no SQLite header at all (nothing to read)."""

    def __init__(self, path: Path):
        self.path = path
        self.tmp: tempfile.TemporaryDirectory[str] | None = None
        self.db: sqlite3.Connection | None = None

    def __enter__(self) -> sqlite3.Connection | None:
        if not self.path.exists():
            return None
        with self.path.open("rb") as f:
            if not f.read(16).startswith(SQLITE_HEADER):
                return None
        self.tmp = tempfile.TemporaryDirectory(prefix="babelscope-salvage-")
        copy = Path(self.tmp.name) / "store.sqlite"
        shutil.copyfile(self.path, copy)
        # A cut inside a page leaves half a page that SQLite would read zero-padded, turning
        # its rows into wrong values: keep whole pages only.
        with copy.open("r+b") as f:
            head = f.read(18)
            page = int.from_bytes(head[16:18], "big") if len(head) == 18 else 0
            page = 65536 if page == 1 else page
            size = copy.stat().st_size
            if page >= 512 and size % page:
                f.truncate(size - size % page)
        wal = Path(str(self.path) + "-wal")
        if wal.exists():
            shutil.copyfile(wal, str(copy) + "-wal")
        self.db = sqlite3.connect(str(copy))
        # Lets SQLite read a file shorter than its header says (it refuses otherwise); only
        # the private copy is opened this way, and nothing is written through it.
        self.db.execute("PRAGMA writable_schema=ON")
        return self.db

    def __exit__(self, *exc: object) -> None:
        if self.db is not None:
            self.db.close()
        if self.tmp is not None:
            self.tmp.cleanup()


