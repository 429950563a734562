"""The Hugging Face transformers backend (local folders, hub ids, GGUF files).

Speed on small machines comes from never computing what nobody reads:

- hidden states run the transformer *body* only; the output head is skipped (for
  Gemma-3-270M its 262,144-row matrix costs more than all 18 layers);
- log-likelihoods apply the output head only at the positions whose next-token log-probs are
  needed, gathered across the whole batch, in pieces that bound memory (head.py);
- sequences are sorted by length and batched under a token budget, so little is padding
  (windows.py);
- multiple-choice requests that share a context run that context once: its key/value cache is
  copied to one row per choice and only the continuations run on top of it (prefix.py).

Padding is done here, not by the tokenizer, and position ids are derived from the attention
mask, so results do not depend on the padding side (tests check both sides against one
sequence at a time). Log-likelihood tokenisation follows lm-evaluation-harness.
"""

from __future__ import annotations

import logging
from typing import Any, Iterator, Sequence

import numpy as np

from ..request_types import (
    GenerationRequest,
    LoglikelihoodRequest,
    LoglikelihoodResult,
    RollingLoglikelihoodRequest,
    RollingResult,
)
from ..errors import ConfigError, ModelError
from .base import Capability
from .head import reproduces_logits, target_logprobs, target_logprobs_rows
from .prefix import PrefixSharing
from .stopping import StopCriteria, cut_at_stop
from .tokenizer import HFTokenizer
from .windows import Window, batches, loglikelihood_window, rolling_windows

log = logging.getLogger("babelscope.models")

POOLINGS = ("weighted_mean", "mean", "last")
DEFAULT_MAX_LENGTH = 2048


