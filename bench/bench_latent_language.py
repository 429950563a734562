"""Latent language: the last-position logit lens vs the head at every position of every layer.

Both sides run in this process on the same model and the same fr->de prompts (from FreeDict),
in the same batches through the same body, so a busy machine slows both alike; the ratio is
the number to read. The baseline does what ``model(..., output_hidden_states=True)`` followed
by a lens over ``.logits`` of every layer would: the final norm and the output head at every
position of every layer, then it keeps the last position. On Gemma-3-270M (262,144-token
vocabulary) that baseline costs about a second per prompt on two cores, so by default it runs
on the first --baseline-prompts prompts and its time is scaled to all prompts (per-prompt cost
is linear: no state is shared between batches); both sides' numbers are checked equal there.

    .venv/bin/python bench/bench_latent_language.py                     # 200 prompts, default model
    .venv/bin/python bench/bench_latent_language.py --baseline-prompts 200   # no extrapolation
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]


def head_everywhere(model, texts, targets):
    """The baseline: norm + head at every position of every layer, then the last position."""
    from babelscope.models.hf import _batches
    from babelscope.models.hf_probes import final_norm, prompt_ids

    torch = model._torch
    seqs = prompt_ids(model, texts)
    norm = final_norm(model)
    out = np.zeros((len(seqs), model.n_layers + 1, len(targets[0])))
    for batch in _batches([len(s) for s in seqs], model.batch_size, model.max_batch_tokens):
        ids, mask, pos = model._pad([seqs[i] for i in batch], "right")
        with torch.inference_mode():
            hs = model._forward_body(ids, mask, pos, hidden_states=True).hidden_states
            for layer, h in enumerate(hs):
                x = h if layer == len(hs) - 1 else norm(h)
                for r, i in enumerate(batch):
                    lp = torch.log_softmax(model._head(x[r]), dim=-1)  # (T, V): every position
                    out[i, layer] = lp[len(seqs[i]) - 1, list(targets[i])].exp().double().cpu().numpy()
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="default")
    ap.add_argument("--dictionary", default=f"freedict:{REPO.parent / 'shared' / 'data' / 'freedict'}")
    ap.add_argument("--source", default="fr")
    ap.add_argument("--target", default="de")
    ap.add_argument("--prompts", type=int, default=200)
    ap.add_argument("--baseline-prompts", type=int, default=20)
    ap.add_argument("--batch-size", type=int, default=16)
    args = ap.parse_args()

    import torch

    from babelscope.models import load_model
    from babelscope.models.hf_probes import logit_lens
    from babelscope.probes.latent_language import build_prompts

    torch.set_num_threads(max(1, torch.get_num_threads()))
    model = load_model(args.model, device="cpu", dtype="float32", batch_size=args.batch_size)
    p = build_prompts(model, args.dictionary, args.source, args.target, args.prompts)
    targets = [[a, b] for a, b in zip(p.target_tokens, p.english_tokens)]
    n = len(p.texts)
    logit_lens(model, p.texts[:2], targets[:2])  # warm-up
    t0 = time.perf_counter()
    fast = logit_lens(model, p.texts, targets)
    t_fast = time.perf_counter() - t0
    nb = min(args.baseline_prompts, n)
    t0 = time.perf_counter()
    base = head_everywhere(model, p.texts[:nb], targets[:nb])
    t_base = (time.perf_counter() - t0) * n / nb
    diff = float(np.max(np.abs(base - fast[:nb])))
    lens_tokens = sum(len(model.tok.encode(t)) for t in p.texts)
    res = {
        "model": model.name, "prompts": n, "layers": model.n_layers + 1, "vocab": model.tok.vocab_size,
        "mean_prompt_tokens": round(lens_tokens / n, 1),
        "lens_seconds": round(t_fast, 2),
        "baseline_seconds": round(t_base, 2), "baseline_measured_on": nb,
        "ratio": round(t_base / t_fast, 1), "max_abs_diff": diff,
    }
    print(json.dumps(res, indent=2))
    return 0 if diff < 1e-4 else 1


if __name__ == "__main__":
    sys.exit(main())
