"""Scoring stored outputs: responses produced elsewhere, read from a file, no model loaded.

A file (JSON lines or CSV) holds one response per row: the item it answers, its language and
the text, optionally a model name. The item is found by

- ``id``: the id ``--log-samples`` writes (a benchmark's native id where it has one: Global-
  MMLU's sample_id, M3Exam's question_id, BLEnD's question id, TUMLU's ``Subject/N``);
- else ``question`` (with ``subject`` where the benchmark has subjects): the question text,
  compared after folding case and whitespace, for released outputs that carry no id.

A row may carry ``choices``, the options in the order the system showed them (TUMLU's own
runs shuffle them): the extracted label is then read against that order. A row of a
``--log-samples`` file of a log-likelihood run carries ``logliks`` instead of a response and
is rescored from them. Items without a response are scored as extraction failures, never
dropped; a row naming an item that does not exist is an error (exit 2) naming the row.
"""

from __future__ import annotations

import csv
import json
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

from ..errors import ConfigError, LanguageError
from ..jsonl import iter_jsonl
from ..languages import Language
from .base import MULTIPLE_CHOICE, Condition, Item

RESPONSE_COLUMNS = ("response", "completion", "output", "generation", "prediction", "model_output")
ID_COLUMNS = ("id", "item_id", "sample_id", "question_id", "qid")
LANGUAGE_COLUMNS = ("language", "lang", "corpus_code", "target_language")


@dataclass
class ResponseRow:
    """One stored response and where it came from (file row, for error messages)."""

    where: str
    language: str
    response: str | None = None
    id: str | None = None
    task: str | None = None
    condition: str | None = None
    corpus_code: str | None = None
    question: str | None = None
    subject: str | None = None
    choices: list[str] | None = None
    logliks: list[float] | None = None
    model: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _first(row: dict[str, Any], names: Sequence[str]) -> Any:
    for n in names:
        if row.get(n) not in (None, ""):
            return row[n]
    return None


def _choices(value: Any, where: str) -> list[str] | None:
    if value in (None, ""):
        return None
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise ConfigError(f"{where}: 'choices' must be a JSON list of the options as shown") from None
    if not isinstance(value, list):
        raise ConfigError(f"{where}: 'choices' must be a list of the options as shown")
    return [str(v) for v in value]


def read_responses(path: str | Path, default_language: str | None = None) -> list[ResponseRow]:
    """Rows of a JSONL, JSON-array or CSV responses file; ConfigError naming file and row if malformed.

    A JSON array of objects is read too: the layout of TUMLU's released outputs (one file per
    subject: question, shuffled choices, output, answer). Rows without a language take
    ``default_language`` (the one language evaluated), when given.
    """
    p = Path(path)
    if not p.is_file():
        raise ConfigError(f"--responses: no such file {p}")
    raw: list[tuple[int, dict[str, Any]]]
    head = p.read_text(encoding="utf-8", errors="replace")[:4096].lstrip() if p.suffix.lower() == ".json" else ""
    if head.startswith("["):
        try:
            data = json.loads(p.read_text(encoding="utf-8"))
        except ValueError as e:
            raise ConfigError(f"--responses {p}: not valid JSON ({e})") from None
        raw = []
        for n, obj in enumerate(data, 1):
            if not isinstance(obj, dict):
                raise ConfigError(f"--responses {p} row {n}: not a JSON object")
            raw.append((n, obj))
    elif p.suffix.lower() == ".csv":
        csv.field_size_limit(sys.maxsize)
        try:
            with p.open(encoding="utf-8", newline="") as f:
                raw = list(enumerate(csv.DictReader(f), 2))
        except (UnicodeDecodeError, csv.Error) as e:
            raise ConfigError(f"--responses {p}: not a readable UTF-8 CSV file ({e})") from None
    else:
        def fail(n: int, e: Exception | None) -> ConfigError:
            return ConfigError(f"--responses {p} row {n}: " + (f"invalid JSON ({e.msg})" if e else "not a JSON object"))

        raw = list(iter_jsonl(p, fail))
    out = []
    for n, r in raw:
        where = f"--responses {p} row {n}"
        lang = _first(r, LANGUAGE_COLUMNS) or default_language
        if lang is None:
            raise ConfigError(f"{where}: no language (expected one of {', '.join(LANGUAGE_COLUMNS)})")
        resp = _first(r, RESPONSE_COLUMNS)
        logliks = r.get("logliks")
        if isinstance(logliks, str) and logliks:
            logliks = json.loads(logliks)
        rid = _first(r, ID_COLUMNS)
        question = r.get("question")
        if resp is None and not logliks and "response" not in r:
            raise ConfigError(f"{where}: no response (expected one of {', '.join(RESPONSE_COLUMNS)})")
        if rid is None and not question:
            raise ConfigError(f"{where}: names no item: give 'id' or the 'question' text")
        out.append(ResponseRow(
            where=where, language=str(lang).strip(), response=None if resp is None else str(resp),
            id=None if rid is None else str(rid), task=r.get("task") or None, condition=r.get("condition") or None,
            corpus_code=r.get("corpus_code") or None, question=None if not question else str(question),
            subject=r.get("subject") or None, choices=_choices(r.get("choices") if not logliks else None, where),
            logliks=[float(x) for x in logliks] if logliks else None, model=r.get("model") or None,
        ))
    if not out:
        raise ConfigError(f"--responses {p}: no rows")
    return out


