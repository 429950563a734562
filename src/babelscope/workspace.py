"""Where runs live: one workspace folder holding the results store, reports and caches.

Every command that reads or writes results resolves the folder the same way (option, then
$BABELSCOPE_WORKSPACE, then ./babelscope_runs), so `run`, `runs`, `show`, `export` and
`report` always agree on which store they mean.
"""

from __future__ import annotations

import os
from pathlib import Path

from .errors import BabelscopeError
from .store import Store

#: Environment variable naming the default workspace folder.
ENV_VAR = "BABELSCOPE_WORKSPACE"
DEFAULT_DIR = "babelscope_runs"
STORE_FILE = "results.sqlite"


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
    return Store(path)
