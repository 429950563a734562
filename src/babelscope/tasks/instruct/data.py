"""Instruction-following data in its three published layouts, read into one Conversation type.

- Multi-IF (He et al. 2024): one row per conversation with ``turn_k_prompt`` (a JSON chat
  message), ``turn_k_instruction_id_list`` and ``turn_k_kwargs`` (JSON lists; cumulative, so
  turn k holds every earlier instruction plus its new one), ``language`` and ``key``; a
  conversation may stop after two turns (empty turn-3 columns). CSV, JSON lines or Parquet.
- IFEval (Zhou et al. 2023) ``input_data.jsonl``: one prompt per line with ``key``,
  ``prompt``, ``instruction_id_list`` and ``kwargs`` (a list of objects); English, one turn.
- M-IFEval (Dussolle et al. 2025) ``{lang}_input_data.jsonl``: the IFEval layout with ids
  prefixed by their language (``es:keywords:existence``); the prefix gives the language.

Every instruction is validated against the chosen checker variant's registry here, so a bad
id or kwarg stops the run before any generation, with the file, row and turn named.

``hf:<repo>`` (e.g. ``hf:facebook/Multi-IF``, ``hf:google/IFEval``) reads the hub copy through
``datasets`` when the hub is reachable; offline it fails at once, naming why.
"""

from __future__ import annotations

import csv
import json
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ...errors import ConfigError, CorpusError, LanguageError
from ...ifeval import get_variant
from ...ifeval.variants import AUTO, DEFAULT, CheckerVariant, published_for
from ...jsonl import iter_jsonl
from ...languages import Language

MAX_TURNS = 3
#: Result-row names of the three layouts.
MULTI_IF, IFEVAL, M_IFEVAL = "multi_if", "ifeval", "m_ifeval"
_LANG_PREFIX = re.compile(r"^([a-z]{2,3}):(.+:.+)$")


@dataclass(frozen=True)
class Turn:
    prompt: str
    instruction_ids: tuple[str, ...]
    kwargs: tuple[dict[str, Any], ...]


@dataclass(frozen=True)
class Conversation:
    key: str
    language: str
    turns: tuple[Turn, ...]
    #: Which published layout it came from (names its result rows): multi_if, ifeval, m_ifeval.
    benchmark: str = MULTI_IF

    @property
    def lang(self) -> Language:
        return Language.parse(self.language)


def load_conversations(path: str | Path, limit: int | None = None,
                       languages: Iterable[str] | None = None,
                       checkers: str | CheckerVariant | None = None) -> list[Conversation]:
    """Read and validate a Multi-IF, IFEval or M-IFEval file against the ``checkers`` variant
    (default: babelscope's rewrite; ``auto``: the variant the file's authors publish); errors
    name the file, row and turn."""
    p = Path(path)
    auto = isinstance(checkers, str) and checkers.strip().lower() == AUTO
    variant = None if auto else get_variant(checkers)  # a bad name fails before any reading
    rows = hub_rows(str(path)) if str(path).startswith(HUB_PREFIX) else _read_rows(p)
    first = rows[0] if rows else {}
    if "turn_1_prompt" in first:
        parse, layout = parse_row, MULTI_IF
    elif {"prompt", "instruction_id_list"} <= set(first):
        prefixed = any(_LANG_PREFIX.match(str(i)) for i in _json_list(first.get("instruction_id_list"), f"{p}: row 1"))
        parse, layout = parse_ifeval_row, (M_IFEVAL if prefixed else IFEVAL)
    else:
        raise CorpusError(f"{p}: neither a Multi-IF file (no turn_1_prompt column) nor an IFEval/M-IFEval "
                          f"file (no prompt and instruction_id_list)")
    if variant is None:
        variant = get_variant(published_for(layout))
    want = {Language.parse(x) for x in languages} if languages else None
    out: list[Conversation] = []
    for i, row in enumerate(rows, start=2 if p.suffix.lower() == ".csv" else 1):
        conv = parse(row, where=f"{p}: row {i}", checkers=variant)
        if want and conv.lang not in want:
            continue
        out.append(conv)
        if limit and len(out) >= limit:
            break
    if not out:
        raise CorpusError(f"{p}: no conversations" + (" in the chosen languages" if want else ""))
    return out


