"""Probing access to a Hugging Face model's insides: logit lens, word-span states, input embeddings.

These are kept beside the HF backend (not on the Model protocol) because only a local
transformers model has a residual stream, a final norm and an output head to read; a probe
calls :func:`require_probe_access` before any work, so other backends fail up front.

The logit lens decodes the residual stream of every layer at the *last* position only: the
body runs once per batch with all hidden states, the last real position of each layer is
gathered, and only those (layers + 1) vectors per prompt go through the final norm and the
output head. Running the head at every position (what ``model(...).logits`` does for each
layer) costs (positions) times more head work for numbers nobody reads.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ..errors import ModelError

_NORM_NAMES = ("norm", "ln_f", "final_layernorm", "final_layer_norm", "final_norm")


def require_probe_access(model: Any, what: str = "this probe") -> None:
    """Fail before any work unless ``model`` is a local causal transformers model."""
    from .hf import HFModel

    if not isinstance(model, HFModel):
        raise ModelError(f"{what} reads hidden states and the output head, so it needs a local Hugging Face "
                         f"model (hf:<id or folder>, gguf:<path> or the default), not {getattr(model, 'name', model)!r}")
    if not model.causal:
        raise ModelError(f"{what} needs a causal language model with an output head; "
                         f"{model.name!r} ({type(model.model).__name__}) has none")
    if what.startswith("latent") or what.startswith("the logit lens"):
        final_norm(model)


def final_norm(model: Any) -> Any:
    """The body's final normalisation module (what sits between the last layer and the head)."""
    body = model._body
    for name in _NORM_NAMES:
        mod = getattr(body, name, None)
        if mod is not None and callable(mod):
            return mod
    raise ModelError(f"model {model.name!r} ({type(body).__name__}): no final norm found "
                     f"(looked for {', '.join(_NORM_NAMES)}); the logit lens cannot decode its layers")


def prompt_ids(model: Any, texts: Sequence[str]) -> list[list[int]]:
    """Token ids of prompts as generation sees them: BOS where the tokenizer adds one."""
    bos = [int(model.tok.bos_token_id)] if model.tok.adds_bos else []
    return [(bos + ids)[-model.max_length:] or model._prefix() for ids in model.tok.encode_batch(list(texts))]


def logit_lens(model: Any, texts: Sequence[str], targets: Sequence[Sequence[int]]) -> np.ndarray:
    """P(token | prompt) read at every layer at the last position: array (n, layers + 1, k).

    ``targets[i]`` lists the k token ids whose probabilities are wanted for prompt i (the same
    k for every prompt). Layer 0 is the embedding output; every layer but the last goes through
    the final norm before the head (the last one already has, inside the body).
    """
    from .head import logits as head_logits
    from .windows import batches as _batches

    require_probe_access(model, "the logit lens")
    torch = model._torch
    k = len(targets[0]) if targets else 0
    if any(len(t) != k for t in targets):
        raise ValueError("every prompt needs the same number of target tokens")
    seqs = prompt_ids(model, texts)
    norm = final_norm(model)
    head_rows = max(1, (2**24) // max(1, model.tok.vocab_size))
    out = np.zeros((len(seqs), model.n_layers + 1, k), dtype=np.float64)
    for batch in _batches([len(s) for s in seqs], model.batch_size, model.max_batch_tokens):
        ids, mask, pos = model._pad([seqs[i] for i in batch], model.padding_side)
        B, T = ids.shape
        last = torch.tensor([len(seqs[i]) - 1 if model.padding_side == "right" else T - 1 for i in batch],
                            device=model.device)
        with torch.inference_mode():
            hs = model._forward_body(ids, mask, pos, hidden_states=True).hidden_states
            rows = torch.arange(B, device=model.device)
            at_last = torch.stack([h[rows, last] for h in hs], dim=1)  # (B, L+1, d)
            L1 = at_last.shape[1]
            x = torch.cat([norm(at_last[:, :-1]), at_last[:, -1:]], dim=1).reshape(B * L1, -1)
            tgt = torch.tensor([targets[i] for i in batch], device=model.device)  # (B, k)
            tgt = tgt[:, None, :].expand(B, L1, k).reshape(B * L1, k)
            probs = []
            for r0 in range(0, x.shape[0], head_rows):
                lp = torch.log_softmax(head_logits(model.model, x[r0: r0 + head_rows]), dim=-1)
                probs.append(lp.gather(1, tgt[r0: r0 + head_rows]).exp())
            p = torch.cat(probs).reshape(B, L1, k).double().cpu().numpy()
        out[batch] = p
    return out


def word_span_states(model: Any, prefix: str, words: Sequence[str], suffix: str,
                     layers: Sequence[int]) -> np.ndarray:
    """Mean hidden state over each word's own tokens in ``prefix + word + suffix``:
    array (n_words, len(layers), d). The word's tokens are those beyond the prefix's."""
    from .windows import batches as _batches

    require_probe_access(model, "contextual word vectors")
    torch = model._torch
    bos = [int(model.tok.bos_token_id)] if model.tok.adds_bos else []
    pre = bos + model.tok.encode(prefix)
    seqs, spans = [], []
    for w in words:
        with_word = bos + model.tok.encode(prefix + w)
        a = 0  # the word starts where its encoding leaves the prefix's (a merge may reach back)
        while a < min(len(pre), len(with_word)) and pre[a] == with_word[a]:
            a += 1
        b = max(len(with_word), a + 1)
        seqs.append(bos + model.tok.encode(prefix + w + suffix))
        spans.append((a, min(b, len(seqs[-1]))))
    d = model.hidden_size
    out = np.zeros((len(words), len(layers), d), dtype=np.float32)
    for batch in _batches([len(s) for s in seqs], model.batch_size, model.max_batch_tokens):
        ids, mask, pos = model._pad([seqs[i] for i in batch], "right")
        w = torch.zeros(ids.shape, dtype=torch.float32, device=model.device)
        for r, i in enumerate(batch):
            a, b = spans[i]
            w[r, a:b] = 1.0 / max(1, b - a)
        with torch.inference_mode():
            hs = model._forward_body(ids, mask, pos, hidden_states=True).hidden_states
            sel = torch.stack([hs[layer].float() for layer in layers], dim=1)  # (B, k, T, d)
            pooled = (sel * w[:, None, :, None]).sum(2)
        out[batch] = pooled.cpu().numpy()
    return out


def input_word_vectors(model: Any, words: Sequence[str], lead: str = " ") -> tuple[np.ndarray, list[int]]:
    """Static word vectors: the mean input embedding of each word's tokens (``lead + word``,
    as the word appears inside a sentence), and the token counts."""
    require_probe_access(model, "static word vectors")
    emb = model.model.get_input_embeddings().weight.detach()
    ids = model.tok.encode_batch([lead + w for w in words])
    torch = model._torch
    flat = torch.tensor([x for t in ids for x in t] or [0], dtype=torch.long, device=emb.device)
    offsets = torch.tensor(np.cumsum([0] + [len(t) for t in ids[:-1]]).tolist(), dtype=torch.long,
                           device=emb.device)
    with torch.inference_mode():
        out = torch.nn.functional.embedding_bag(flat, emb, offsets, mode="mean").float().cpu().numpy()
    out[[i for i, t in enumerate(ids) if not t]] = 0.0  # a word with no tokens has no vector
    return out, [len(t) for t in ids]
