"""The version is written in three places until the package root imports it from version.py."""

from __future__ import annotations

import tomllib
from pathlib import Path

import babelscope
from babelscope.version import __version__


def test_one_version_everywhere():
    """version.py (what the report and trim provenance print), the package root and the
    distribution metadata in pyproject.toml must name the same version."""
    pyproject = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text(encoding="utf-8"))
    assert __version__ == babelscope.__version__ == pyproject["project"]["version"]