def resolve_checkers(checkers: str | CheckerVariant | None, conversations: list[Conversation]) -> str:
    """The variant name a run uses: ``auto`` becomes the variant the data's authors publish
    (one per run: a ConfigError if the conversations come from several layouts)."""
    if isinstance(checkers, CheckerVariant):
        return checkers.name
    name = (checkers or DEFAULT).strip().lower()
    if name != AUTO:
        return get_variant(name).name
    names = sorted({published_for(c.benchmark) for c in conversations})
    if len(names) != 1:
        raise ConfigError(f"--checkers auto: the data mixes layouts whose published checkers differ ({', '.join(names)})")
    return names[0]


def parse_row(row: dict[str, Any], where: str = "",
              checkers: str | CheckerVariant | None = None) -> Conversation:
    """One Multi-IF conversation from a dataset row; InstructionError/CorpusError naming ``where``."""
    variant = get_variant(checkers)
    key = str(row.get("key") or "").strip()
    if not key:
        raise CorpusError(f"{where}: no 'key'")
    language = str(row.get("language") or "").strip()
    if not language:
        raise CorpusError(f"{where} ({key}): no 'language'")
    _check_language(language, f"{where} ({key})")
    turns: list[Turn] = []
    for k in range(1, MAX_TURNS + 1):
        raw = row.get(f"turn_{k}_prompt")
        if raw in (None, "", "None") or (isinstance(raw, float) and np.isnan(raw)):
            break
        at = f"{where} ({key}) turn {k}"
        prompt = _message_content(raw, at)
        ids = _json_list(row.get(f"turn_{k}_instruction_id_list"), f"{at} instruction_id_list")
        kws = _json_list(row.get(f"turn_{k}_kwargs"), f"{at} kwargs")
        turns.append(_turn(prompt, ids, kws, at, variant, language))
    if not turns:
        raise CorpusError(f"{where} ({key}): no turn_1_prompt")
    return Conversation(key, language, tuple(turns), MULTI_IF)


def parse_ifeval_row(row: dict[str, Any], where: str = "",
                     checkers: str | CheckerVariant | None = None) -> Conversation:
    """One IFEval / M-IFEval prompt as a one-turn conversation. The language is the row's
    ``language``, else the ids' prefix (M-IFEval), else English (IFEval)."""
    variant = get_variant(checkers)
    key = str(row.get("key") if row.get("key") is not None else "").strip()
    if not key:
        raise CorpusError(f"{where}: no 'key'")
    at = f"{where} ({key})"
    prompt = row.get("prompt")
    if not isinstance(prompt, str) or not prompt.strip():
        raise CorpusError(f"{at}: no 'prompt' text")
    ids = _json_list(row.get("instruction_id_list"), f"{at} instruction_id_list")
    kws = _json_list(row.get("kwargs"), f"{at} kwargs")
    prefixes = {m.group(1) for m in (_LANG_PREFIX.match(str(i)) for i in ids) if m}
    if len(prefixes) > 1:
        raise CorpusError(f"{at}: instruction ids of several languages ({', '.join(sorted(prefixes))})")
    language = str(row.get("language") or next(iter(prefixes), "") or "en").strip()
    _check_language(language, at)
    benchmark = M_IFEVAL if prefixes else IFEVAL
    return Conversation(key, language, (_turn(prompt, ids, kws, at, variant, language),), benchmark)


