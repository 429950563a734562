"""What the program is doing right now, in words, for progress displays.

The Engine reports progress by request kind ("rolling", "hidden_states"), which says nothing
about which analysis or language is being worked on. Code that knows (an analysis looping over
languages) wraps its engine calls in ``with stage("bits per byte", "sw"):`` and the display
labels the bar "bits per byte: sw". A context variable, so threads and nested stages each see
their own; nothing here imports the CLI.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from typing import Iterator

_STAGE: ContextVar[str | None] = ContextVar("babelscope_progress_stage", default=None)


@contextmanager
def stage(what: str, language: str | None = None) -> Iterator[None]:
    """Label the work done inside the block ("bits per byte", "sw" -> "bits per byte: sw")."""
    token = _STAGE.set(f"{what}: {language}" if language else what)
    try:
        yield
    finally:
        _STAGE.reset(token)


def current_stage() -> str | None:
    return _STAGE.get()
