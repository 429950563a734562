"""Line-aligned text files: the shared reading and alignment check of flores200: and files:.

Both formats pair sentences by line number only, so a file with one line too many silently
shifts every later pair. Counts are checked across all files before anything is paired.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from pathlib import Path

from ..errors import CorpusError


def read_lines(path: Path) -> list[str]:
    """The file's lines (``\\n``-separated, one trailing newline ignored), UTF-8."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        raise CorpusError(f"{path}: not UTF-8 text ({e})") from e
    except OSError as e:
        raise CorpusError(f"cannot read {path}: {e}") from e
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line.rstrip("\r") for line in lines]


def check_has_text(path: Path, lines: list[str]) -> None:
    """CorpusError for a file with no text at all (empty, or only blank lines): every
    per-language number would be missing, and silently so."""
    if not any(line.strip() for line in lines):
        what = "is empty" if not lines else f"has only blank lines ({len(lines)})"
        raise CorpusError(f"{path} {what}: a corpus file needs at least one line of text")


def check_aligned(name: str, counts: dict[Path, int]) -> None:
    """CorpusError naming every file whose line count differs from the most common count."""
    if not counts:
        return
    expected, _ = Counter(counts.values()).most_common(1)[0]
    bad = {p: n for p, n in counts.items() if n != expected}
    if bad:
        listed = "; ".join(f"{p} has {n} lines" for p, n in sorted(bad.items())[:10])
        more = f" (and {len(bad) - 10} more)" if len(bad) > 10 else ""
        raise CorpusError(
            f"{name}: files are not line-aligned: {listed}{more}; "
            f"the other {len(counts) - len(bad)} file(s) have {expected} lines"
        )


def content_hash(parts: list[tuple[str, str]]) -> str:
    """A short hash of (label, text) pairs: the version of a local corpus in run signatures."""
    h = hashlib.sha256()
    for label, text in parts:
        h.update(label.encode("utf-8") + b"\x00" + text.encode("utf-8") + b"\x00")
    return "sha256:" + h.hexdigest()[:12]
