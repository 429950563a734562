"""Rows that could not reach the store go to a recovery file instead of being lost.

When the store fails at the very end (disk full, workspace turned read-only, file damaged by
another program), the computed rows are still in memory. :func:`write_recovery` writes them
as JSON lines to the first writable place of: ``<workspace>/recovery/``, the system temp
folder, the current folder, and returns the path so the error message can say where they
are. :func:`import_recovery` (``babelscope doctor --import FILE``) puts them into a store.

File format (one JSON object a line): a header ``{"babelscope_recovery": 1, "run_id", "command",
"signature", "config", "error", "written"}``, then ``{"row": {...}}`` per result row (as
``ResultRow.to_dict``), ``{"item": [name, tag, item_id, data]}`` per item and
``{"artifact": name, "data": ...}`` per artifact.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any, Iterable, Sequence

from .errors import BabelscopeError
from .results import ResultRow

FORMAT_VERSION = 1

#: ResultRow.to_dict keys that are fields, not extras (language fields come from the tag).
_FIELDS = ("kind", "name", "metric", "variant", "corpus_code", "value", "ci_low", "ci_high", "n")
_LANGUAGE_KEYS = ("language", "iso639_3", "script", "family", "language_name")


def write_recovery(
    run_id: str,
    rows: Sequence[ResultRow],
    items: Iterable[tuple[str, str, str, dict[str, Any]]] = (),
    artifacts: dict[str, Any] | None = None,
    *,
    workspace: str | Path | None = None,
    command: str = "",
    signature: str = "",
    config: dict[str, Any] | None = None,
    error: BaseException | str | None = None,
) -> Path:
    """Write rows, items and artifacts to a recovery file; return where it went.

    Never raises for an unwritable place: it tries the next one, and only when none works
    raises :class:`BabelscopeError` listing the places tried.
    """
    header = {"babelscope_recovery": FORMAT_VERSION, "run_id": run_id, "command": command,
              "signature": signature, "config": config or {}, "error": str(error) if error else None,
              "written": time.time()}
    lines = [json.dumps(header, ensure_ascii=False, default=str)]
    lines += [json.dumps({"row": r.to_dict()}, ensure_ascii=False, default=str) for r in rows]
    lines += [json.dumps({"item": list(i)}, ensure_ascii=False, default=str) for i in items]
    lines += [json.dumps({"artifact": k, "data": v}, ensure_ascii=False, default=str)
              for k, v in (artifacts or {}).items()]
    text = "\n".join(lines) + "\n"
    name = f"{run_id}-{time.strftime('%Y%m%d-%H%M%S')}.recovery.jsonl"
    places = []
    if workspace is not None:
        places.append(Path(workspace) / "recovery")
    places += [Path(tempfile.gettempdir()) / "babelscope-recovery", Path.cwd()]
    tried = []
    for folder in places:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / name
            tmp = path.with_suffix(".part")
            tmp.write_text(text, encoding="utf-8")
            os.replace(tmp, path)
            return path
        except OSError as e:
            tried.append(f"{folder} ({e.strerror or e})")
    raise BabelscopeError("could not write a recovery file anywhere: " + "; ".join(tried))


def read_recovery(path: str | Path) -> tuple[dict[str, Any], list[ResultRow], list[tuple], dict[str, Any]]:
    """(header, rows, items, artifacts) from a recovery file; a malformed line names its number."""
    from .languages import Language

    p = Path(path)
    header: dict[str, Any] | None = None
    rows: list[ResultRow] = []
    items: list[tuple] = []
    artifacts: dict[str, Any] = {}
    try:
        lines = p.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as e:
        raise BabelscopeError(f"{p}: cannot read the recovery file ({e})") from e
    for no, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            if header is None:
                if obj.get("babelscope_recovery") != FORMAT_VERSION:
                    raise ValueError("not a babelscope recovery file (no header on line 1)")
                header = obj
            elif "row" in obj:
                d = dict(obj["row"])
                lang = Language.parse(d["language"])
                fields = {k: d.get(k) for k in _FIELDS}
                extra = {k: v for k, v in d.items() if k not in _FIELDS and k not in _LANGUAGE_KEYS}
                rows.append(ResultRow(fields["name"], fields["metric"], lang, fields["value"],
                                      variant=fields["variant"] or "", kind=fields["kind"] or "analysis",
                                      corpus_code=fields["corpus_code"] or "", n=fields["n"],
                                      ci_low=fields["ci_low"], ci_high=fields["ci_high"], extra=extra))
            elif "item" in obj:
                name, tag, item_id, data = obj["item"]
                items.append((str(name), str(tag), str(item_id), dict(data)))
            elif "artifact" in obj:
                artifacts[str(obj["artifact"])] = obj.get("data")
            else:
                raise ValueError("expected a 'row', 'item' or 'artifact' object")
        except BabelscopeError as e:
            raise BabelscopeError(f"{p}, line {no}: {e}") from e
        except (ValueError, KeyError, TypeError, AttributeError) as e:
            raise BabelscopeError(f"{p}, line {no}: {e}") from e
    if header is None:
        raise BabelscopeError(f"{p}: empty recovery file")
    return header, rows, items, artifacts


def import_recovery(store: Any, path: str | Path) -> str:
    """Put a recovery file's rows into ``store`` as a new finished run; return its id."""
    header, rows, items, artifacts = read_recovery(path)
    run_id = store.start_run(header.get("command") or "recovered", header.get("signature") or "",
                             {**(header.get("config") or {}), "recovered_from": str(path),
                              "original_run_id": header.get("run_id")}, resume="")
    store.add_results(run_id, rows, items, artifacts)
    store.finish_run(run_id, "finished")
    return run_id
