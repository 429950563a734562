"""The measured S x T transfer matrix: demonstrations in source S, test in target T.

An evaluation under conditions ``demos=S1,S2,...`` over languages ``T1,T2,...`` yields one
row per (task, T, condition); this module reads those rows back (from the store or from
ResultRows) into matrices, one per task, metric and remaining condition (literals, shots,
script). Rows name their source language in typed ``source_*`` fields (see
:func:`source_fields`); older rows without them are read from the condition name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Sequence

from ..errors import BabelscopeError
from ..languages import Language


def source_fields(condition_name: str) -> dict[str, Any]:
    """``source_language``/``source_iso639_3``/... for a condition naming a demo language.

    The language columns of :meth:`Language.row_fields`, prefixed with ``source_``; empty for
    ``demos=same`` (the source is the target itself) and for conditions without demos.
    """
    demos = condition_part(condition_name, "demos")
    if not demos or demos == "same":
        return {}
    lang = Language.parse(demos)
    return {f"source_{k}" if k != "language" else "source_language": v for k, v in lang.row_fields().items()}


def annotate_rows(rows: Iterable[Any]) -> None:
    """Add :func:`source_fields` to each ResultRow's ``extra`` in place (hook for rows_for)."""
    for r in rows:
        cond = r.extra.get("condition")
        if isinstance(cond, str):
            r.extra.update(source_fields(cond))


def condition_part(condition_name: str, key: str) -> str | None:
    for part in (condition_name or "").split("|"):
        k, _, v = part.partition("=")
        if k == key:
            return v
    return None


def rest_of_condition(condition_name: str) -> str:
    """The condition without its demos part: what one matrix shares across its cells."""
    return "|".join(p for p in (condition_name or "").split("|") if not p.startswith("demos="))


@dataclass
class Cell:
    value: float | None
    ci_low: float | None = None
    ci_high: float | None = None
    n: int | None = None


@dataclass
class TransferMatrix:
    """Cells keyed by (source tag, target tag); languages kept typed for every axis."""

    task: str
    metric: str
    condition: str
    sources: list[Language] = field(default_factory=list)
    targets: list[Language] = field(default_factory=list)
    cells: dict[tuple[str, str], Cell] = field(default_factory=dict)

    def get(self, source: Language, target: Language) -> Cell | None:
        return self.cells.get((source.tag, target.tag))

    def to_dict(self) -> dict[str, Any]:
        return {
            "task": self.task, "metric": self.metric, "condition": self.condition,
            "sources": [s.tag for s in self.sources], "targets": [t.tag for t in self.targets],
            "cells": [{"source": s, "target": t, "value": c.value, "ci_low": c.ci_low,
                       "ci_high": c.ci_high, "n": c.n} for (s, t), c in self.cells.items()],
        }


def matrices_from_rows(rows: Sequence[Mapping[str, Any]], metric: str = "acc",
                       task: str | None = None) -> list[TransferMatrix]:
    """Transfer matrices from flat result rows (store.results or ResultRow.to_dict())."""
    out: dict[tuple[str, str, str], TransferMatrix] = {}
    for r in rows:
        if r.get("kind") != "task" or r.get("metric") != metric or r.get("subset", "all") != "all":
            continue
        if task is not None and r.get("name") != task:
            continue
        cond = str(r.get("condition") or "")
        src_tag = r.get("source_language") or condition_part(cond, "demos")
        if not src_tag or src_tag == "same":
            continue
        source = Language.parse(src_tag)
        target = Language.parse(r.get("language") or r.get("tag"))
        key = (str(r.get("name")), metric, rest_of_condition(cond))
        m = out.setdefault(key, TransferMatrix(*key))
        if source not in m.sources:
            m.sources.append(source)
        if target not in m.targets:
            m.targets.append(target)
        m.cells[(source.tag, target.tag)] = Cell(r.get("value"), r.get("ci_low"), r.get("ci_high"), r.get("n"))
    return list(out.values())


def load_matrices(store: Any, run_id: str, metric: str = "acc", task: str | None = None) -> list[TransferMatrix]:
    """The run's transfer matrices; BabelscopeError naming the run when it has none."""
    run = store.run(run_id)
    mats = matrices_from_rows(store.results(run.run_id), metric=metric, task=task)
    if not mats:
        raise BabelscopeError(
            f"run {run.run_id} has no transfer matrix (no '{metric}' rows under a demos=<language> "
            "condition); run e.g. babelscope eval --task udhr_continuation --languages en,de,sw,yo "
            "--conditions 'demos=en,de,sw,yo'"
        )
    return mats
