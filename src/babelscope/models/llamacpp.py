"""GGUF files through llama.cpp (llama-cpp-python), in this process.

Why a second local backend: a quantised GGUF is what people run on laptops, and evaluating it
as transformers' dequantised fp32 copy measures a different model (and needs four times the
memory). Here the file runs as its users run it: llama.cpp kernels, the GGUF's own tokenizer
and chat template.

- Log-likelihood: the context and continuation are tokenised as lm-evaluation-harness does
  (trailing context whitespace moves to the continuation; the continuation is what the whole
  string has beyond the context's tokens) and the whole sequence is evaluated with logits at
  every position (``logits_all``); each position is normalised with a float64 log-softmax.
- Rolling log-likelihood: every token predicted once, from BOS, in windows of ``n_ctx``.
- Generation: llama-cpp-python's own completion / chat-completion paths (the GGUF's chat
  template), greedy at temperature 0 - the same code the llama.cpp server runs.
- Requests run one sequence at a time (the high-level API has one sequence slot);
  consecutive requests that share a token prefix reuse its evaluated positions, by the rule
  llama-cpp-python's server follows (see ``_eval``: llama.cpp's logits depend on batching).

Install: ``pip install 'babelscope[llamacpp]'`` (builds llama.cpp; see the Makefile for the
portable build flags).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from .stopping import cut_at_stop
from ..request_types import (
    GenerationRequest,
    LoglikelihoodRequest,
    LoglikelihoodResult,
    RollingLoglikelihoodRequest,
    RollingResult,
)
from ..errors import ModelError
from .base import Capability

INSTALL = ("the gguf: backend needs llama-cpp-python: pip install 'babelscope[llamacpp]' (a C++ build of a few "
           "minutes; on x86 set CMAKE_ARGS='-DGGML_NATIVE=OFF -DGGML_AVX2=ON'), or use gguf-hf:<file> to load the "
           "file dequantised into transformers")


class LlamaCppTokenizer:
    """The GGUF's tokenizer, through llama.cpp: plain encode/decode without special tokens."""

    def __init__(self, llm: Any, name: str):
        self._llm = llm
        self.name = name

    def encode(self, text: str) -> list[int]:
        return list(self._llm.tokenize(text.encode("utf-8"), add_bos=False, special=False))

    def decode(self, ids: Sequence[int]) -> str:
        return self._llm.detokenize(list(ids)).decode("utf-8", errors="replace")

    @property
    def vocab_size(self) -> int:
        return int(self._llm.n_vocab())