def _turn(prompt: str, ids: list[Any], kws: list[Any], at: str, variant: CheckerVariant, language: str) -> Turn:
    if len(kws) != len(ids):
        raise CorpusError(f"{at}: {len(ids)} instruction ids but {len(kws)} kwargs")
    clean, names = [], []
    for iid, kw in zip(ids, kws):
        if isinstance(kw, str):
            try:
                kw = json.loads(kw) if kw.strip() else {}
            except json.JSONDecodeError as e:
                raise CorpusError(f"{at}: kwargs of {iid} are not JSON ({e.msg})") from e
        name = _registry_id(str(iid), variant, language)
        clean.append(variant.validate(name, kw, where=at))
        names.append(name)
    return Turn(prompt, tuple(names), tuple(clean))


def _registry_id(iid: str, variant: CheckerVariant, language: str) -> str:
    """The id as the variant knows it. Variants without per-language registries drop an
    M-IFEval prefix (``en:keywords:existence`` -> ``keywords:existence``); M-IFEval's, keyed by
    language, get the conversation's language as prefix (Multi-IF's Spanish
    ``keywords:existence`` -> ``es:keywords:existence``)."""
    if iid in variant.instructions:
        return iid
    m = _LANG_PREFIX.match(iid)
    if m and m.group(2) in variant.instructions:
        return m.group(2)
    if not m:
        prefixed = f"{Language.parse(language).tag.split('-')[0]}:{iid}"
        if prefixed in variant.instructions:
            return prefixed
    return iid  # unknown either way: validate() names it


HUB_PREFIX = "hf:"


def hub_rows(spec: str, split: str = "train") -> list[dict[str, Any]]:
    """Rows of ``hf:<repo>[:<config>]`` from the Hugging Face hub; CorpusError when offline or
    when ``datasets`` is not installed, before any download is tried."""
    from ...hub_access import offline_reason

    repo, _, config = spec[len(HUB_PREFIX):].partition(":")
    reason = offline_reason()
    if reason:
        raise CorpusError(f"{spec}: the hub is unusable ({reason}); pass --data with a local copy of {repo}")
    try:
        import datasets
    except ImportError:
        raise CorpusError(f"{spec}: reading the hub needs the 'datasets' package (pip install 'babelscope[hub]'), "
                          "or pass --data with a local copy") from None
    return [dict(r) for r in datasets.load_dataset(repo, config or None, split=split)]


def _check_language(language: str, where: str) -> None:
    try:
        Language.parse(language)
    except LanguageError as e:
        raise CorpusError(f"{where}: {e}") from e


def _message_content(raw: Any, where: str) -> str:
    if isinstance(raw, dict):
        msg = raw
    else:
        try:
            msg = json.loads(raw)
        except (json.JSONDecodeError, TypeError):
            return str(raw)  # a plain-text prompt
    if isinstance(msg, dict) and "content" in msg:
        return str(msg["content"])
    if isinstance(msg, str):
        return msg
    raise CorpusError(f"{where}: prompt is neither text nor a {{role, content}} message")


def _json_list(raw: Any, where: str) -> list[Any]:
    if isinstance(raw, (list, tuple)):
        return list(raw)
    if raw in (None, ""):
        return []
    try:
        value = json.loads(raw)
    except json.JSONDecodeError as e:
        raise CorpusError(f"{where}: not a JSON list ({e.msg})") from e
    if not isinstance(value, list):
        raise CorpusError(f"{where}: not a JSON list")
    return value


def _read_rows(p: Path) -> list[dict[str, Any]]:
    if not p.is_file():
        raise CorpusError(f"no such file {p}")
    if p.suffix.lower() in (".jsonl", ".ndjson"):
        def fail(i: int, e: Exception | None) -> CorpusError:
            return CorpusError(f"{p}: line {i} is not valid JSON ({e.msg})" if e else f"{p}: line {i} is not a JSON object")

        return [obj for _, obj in iter_jsonl(p, fail)]
    if p.suffix.lower() == ".parquet":
        import pyarrow.parquet as pq

        return pq.read_table(p).to_pylist()
    csv.field_size_limit(sys.maxsize)
    with p.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))
