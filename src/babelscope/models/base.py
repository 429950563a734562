"""The Model protocol: small on purpose.

A backend implements what it can of four capabilities and declares them in
``capabilities``. Callers state what they need with :meth:`Model.require` *before* any work
starts, so a backend that cannot do something fails up front, never half-way through a run.
"""

from __future__ import annotations

from enum import Enum
from typing import Protocol, Sequence, runtime_checkable

import numpy as np

from ..request_types import (
    GenerationRequest,
    LoglikelihoodRequest,
    LoglikelihoodResult,
    RollingLoglikelihoodRequest,
    RollingResult,
)
from ..errors import ModelError


class Capability(str, Enum):
    TOKENIZER = "tokenizer"
    LOGLIKELIHOOD = "loglikelihood"
    GENERATE = "generate"
    HIDDEN_STATES = "hidden_states"


@runtime_checkable
class Tokenizer(Protocol):
    """The part of a tokenizer the analyses need: plain encode/decode without special tokens."""

    name: str

    def encode(self, text: str) -> list[int]: ...

    def decode(self, ids: Sequence[int]) -> str: ...

    @property
    def vocab_size(self) -> int: ...


class Model(Protocol):
    """What every backend offers. Unsupported capabilities raise ModelError via require()."""

    name: str
    capabilities: frozenset[Capability]

    @property
    def signature(self) -> str:
        """Model name + revision or weights hash + tokenizer hash: what makes runs comparable."""
        ...

    @property
    def tokenizer(self) -> Tokenizer: ...

    def loglikelihood(self, requests: Sequence[LoglikelihoodRequest]) -> list[LoglikelihoodResult]: ...

    def loglikelihood_rolling(self, requests: Sequence[RollingLoglikelihoodRequest]) -> list[RollingResult]: ...

    def generate(self, requests: Sequence[GenerationRequest]) -> list[str]: ...

    def hidden_states(self, texts: Sequence[str], pooling: str = "weighted_mean") -> np.ndarray:
        """Pooled sentence embeddings per layer: array (len(texts), n_layers + 1, hidden)."""
        ...


def require(model: Model, *needed: Capability) -> None:
    """Fail before any work if ``model`` lacks a capability the caller needs."""
    missing = [c.value for c in needed if c not in model.capabilities]
    if missing:
        # A backend may say why and what to use instead (e.g. a chat API: no log-likelihoods).
        why = getattr(model, "why_not", None)
        hint = why([c for c in needed if c not in model.capabilities]) if callable(why) else ""
        raise ModelError(
            f"model {model.name!r} cannot do {', '.join(missing)} "
            f"(it supports: {', '.join(sorted(c.value for c in model.capabilities))})"
            + (f": {hint}" if hint else "")
        )
