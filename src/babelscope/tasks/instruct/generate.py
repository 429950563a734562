"""The multi-turn loop: turn k's input is the earlier user messages, the model's *own* earlier
responses and turn k's prompt, rendered with the model's chat template; all conversations
advance one turn per batch, so the only model dependency is ``generate(requests) -> list[str]``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from ...engine.requests import GenerationRequest
from .data import MAX_TURNS, Conversation
from .responses import Responses


class Generator(Protocol):
    def generate(self, requests: Sequence[GenerationRequest]) -> list[str]: ...




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
