"""Progress that tells the truth: per-batch advance, measured rate, a real remaining time.

:class:`ProgressDisplay` is the plain ``cb(description, done, total)`` callback analyses and
the Engine report into (the Engine also passes ``tokens=`` because the display says it accepts
them). Rates are measured from the first update that did real work, so answers that came from
the request cache at start (all at once) do not inflate the speed, and the remaining time is
``(total - done) / rate``, not rich's estimate that shows "-:--:--" after a jump.

On a terminal it draws rich bars with human labels ("bits per byte: sw", "alignment: layer
pass"); elsewhere (a log file, CI) it prints one line per finished unit instead. Under
``--quiet`` nothing is drawn. :func:`loading` shows a spinner with the model's name while it
loads.
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Callable, Iterator

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.text import Text

from ..progress_stage import current_stage
from .app import console, state

#: Engine request kinds and analysis names -> what a person would call the work.
KIND_LABELS = {
    "loglikelihood": "scoring answer choices",
    "rolling": "bits per byte",
    "generate": "generating answers",
    "hidden_states": "alignment: layer pass",
    "tokenizers": "tokenizing",
    "bits_per_byte": "bits per byte",
    "alignment": "alignment",
}


#: What the Engine reports under (its first report of each is the cache's answers).
ENGINE_KINDS = frozenset({"loglikelihood", "rolling", "generate", "hidden_states"})


def human_label(description: str) -> str:
    """The label for a progress description: the current stage if one is set, else the kind's
    words; "name:lang" becomes "name words: lang"."""
    st = current_stage()
    if st:
        return st
    name, sep, rest = description.partition(":")
    base = KIND_LABELS.get(name, name.replace("_", " "))
    return f"{base}: {rest}" if sep and rest else base


def fmt_seconds(s: float | None) -> str:
    """12 s, 3m 05s, 1h 02m; '?' while unknown."""
    if s is None or s != s or s < 0:
        return "?"
    s = int(round(s))
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60}m {s % 60:02d}s"
    return f"{s // 3600}h {s % 3600 // 60:02d}m"


def fmt_rate(per_s: float | None, unit: str) -> str:
    if per_s is None:
        return ""
    if per_s >= 100:
        return f"{per_s:,.0f} {unit}/s"
    return f"{per_s:.1f} {unit}/s" if per_s >= 1 else f"{per_s:.2f} {unit}/s"


@dataclass
class Unit:
    """One progress line: a label's counts, timing and token tally."""

    label: str
    total: int
    done: int = 0
    base_done: int = 0              # answered before any work (from the cache)
    started: float | None = None    # clock at the first update (the work's start)
    updated: float | None = None
    tokens: int = 0
    reported: bool = False
    task_id: int | None = field(default=None, repr=False)

    def rate(self) -> float | None:
        """Requests per second over the work done since the first update."""
        if self.started is None or self.updated is None or self.updated <= self.started:
            return None
        worked = self.done - self.base_done
        return worked / (self.updated - self.started) if worked > 0 else None

    def token_rate(self) -> float | None:
        if self.started is None or self.updated is None or self.updated <= self.started or not self.tokens:
            return None
        return self.tokens / (self.updated - self.started)

    def eta(self) -> float | None:
        r = self.rate()
        return (self.total - self.done) / r if r else None


