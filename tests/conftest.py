"""Shared test fixtures.

``shared_data`` points at ../shared/data (real benchmark samples beside the repo on our
machines and in CI); tests that need it skip cleanly in a user's clone that has none.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("BABELSCOPE_SHARED_DATA", REPO.parent / "shared" / "data"))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"no shared benchmark samples at {SHARED_DATA}")
    return SHARED_DATA
