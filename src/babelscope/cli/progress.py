"""A rich progress display that analyses and the engine report into via a plain callback."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Callable, Iterator

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from .app import console, state


@contextmanager
def progress_callback() -> Iterator[Callable[[str, int, int], None] | None]:
    """Yield ``cb(description, done, total)``, or None under --quiet."""
    if state["quiet"]:
        yield None
        return
    bars = Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
        TimeElapsedColumn(), TimeRemainingColumn(), console=console, transient=False,
    )
    tasks: dict[str, int] = {}

    def cb(description: str, done: int, total: int) -> None:
        if description not in tasks:
            tasks[description] = bars.add_task(description, total=total)
        bars.update(tasks[description], completed=done, total=total)

    with bars:
        yield cb
