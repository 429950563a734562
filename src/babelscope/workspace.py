"""Where runs live: one workspace folder holding the results store, reports and caches.

Every command that reads or writes results resolves the folder the same way (option, then
$BABELSCOPE_WORKSPACE, then ./babelscope_runs), so `run`, `runs`, `show`, `export` and
`report` always agree on which store they mean.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import Iterable, Iterator

from .errors import BabelscopeError, StoreError
from .store import Store

#: Environment variable naming the default workspace folder.
ENV_VAR = "BABELSCOPE_WORKSPACE"
DEFAULT_DIR = "babelscope_runs"
STORE_FILE = "results.sqlite"
CACHE_FILE = "request_cache.sqlite"


def workspace_dir(path: str | Path | None = None) -> Path:
    """The workspace folder: ``path`` if given, else $BABELSCOPE_WORKSPACE, else ./babelscope_runs."""
    if path is None or str(path) == "":
        path = os.environ.get(ENV_VAR) or DEFAULT_DIR
    ws = Path(path).expanduser()
    if ws.exists() and not ws.is_dir():
        raise BabelscopeError(f"workspace {ws} is a file, not a folder (set --workspace or ${ENV_VAR})")
    return ws


def store_path(workspace: str | Path | None = None) -> Path:
    """The results store file inside the workspace."""
    return workspace_dir(workspace) / STORE_FILE


def open_store(workspace: str | Path | None = None, create: bool = True) -> Store:
    """Open the workspace's store; with ``create=False`` a missing store is a user error.

    Read-only commands pass ``create=False`` so that a mistyped workspace says so instead of
    silently creating an empty database and reporting "no runs".
    """
    path = store_path(workspace)
    if not create and not path.exists():
        raise BabelscopeError(
            f"no results store at {path}; pass --workspace DIR or set ${ENV_VAR} "
            "to the folder a `babelscope run` wrote to"
        )
    if not create:
        try:
            return Store(path)
        except StoreError as e:
            if "cannot write" not in str(e):
                raise
            return Store(path, readonly=True)  # a read-only workspace can still be read
    return Store(path)


@contextlib.contextmanager
def reading_store(workspace: str | Path | None = None, required: bool = True) -> Iterator[Store | None]:
    """An existing store of earlier runs, closed on exit; never creates one.

    A missing store is an error naming the path when ``required``, else yields None (for
    readers that only add stored results when there are some).
    """
    if not required and not store_path(workspace).exists():
        yield None
        return
    store = open_store(workspace, create=False)
    try:
        yield store
    finally:
        store.close()


def workspace_outputs(workspace: str | Path | None = None) -> list[Path]:
    """The paths a run writes inside the workspace (folder, store, request cache, reports)."""
    ws = workspace_dir(workspace)
    return [ws, ws / STORE_FILE, ws / CACHE_FILE, ws / "reports"]


def check_writable(paths: Iterable[str | Path | None]) -> None:
    """Fail before any slow work when an output location cannot be written.

    Call it first, with every path a command will write (``workspace_outputs(ws)`` plus
    ``--out``, ``--log-samples`` ...; None entries are skipped). Each path is probed by
    really creating a file beside it (and opening an existing file for update), because
    permission bits say nothing on a read-only mount, an immutable file, or for root. Nothing
    is left behind and no folder is created. Raises :class:`StoreError` (exit 2) naming every
    path that cannot be written and why.
    """
    problems = []
    for p in paths:
        if p is None or str(p) == "-":
            continue
        reason = _unwritable(Path(p).expanduser())
        if reason:
            problems.append(f"{p} ({reason})")
    if problems:
        raise StoreError("cannot write " + "; ".join(problems)
                         + "; choose a writable location (e.g. --workspace DIR) before the run starts")


def _unwritable(path: Path) -> str | None:
    if path.exists():
        if path.is_dir():
            return _probe_dir(path)
        try:
            with path.open("r+b"):
                pass
        except OSError as e:
            return e.strerror or str(e)
        return _probe_dir(path.parent)  # SQLite also writes -wal/-shm files beside it
    parent = path.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        return f"{parent} is a file, not a folder"
    return _probe_dir(parent)


def _probe_dir(folder: Path) -> str | None:
    try:
        fd, name = tempfile.mkstemp(prefix=".babelscope-write-probe-", dir=folder)
    except OSError as e:
        return e.strerror or str(e)
    os.close(fd)
    try:
        os.unlink(name)
    except OSError:
        pass
    return None