class LlamaCppModel:
    """A GGUF file behind the babelscope Model protocol (tokenizer, log-likelihood, generation)."""

    capabilities = frozenset({Capability.TOKENIZER, Capability.LOGLIKELIHOOD, Capability.GENERATE})

    def __init__(self, llm: Any, *, name: str, revision: str = "", weights_hash: str = ""):
        self.llm = llm
        self.name = name
        self.revision = revision
        self.weights_hash = weights_hash
        self.tok = LlamaCppTokenizer(llm, name)
        self.n_ctx = int(llm.n_ctx())
        self.bos = _token_or_none(llm.token_bos())
        self.eos = _token_or_none(llm.token_eos())
        self.adds_bos = bool(self.bos is not None and llm.tokenize(b"a", add_bos=True, special=False)[:1] == [self.bos])

    # -- protocol ---------------------------------------------------------------------------
    @property
    def tokenizer(self) -> LlamaCppTokenizer:
        return self.tok

    @property
    def signature(self) -> str:
        import llama_cpp

        rev = f"@{self.revision}" if self.revision else ""
        w = f"|w:{self.weights_hash}" if self.weights_hash else ""
        return f"{self.name}{rev}{w}|llama.cpp-{llama_cpp.__version__}"

    def loglikelihood(self, requests: Sequence[LoglikelihoodRequest]) -> list[LoglikelihoodResult]:
        out = []
        for r in requests:
            ctx, cont = self._encode_pair(r.context, r.continuation)
            # The whole sequence is evaluated (its last token too), as llama.cpp's server
            # evaluates a prompt: the same batches give the same logits (see _eval).
            seq = (ctx + cont)[-self.n_ctx:]
            n = min(len(cont), len(seq) - 1)
            lps, greedy = self._score(seq, len(seq) - 1 - n, seq[len(seq) - n:])
            out.append(LoglikelihoodResult(float(sum(lps)), all(greedy), len(lps), tuple(lps)))
        return out

    def loglikelihood_rolling(self, requests: Sequence[RollingLoglikelihoodRequest]) -> list[RollingResult]:
        out = []
        for r in requests:
            seq = self._prefix() + self.tok.encode(r.text)
            nll, count = 0.0, 0
            a = 1  # seq[0] is the prefix, or (no prefix) the unscorable first token
            while a < len(seq):
                b = min(len(seq), a + self.n_ctx)
                lo = max(0, b - 1 - self.n_ctx)
                lps, _ = self._score(seq[lo: b - 1], a - 1 - lo, seq[a:b])
                nll -= float(sum(lps))
                count += len(lps)
                a = b
            out.append(RollingResult(nll, count))
        return out

    def generate(self, requests: Sequence[GenerationRequest]) -> list[str]:
        out = []
        for r in requests:
            kwargs: dict[str, Any] = dict(max_tokens=int(r.max_tokens), temperature=float(r.temperature),
                                          stop=[s for s in r.stop if s] or None)
            if r.temperature <= 0:
                kwargs.update(top_k=1, top_p=1.0, min_p=0.0, repeat_penalty=1.0)
            else:
                kwargs.update(top_k=0, top_p=1.0, min_p=0.0, repeat_penalty=1.0)
            if r.messages:
                msgs = [{"role": role, "content": content} for role, content in r.messages]
                res = self.llm.create_chat_completion(messages=msgs, **kwargs)
                text = res["choices"][0]["message"].get("content") or ""
            else:
                res = self.llm.create_completion(prompt=r.context, **kwargs)
                text = res["choices"][0]["text"]
            out.append(cut_at_stop(text, r.stop))
        return out

    def hidden_states(self, texts: Sequence[str], pooling: str = "weighted_mean") -> np.ndarray:
        raise ModelError(f"model {self.name!r} runs through llama.cpp, which gives no per-layer hidden states; "
                         "load the file with gguf-hf:<file> (transformers) for alignment")

    def info(self) -> dict[str, Any]:
        import llama_cpp

        meta = dict(getattr(self.llm, "metadata", {}) or {})
        return {
            "name": self.name, "revision": self.revision, "signature": self.signature,
            "backend": f"llama.cpp (llama-cpp-python {llama_cpp.__version__})",
            "architecture": meta.get("general.architecture", ""), "file_type": meta.get("general.file_type", ""),
            "vocab_size": self.tok.vocab_size, "max_length": self.n_ctx, "adds_bos": self.adds_bos,
            "chat_template": bool(meta.get("tokenizer.chat_template")), "chat_format": self.llm.chat_format,
            "capabilities": sorted(c.value for c in self.capabilities),
        }

    # -- internals --------------------------------------------------------------------------
    def _prefix(self) -> list[int]:
        """The token a text starts from: BOS, else EOS (lm-eval's prefix token), else none."""
        for t in (self.bos, self.eos):
            if t is not None:
                return [t]
        return []

    def _encode_pair(self, context: str, continuation: str) -> tuple[list[int], list[int]]:
        if context == "":
            return self._prefix(), self.tok.encode(continuation)
        n_spaces = len(context) - len(context.rstrip())
        if n_spaces:
            continuation = context[-n_spaces:] + continuation
            context = context[:-n_spaces]
        bos = [self.bos] if self.adds_bos and self.bos is not None else []
        whole = bos + self.tok.encode(context + continuation)
        ctx = bos + self.tok.encode(context)
        return ctx, whole[len(ctx):]

    def _score(self, inp: list[int], start: int, targets: list[int]) -> tuple[list[float], list[bool]]:
        """Log-probs of ``targets`` predicted at positions ``start..`` of ``inp`` (float64 log-softmax)."""
        if not targets:
            return [], []
        self._eval(inp)
        logits = np.asarray(self.llm.scores[start: start + len(targets)], dtype=np.float64)
        m = logits.max(axis=1, keepdims=True)
        lse = (m + np.log(np.exp(logits - m).sum(axis=1, keepdims=True)))[:, 0]
        idx = np.arange(len(targets))
        tgt = np.asarray(targets)
        lps = (logits[idx, tgt] - lse).tolist()
        greedy = (logits.argmax(axis=1) == tgt).tolist()
        return [float(x) for x in lps], [bool(g) for g in greedy]

    def _eval(self, tokens: list[int]) -> None:
        """Evaluate ``tokens`` so that llm.scores[i] holds the logits after tokens[:i+1].

        The evaluated prefix shared with the previous call is kept (the choices of a question
        share their context, so it runs once) and the rest runs as one batch - the rule
        llama-cpp-python's own ``generate`` (and so its server) follows. This matters beyond
        speed: llama.cpp's CPU kernels give logits that depend on how many tokens share a
        batch (measured here: up to ~1 nat on Gemma-3-270M Q4_K_M), so the same requests in the
        same order reproduce the server's numbers only under the same batching rule.
        """
        llm = self.llm
        prev = [int(t) for t in llm.input_ids[: llm.n_tokens]]
        keep = 0
        for a, b in zip(prev, tokens):
            if a != b:
                break
            keep += 1
        if keep == len(tokens):
            keep -= 1  # llama-cpp-python re-evaluates the last token of a fully cached prompt
        if keep > 0 and llm._ctx.kv_cache_seq_rm(-1, keep, -1):
            llm.n_tokens = keep
            llm.eval(tokens[keep:])
        else:
            llm.reset()
            llm.eval(tokens)