class ProgressDisplay:
    """The progress callback; see the module docstring."""

    accepts_tokens = True

    def __init__(self, out: Console | None = None, clock: Callable[[], float] = time.monotonic,
                 tty: bool | None = None):
        self.console = out or console
        self.clock = clock
        self.tty = self.console.is_terminal if tty is None else tty
        self.units: dict[str, Unit] = {}
        self._loading: tuple[str, float, int | None] | None = None
        self.bars: Progress | None = None
        if self.tty:
            self.bars = Progress(
                SpinnerColumn(finished_text=" "), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                TextColumn("{task.fields[rate]}"), TextColumn("{task.fields[eta]}"), TimeElapsedColumn(),
                console=self.console, transient=False,
            )

    def __call__(self, description: str, done: int, total: int, tokens: int | None = None) -> None:
        now = self.clock()
        if total <= 0:
            if description.startswith("loading "):  # Session: a model starts loading
                self._start_loading(description[len("loading "):], now)
            return  # otherwise an empty call (nothing asked): no line, no bar
        self._end_loading(now)
        label = human_label(description)
        u = self.units.get(label)
        if u is None or (u.reported and done < u.done):
            # The Engine's first report is what the request cache answered before any work;
            # other callers report their first finished piece, which is work done.
            cached = done if description in ENGINE_KINDS else 0
            u = Unit(label, total, done=done, base_done=cached, started=now, updated=now)
            self.units[label] = u
        else:
            u.done, u.total, u.updated = done, total, now
        u.tokens += int(tokens or 0)
        if self.bars is not None:
            fields = {"rate": self._rates(u), "eta": f"ETA {fmt_seconds(u.eta())}" if u.done < u.total else ""}
            if u.task_id is None:
                u.task_id = self.bars.add_task(label, total=total, completed=done, **fields)
            else:
                self.bars.update(u.task_id, completed=done, total=total, **fields)
        if u.done >= u.total and not u.reported:
            u.reported = True
            if self.bars is None:
                self.console.print(Text(self.line(u)), soft_wrap=True, highlight=False)

    def _start_loading(self, what: str, now: float) -> None:
        self._end_loading(now)
        self._loading = (what, now, None)
        if self.bars is not None:
            task = self.bars.add_task(f"loading {what}", total=None, rate="", eta="")
            self._loading = (what, now, task)
        else:
            self.console.print(Text(f"loading {what} ..."), highlight=False)

    def _end_loading(self, now: float) -> None:
        if self._loading is None:
            return
        what, t0, task = self._loading
        self._loading = None
        done = f"loaded {what} in {fmt_seconds(now - t0)}"
        if self.bars is not None and task is not None:
            self.bars.update(task, description=done, total=1, completed=1)
        else:
            self.console.print(Text(done), highlight=False)

    def line(self, u: Unit) -> str:
        """The one line a finished unit gets on a non-terminal."""
        took = (u.updated or 0) - (u.started or 0)
        cached = f", {u.base_done} from cache" if u.base_done else ""
        rates = self._rates(u)
        return f"{u.label}: {u.done}/{u.total} done in {fmt_seconds(took)}{cached}" + (f" ({rates})" if rates else "")

    def _rates(self, u: Unit) -> str:
        parts = [fmt_rate(u.rate(), "req"), fmt_rate(u.token_rate(), "tok")]
        return ", ".join(p for p in parts if p)

    def start(self) -> None:
        if self.bars is not None:
            self.bars.start()

    def stop(self) -> None:
        self._end_loading(self.clock())
        if self.bars is not None:
            self.bars.stop()
            return
        for u in self.units.values():  # say where unfinished units stopped
            if not u.reported:
                self.console.print(Text(f"{u.label}: stopped at {u.done}/{u.total}"), highlight=False)


@contextmanager
def progress_callback() -> Iterator[ProgressDisplay | None]:
    """Yield the progress callback, or None under --quiet."""
    if state["quiet"]:
        yield None
        return
    display = ProgressDisplay()
    display.start()
    try:
        yield display
    finally:
        display.stop()


@contextmanager
def loading(what: str, out: Console | None = None, clock: Callable[[], float] = time.monotonic) -> Iterator[None]:
    """A spinner with ``what`` (e.g. "model gemma-3-270m") while it loads; on a non-terminal
    one line before and one after with the time taken."""
    if state["quiet"]:
        yield
        return
    c = out or console
    t0 = clock()
    if c.is_terminal:
        with c.status(Text(f"loading {what}"), spinner="dots"):
            yield
        c.print(Text(f"loaded {what} in {fmt_seconds(clock() - t0)}"), highlight=False)
        return
    c.print(Text(f"loading {what} ..."), highlight=False)
    yield
    c.print(Text(f"loaded {what} in {fmt_seconds(clock() - t0)}"), highlight=False)
