"""The Engine: the only thing analyses and tasks talk to.

Requests in, answers out, in the order asked. In between: identical requests are answered
once, cached answers are reused, and the rest run on the model in length-sorted chunks whose
answers are written to the cache as each chunk finishes - so an interrupted run resumes where
it stopped.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence, TypeVar

import numpy as np

from ..models.base import Capability, Model, require
from .cache import RequestCache
from .requests import (
    GenerationRequest,
    HiddenStatesRequest,
    LoglikelihoodRequest,
    LoglikelihoodResult,
    RollingLoglikelihoodRequest,
    RollingResult,
)

R = TypeVar("R")
#: progress(kind, done, total): called after every chunk, including cached answers at start.
Progress = Callable[[str, int, int], None]


@dataclass
class EngineStats:
    """How many requests were asked, distinct, answered from cache, computed."""

    requested: int = 0
    unique: int = 0
    cached: int = 0
    computed: int = 0


class Engine:
    """Executes requests on ``model``. ``cache`` is a RequestCache, a path to one, or None.

    ``batch_size`` is how many requests go to the model per call (and per cache write); the
    model batches further inside by its own token budget. ``progress_every`` (e.g. the model's
    own batch size) splits each call further so progress moves, and the cache is written, at
    least every that many requests instead of once per ``batch_size``.
    """

    def __init__(self, model: Model, cache: RequestCache | str | Path | None = None,
                 batch_size: int = 64, progress: Progress | None = None,
                 progress_every: int | None = None):
        self.model = model
        self.cache = RequestCache(cache) if isinstance(cache, (str, Path)) else cache
        self.batch_size = max(1, int(batch_size))
        self.progress = progress
        self.progress_every = max(1, int(progress_every)) if progress_every else None
        self.stats = EngineStats()

    @property
    def signature(self) -> str:
        return self.model.signature

    def require(self, *needed: Capability) -> None:
        """Fail before any work if the model lacks a capability (see models.base.require)."""
        require(self.model, *needed)

    # -- the four request kinds -------------------------------------------------------------
    def loglikelihood(self, requests: Sequence[LoglikelihoodRequest]) -> list[LoglikelihoodResult]:
        self.require(Capability.LOGLIKELIHOOD)
        # Longest contexts first, and the choices of one context next to each other (and never
        # split across chunks), so the model encodes each shared context once.
        return self._run("loglikelihood", requests, lambda r: (-len(r.context), r.context, -len(r.continuation)),
                         self.model.loglikelihood, _enc_ll, _dec_ll, group=lambda r: r.context)

    def loglikelihood_rolling(self, requests: Sequence[RollingLoglikelihoodRequest]) -> list[RollingResult]:
        self.require(Capability.LOGLIKELIHOOD)
        return self._run("rolling", requests, lambda r: -len(r.text), self.model.loglikelihood_rolling,
                         lambda v: json.dumps([v.nll, v.n_tokens]).encode(),
                         lambda b: RollingResult(*json.loads(b)))

    def generate(self, requests: Sequence[GenerationRequest]) -> list[str]:
        self.require(Capability.GENERATE)
        return self._run("generate", requests,
                         lambda r: -(len(r.context) + sum(len(c) for _, c in r.messages) + r.max_tokens),
                         self.model.generate, lambda v: v.encode("utf-8"), lambda b: b.decode("utf-8"))

    def hidden_states(self, texts: Sequence[str], pooling: str = "weighted_mean") -> np.ndarray:
        """(len(texts), n_layers + 1, d) float32, as Model.hidden_states."""
        self.require(Capability.HIDDEN_STATES)
        reqs = [HiddenStatesRequest(t, pooling) for t in texts]

        def compute(batch: Sequence[HiddenStatesRequest]) -> list[np.ndarray]:
            return list(self.model.hidden_states([r.text for r in batch], pooling=pooling))

        rows = self._run("hidden_states", reqs, lambda r: -len(r.text), compute, _enc_array, _dec_array)
        if not rows:
            return np.zeros((0, 0, 0), dtype=np.float32)
        return np.stack(rows).astype(np.float32, copy=False)

    # -- the one loop -----------------------------------------------------------------------
    def _run(self, kind: str, requests: Sequence[Any], order: Callable[[Any], Any],
             compute: Callable[[Sequence[Any]], list[R]], encode: Callable[[R], bytes],
             decode: Callable[[bytes], R], group: Callable[[Any], Any] | None = None) -> list[R]:
        """Answer ``requests``: dedup, reuse cached answers, run the rest in chunks sorted by
        ``order`` (longest first); a chunk never ends inside a run of equal ``group`` keys."""
        keys = [r.key() for r in requests]
        unique: dict[str, Any] = {}
        for k, r in zip(keys, requests):
            unique.setdefault(k, r)
        answers: dict[str, R] = {}
        sig = self.model.signature
        if self.cache is not None and unique:
            answers = {k: decode(v) for k, v in self.cache.get_many(sig, unique).items()}
        pending = sorted((k for k in unique if k not in answers), key=lambda k: order(unique[k]))
        self.stats.requested += len(requests)
        self.stats.unique += len(unique)
        self.stats.cached += len(answers)
        total = len(unique)
        self._tick(kind, len(answers), total)
        s = 0
        # A backend may ask for smaller chunks (API models: one wave of concurrent requests),
        # so an interrupted run loses at most one chunk of answers already paid for; and
        # progress_every (issue 14) makes progress and cache writes move every model batch.
        step = min(self.batch_size, int(getattr(self.model, "max_chunk", None) or self.batch_size),
                   self.progress_every or self.batch_size)
        while s < len(pending):
            e = min(s + step, len(pending))
            if group is not None:
                while e < len(pending) and group(unique[pending[e]]) == group(unique[pending[e - 1]]):
                    e += 1
            chunk = pending[s:e]
            s = e
            results = compute([unique[k] for k in chunk])
            if len(results) != len(chunk):
                raise RuntimeError(f"{kind}: model returned {len(results)} answers for {len(chunk)} requests")
            fresh = dict(zip(chunk, results))
            if self.cache is not None:
                self.cache.put_many(sig, kind, {k: encode(v) for k, v in fresh.items()})
            answers.update(fresh)
            self.stats.computed += len(chunk)
            self._tick(kind, len(answers), total, results)
        return [answers[k] for k in keys]

    def _tick(self, kind: str, done: int, total: int, results: Sequence[Any] = ()) -> None:
        if self.progress is None:
            return
        if getattr(self.progress, "accepts_tokens", False):  # cli.progress.ProgressDisplay
            tokens = sum(int(getattr(r, "n_tokens", 0) or 0) for r in results)
            self.progress(kind, done, total, tokens=tokens)
        else:
            self.progress(kind, done, total)


def _enc_ll(v: LoglikelihoodResult) -> bytes:
    return json.dumps([v.logprob, v.is_greedy, v.n_tokens, list(v.token_logprobs)]).encode()


def _dec_ll(b: bytes) -> LoglikelihoodResult:
    lp, greedy, n, toks = json.loads(b)
    return LoglikelihoodResult(lp, greedy, n, tuple(toks))


def _enc_array(a: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.save(buf, np.asarray(a, dtype=np.float32), allow_pickle=False)
    return buf.getvalue()


def _dec_array(b: bytes) -> np.ndarray:
    return np.load(io.BytesIO(b), allow_pickle=False)
