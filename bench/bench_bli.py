"""BLI retrieval: blockwise matrices vs a plain loop over words, en-de with 5,000 test words.

Both sides run in this process on the same normalised word vectors (the default model's
static vectors for FreeDict en-de: the 5,000 test words and the targets of all kept entries),
so the ratio is the number to read. The loop side is what a straightforward implementation
does: for each target word its CSLS penalty r_S from its own cosine row, then for each test
word its cosine row, score and top 10. Both sides must give the same P@1/5/10.

    .venv/bin/python bench/bench_bli.py                 # default model, 5k test + 2k seed words
    .venv/bin/python bench/bench_bli.py --test 1000
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]


def loop_top_k(Q, T, S, k, method, csls_k=10):
    """One word at a time (the baseline)."""
    r_s = np.zeros(T.shape[0], dtype=np.float32)
    if method == "csls":
        for j in range(T.shape[0]):
            row = S @ T[j]
            r_s[j] = np.sort(row)[-csls_k:].mean()
    out = np.empty((Q.shape[0], k), dtype=np.int64)
    for i in range(Q.shape[0]):
        sc = T @ Q[i]
        if method == "csls":
            sc = 2 * sc - r_s
        out[i] = np.argsort(-sc, kind="stable")[:k]
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="default")
    ap.add_argument("--dictionary", default=f"freedict:{REPO.parent / 'shared' / 'data' / 'freedict'}")
    ap.add_argument("--pair", default="en-de")
    ap.add_argument("--test", type=int, default=5000)
    ap.add_argument("--seed-size", type=int, default=2000)
    args = ap.parse_args()

    from babelscope.models import load_model
    from babelscope.probes.bli import WordVectors, build_split
    from babelscope.probes.retrieval import normalize, precision_at, top_k

    a, b = args.pair.split("-")
    model = load_model(args.model, device="cpu", dtype="float32")
    split = build_split(model, args.dictionary, a, b, args.seed_size, args.test)
    wv = WordVectors(model)
    tw = split.target_words
    t_index = {t: i for i, t in enumerate(tw)}
    src = [s for s, _ in split.seed + split.test]
    t0 = time.perf_counter()
    S = normalize(wv.get("static", src))
    T = normalize(wv.get("static", tw))
    t_embed = time.perf_counter() - t0
    Q = S[len(split.seed):]
    gold = [{t_index[t] for t in ts} for _, ts in split.test]
    res = {"model": model.name, "pair": args.pair, "test_words": Q.shape[0], "target_words": T.shape[0],
           "source_words": S.shape[0], "dim": S.shape[1], "embed_seconds": round(t_embed, 2)}
    ok = True
    for method in ("nn", "csls"):
        t0 = time.perf_counter()
        fast = top_k(Q, T, 10, method, sources=S)
        t_fast = time.perf_counter() - t0
        t0 = time.perf_counter()
        slow = loop_top_k(Q, T, S, 10, method)
        t_slow = time.perf_counter() - t0
        pf, ps = precision_at(fast, gold, (1, 5, 10)), precision_at(slow, gold, (1, 5, 10))
        same = all(float(pf[k].mean()) == float(ps[k].mean()) for k in (1, 5, 10))
        ok &= same
        res[method] = {"blockwise_seconds": round(t_fast, 3), "loop_seconds": round(t_slow, 3),
                       "ratio": round(t_slow / t_fast, 1), "same_p_at_k": same,
                       **{f"p@{k}": round(float(pf[k].mean()), 4) for k in (1, 5, 10)}}
    print(json.dumps(res, indent=2))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
