"""Inputs of the fidelity analysis: completion files people bring, and the LCB prompts.

Bring-your-own completions let people score outputs of models they ran elsewhere; the format
is the LCB's published outputs (CSV with ``completion``, ``language`` and optionally
``source``, ``model``, ``task``, ``id``), or the same fields as JSON lines.
"""

from __future__ import annotations

import csv
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from ..errors import CorpusError
from ..jsonl import iter_jsonl

#: Accepted spellings of the two required columns (first found wins).
COMPLETION_COLUMNS = ("completion", "response", "output", "generation")
LANGUAGE_COLUMNS = ("language", "lang", "target_language")


def read_completions(path: str | Path) -> list[dict[str, str]]:
    """Rows with ``completion``, ``language`` and ``source`` (default: the file's stem).

    CorpusError naming the file (and line) when it is missing, unreadable, or lacks a column.
    """
    p = Path(path)
    if not p.is_file():
        raise CorpusError(f"--completions: no such file {p}")
    rows = _read_jsonl(p) if p.suffix.lower() in (".jsonl", ".ndjson", ".json") else _read_csv(p)
    if not rows:
        raise CorpusError(f"{p}: no completions in the file")
    cols = set().union(*(r.keys() for r in rows[:50]))
    comp = next((c for c in COMPLETION_COLUMNS if c in cols), None)
    lang = next((c for c in LANGUAGE_COLUMNS if c in cols), None)
    if comp is None:
        raise CorpusError(f"{p}: no completion column (expected one of {', '.join(COMPLETION_COLUMNS)}; "
                          f"found {', '.join(sorted(cols))})")
    if lang is None:
        raise CorpusError(f"{p}: no language column (expected one of {', '.join(LANGUAGE_COLUMNS)}; "
                          f"found {', '.join(sorted(cols))})")
    out = []
    for i, r in enumerate(rows, start=2 if p.suffix.lower() == ".csv" else 1):
        value = r.get(lang)
        if value is not None and not isinstance(value, str):
            raise CorpusError(f"{p}: row {i}: {lang!r} must be text, not {type(value).__name__}")
        language = (value or "").strip()
        if not language:
            raise CorpusError(f"{p}: row {i} has an empty {lang!r} value")
        out.append({
            **{k: ("" if v is None else str(v)) for k, v in r.items()},
            "completion": "" if r.get(comp) is None else str(r.get(comp)),
            "language": language,
            "source": str(r.get("source") or p.stem),
        })
    return out


def _read_csv(p: Path) -> list[dict[str, str]]:
    csv.field_size_limit(sys.maxsize)
    try:
        with p.open(encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))
    except (UnicodeDecodeError, csv.Error) as e:
        raise CorpusError(f"{p}: not a readable UTF-8 CSV file ({e})") from e
    for i, r in enumerate(rows, start=2):
        if None in r:  # DictReader keeps surplus fields under the key None
            raise CorpusError(f"{p}: row {i} has more fields than the header line")
    return rows


def _read_jsonl(p: Path) -> list[dict[str, str]]:
    def fail(i: int, e: Exception | None) -> CorpusError:
        return CorpusError(f"{p}: line {i} is not valid JSON ({e.msg})" if e else f"{p}: line {i} is not a JSON object")

    try:
        return [obj for _, obj in iter_jsonl(p, fail)]
    except UnicodeDecodeError as e:
        raise CorpusError(f"{p}: not UTF-8 text ({e})") from e


# -- the LCB prompts ------------------------------------------------------------------------------

@dataclass(frozen=True)
class LcbPrompt:
    """One LCB test prompt: ``task`` is monolingual or crosslingual, ``language`` the target."""

    task: str
    source: str
    language: str
    prompt: str
    index: int


def read_lcb_prompts(
    root: str | Path,
    sources: Iterable[str] | None = None,
    languages: Iterable[str] | None = None,
    limit: int | None = None,
) -> list[LcbPrompt]:
    """Prompts from a local copy of the LCB ``test_sets`` folder (``<task>/<source>/<lang>.csv``).

    ``limit`` keeps the first N prompts of each file (for quick runs).
    """
    base = Path(root)
    if (base / "test_sets").is_dir():
        base = base / "test_sets"
    files = sorted(base.glob("*/*/*.csv"))
    if not files:
        raise CorpusError(f"{root}: no LCB test sets (expected test_sets/<task>/<source>/<lang>.csv)")
    want_src = {s.strip() for s in sources} if sources else None
    want_lang = {s.strip() for s in languages} if languages else None
    if want_src:
        known = {f.parent.name for f in files}
        bad = sorted(want_src - known)
        if bad:
            raise CorpusError(f"{root}: no LCB source {', '.join(bad)}; available: {', '.join(sorted(known))}")
    out: list[LcbPrompt] = []
    for f in files:
        task, source, lang = f.parent.parent.name, f.parent.name, f.stem
        if (want_src and source not in want_src) or (want_lang and lang not in want_lang):
            continue
        rows = _read_csv(f)
        if rows and "prompt" not in rows[0]:
            raise CorpusError(f"{f}: no 'prompt' column")
        for i, r in enumerate(rows[:limit] if limit else rows):
            out.append(LcbPrompt(task, source, r.get("language") or lang, r["prompt"], i))
    if not out:
        raise CorpusError(f"{root}: no LCB prompts match the chosen sources/languages")
    return out


def generate_completions(prompts: list[LcbPrompt], generator, max_tokens: int = 100) -> list[dict[str, str]]:
    """Answer each LCB prompt as a one-turn chat; records in the LCB outputs format.

    ``generator`` is anything with ``generate(requests) -> list[str]`` (the engine). Decoding
    is greedy for reproducibility; the authors sampled (T=0.3, p=0.75), so published numbers
    are not expected to match a greedy run of the same model exactly.
    """
    from ..engine.requests import GenerationRequest

    reqs = [GenerationRequest(messages=(("user", p.prompt),), max_tokens=max_tokens) for p in prompts]
    outs = generator.generate(reqs)
    if len(outs) != len(reqs):
        raise RuntimeError(f"generator returned {len(outs)} completions for {len(reqs)} prompts")
    return [{"source": p.source, "language": p.language, "task": p.task, "completion": o}
            for p, o in zip(prompts, outs)]
