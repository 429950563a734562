"""Reading benchmark rows: local files in their published formats, or the hub when online.

Every reader returns (rows, where) so a malformed row can be reported as "task, language,
file, row N"; :func:`field` is the one place that turns a missing key into that message.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any, Iterable

from ..jsonl import iter_jsonl
from .base import TaskError

Row = dict[str, Any]


def read_rows(path: Path, task: str, code: str) -> list[Row]:
    """Rows of a .jsonl / .json / .tsv (no header) / .csv / .parquet file, in file order.

    Each row gets ``_where`` = "task T, language L, FILE row N" (1-based line for text files).
    """
    if not path.is_file():
        raise TaskError(f"task {task!r}, language {code}: no data file {path}")
    suffix = path.suffix.lower()
    rows: list[Row]
    try:
        if suffix == ".jsonl" or (suffix == ".json" and _looks_like_jsonl(path)):
            def fail(n: int, e: Exception | None) -> TaskError:
                what = f"invalid JSON ({e.msg})" if e else "not a JSON object"
                return TaskError(f"task {task!r}, language {code}: {path} row {n}: {what}")

            return [{**obj, "_where": f"task {task!r}, language {code}, {path} row {n}"}
                    for n, obj in iter_jsonl(path, fail)]
        if suffix == ".json":
            data = json.loads(path.read_text(encoding="utf-8"))
            if isinstance(data, dict):
                data = next((v for v in data.values() if isinstance(v, list)), [data])
            rows = []
            for n, obj in enumerate(data, 1):
                if not isinstance(obj, dict):
                    raise TaskError(f"task {task!r}, language {code}: {path} row {n}: not a JSON object")
                rows.append({**obj, "_where": f"task {task!r}, language {code}, {path} row {n}"})
            return rows
        if suffix == ".csv":
            with path.open(encoding="utf-8", newline="") as f:
                return [{**r, "_where": f"task {task!r}, language {code}, {path} row {n}"}
                        for n, r in enumerate(csv.DictReader(f), 2)]
        if suffix == ".parquet":
            import pyarrow.parquet as pq

            return [{**r, "_where": f"task {task!r}, language {code}, {path} row {n}"}
                    for n, r in enumerate(pq.read_table(path).to_pylist(), 1)]
    except (OSError, UnicodeDecodeError, ValueError) as e:
        if isinstance(e, TaskError):
            raise
        raise TaskError(f"task {task!r}, language {code}: cannot read {path}: {e}") from None
    raise TaskError(f"task {task!r}, language {code}: unsupported file type {path} (use .jsonl, .json, .csv, .tsv or .parquet)")


def read_tsv(path: Path, task: str, code: str, columns: tuple[str, ...]) -> list[Row]:
    """A headerless TSV whose columns are ``columns`` (MGSM's question TAB answer)."""
    if not path.is_file():
        raise TaskError(f"task {task!r}, language {code}: no data file {path}")
    rows = []
    with path.open(encoding="utf-8", newline="") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n").rstrip("\r")
            if not line.strip():
                continue
            parts = line.split("\t")
            if len(parts) != len(columns):
                raise TaskError(
                    f"task {task!r}, language {code}, {path} row {n}: expected {len(columns)} "
                    f"tab-separated fields ({', '.join(columns)}), found {len(parts)}"
                )
            rows.append({**dict(zip(columns, parts)), "_where": f"task {task!r}, language {code}, {path} row {n}"})
    return rows


def field(row: Row, name: str) -> Any:
    """``row[name]``, or a TaskError naming the task, language, file and row."""
    if name not in row or row[name] is None:
        raise TaskError(f"{row.get('_where', 'a row')}: missing field {name!r}")
    return row[name]


def first_existing(candidates: Iterable[Path], task: str, code: str) -> Path:
    cands = list(candidates)
    for p in cands:
        if p.is_file():
            return p
    raise TaskError(
        f"task {task!r}, language {code}: no data file; looked for "
        + ", ".join(str(p) for p in cands)
    )


def hub_rows(task: str, code: str, repo: str, config: str | None, split: str) -> list[Row]:
    """Rows from the Hugging Face hub via ``datasets``; fails fast when offline or not installed."""
    from ..hub_access import offline_reason

    reason = offline_reason()
    if reason:
        raise TaskError(f"task {task!r}: the hub is unusable ({reason}); pass --data-dir with a local copy of {repo}")
    try:
        import datasets
    except ImportError:
        raise TaskError(
            f"task {task!r}: reading {repo} from the hub needs the 'datasets' package "
            "(pip install datasets), or pass --data-dir with a local copy"
        ) from None
    ds = datasets.load_dataset(repo, config, split=split)
    return [{**r, "_where": f"task {task!r}, language {code}, {repo}/{config or ''}:{split} row {n}"}
            for n, r in enumerate(ds, 1)]


def _looks_like_jsonl(path: Path) -> bool:
    with path.open(encoding="utf-8") as f:
        head = f.readline().strip()
        second = f.readline().strip()
    return head.startswith("{") and head.endswith("}") and (not second or second.startswith("{"))
