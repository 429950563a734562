"""Prefix sharing: multiple-choice requests that share a context run that context once.

The context's key/value cache is copied to one row per choice and only the continuations run
on top of it. Whether a model supports this is not known from its class (hybrid or recurrent
caches, attention a cache cannot resume), so it is decided once per model by comparing a tiny
shared computation with the plain path; where they differ, every request runs whole.

:class:`PrefixSharing` is a mixin of :class:`~babelscope.models.hf.HFModel`: it uses the
adapter's padding (``_pad``), prefix token (``_prefix``), plain scoring path (``_score``) and
head check (``_check_head``), and counts what it runs in ``body_tokens``.
"""

from __future__ import annotations

import logging
from typing import Any, Callable, Sequence

import numpy as np

from ..errors import ModelError
from .head import target_logprobs_rows
from .windows import Window, batches, loglikelihood_window

log = logging.getLogger("babelscope.models")

#: Per continuation: its token log-probs and whether each token was the greedy one.
Scored = tuple[list[float], list[bool]]


def shared_groups(pairs: Sequence[tuple[list[int], list[int]]], max_length: int) -> list[list[int]]:
    """Indices of requests with identical context ids, two or more per group.

    Grouping is by exact ids, as the plain path would feed them (a context is encoded alone,
    so its ids never depend on the continuation, even where BPE would merge across the
    boundary); a request the plain path would truncate, or with an empty context or
    continuation, is left to the plain path.
    """
    by_ctx: dict[tuple[int, ...], list[int]] = {}
    for i, (ctx, cont) in enumerate(pairs):
        if ctx and cont and len(ctx) + len(cont) - 1 <= max_length:
            by_ctx.setdefault(tuple(ctx), []).append(i)
    return [g for g in by_ctx.values() if len(g) > 1]


def cache_kwarg(body: Any) -> str | None:
    """The body's keyword for a cache (``cache`` in recent transformers), or None."""
    import inspect

    try:
        params = inspect.signature(body.forward).parameters
    except (TypeError, ValueError):
        return None
    return next((k for k in ("cache", "past_key_values") if k in params), None)


def windowed_attention(text_config: Any) -> bool:
    """Does any layer attend through a window? (Then contexts are left-padded when shared.)"""
    types = getattr(text_config, "layer_types", None) or []
    return bool(getattr(text_config, "sliding_window", None) or getattr(text_config, "attention_chunk_size", None)
                or any("sliding" in str(t) or "chunk" in str(t) for t in types))


def cache_tensors(cache: Any, length: int) -> list[tuple[Any, Any]]:
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


class PrefixSharing:
    """Shared-context scoring for the HF adapter (see the module docstring for what it uses)."""

    # What the adapter provides (HFModel sets these in __init__ or defines them as methods).
    #: sharing requested, and (None until first use) whether it holds for this model
    prefix_sharing: bool
    _share_ok: bool | None
    model: Any
    tok: Any
    name: str
    causal: bool
    device: Any
    dtype: Any
    padding_side: str
    batch_size: int
    max_batch_tokens: int
    max_length: int
    body_tokens: int
    _body: Any
    _torch: Any
    _pad: Callable[[Sequence[list[int]], str], tuple[Any, Any, Any]]
    _prefix: Callable[[], list[int]]
    _score: Callable[[Sequence[Window]], list[Scored]]
    _check_head: Callable[[], bool]

    def _shared_groups(self, pairs: Sequence[tuple[list[int], list[int]]]) -> list[list[int]]:
        """:func:`shared_groups` when sharing is on and the model is causal, else none."""
        if not (self.prefix_sharing and self.causal):
            return []
        return shared_groups(pairs, self.max_length)

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
                  and cache_kwarg(self._body) is not None and self._check_head())
            if ok:
                ok = self._check_sharing()
            self._share_ok = bool(ok)
        return self._share_ok

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
            want = self._score([loglikelihood_window(c, x, self.max_length) for c, xs in groups for x in xs])
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

    def _score_shared(self, groups: Sequence[tuple[list[int], list[list[int]]]]) -> list[list[Scored]]:
        """For each (context ids, continuations): per continuation, its token log-probs and greedy flags.

        Contexts run once, batched (left-padded when the model has windowed attention, so that
        index distances equal token distances); their cache is copied to one row per choice
        (pads zeroed) and each continuation, less its last token, runs on top with positions
        counting on from its context's true length. The context's last real position predicts
        a continuation's first token. Contexts and continuations must be non-empty.
        """
        torch = self._torch
        from transformers import DynamicCache

        key = cache_kwarg(self._body) or "past_key_values"
        side = "left" if windowed_attention(self.model.config.get_text_config()) else self.padding_side
        out: list[list[Scored]] = [[([0.0] * len(x), [False] * len(x)) for x in conts] for _, conts in groups]
        for batch in batches([len(c) for c, _ in groups], self.batch_size, self.max_batch_tokens):
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
                kv = cache_tensors(cache, T)
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
                for sub in batches(lens, self.batch_size, self.max_batch_tokens):
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
                lp_t, gr_t = target_logprobs_rows(self.model, hs, tgt)
                lp = lp_t.double().cpu().tolist()
                gr = gr_t.cpu().tolist()
            for (g, j, t), a, f in zip(owner, lp, gr):
                out[g][j][0][t] = a
                out[g][j][1][t] = f
        return out
