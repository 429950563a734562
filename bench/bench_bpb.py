"""Bits-per-byte speed: babelscope's engine vs a naive loop, same model, same process.

Naive = what a first implementation does: one text at a time, full logits at every position
(a float32 [T, 262144] tensor for Gemma-3), log-softmax over all of it. babelscope batches
length-sorted texts, runs the output head only at scored positions in bounded chunks.

    .venv/bin/python bench/bench_bpb.py [--model default] [--texts 48] [--batch-size 16]

Prints tokens/s of both, their ratio, and the largest difference in total NLL (must be ~0).
"""

from __future__ import annotations

import argparse
import math
import time

import torch

from babelscope.engine.executor import Engine
from babelscope.engine.requests import RollingLoglikelihoodRequest
from babelscope.models import load_model

SENTENCES = [
    "All human beings are born free and equal in dignity and rights.",
    "Tous les êtres humains naissent libres et égaux en dignité et en droits. Ils sont doués de raison et de conscience.",
    "Alle Menschen sind frei und gleich an Würde und Rechten geboren.",
    "Watu wote wamezaliwa huru, hadhi na haki zao ni sawa. Wote wamejaliwa akili na dhamiri.",
    "人人生而自由，在尊严和权利上一律平等。他们赋有理性和良心，并应以兄弟关系的精神相对待。",
    "Все люди рождаются свободными и равными в своем достоинстве и правах.",
    "सभी मनुष्यों को गौरव और अधिकारों के मामले में जन्मजात स्वतन्त्रता और समानता प्राप्त है।",
    "كل الناس يولدون أحرارًا متساوين في الكرامة والحقوق. وقد وهبوا عقلاً وضميرًا.",
]


def texts(n: int) -> list[str]:
    # distinct texts of varied length (the engine would dedup repeats)
    return [" ".join(SENTENCES[(i + j) % len(SENTENCES)] for j in range(1 + i % 3)) + f" ({i})" for i in range(n)]


def naive_nll(model, text: str) -> tuple[float, int]:
    tok = model.tokenizer
    ids = ([tok.bos_token_id] if tok.bos_token_id is not None else [tok.eos_token_id]) + tok.encode(text)
    with torch.inference_mode():
        logits = model.model(torch.tensor([ids[:-1]], device=model.device)).logits[0].float()
        logp = torch.log_softmax(logits, -1)
        nll = -float(logp.gather(1, torch.tensor(ids[1:], device=model.device)[:, None]).sum())
    return nll, len(ids) - 1


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="default")
    ap.add_argument("--texts", type=int, default=48)
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--max-batch-tokens", type=int, default=4096)
    a = ap.parse_args()
    model = load_model(a.model, batch_size=a.batch_size, max_batch_tokens=a.max_batch_tokens)
    data = texts(a.texts)
    model.loglikelihood_rolling([RollingLoglikelihoodRequest(data[0])])  # warm-up, head check
    naive_nll(model, data[0])

    t = time.perf_counter()
    ours = Engine(model).loglikelihood_rolling([RollingLoglikelihoodRequest(x) for x in data])
    t_ours = time.perf_counter() - t
    t = time.perf_counter()
    ref = [naive_nll(model, x) for x in data]
    t_naive = time.perf_counter() - t

    n_tok = sum(r.n_tokens for r in ours)
    assert n_tok == sum(n for _, n in ref), "token counts differ"
    diff = max(abs(r.nll - n) / max(1.0, abs(n)) for r, (n, _) in zip(ours, ref))
    nbytes = sum(len(x.encode()) for x in data)
    print(f"model      {model.signature}  threads={torch.get_num_threads()}")
    print(f"texts      {len(data)}  tokens {n_tok}  bytes {nbytes}")
    print(f"babelscope {n_tok / t_ours:9.1f} tokens/s  ({t_ours:.1f} s)")
    print(f"naive      {n_tok / t_naive:9.1f} tokens/s  ({t_naive:.1f} s)")
    print(f"speed-up   {t_naive / t_ours:9.2f}x")
    print(f"max relative NLL difference {diff:.2e}; bits/byte {sum(r.nll for r in ours) / math.log(2) / nbytes:.4f}")
    assert diff < 1e-4, "babelscope and naive NLL disagree"


if __name__ == "__main__":
    main()
