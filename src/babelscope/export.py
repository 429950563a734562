"""Export a run's tidy rows (and optionally its per-item records) as CSV, JSON or Parquet.

The store is the source of truth; exports are for pandas, R, spreadsheets and papers. Every
format carries the same columns in the same order: the fixed row columns first, then any extra
keys analyses attached, so a file from one run lines up with a file from another. JSON and
Parquet also carry the run's signature (JSON in a "run" object, Parquet in schema metadata),
because two numbers are comparable only when their signatures say so.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any, Iterable

from .errors import ConfigError
from .store import Store

FORMATS = ("csv", "json", "parquet")

#: Columns every exported row has, in this order; extra keys follow, sorted.
ROW_COLUMNS = (
    "run_id", "kind", "name", "metric", "variant", "language", "iso639_3", "script", "family",
    "language_name", "corpus_code", "value", "ci_low", "ci_high", "n",
)
ITEM_COLUMNS = ("run_id", "name", "language", "item_id")


def export_rows(store: Store, run_id: str) -> list[dict[str, Any]]:
    """The run's rows as exported: the store's rows without the duplicate ``tag`` column."""
    rows = []
    for r in store.results(run_id):
        r = dict(r)
        r.pop("tag", None)  # identical to "language"
        rows.append(r)
    return rows


def export_items(store: Store, run_id: str) -> list[dict[str, Any]]:
    """The run's per-item records, each tagged with the run id."""
    return [{"run_id": run_id, **it} for it in store.items(run_id)]


def infer_format(path: str | Path, fmt: str | None = None) -> str:
    """The export format: ``fmt`` if given, else the file suffix; ConfigError if neither fits."""
    if fmt:
        f = fmt.lower().lstrip(".")
        if f not in FORMATS:
            raise ConfigError(f"--format: unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
        return f
    suffix = Path(str(path)).suffix.lower().lstrip(".")
    if suffix == "pq":
        suffix = "parquet"
    if suffix not in FORMATS:
        raise ConfigError(
            f"--format: cannot tell the format of {str(path)!r} from its suffix; "
            f"pass --format {'|'.join(FORMATS)}"
        )
    return suffix


def items_path(path: Path, fmt: str) -> Path:
    """Where CSV/Parquet exports put the items: ``<stem>.items.<fmt>`` beside the rows file."""
    return path.with_name(f"{path.stem}.items.{fmt}")


def export_run(
    store: Store,
    run_id: str,
    fmt: str | None,
    path: str | Path,
    items: bool = False,
) -> Path:
    """Write the run's rows to ``path`` in ``fmt`` ("csv", "json" or "parquet"); return the path.

    ``run_id`` may be an id, a unique prefix or "latest". With ``items=True`` the per-item
    records go into the JSON object's "items", or a sibling ``<stem>.items.<fmt>`` file for CSV
    and Parquet. ``path`` "-" writes CSV or JSON to stdout.
    """
    run = store.run(run_id)
    fmt = infer_format(path, fmt)
    rows = export_rows(store, run.run_id)
    item_rows = export_items(store, run.run_id) if items else None
    if str(path) == "-":
        if fmt == "parquet":
            raise ConfigError("--out -: Parquet is binary; write it to a file")
        sys.stdout.write(_csv_text(rows, ROW_COLUMNS) if fmt == "csv" else _json_text(run.to_dict(), rows, item_rows))
        sys.stdout.flush()
        return Path("-")
    path = Path(path).expanduser()
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "json":
        _atomic_write_text(path, _json_text(run.to_dict(), rows, item_rows))
    elif fmt == "csv":
        _atomic_write_text(path, _csv_text(rows, ROW_COLUMNS))
        if item_rows is not None:
            _atomic_write_text(items_path(path, "csv"), _csv_text(item_rows, ITEM_COLUMNS))
    else:
        meta = {"babelscope.run_id": run.run_id, "babelscope.signature": run.signature,
                "babelscope.command": run.command}
        _write_parquet(path, rows, ROW_COLUMNS, meta)
        if item_rows is not None:
            _write_parquet(items_path(path, "parquet"), item_rows, ITEM_COLUMNS, meta)
    return path


# -- formats ----------------------------------------------------------------------------------


def columns_of(rows: Iterable[dict[str, Any]], fixed: tuple[str, ...]) -> list[str]:
    """The fixed columns, then every other key seen in the rows, sorted."""
    extra: set[str] = set()
    for r in rows:
        extra.update(k for k in r if k not in fixed)
    return list(fixed) + sorted(extra)


def _cell(v: Any) -> Any:
    """A CSV cell: None is empty, nested values are JSON, the rest as Python prints them."""
    if v is None:
        return ""
    if isinstance(v, (dict, list, tuple)):
        return json.dumps(v, ensure_ascii=False, default=str)
    if isinstance(v, float):
        return repr(v)  # shortest round-tripping form
    return v


def _csv_text(rows: list[dict[str, Any]], fixed: tuple[str, ...]) -> str:
    cols = columns_of(rows, fixed)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(cols)
    for r in rows:
        w.writerow([_cell(r.get(c)) for c in cols])
    return buf.getvalue()


def _json_text(run: dict[str, Any], rows: list[dict[str, Any]], items: list[dict[str, Any]] | None) -> str:
    cols = columns_of(rows, ROW_COLUMNS)
    doc: dict[str, Any] = {"run": run, "rows": [{c: r.get(c) for c in cols} for r in rows]}
    if items is not None:
        doc["items"] = items
    return json.dumps(doc, ensure_ascii=False, indent=1, default=str) + "\n"


def _write_parquet(path: Path, rows: list[dict[str, Any]], fixed: tuple[str, ...], meta: dict[str, str]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    cols = columns_of(rows, fixed)
    arrays, fields = [], []
    for c in cols:
        values = [r.get(c) for r in rows]
        typ, values = _arrow_column(c, values)
        arrays.append(pa.array(values, type=typ))
        fields.append(pa.field(c, typ))
    schema = pa.schema(fields, metadata={k: str(v) for k, v in meta.items()})
    table = pa.Table.from_arrays(arrays, schema=schema)
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        pq.write_table(table, tmp)
        _shareable(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _arrow_column(name: str, values: list[Any]) -> tuple[Any, list[Any]]:
    """A column's Arrow type: the fixed numeric columns keep their type; extra keys get the
    narrowest type all their values share, else JSON text (so mixed extras never fail)."""
    import pyarrow as pa

    if name in ("value", "ci_low", "ci_high"):
        return pa.float64(), [None if v is None else float(v) for v in values]
    if name == "n":
        return pa.int64(), [None if v is None else int(v) for v in values]
    present = [v for v in values if v is not None]
    if present and all(isinstance(v, bool) for v in present):
        return pa.bool_(), values
    if present and all(isinstance(v, int) and not isinstance(v, bool) for v in present):
        return pa.int64(), values
    if present and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in present):
        return pa.float64(), [None if v is None else float(v) for v in values]
    if all(isinstance(v, str) for v in present):
        return pa.string(), values
    return pa.string(), [None if v is None else json.dumps(v, ensure_ascii=False, default=str) for v in values]


def _atomic_write_text(path: Path, text: str) -> None:
    """Write via a temp file and rename, so an interrupted export never leaves half a file."""
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        _shareable(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _shareable(path: str) -> None:
    """Give a temp file the mode a plain open() would (mkstemp makes it owner-only)."""
    mask = os.umask(0)
    os.umask(mask)
    os.chmod(path, 0o666 & ~mask)
