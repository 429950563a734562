"""Stored responses, in the layouts Multi-IF, IFEval and M-IFEval write them."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ...errors import CorpusError
from .data import Conversation, _read_rows

Responses = dict[tuple[str, int], str]


def read_responses(path: str | Path, conversations: Sequence[Conversation] | None = None) -> Responses:
    """Stored responses: Multi-IF output rows (``key``, ``turns`` JSON chat, ``responses``),
    any CSV/JSONL with ``key``, ``turn`` (1-based; ``turn_index`` 0-based if any is 0; neither:
    one turn) and ``response``/``responses``, or IFEval / M-IFEval response files (``prompt``,
    ``response``; matched to the conversations by their first prompt, as IFEval's evaluation does).
    Errors name the file and row."""
    p = Path(path)
    rows = _read_rows(p)
    if not rows:
        raise CorpusError(f"{p}: no responses")
    cols = set(rows[0])
    if "key" not in cols and {"prompt", "response"} <= cols:
        return _by_prompt(p, rows, conversations)
    text_col = next((c for c in ("response", "responses") if c in cols), None)
    if "key" not in cols or text_col is None:
        raise CorpusError(f"{p}: responses need columns 'key' and 'response' (or 'responses'); found {', '.join(sorted(cols))}")
    turn_col = next((c for c in ("turn", "turn_index") if c in cols), None)
    single_turn = turn_col is None and "turns" not in cols  # IFEval-style answers that carry the key
    raw_turns: list[int | None] = []
    for i, r in enumerate(rows):
        t = None
        if r.get("turns") not in (None, "", "None"):
            try:
                chat = json.loads(r["turns"]) if isinstance(r["turns"], str) else r["turns"]
                t = sum(1 for m in chat if isinstance(m, dict) and m.get("role") == "user") or None
            except json.JSONDecodeError:
                t = None
        if single_turn:
            t = 1
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



def _by_prompt(p: Path, rows: list[dict[str, Any]], conversations: Sequence[Conversation] | None) -> Responses:
    if conversations is None:
        raise CorpusError(f"{p}: responses keyed by prompt need the conversations to match them to")
    by_prompt = {c.turns[0].prompt: c.key for c in conversations}
    out: Responses = {}
    for i, r in enumerate(rows, start=1):
        prompt, text = r.get("prompt"), r.get("response")
        if not isinstance(prompt, str):
            raise CorpusError(f"{p}: row {i}: 'prompt' is not text")
        if prompt in by_prompt and text is not None:
            out[(by_prompt[prompt], 1)] = str(text)  # a repeated prompt: the last answer wins, as in IFEval
    if not out:
        raise CorpusError(f"{p}: none of its prompts is a prompt of the data (e.g. {next(iter(by_prompt))[:60]!r})")
    return out
