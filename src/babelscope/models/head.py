"""The output head: next-token log-probabilities at chosen positions only.

For small models the head dominates the cost (Gemma-3-270M's 262,144-row matrix costs more
than all 18 layers), so it is applied to the final hidden states of the positions whose
log-probs are needed, never to every position, in pieces that bound memory:

- :func:`target_logprobs_rows` normalises a few rows at a time over the whole vocabulary with
  torch's float32 log-softmax, as lm-evaluation-harness does: over a 262,144-token vocabulary
  that rounding alone moves a continuation's log-likelihood by up to ~1e-3, and continuation
  scores must compare with lm-eval's;
- :func:`target_logprobs` (rolling, bits per byte: every position is scored) runs the head in
  blocks of the *vocabulary* with a running log-sum-exp, so the output matrix is read once per
  batch rather than once per few rows.

``model`` is the transformers causal LM; its own logit post-processing (scales, soft-capping)
is applied to every block, and :func:`reproduces_logits` checks that body + head give the
model's own logits before any of this is trusted.
"""

from __future__ import annotations

from typing import Any, Callable

#: Logit elements computed per head block (x4 bytes): bounds memory whatever the vocabulary.
HEAD_CHUNK_ELEMENTS = 2**24
#: Narrowest vocabulary block: below this the head's matrix product loses its efficiency.
MIN_VOCAB_BLOCK = 2048


def postprocess(model: Any, logits):
    """The model's own logit post-processing (elementwise, so it applies to any block)."""
    import torch

    cfg = model.config.get_text_config()
    if getattr(cfg, "logit_scale", None):  # Cohere
        logits = logits * cfg.logit_scale
    if getattr(cfg, "logits_scaling", None):  # Granite
        logits = logits / cfg.logits_scaling
    cap = getattr(cfg, "final_logit_softcapping", None)  # Gemma 2/3
    if cap:
        logits = torch.tanh(logits / cap) * cap
    return logits


def logits(model: Any, h):
    """float32 logits from final hidden states, with the model's own post-processing."""
    return postprocess(model, model.get_output_embeddings()(h).float())


def target_logprobs(model: Any, h, targets):
    """log p(target) and "target is the argmax" for each row of ``h`` (final hidden states).

    The head runs in blocks of the vocabulary with a running log-sum-exp, so the output
    matrix (262,144 x 640 for Gemma 3) is read once per batch rather than once per few rows,
    and memory stays bounded (HEAD_CHUNK_ELEMENTS) however many positions are scored. Equal to
    log_softmax over the full logits up to float32 rounding; the argmax keeps torch's
    first-maximum rule.
    """
    import torch

    head = model.get_output_embeddings()
    if not isinstance(head, torch.nn.Linear):  # unknown head module: whole rows at a time
        return target_logprobs_rows(model, h, targets)
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
            block_logits = postprocess(model, torch.nn.functional.linear(
                x, W[lo:hi], None if bias is None else bias[lo:hi]).float())
            bm, bi = block_logits.max(-1)
            upd = bm > best  # strictly: an earlier block's equal maximum stays the argmax
            best = torch.where(upd, bm, best)
            arg = torch.where(upd, bi + lo, arg)
            new_m = torch.maximum(m, bm)
            z = z * torch.exp(m - new_m) + torch.exp(block_logits - new_m[:, None]).sum(-1)
            m = new_m
            inside = (tgt >= lo) & (tgt < hi)
            if inside.any():
                idx = inside.nonzero()[:, 0]
                t_logit[idx] = block_logits[idx, tgt[idx] - lo]
        lps.append(t_logit - (m + torch.log(z)))
        greedy.append(arg == tgt)
    return torch.cat(lps), torch.cat(greedy)


def target_logprobs_rows(model: Any, h, targets, full_logits: bool = False):
    """As :func:`target_logprobs`, a few rows at a time over the whole vocabulary (any head
    module; ``full_logits``: ``h`` already holds the model's logits)."""
    import torch

    V = h.shape[-1] if full_logits else model.get_output_embeddings().weight.shape[0]
    chunk = max(1, HEAD_CHUNK_ELEMENTS // V)
    lps, greedy = [], []
    for s in range(0, h.shape[0], chunk):
        part = h[s: s + chunk].float() if full_logits else logits(model, h[s: s + chunk])
        lps.append(torch.log_softmax(part, dim=-1).gather(1, targets[s: s + chunk, None])[:, 0])
        greedy.append(part.argmax(-1) == targets[s: s + chunk])
    return torch.cat(lps), torch.cat(greedy)


def reproduces_logits(model: Any, forward_body: Callable[..., Any], ids: list[int], device: Any) -> bool:
    """Do body (``forward_body(ids, mask, pos)``) + head give the model's own logits on ``ids``?

    Architectures post-process logits in ways a generic backend cannot know; one tiny forward
    pass turns a silent error into a slower but correct path (full logits) when they do not.
    """
    import torch

    ids_t = torch.tensor([ids], device=device)
    mask = torch.ones_like(ids_t)
    pos = torch.arange(len(ids), device=device)[None]
    with torch.inference_mode():
        ref = model(input_ids=ids_t, attention_mask=mask, use_cache=False).logits[0].float()
        mine = logits(model, forward_body(ids_t, mask, pos).last_hidden_state[0])
    tol = 1e-3 * (1.0 + float(ref.abs().max()))
    return bool(torch.allclose(ref, mine, atol=tol, rtol=1e-3))
