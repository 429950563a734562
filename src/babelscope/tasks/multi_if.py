"""Multi-IF (He et al. 2024): multi-turn, multilingual instruction following.

Data as published: one row per conversation with ``turn_k_prompt`` (a JSON chat message),
``turn_k_instruction_id_list`` and ``turn_k_kwargs`` (JSON lists; cumulative, so turn k holds
every earlier instruction plus its new one), ``language`` and ``key``; a conversation may stop
after two turns (empty turn-3 columns).

The loop: turn k's input is the earlier user messages, the model's *own* earlier responses and
turn k's prompt, rendered with the model's chat template; all conversations advance one turn
per batch, so the only model dependency is a ``generate(requests) -> list[str]`` method.

Scores per turn and language: prompt-level (all instructions followed) and instruction-level
accuracy, strict and loose, and their mean ("overall"), with 95% bootstrap CIs over
conversations.
"""

from __future__ import annotations

import csv
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Protocol, Sequence

import numpy as np

from ..engine.requests import GenerationRequest
from ..errors import CorpusError, LanguageError
from ..ifeval import CheckContext, FollowResult, follow, validate
from ..jsonl import iter_jsonl
from ..languages import Language
from ..results import ResultRow

MAX_TURNS = 3
METRICS = ("prompt_strict", "inst_strict", "prompt_loose", "inst_loose")


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

    @property
    def lang(self) -> Language:
        return Language.parse(self.language)


class Generator(Protocol):
    def generate(self, requests: Sequence[GenerationRequest]) -> list[str]: ...


# -- loading -------------------------------------------------------------------------------------

def load_conversations(path: str | Path, limit: int | None = None,
                       languages: Iterable[str] | None = None) -> list[Conversation]:
    """Read and validate a Multi-IF file (CSV or JSON lines); errors name the file, row and turn."""
    p = Path(path)
    rows = _read_rows(p)
    if rows and not any(f"turn_1_prompt" in r for r in rows[:1]):
        raise CorpusError(f"{p}: not a Multi-IF file (no turn_1_prompt column)")
    want = {Language.parse(x) for x in languages} if languages else None
    out: list[Conversation] = []
    for i, row in enumerate(rows, start=2 if p.suffix.lower() == ".csv" else 1):
        conv = parse_row(row, where=f"{p}: row {i}")
        if want and conv.lang not in want:
            continue
        out.append(conv)
        if limit and len(out) >= limit:
            break
    if not out:
        raise CorpusError(f"{p}: no conversations" + (" in the chosen languages" if want else ""))
    return out


def parse_row(row: dict[str, Any], where: str = "") -> Conversation:
    """One conversation from a dataset row; InstructionError/CorpusError naming ``where``."""
    key = str(row.get("key") or "").strip()
    if not key:
        raise CorpusError(f"{where}: no 'key'")
    language = str(row.get("language") or "").strip()
    if not language:
        raise CorpusError(f"{where} ({key}): no 'language'")
    try:
        Language.parse(language)
    except LanguageError as e:
        raise CorpusError(f"{where} ({key}): {e}") from e
    turns: list[Turn] = []
    for k in range(1, MAX_TURNS + 1):
        raw = row.get(f"turn_{k}_prompt")
        if raw in (None, "", "None") or (isinstance(raw, float) and np.isnan(raw)):
            break
        at = f"{where} ({key}) turn {k}"
        prompt = _message_content(raw, at)
        ids = _json_list(row.get(f"turn_{k}_instruction_id_list"), f"{at} instruction_id_list")
        kws = _json_list(row.get(f"turn_{k}_kwargs"), f"{at} kwargs")
        if len(kws) != len(ids):
            raise CorpusError(f"{at}: {len(ids)} instruction ids but {len(kws)} kwargs")
        clean = []
        for iid, kw in zip(ids, kws):
            if isinstance(kw, str):
                try:
                    kw = json.loads(kw) if kw.strip() else {}
                except json.JSONDecodeError as e:
                    raise CorpusError(f"{at}: kwargs of {iid} are not JSON ({e.msg})") from e
            clean.append(validate(str(iid), kw, where=at))
        turns.append(Turn(prompt, tuple(str(i) for i in ids), tuple(clean)))
    if not turns:
        raise CorpusError(f"{where} ({key}): no turn_1_prompt")
    return Conversation(key, language, tuple(turns))


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


