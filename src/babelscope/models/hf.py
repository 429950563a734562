"""The Hugging Face transformers backend (local folders, hub ids, GGUF files).

Speed on small machines comes from never computing what nobody reads:

- hidden states run the transformer *body* only; the output head is skipped (for
  Gemma-3-270M its 262,144-row matrix costs more than all 18 layers);
- log-likelihoods apply the output head only at the positions whose next-token log-probs are
  needed, gathered across the whole batch, in chunks of positions that bound memory.
  Continuation scoring normalises with torch's float32 log-softmax over whole rows, as
  lm-evaluation-harness does: over a 262,144-token vocabulary that rounding alone moves a
  continuation's log-likelihood by up to ~1e-3, and numbers must compare with lm-eval's.
  Rolling (bits per byte) scores every position, so there the head runs in vocabulary blocks
  with a running log-sum-exp: the output matrix is read once per batch, not once per few rows;
- sequences are sorted by length and batched under a token budget, so little is padding;
- multiple-choice requests that share a context run that context once: its key/value cache is
  copied to one row per choice and only the continuations run on top of it (prefix sharing).

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
from .tokenizer import HFTokenizer

log = logging.getLogger("babelscope.models")

POOLINGS = ("weighted_mean", "mean", "last")
#: Logit elements computed per head block (x4 bytes): bounds memory whatever the vocabulary.
HEAD_CHUNK_ELEMENTS = 2**24
#: Narrowest vocabulary block: below this the head's matrix product loses its efficiency.
MIN_VOCAB_BLOCK = 2048
DEFAULT_MAX_LENGTH = 2048


class HFModel:
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
        for i, r in zip(rest, self._score([_ll_unit(*pairs[i], self.max_length) for i in rest])):
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
            for batch in _batches([len(prompts[i]) for i in members], self.batch_size,
                                  self.max_batch_tokens):
                idx = [members[j] for j in batch]
                reqs = [requests[i] for i in idx]
                ids, mask, _ = self._pad([prompts[i] for i in idx], "left")
                max_new = max(r.max_tokens for r in reqs)
                stop = _StopCriteria(self.tok, ids.shape[1], reqs)
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
                    out[i] = _cut_at_stop(self._decode_generated(new), r.stop)
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
        for batch in _batches([len(s) for s in seqs], self.batch_size, self.max_batch_tokens):
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

    def _rolling_windows(self, ids: list[int]) -> Iterator[tuple[list[int], int, list[int]]]:
        """(input ids, index of the first scored position, targets) covering every token once."""
        seq = self._prefix() + ids
        a = 1  # seq[0] is the prefix, or (no prefix) the unscorable first token
        while a < len(seq):
            b = min(len(seq), a + self.rolling_stride)
            lo = max(0, b - 1 - self.max_length)
            inp = seq[lo: b - 1]
            yield inp, a - 1 - lo, seq[a:b]
            a = b

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

    def _head(self, h):
        """Logits from final hidden states, with the model's own logit post-processing."""
        return self._postprocess(self.model.get_output_embeddings()(h).float())

    def _target_logprobs(self, h, targets):
        """log p(target) and "target is the argmax" for each row of ``h`` (final hidden states).

        The head runs in blocks of the *vocabulary* with a running log-sum-exp, so the
        output matrix (262,144 x 640 for Gemma 3) is read once per batch rather than once
        per few rows, and memory stays bounded (HEAD_CHUNK_ELEMENTS) however many positions
        are scored. Equal to log_softmax over the full logits up to float32 rounding; the
        argmax keeps torch's first-maximum rule.
        """
        torch = self._torch
        head = self.model.get_output_embeddings()
        if not isinstance(head, torch.nn.Linear):  # unknown head module: whole rows at a time
            return self._target_logprobs_rows(h, targets)
        W, bias = head.weight, head.bias
        V = W.shape[0]
        lps, greedy = [], []
        rows_per = max(1, HEAD_CHUNK_ELEMENTS // MIN_VOCAB_BLOCK)
        for r0 in range(0, h.shape[0], rows_per):
            x, tgt = h[r0: r0 + rows_per], targets[r0: r0 + rows_per]
            n = x.shape[0]
            block = max(MIN_VOCAB_BLOCK, HEAD_CHUNK_ELEMENTS // n)
            m = torch.full((n,), float("-inf"), device=x.device)
            z = torch.zeros(n, device=x.device)
            best = torch.full((n,), float("-inf"), device=x.device)
            arg = torch.zeros(n, dtype=torch.long, device=x.device)
            t_logit = torch.zeros(n, device=x.device)
            for lo in range(0, V, block):
                hi = min(V, lo + block)
                logits = self._postprocess(torch.nn.functional.linear(
                    x, W[lo:hi], None if bias is None else bias[lo:hi]).float())
                bm, bi = logits.max(-1)
                upd = bm > best  # strictly: an earlier block's equal maximum stays the argmax
                best = torch.where(upd, bm, best)
                arg = torch.where(upd, bi + lo, arg)
                new_m = torch.maximum(m, bm)
                z = z * torch.exp(m - new_m) + torch.exp(logits - new_m[:, None]).sum(-1)
                m = new_m
                inside = (tgt >= lo) & (tgt < hi)
                if inside.any():
                    idx = inside.nonzero()[:, 0]
                    t_logit[idx] = logits[idx, tgt[idx] - lo]
            lps.append(t_logit - (m + torch.log(z)))
            greedy.append(arg == tgt)
        return torch.cat(lps), torch.cat(greedy)

    def _target_logprobs_rows(self, h, targets, full_logits: bool = False):
        """As _target_logprobs, a few rows at a time over the whole vocabulary (any head module;
        ``full_logits``: ``h`` already holds logits)."""
        torch = self._torch
        V = h.shape[-1] if full_logits else self.model.get_output_embeddings().weight.shape[0]
        chunk = max(1, HEAD_CHUNK_ELEMENTS // V)
        lps, greedy = [], []
        for s in range(0, h.shape[0], chunk):
            part = h[s: s + chunk].float() if full_logits else self._head(h[s: s + chunk])
            lps.append(torch.log_softmax(part, dim=-1).gather(1, targets[s: s + chunk, None])[:, 0])
            greedy.append(part.argmax(-1) == targets[s: s + chunk])
        return torch.cat(lps), torch.cat(greedy)

    def _postprocess(self, logits):
        """The model's own logit post-processing (elementwise, so it applies to any block)."""
        torch = self._torch
        cfg = self.model.config.get_text_config()
        if getattr(cfg, "logit_scale", None):  # Cohere
            logits = logits * cfg.logit_scale
        if getattr(cfg, "logits_scaling", None):  # Granite
            logits = logits / cfg.logits_scaling
        cap = getattr(cfg, "final_logit_softcapping", None)  # Gemma 2/3
        if cap:
            logits = torch.tanh(logits / cap) * cap
        return logits

    def _check_head(self) -> bool:
        """Does body + head reproduce the model's own logits? If not, fall back to full logits.

        Architectures post-process logits in ways a generic backend cannot know; one tiny
        forward pass at load time turns a silent error into a slower but correct path.
        """
        if self._fast_head is None:
            torch = self._torch
            ids = (self._prefix() + self.tok.encode("Hello, world. Bonjour le monde."))[:16]
            ids_t = torch.tensor([ids], device=self.device)
            mask = torch.ones_like(ids_t)
            pos = torch.arange(len(ids), device=self.device)[None]
            with torch.inference_mode():
                ref = self.model(input_ids=ids_t, attention_mask=mask, use_cache=False).logits[0].float()
                mine = self._head(self._forward_body(ids_t, mask, pos).last_hidden_state[0])
            tol = 1e-3 * (1.0 + float(ref.abs().max()))
            self._fast_head = bool(torch.allclose(ref, mine, atol=tol, rtol=1e-3))
            if not self._fast_head:
                log.warning("%s: output head not reproducible from the body; using full logits (slower)",
                            self.name)
        return self._fast_head

    def _score(self, units: Sequence[tuple[list[int], int, list[int]]],
               blocked: bool = False) -> list[tuple[list[float], list[bool]]]:
        """For each (input ids, first scored position, targets): target log-probs and greedy flags.

        Position ``start + k`` of the input predicts ``targets[k]``.
        """
        torch = self._torch
        results: list[tuple[list[float], list[bool]]] = [([], []) for _ in units]
        todo = [i for i, (inp, _, tg) in enumerate(units) if tg and inp]
        if not todo:
            return results
        fast = self._check_head()
        for batch in _batches([len(units[i][0]) for i in todo], self.batch_size, self.max_batch_tokens):
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
                    lp_t, gr_t = self._target_logprobs(sel, tgt)
                elif fast:
                    lp_t, gr_t = self._target_logprobs_rows(sel, tgt)
                else:
                    lp_t, gr_t = self._target_logprobs_rows(sel, tgt, full_logits=True)
                lp = lp_t.double().cpu().tolist()
                gr = gr_t.cpu().tolist()
            for i, a, g in zip(owner, lp, gr):
                results[i][0].append(a)
                results[i][1].append(g)
        return results

    # -- prefix sharing ----------------------------------------------------------------------
    def _shared_groups(self, pairs: Sequence[tuple[list[int], list[int]]]) -> list[list[int]]:
        """Indices of requests with identical context ids, two or more per group.

        Grouping is by exact ids, as the plain path would feed them (``_encode_pair`` encodes a
        context alone, so its ids never depend on the continuation, even where BPE would merge
        across the boundary); a request the plain path would truncate, or with an empty context
        or continuation, is left to the plain path.
        """
        if not (self.prefix_sharing and self.causal):
            return []
        by_ctx: dict[tuple[int, ...], list[int]] = {}
        for i, (ctx, cont) in enumerate(pairs):
            if ctx and cont and len(ctx) + len(cont) - 1 <= self.max_length:
                by_ctx.setdefault(tuple(ctx), []).append(i)
        return [g for g in by_ctx.values() if len(g) > 1]

    def _can_share(self) -> bool:
        """Can contexts be run once and their cache reused? Decided once, on first use.

        Needs a causal decoder whose head applies at chosen positions (``_check_head``) and
        whose body takes a plain key/value cache; then a small shared computation must match
        the plain path (so hybrid/recurrent caches, or attention a cache cannot resume, fall
        back rather than err).
        """
        if self._share_ok is None:
            cfg = self.model.config
            ok = (self.causal and not getattr(cfg, "is_encoder_decoder", False)
                  and self._cache_kwarg() is not None and self._check_head())
            if ok:
                ok = self._check_sharing()
            self._share_ok = bool(ok)
        return self._share_ok

    def _cache_kwarg(self) -> str | None:
        """The body's keyword for a cache (``cache`` in recent transformers), or None."""
        import inspect

        try:
            params = inspect.signature(self._body.forward).parameters
        except (TypeError, ValueError):
            return None
        return next((k for k in ("cache", "past_key_values") if k in params), None)

    @property
    def _sliding(self) -> bool:
        """Does any layer attend through a window? (Then contexts are left-padded when shared.)"""
        cfg = self.model.config.get_text_config()
        types = getattr(cfg, "layer_types", None) or []
        return bool(getattr(cfg, "sliding_window", None) or getattr(cfg, "attention_chunk_size", None)
                    or any("sliding" in str(t) or "chunk" in str(t) for t in types))

    def _check_sharing(self) -> bool:
        """A tiny shared computation (padding, 1- and multi-token continuations) against the plain one."""
        ids = self.tok.encode("Hello, world. Bonjour le monde. Hola mundo. Hallo Welt. Ciao mondo.")
        ids = self._prefix() + ids
        while len(ids) < 20:
            ids = ids + ids
        ids = ids[:20]  # short, so that both contexts share a padded batch
        n = len(ids)
        groups = [(ids[: n - 6], [ids[n - 6: n - 3], ids[n - 3: n - 2], ids[n - 2:]]),
                  (ids[:3], [ids[3:6], ids[3:4]])]
        before = self.body_tokens
        try:
            got = self._score_shared(groups)
            want = self._score([_ll_unit(c, x, self.max_length) for c, xs in groups for x in xs])
        except Exception as e:  # noqa: BLE001 - any failure means: do not share
            log.warning("%s: prefix sharing unavailable (%s: %s); each request runs whole",
                        self.name, type(e).__name__, str(e).splitlines()[0] if str(e) else "")
            return False
        finally:
            self.body_tokens = before
        a = np.array([x for res in got for lp, _ in res for x in lp])
        b = np.array([x for lp, _ in want for x in lp])
        low = self.dtype in (self._torch.float16, self._torch.bfloat16)
        tol = (0.1 + 0.02 * np.abs(b)) if low else (1e-3 + 1e-3 * np.abs(b))
        ok = a.shape == b.shape and bool(np.all(np.abs(a - b) <= tol))
        if not ok:
            log.warning("%s: prefix sharing does not reproduce whole-sequence scores; not used", self.name)
        return ok

    def _score_shared(self, groups: Sequence[tuple[list[int], list[list[int]]]]
                      ) -> list[list[tuple[list[float], list[bool]]]]:
        """For each (context ids, continuations): per continuation, its token log-probs and greedy flags.

        Contexts run once, batched (left-padded when the model has windowed attention, so that
        index distances equal token distances); their cache is copied to one row per choice
        (pads zeroed) and each continuation, less its last token, runs on top with positions
        counting on from its context's true length. The context's last real position predicts
        a continuation's first token. Contexts and continuations must be non-empty.
        """
        torch = self._torch
        from transformers import DynamicCache

        key = self._cache_kwarg() or "past_key_values"
        side = "left" if self._sliding else self.padding_side
        out: list[list[tuple[list[float], list[bool]]]] = [
            [([0.0] * len(x), [False] * len(x)) for x in conts] for _, conts in groups]
        for batch in _batches([len(c) for c, _ in groups], self.batch_size, self.max_batch_tokens):
            ctxs = [groups[g][0] for g in batch]
            ids, mask, pos = self._pad(ctxs, side)
            B, T = ids.shape
            dev = self.device
            sel: list[Any] = []  # hidden states whose next-token log-probs are wanted
            targets: list[int] = []
            owner: list[tuple[int, int, int]] = []  # (group, choice, token index)
            with torch.inference_mode():
                cache = DynamicCache()
                self.body_tokens += sum(len(c) for c in ctxs)
                h = self._body(input_ids=ids, attention_mask=mask, position_ids=pos, use_cache=True,
                               **{key: cache}).last_hidden_state
                last = torch.tensor([T - 1 if side == "left" else len(c) - 1 for c in ctxs], device=dev)
                h_last = h[torch.arange(B, device=dev), last]
                kv = _cache_tensors(cache, T)
                pad = (mask == 0)[:, None, :, None]
                for k, v in kv:  # pads are masked, but 0 * NaN would still spoil a sum
                    k.masked_fill_(pad, 0)
                    v.masked_fill_(pad, 0)
                rows = []  # (batch row, group, choice) for continuations longer than one token
                first = []
                for b, g in enumerate(batch):
                    for j, cont in enumerate(groups[g][1]):
                        first.append(b)
                        targets.append(cont[0])
                        owner.append((g, j, 0))
                        if len(cont) > 1:
                            rows.append((b, g, j))
                sel.append(h_last[torch.tensor(first, device=dev)])
                lens = [T + len(groups[g][1][j]) - 1 for _, g, j in rows]
                for sub in _batches(lens, self.batch_size, self.max_batch_tokens):
                    part = [rows[r] for r in sub]
                    conts = [groups[g][1][j][:-1] for _, g, j in part]
                    M = max(len(c) for c in conts)
                    cids = torch.full((len(part), M), self.tok.pad_token_id, dtype=torch.long)
                    cmask = torch.zeros((len(part), M), dtype=torch.long)
                    cpos = torch.zeros((len(part), M), dtype=torch.long)
                    for r, ((b, g, j), c) in enumerate(zip(part, conts)):
                        L = len(ctxs[b])
                        cids[r, : len(c)] = torch.tensor(c)
                        cmask[r, : len(c)] = 1
                        cpos[r] = L
                        cpos[r, : len(c)] = torch.arange(L, L + len(c))
                    bidx = torch.tensor([b for b, _, _ in part], device=dev)
                    sub_cache = DynamicCache()
                    for layer, (k, v) in enumerate(kv):
                        sub_cache.update(k.index_select(0, bidx), v.index_select(0, bidx), layer)
                    attn = torch.cat([mask.index_select(0, bidx), cmask.to(dev)], dim=1)
                    self.body_tokens += sum(len(c) for c in conts)
                    h2 = self._body(input_ids=cids.to(dev), attention_mask=attn, position_ids=cpos.to(dev),
                                    use_cache=True, **{key: sub_cache}).last_hidden_state
                    rr, tt = [], []
                    for r, ((b, g, j), c) in enumerate(zip(part, conts)):
                        full = groups[g][1][j]
                        for t in range(len(c)):
                            rr.append(r)
                            tt.append(t)
                            targets.append(full[t + 1])
                            owner.append((g, j, t + 1))
                    sel.append(h2[torch.tensor(rr, device=dev), torch.tensor(tt, device=dev)])
                hs = torch.cat(sel)
                tgt = torch.tensor(targets, device=dev)
                lp_t, gr_t = self._target_logprobs_rows(hs, tgt)
                lp = lp_t.double().cpu().tolist()
                gr = gr_t.cpu().tolist()
            for (g, j, t), a, f in zip(owner, lp, gr):
                out[g][j][0][t] = a
                out[g][j][1][t] = f
        return out

    def _require(self, cap: Capability) -> None:
        if cap not in self.capabilities:
            kind = "a causal language model" if cap in (Capability.LOGLIKELIHOOD, Capability.GENERATE) else "this"
            raise ModelError(
                f"model {self.name!r} ({type(self.model).__name__}) cannot do {cap.value}: "
                f"that needs {kind}"
            )


class _StopCriteria:
    """Per-row stopping: a row is done at its own max_tokens or once a stop string appears."""

    def __init__(self, tok: HFTokenizer, prompt_len: int, reqs: Sequence[GenerationRequest]):
        self.tok = tok
        self.prompt_len = prompt_len
        self.reqs = list(reqs)

    def __call__(self, input_ids, scores, **kwargs):
        import torch

        n = input_ids.shape[1] - self.prompt_len
        done = []
        for row, r in enumerate(self.reqs):
            if n >= r.max_tokens:
                done.append(True)
            elif r.stop:
                text = self.tok.hf.decode(input_ids[row, self.prompt_len:].tolist(), skip_special_tokens=True)
                done.append(any(s in text for s in r.stop if s))
            else:
                done.append(False)
        return torch.tensor(done, dtype=torch.bool, device=input_ids.device)


def _ll_unit(ctx: list[int], cont: list[int], max_length: int) -> tuple[list[int], int, list[int]]:
    """(input ids, first scored position, targets) of one log-likelihood request, left-truncated."""
    full = (ctx + cont)[-(max_length + 1):]
    n = min(len(cont), len(full) - 1)
    inp = full[:-1]
    return inp, len(inp) - n, full[len(full) - n:]


def _cache_tensors(cache: Any, length: int) -> list[tuple[Any, Any]]:
    """(keys, values) per layer of a plain dynamic cache holding ``length`` positions; raises otherwise."""
    layers = getattr(cache, "layers", None)
    if layers is not None:
        kv = []
        for layer in layers:
            if type(layer).__name__ != "DynamicLayer":
                raise ModelError(f"cache layer {type(layer).__name__} is not a plain key/value cache")
            kv.append((layer.keys, layer.values))
    else:  # transformers before the per-layer cache
        kv = list(zip(cache.key_cache, cache.value_cache))
    if not kv or any(k is None or k.dim() != 4 or k.shape[-2] != length for k, _ in kv):
        raise ModelError("cache does not hold one key/value row per input position")
    return kv


def _cut_at_stop(text: str, stops: Sequence[str]) -> str:
    cut = len(text)
    for s in stops:
        if s:
            j = text.find(s)
            if j >= 0:
                cut = min(cut, j)
    return text[:cut]


def _batches(lengths: Sequence[int], max_seqs: int, max_tokens: int) -> list[list[int]]:
    """Indices grouped longest-first so each batch pads little and any OOM shows at once."""
    order = sorted(range(len(lengths)), key=lambda i: -lengths[i])
    out: list[list[int]] = []
    cur: list[int] = []
    for i in order:
        longest = lengths[cur[0]] if cur else lengths[i]
        if cur and (len(cur) >= max_seqs or (len(cur) + 1) * longest > max_tokens):
            out.append(cur)
            cur = []
        cur.append(i)
    if cur:
        out.append(cur)
    return out


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