def condition_from_name(name: str) -> Condition:
    """The Condition whose ``name`` is ``name`` ('lit=default|shots=default|demos=same|form=generate')."""
    parts = dict(p.split("=", 1) for p in name.split("|") if "=" in p)
    shots = parts.get("shots", "default")
    return Condition(literals=parts.get("lit", "default"), shots=None if shots == "default" else int(shots),
                     demos=parts.get("demos", "same"), script=parts.get("script", "native"),
                     formulation=parts.get("form", "loglik"))


def conditions_in(rows: Sequence[ResponseRow]) -> list[Condition]:
    """The conditions a --log-samples file was written under (in first-seen order)."""
    names = list(dict.fromkeys(r.condition for r in rows if r.condition))
    return [condition_from_name(n) for n in names]


def languages_in(rows: Sequence[ResponseRow]) -> list[str]:
    return list(dict.fromkeys(r.language for r in rows))


def inferred_limit(rows: Sequence[ResponseRow]) -> int | None:
    """N of the ``--limit N`` a --log-samples file was written with (most rows of one slice).

    Sampling is deterministic and nested, so planning again with this N gives the same items.
    None when the rows do not look like --log-samples output (no condition recorded).
    """
    if not rows or any(r.condition is None for r in rows):
        return None
    return max(Counter((r.task, r.language, r.condition) for r in rows).values())


def _fold(text: str) -> str:
    return re.sub(r"\s+", " ", str(text)).strip().casefold()


def _subject(text: Any) -> str:
    return re.sub(r"[\s_\-]+", " ", str(text or "")).strip().casefold()


def _same_language(row: ResponseRow, code: str, language: Language) -> bool:
    if row.language in (code, language.tag) or row.corpus_code == code:
        return True
    try:
        return Language.parse(row.language) == language
    except LanguageError:
        return False


def _score_missing(task, item: Item, code: str) -> dict[str, Any]:
    if item.meta.get("formulation") == "generate":
        return task.score_generated(item, None, code)
    if item.kind == MULTIPLE_CHOICE:
        return {"acc": 0.0, "acc_norm": 0.0, "missing": 1.0, "extraction_failure": 1.0}
    try:
        return task.score(item, None, code)
    except (TypeError, AttributeError):
        return {**task.score(item, "", code), "missing": 1.0}


def score_responses(slices: Sequence[Any], rows: Sequence[ResponseRow]) -> dict[str, int]:
    """Fill every slice's ``scores`` from ``rows``; counts of matched and missing items.

    ``slices`` are evaluation slices (task, code, language, condition, items, scores). Rows of
    a task or condition that was not planned are ignored (a --log-samples file of several
    tasks); a row of a planned task and language whose item does not exist raises ConfigError
    naming the row and the id (or question).
    """
    planned_tasks = {s.task.name for s in slices}
    by_slice: dict[int, dict[int, ResponseRow]] = {i: {} for i in range(len(slices))}
    index = []
    for s in slices:
        ids = {it.id: k for k, it in enumerate(s.items)}
        questions: dict[str, list[int]] = {}
        for k, it in enumerate(s.items):
            q = it.meta.get("question")
            if q:
                questions.setdefault(_fold(q), []).append(k)
        index.append((ids, questions))
    used = 0
    for row in rows:
        if row.task and row.task not in planned_tasks:
            continue
        targets = [i for i, s in enumerate(slices)
                   if (not row.task or row.task == s.task.name) and _same_language(row, s.code, s.language)
                   and (not row.condition or row.condition == s.condition.name)]
        if not targets:
            if row.condition and any(row.condition != s.condition.name for s in slices):
                continue  # a condition this evaluation did not plan
            raise ConfigError(f"{row.where}: language {row.language!r} is not among the evaluated languages "
                              f"({', '.join(sorted({s.code for s in slices}))})")
        for i in targets:
            s = slices[i]
            ids, questions = index[i]
            k = ids.get(row.id) if row.id is not None else None
            if k is None and row.id is None and row.question:
                cands = questions.get(_fold(row.question), [])
                if row.subject:
                    cands = [c for c in cands if _subject(s.items[c].meta.get("subject")) == _subject(row.subject)]
                k = cands[0] if len(cands) >= 1 else None
            if k is None:
                what = f"id {row.id!r}" if row.id is not None else f"question {row.question[:60]!r}"
                raise ConfigError(f"{row.where}: {what} matches no item of task {s.task.name!r} "
                                  f"in language {s.code}")
            by_slice[i][k] = row  # a later row for the same item wins (as the BLEnD scorer reads)
            used += 1
    missing = 0
    for i, s in enumerate(slices):
        s.scores = []
        for k, it in enumerate(s.items):
            row = by_slice[i].get(k)
            if row is None or (row.response is None and row.logliks is None):
                missing += 1
                s.scores.append(_score_missing(s.task, it, s.code))
            elif row.logliks is not None and it.kind == MULTIPLE_CHOICE:
                if len(row.logliks) != len(it.continuations):
                    raise ConfigError(f"{row.where}: {len(row.logliks)} logliks for {len(it.continuations)} choices")
                s.scores.append(s.task.score(it, row.logliks, s.code))
            elif it.meta.get("formulation") == "generate":
                s.scores.append(s.task.score_generated(it, row.response, s.code, shown=row.choices))
            else:
                s.scores.append(s.task.score(it, row.response, s.code))
    return {"rows": len(rows), "matched": used, "missing": missing}