# -- generation ----------------------------------------------------------------------------------

Responses = dict[tuple[str, int], str]


def turn_messages(conv: Conversation, turn: int, responses: Responses) -> tuple[tuple[str, str], ...]:
    """The chat for ``turn`` (1-based): earlier user turns with the model's own answers, then this prompt."""
    msgs: list[tuple[str, str]] = []
    for k in range(1, turn):
        msgs.append(("user", conv.turns[k - 1].prompt))
        msgs.append(("assistant", responses[(conv.key, k)]))
    msgs.append(("user", conv.turns[turn - 1].prompt))
    return tuple(msgs)


def generate_responses(
    conversations: Sequence[Conversation],
    generator: Generator,
    max_tokens: int = 1024,
    turns: int = MAX_TURNS,
    progress: Callable[[int, int], None] | None = None,
) -> Responses:
    """Run the multi-turn loop: one batch of requests per turn over all open conversations."""
    responses: Responses = {}
    for t in range(1, min(turns, MAX_TURNS) + 1):
        open_convs = [c for c in conversations if len(c.turns) >= t]
        if not open_convs:
            break
        reqs = [GenerationRequest(messages=turn_messages(c, t, responses), max_tokens=max_tokens) for c in open_convs]
        outs = generator.generate(reqs)
        if len(outs) != len(reqs):
            raise RuntimeError(f"generator returned {len(outs)} responses for {len(reqs)} requests")
        for c, text in zip(open_convs, outs):
            responses[(c.key, t)] = text
        if progress:
            progress(t, turns)
    return responses


def read_responses(path: str | Path, conversations: Sequence[Conversation] | None = None) -> Responses:
    """Stored responses: Multi-IF output rows (``key``, ``turns`` JSON chat, ``responses``) or
    any CSV/JSONL with ``key``, ``turn`` (1-based; ``turn_index`` 0-based if any is 0) and
    ``response``/``responses``. Errors name the file and row."""
    p = Path(path)
    rows = _read_rows(p)
    if not rows:
        raise CorpusError(f"{p}: no responses")
    cols = set(rows[0])
    text_col = next((c for c in ("response", "responses") if c in cols), None)
    if "key" not in cols or text_col is None:
        raise CorpusError(f"{p}: responses need columns 'key' and 'response' (or 'responses'); found {', '.join(sorted(cols))}")
    turn_col = next((c for c in ("turn", "turn_index") if c in cols), None)
    raw_turns: list[int | None] = []
    for i, r in enumerate(rows):
        t = None
        if r.get("turns") not in (None, "", "None"):
            try:
                chat = json.loads(r["turns"]) if isinstance(r["turns"], str) else r["turns"]
                t = sum(1 for m in chat if isinstance(m, dict) and m.get("role") == "user") or None
            except json.JSONDecodeError:
                t = None
        if t is None and turn_col:
            try:
                t = int(float(r[turn_col])) if r[turn_col] not in (None, "") else None
            except ValueError as e:
                raise CorpusError(f"{p}: row {i + 1}: {turn_col}={r[turn_col]!r} is not a number") from e
        raw_turns.append(t)
    zero_based = any(t == 0 for t in raw_turns)
    out: Responses = {}
    for i, (r, t) in enumerate(zip(rows, raw_turns)):
        if t is None:
            raise CorpusError(f"{p}: row {i + 1}: cannot tell the turn (no 'turns' chat nor turn column)")
        text = r.get(text_col)
        if text in (None, "None"):
            continue
        out[(str(r["key"]), t + 1 if zero_based else t)] = str(text)
    if conversations is not None:
        keys = {c.key for c in conversations}
        if not keys & {k for k, _ in out}:
            raise CorpusError(f"{p}: none of its keys match the conversations (e.g. {next(iter(keys))!r})")
    return out