class HFModel(PrefixSharing):
    """A transformers model behind the babelscope Model protocol.

    ``model`` is a causal LM (all four capabilities) or an encoder (tokenizer and hidden states
    only). ``batch_size`` caps sequences per forward pass and ``max_batch_tokens`` caps padded
    tokens per pass. ``max_length`` is the window for rolling log-likelihood and the truncation
    length elsewhere. ``rolling_stride`` (default: the window) is how many new tokens each
    rolling window predicts; a smaller stride gives every token more left context at more cost.
    ``prefix_sharing`` lets log-likelihood requests with identical context tokens run their
    context once (checked against the plain path on first use; off where it does not hold).
    """

    def __init__(
        self,
        model: Any,
        tokenizer: Any,
        *,
        name: str,
        revision: str = "",
        weights_hash: str = "",
        causal: bool = True,
        max_length: int | None = None,
        batch_size: int = 16,
        max_batch_tokens: int = 4096,
        padding_side: str = "right",
        rolling_stride: int | None = None,
        prefix_sharing: bool = True,
    ):
        import torch

        if padding_side not in ("left", "right"):
            raise ConfigError(f"padding_side must be 'left' or 'right', not {padding_side!r}")
        self.model = model.eval()
        self.tok = tokenizer if isinstance(tokenizer, HFTokenizer) else HFTokenizer(tokenizer, name)
        self.name = name
        self.revision = revision
        self.weights_hash = weights_hash
        self.causal = causal
        self.batch_size = max(1, int(batch_size))
        self.max_batch_tokens = max(1, int(max_batch_tokens))
        self.padding_side = padding_side
        self.max_length = int(max_length or _model_max_length(model, self.tok.hf))
        self.rolling_stride = min(int(rolling_stride or self.max_length), self.max_length)
        self.device = next(model.parameters()).device
        self.dtype = next(model.parameters()).dtype
        self.capabilities = frozenset(
            {Capability.TOKENIZER, Capability.HIDDEN_STATES}
            | ({Capability.LOGLIKELIHOOD, Capability.GENERATE} if causal else set())
        )
        self._body = model.base_model if causal else model
        self._pos_offset = _roberta_position_offset(self._body)
        self._fast_head: bool | None = None  # decided on first use by _check_head()
        self.prefix_sharing = bool(prefix_sharing)
        self._share_ok: bool | None = None  # decided on first use by _can_share()
        #: real (non-pad) input tokens the log-likelihood methods have run through the body so far
        self.body_tokens = 0
        self._torch = torch

    # -- protocol ---------------------------------------------------------------------------
    @property
    def tokenizer(self) -> HFTokenizer:
        return self.tok

    @property
    def signature(self) -> str:
        rev = f"@{self.revision}" if self.revision else ""
        w = f"|w:{self.weights_hash}" if self.weights_hash else ""
        dtype = str(self.dtype).replace("torch.", "")
        return f"{self.name}{rev}{w}|tok:{self.tok.fingerprint}|{dtype}"

    def loglikelihood(self, requests: Sequence[LoglikelihoodRequest]) -> list[LoglikelihoodResult]:
        self._require(Capability.LOGLIKELIHOOD)
        pairs = [self._encode_pair(r.context, r.continuation) for r in requests]
        scored: list[tuple[list[float], list[bool]] | None] = [None] * len(pairs)
        groups = self._shared_groups(pairs)
        if groups and self._can_share():
            shared = self._score_shared([(pairs[g[0]][0], [pairs[i][1] for i in g]) for g in groups])
            for g, res in zip(groups, shared):
                for i, r in zip(g, res):
                    scored[i] = r
        rest = [i for i, r in enumerate(scored) if r is None]
        for i, r in zip(rest, self._score([loglikelihood_window(*pairs[i], self.max_length) for i in rest])):
            scored[i] = r
        return [
            LoglikelihoodResult(float(sum(lp)), bool(all(g)), len(lp), tuple(float(x) for x in lp))
            for lp, g in scored  # type: ignore[misc]
        ]

    def loglikelihood_rolling(self, requests: Sequence[RollingLoglikelihoodRequest]) -> list[RollingResult]:
        """Total NLL of each text, every token predicted once (lm-eval's disjoint windows).

        The first token is predicted from BOS (EOS when the model has no BOS, as lm-eval
        does; a model with neither cannot score its first token, which is then left out).
        """
        self._require(Capability.LOGLIKELIHOOD)
        units, owner = [], []
        for i, ids in enumerate(self.tok.encode_batch([r.text for r in requests])):
            for unit in self._rolling_windows(ids):
                units.append(unit)
                owner.append(i)
        nll = [0.0] * len(requests)
        count = [0] * len(requests)
        for i, (lp, _) in zip(owner, self._score(units, blocked=True)):
            nll[i] -= float(sum(lp))
            count[i] += len(lp)
        return [RollingResult(nll[i], count[i]) for i in range(len(requests))]

    def generate(self, requests: Sequence[GenerationRequest]) -> list[str]:
        """Greedy (temperature 0) or sampled continuations, cut at the first stop sequence."""
        self._require(Capability.GENERATE)
        torch = self._torch
        prompts = [self._render_prompt(r) for r in requests]
        out: list[str] = [""] * len(requests)
        groups: dict[float, list[int]] = {}
        for i, r in enumerate(requests):
            groups.setdefault(float(r.temperature), []).append(i)
        for temperature, members in groups.items():
            for batch in batches([len(prompts[i]) for i in members], self.batch_size,
                                 self.max_batch_tokens):
                idx = [members[j] for j in batch]
                reqs = [requests[i] for i in idx]
                ids, mask, _ = self._pad([prompts[i] for i in idx], "left")
                max_new = max(r.max_tokens for r in reqs)
                stop = StopCriteria(self.tok.hf, ids.shape[1], reqs)
                kwargs: dict[str, Any] = dict(max_new_tokens=max_new, pad_token_id=self.tok.pad_token_id,
                                              stopping_criteria=[stop])
                if temperature > 0:
                    kwargs.update(do_sample=True, temperature=temperature, top_k=0, top_p=1.0)
                else:
                    kwargs.update(do_sample=False, temperature=None, top_k=None, top_p=None)
                with torch.inference_mode():
                    seqs = self.model.generate(input_ids=ids, attention_mask=mask, **kwargs)
                for row, (i, r) in enumerate(zip(idx, reqs)):
                    new = seqs[row, ids.shape[1]:][: r.max_tokens].tolist()
                    out[i] = cut_at_stop(self._decode_generated(new), r.stop)
        return out

    def hidden_states(self, texts: Sequence[str], pooling: str = "weighted_mean") -> np.ndarray:
        """Pooled states per layer, embeddings first: float32 array (n_texts, n_layers + 1, d).

        Special tokens are added as the tokenizer does by default. "weighted_mean" weights
        the t-th real token by t (later tokens have seen more of a causal model's input),
        "mean" weights all alike, "last" takes the last real token.
        """
        self._require(Capability.HIDDEN_STATES)
        if pooling not in POOLINGS:
            raise ConfigError(f"pooling must be one of {', '.join(POOLINGS)}, not {pooling!r}")
        torch = self._torch
        seqs = [ids[: self.max_length] or [self.tok.pad_token_id] for ids in self.tok.encode_with_specials(texts)]
        out: np.ndarray | None = None
        for batch in batches([len(s) for s in seqs], self.batch_size, self.max_batch_tokens):
            ids, mask, pos = self._pad([seqs[i] for i in batch], self.padding_side)
            with torch.inference_mode():
                hs = self._forward_body(ids, mask, pos, hidden_states=True).hidden_states
                h = torch.stack(hs, dim=1).float()  # (B, L+1, T, d)
                m = mask.bool()
                h = h.masked_fill(~m[:, None, :, None], 0.0)  # pads may hold NaN: never multiply them
                t = (mask.cumsum(-1) * mask).float()  # 1..n on real tokens, 0 on pads
                if pooling == "last":
                    w = (t == t.max(dim=-1, keepdim=True).values).float() * m
                elif pooling == "mean":
                    w = m.float()
                else:
                    w = t
                pooled = (h * w[:, None, :, None]).sum(2) / w.sum(-1)[:, None, None]
            arr = pooled.cpu().numpy().astype(np.float32)
            if out is None:
                out = np.zeros((len(seqs), arr.shape[1], arr.shape[2]), dtype=np.float32)
            out[batch] = arr
        if out is None:
            return np.zeros((0, self.n_layers + 1, self.hidden_size), dtype=np.float32)
        return out

    # -- facts other code asks for -----------------------------------------------------------
    @property
    def n_layers(self) -> int:
        cfg = self.model.config.get_text_config()
        return int(getattr(cfg, "num_hidden_layers", getattr(cfg, "n_layer", 0)))

    @property
    def hidden_size(self) -> int:
        cfg = self.model.config.get_text_config()
        return int(getattr(cfg, "hidden_size", getattr(cfg, "n_embd", 0)))

    def info(self) -> dict[str, Any]:
        return {
            "name": self.name, "revision": self.revision, "signature": self.signature,
            "architecture": type(self.model).__name__, "causal": self.causal,
            "parameters": sum(p.numel() for p in self.model.parameters()),
            "layers": self.n_layers, "hidden_size": self.hidden_size,
            "vocab_size": self.tok.vocab_size, "max_length": self.max_length,
            "adds_bos": self.tok.adds_bos, "chat_template": self.tok.chat_template is not None,
            "device": str(self.device), "dtype": str(self.dtype).replace("torch.", ""),
            "capabilities": sorted(c.value for c in self.capabilities),
        }

    # -- tokenisation ------------------------------------------------------------------------
    def _prefix(self) -> list[int]:
        """The token a text starts from: BOS, else EOS (lm-eval's prefix token), else none."""
        for t in (self.tok.bos_token_id, self.tok.eos_token_id):
            if t is not None:
                return [int(t)]
        return []

    def _encode_pair(self, context: str, continuation: str) -> tuple[list[int], list[int]]:
        """lm-eval's split: trailing context whitespace moves to the continuation; the
        continuation is whatever the whole string has beyond the context's tokens."""
        if context == "":
            return self._prefix(), self.tok.encode(continuation)
        n_spaces = len(context) - len(context.rstrip())
        if n_spaces:
            continuation = context[-n_spaces:] + continuation
            context = context[:-n_spaces]
        bos = [int(self.tok.bos_token_id)] if self.tok.adds_bos else []
        whole = bos + self.tok.encode(context + continuation)
        ctx = bos + self.tok.encode(context)
        return ctx, whole[len(ctx):]

    def _rolling_windows(self, ids: list[int]) -> Iterator[Window]:
        """Windows covering every token once, the first predicted from the prefix token."""
        return rolling_windows(self._prefix() + ids, self.rolling_stride, self.max_length)

    def _render_prompt(self, r: GenerationRequest) -> list[int]:
        bos = [int(self.tok.bos_token_id)] if self.tok.adds_bos else []
        if r.messages:
            msgs = [{"role": role, "content": content} for role, content in r.messages]
            if self.tok.chat_template:
                text = self.tok.hf.apply_chat_template(msgs, tokenize=False, add_generation_prompt=True)
                ids = self.tok.encode(text)  # the template writes BOS itself when it wants one
            else:
                text = "".join(f"{m['role'].capitalize()}: {m['content']}\n\n" for m in msgs) + "Assistant:"
                ids = bos + self.tok.encode(text)
        else:
            ids = bos + self.tok.encode(r.context)
        keep = max(1, self.max_length - r.max_tokens)
        return ids[-keep:] or self._prefix() or [self.tok.pad_token_id]

    def _decode_generated(self, ids: list[int]) -> str:
        return self.tok.hf.decode(ids, skip_special_tokens=True)

    # -- forward passes ----------------------------------------------------------------------
    def _pad(self, seqs: Sequence[list[int]], side: str):
        """input ids, attention mask and padding-independent position ids, on the device."""
        torch = self._torch
        T = max(len(s) for s in seqs)
        pad = self.tok.pad_token_id
        ids = torch.full((len(seqs), T), pad, dtype=torch.long)
        mask = torch.zeros((len(seqs), T), dtype=torch.long)
        for i, s in enumerate(seqs):
            if side == "right":
                ids[i, : len(s)] = torch.tensor(s)
                mask[i, : len(s)] = 1
            else:
                ids[i, T - len(s):] = torch.tensor(s)
                mask[i, T - len(s):] = 1
        if self._pos_offset is not None:  # RoBERTa family counts positions from padding_idx + 1
            pos = mask.cumsum(-1) * mask + self._pos_offset
        else:
            pos = (mask.cumsum(-1) - 1).clamp(min=0)
        return ids.to(self.device), mask.to(self.device), pos.to(self.device)

    def _forward_body(self, ids, mask, pos, hidden_states: bool = False):
        kwargs: dict[str, Any] = dict(input_ids=ids, attention_mask=mask, position_ids=pos,
                                      output_hidden_states=hidden_states)
        if self.causal:
            kwargs["use_cache"] = False
        return self._body(**kwargs)

    def _check_head(self) -> bool:
        """Does body + head reproduce the model's own logits? If not, fall back to full logits.

        Decided once, on first use (head.reproduces_logits).
        """
        if self._fast_head is None:
            ids = (self._prefix() + self.tok.encode("Hello, world. Bonjour le monde."))[:16]
            self._fast_head = reproduces_logits(self.model, self._forward_body, ids, self.device)
            if not self._fast_head:
                log.warning("%s: output head not reproducible from the body; using full logits (slower)",
                            self.name)
        return self._fast_head

    def _score(self, units: Sequence[Window], blocked: bool = False) -> list[tuple[list[float], list[bool]]]:
        """For each (input ids, first scored position, targets): target log-probs and greedy flags.

        Position ``start + k`` of the input predicts ``targets[k]``.
        """
        torch = self._torch
        results: list[tuple[list[float], list[bool]]] = [([], []) for _ in units]
        todo = [i for i, (inp, _, tg) in enumerate(units) if tg and inp]
        if not todo:
            return results
        fast = self._check_head()
        for batch in batches([len(units[i][0]) for i in todo], self.batch_size, self.max_batch_tokens):
            members = [todo[j] for j in batch]
            ids, mask, pos = self._pad([units[i][0] for i in members], self.padding_side)
            self.body_tokens += sum(len(units[i][0]) for i in members)
            T = ids.shape[1]
            rows, cols, targets, owner = [], [], [], []
            for r, i in enumerate(members):
                inp, start, tg = units[i]
                shift = 0 if self.padding_side == "right" else T - len(inp)
                for k, t in enumerate(tg):
                    rows.append(r)
                    cols.append(shift + start + k)
                    targets.append(t)
                    owner.append(i)
            with torch.inference_mode():
                if fast:
                    h = self._forward_body(ids, mask, pos).last_hidden_state
                    sel = h[torch.tensor(rows, device=self.device), torch.tensor(cols, device=self.device)]
                else:
                    logits_all = self.model(input_ids=ids, attention_mask=mask, position_ids=pos,
                                            use_cache=False).logits
                    sel = logits_all[torch.tensor(rows, device=self.device), torch.tensor(cols, device=self.device)]
                tgt = torch.tensor(targets, device=self.device)
                if fast and blocked:
                    lp_t, gr_t = target_logprobs(self.model, sel, tgt)
                elif fast:
                    lp_t, gr_t = target_logprobs_rows(self.model, sel, tgt)
                else:
                    lp_t, gr_t = target_logprobs_rows(self.model, sel, tgt, full_logits=True)
                lp = lp_t.double().cpu().tolist()
                gr = gr_t.cpu().tolist()
            for i, a, g in zip(owner, lp, gr):
                results[i][0].append(a)
                results[i][1].append(g)
        return results

    def _require(self, cap: Capability) -> None:
        if cap not in self.capabilities:
            kind = "a causal language model" if cap in (Capability.LOGLIKELIHOOD, Capability.GENERATE) else "this"
            raise ModelError(
                f"model {self.name!r} ({type(self.model).__name__}) cannot do {cap.value}: "
                f"that needs {kind}"
            )


def _roberta_position_offset(body: Any) -> int | None:
    """RoBERTa-style embeddings number positions from padding_idx + 1; None elsewhere."""
    emb = getattr(body, "embeddings", None)
    idx = getattr(emb, "padding_idx", None)
    return int(idx) if isinstance(idx, int) and hasattr(emb, "position_embeddings") else None


def _model_max_length(model: Any, hf_tok: Any) -> int:
    cfg = model.config.get_text_config()
    limits = [DEFAULT_MAX_LENGTH]
    for attr in ("max_position_embeddings", "n_positions", "n_ctx"):
        v = getattr(cfg, attr, None)
        if isinstance(v, int) and v > 0:
            body = getattr(model, "base_model", model)
            off = _roberta_position_offset(body)
            limits.append(v - (off + 1 if off is not None else 0))
            break
    tml = getattr(hf_tok, "model_max_length", None)
    if isinstance(tml, int) and 0 < tml < 1_000_000:
        limits.append(tml)
    return min(limits)