def load_llamacpp(path: str | Path, *, name: str | None = None, revision: str = "", n_ctx: int = 2048,
                  n_threads: int | None = None, seed: int = 0, chat_format: str | None = None) -> LlamaCppModel:
    """Open a GGUF file with llama.cpp (logits at every position, for log-likelihoods).

    Conversations use the GGUF's own chat template. A GGUF without one (the embedded default
    has none) would get llama-cpp-python's fallback, the Llama-2 format, which a Gemma model
    answers with silence; so when the file names no template, the format is guessed from the
    architecture (``gemma*`` -> llama-cpp-python's "gemma" format) unless ``chat_format`` says
    otherwise. Serve such a file with ``python -m llama_cpp.server --chat_format gemma`` to get
    the same conversations from the server.
    """
    from .fingerprint import _file_fingerprint

    p = Path(path).expanduser().resolve()
    if not p.is_file():
        raise ModelError(f"GGUF file {str(path)!r} does not exist")
    try:
        from llama_cpp import Llama
    except ImportError as e:
        raise ModelError(INSTALL) from e
    _quiet_native_logs()
    try:
        llm = Llama(model_path=str(p), n_ctx=int(n_ctx), logits_all=True, verbose=False, seed=int(seed),
                    n_threads=n_threads or max(1, min(8, os.cpu_count() or 1)), chat_format=chat_format)
        if chat_format is None and not llm.metadata.get("tokenizer.chat_template"):
            fmt = guess_chat_format(llm.metadata)
            if fmt:
                llm.chat_format = fmt
    except (ValueError, RuntimeError) as e:
        raise ModelError(f"llama.cpp cannot load {p}: {e}") from e
    return LlamaCppModel(llm, name=name or p.stem, revision=revision, weights_hash=_file_fingerprint(p))


_LOG_CALLBACK: Any = None


def _quiet_native_logs() -> None:
    """llama.cpp prints context-creation notes to stderr even with verbose=False; drop them
    (babelscope reports what matters itself, and --quiet must mean quiet)."""
    global _LOG_CALLBACK
    if _LOG_CALLBACK is not None:
        return
    try:
        import ctypes

        import llama_cpp

        @llama_cpp.llama_log_callback
        def _drop(level: int, text: bytes, user_data: Any) -> None:
            return None

        llama_cpp.llama_log_set(_drop, ctypes.c_void_p(0))
        _LOG_CALLBACK = _drop  # keep a reference: llama.cpp calls it for the process's lifetime
    except (AttributeError, TypeError):
        pass


def guess_chat_format(metadata: dict) -> str | None:
    """A llama-cpp-python chat format for a GGUF that carries no chat template, by architecture."""
    arch = str(metadata.get("general.architecture", "")).lower()
    return "gemma" if arch.startswith("gemma") else None


def _token_or_none(t: int) -> int | None:
    return None if t is None or int(t) < 0 else int(t)