# -- scoring -------------------------------------------------------------------------------------

@dataclass
class TurnScores:
    """Per-conversation results of one (turn, language): the unit the bootstrap resamples."""

    turn: int
    language: str
    results: list[FollowResult] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)

    def values(self, idx: np.ndarray | None = None) -> dict[str, float]:
        res = self.results if idx is None else [self.results[i] for i in idx]
        if not res:
            return {m: float("nan") for m in (*METRICS, "overall")}
        inst_s = sum(sum(r.strict) for r in res)
        inst_l = sum(sum(r.loose) for r in res)
        n_inst = sum(len(r.strict) for r in res)
        d = {
            "prompt_strict": sum(r.prompt_strict for r in res) / len(res),
            "inst_strict": inst_s / max(1, n_inst),
            "prompt_loose": sum(r.prompt_loose for r in res) / len(res),
            "inst_loose": inst_l / max(1, n_inst),
        }
        d["overall"] = sum(d.values()) / 4
        return d


def score(
    conversations: Sequence[Conversation],
    responses: Responses,
    lid: Any = None,
    turns: int = MAX_TURNS,
) -> list[TurnScores]:
    """Check every answered turn; a turn without a stored response is skipped (not failed)."""
    groups: dict[tuple[int, str], TurnScores] = {}
    for conv in conversations:
        tag = conv.lang.tag
        ctx = CheckContext(language=conv.language, lid=lid)
        for t, turn in enumerate(conv.turns[:turns], start=1):
            if (conv.key, t) not in responses:
                continue
            res = follow(responses[(conv.key, t)], turn.instruction_ids, turn.kwargs, ctx)
            g = groups.setdefault((t, tag), TurnScores(t, tag))
            g.results.append(res)
            g.keys.append(conv.key)
    return [groups[k] for k in sorted(groups)]


def bootstrap_ci(group: TurnScores, n_boot: int = 1000, seed: int = 0, alpha: float = 0.05) -> dict[str, tuple[float, float]]:
    """Percentile bootstrap CIs over conversations for every metric (metrics.instruction_following)."""
    from ..metrics.instruction_following import accuracy_cis, item_statistics

    stats = item_statistics([r.strict for r in group.results], [r.loose for r in group.results])
    return accuracy_cis(stats, n_boot=n_boot, seed=seed, alpha=alpha)


def result_rows(groups: Sequence[TurnScores], n_boot: int = 1000, seed: int = 0, name: str = "multi_if") -> list[ResultRow]:
    """Rows per (turn, language, metric); variant = "turn<k>"."""
    rows = []
    for g in groups:
        vals = g.values()
        cis = bootstrap_ci(g, n_boot, seed) if n_boot else {}
        lang = Language.parse(g.language)
        n_inst = sum(len(r.strict) for r in g.results)
        for m, v in vals.items():
            lo, hi = cis.get(m, (None, None))
            rows.append(ResultRow(
                name=name, metric=m, language=lang, value=v, variant=f"turn{g.turn}", kind="task",
                n=len(g.results), ci_low=lo, ci_high=hi, extra={"instructions": n_inst},
            ))
    return rows


def item_records(groups: Sequence[TurnScores], name: str = "multi_if") -> list[tuple[str, str, str, dict[str, Any]]]:
    """Per (conversation, turn) verdicts for the Store."""
    out = []
    for g in groups:
        for key, r in zip(g.keys, g.results):
            out.append((name, g.language, f"{key}#turn{g.turn}", {
                "turn": g.turn, "instruction_ids": list(r.instruction_ids),
                "strict": list(r.strict), "loose": list(r.loose),
            }))
    return out
