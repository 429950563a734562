"""Requests: the single seam between analyses/tasks and models.

Analyses and tasks never call a model directly. They build these small, hashable values; the
engine (or a backend) answers them. Because requests are plain frozen data, they can be
deduplicated, sorted by length, cached by hash and shipped to another process.

This module is a leaf (it imports nothing from babelscope) so that both sides of the seam can
use it without importing each other: the Model protocol (models/) and the Engine (engine/).
``babelscope.engine.requests`` re-exports these names for the analyses and tasks.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class LoglikelihoodRequest:
    """log P(continuation | context), the continuation scored token by token.

    Tokenisation follows lm-evaluation-harness: the continuation's tokens are those of
    ``context + continuation`` beyond the context's tokens, with trailing whitespace of the
    context moved to the continuation.
    """

    context: str
    continuation: str

    def key(self) -> str:
        return _hash("ll", self.context, self.continuation)


@dataclass(frozen=True)
class RollingLoglikelihoodRequest:
    """Total log-likelihood of a whole text (for perplexity / bits per byte).

    Long texts are scored with a rolling window: every token is predicted exactly once, with as
    much left context as fits the model's window.
    """

    text: str

    def key(self) -> str:
        return _hash("rolling", self.text)


@dataclass(frozen=True)
class GenerationRequest:
    """Generate from ``context`` until a stop sequence or ``max_tokens``.

    For chat models, ``messages`` holds the conversation as (role, content) pairs
    ("user"/"assistant"/"system"); the backend renders it with the model's chat template (or a
    plain "User:/Assistant:" fallback when the model has none) and ``context`` is ignored.
    """

    context: str = ""
    stop: tuple[str, ...] = ()
    max_tokens: int = 256
    temperature: float = 0.0
    messages: tuple[tuple[str, str], ...] = ()

    def key(self) -> str:
        return _hash("gen", json.dumps(asdict(self), sort_keys=True, ensure_ascii=False))


@dataclass(frozen=True)
class HiddenStatesRequest:
    """Pooled per-layer hidden states of one text (see Model.hidden_states for the poolings)."""

    text: str
    pooling: str = "weighted_mean"

    def key(self) -> str:
        return _hash("hidden", self.pooling, self.text)


@dataclass(frozen=True)
class LoglikelihoodResult:
    """Sum of continuation token log-probabilities (natural log) and whether it is greedy."""

    logprob: float
    is_greedy: bool
    n_tokens: int
    token_logprobs: tuple[float, ...] = field(default=(), compare=False)


@dataclass(frozen=True)
class RollingResult:
    """Total negative log-likelihood (nats) of a text and how many tokens it was."""

    nll: float
    n_tokens: int


def _hash(*parts: str) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(p.encode("utf-8"))
        h.update(b"\x00")
    return h.hexdigest()
