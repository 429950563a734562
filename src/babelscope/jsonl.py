"""Reading JSON-lines files one object per line, with the line number of every fault.

Benchmark files, completion files and Multi-IF data all arrive as JSON lines; each caller
words its errors in its own terms (a task names task, language and row; a completions file
names its line), so the reader reports *where* and *what* and the caller builds the error.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable, Iterator

#: fail(line number, the decode error or None when the line is JSON but not an object)
Fail = Callable[[int, "json.JSONDecodeError | None"], Exception]


def iter_jsonl(path: Path, fail: Fail) -> Iterator[tuple[int, dict[str, Any]]]:
    """(1-based line number, object) for every non-blank line; ``fail`` builds the error to raise."""
    with Path(path).open(encoding="utf-8") as f:
        for n, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as e:
                raise fail(n, e) from e
            if not isinstance(obj, dict):
                raise fail(n, None)
            yield n, obj
