"""MEXA alignment: babelscope's batched path vs a naive one-sentence-per-forward implementation.

Both run in this process, back to back, on the same model, sentences and languages, so a busy
machine slows both alike; the ratio is the number to read. The naive side follows the authors'
published code (full model with its output head, one sentence per pass, pairwise float64
cosines; tests/mexa_reference.py). The script also checks that both give identical scores,
with the naive embeddings kept in float32 and rounded to float16 as the authors store them.

    .venv/bin/python bench/bench_alignment.py                       # 6 languages x 30 sentences
    .venv/bin/python bench/bench_alignment.py --sentences 100 --model hf:/path/to/gemma-3-270m

FLORES-200 comes from --flores (default: ../shared/data/flores200); without it the bench
falls back to UDHR paragraphs.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

LANGS = ["deu_Latn", "swh_Latn", "yor_Latn", "hin_Deva", "zho_Hans"]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="default", help="model spec (default: the embedded Gemma-3-270M)")
    ap.add_argument("--flores", default=str(REPO.parent / "shared" / "data" / "flores200"))
    ap.add_argument("--split", default="devtest")
    ap.add_argument("--sentences", type=int, default=30)
    ap.add_argument("--languages", default=",".join(LANGS))
    ap.add_argument("--pivot", default="eng_Latn")
    ap.add_argument("--pooling", default="weighted_mean")
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--skip-naive", action="store_true", help="time babelscope only")
    ap.add_argument("--save", help="write both sides' embeddings and scores to this .npz")
    args = ap.parse_args()

    import torch

    from babelscope.analyses.alignment import compute_alignment, mexa_scores, select_segments
    from babelscope.corpora import open_corpus
    from babelscope.languages import Language
    from babelscope.models import load_model
    from mexa_reference import naive_embeddings, naive_scores

    langs = [Language.parse(x) for x in args.languages.split(",")]
    pivot = Language.parse(args.pivot)
    if Path(args.flores).is_dir():
        corpus = open_corpus(f"flores200:{args.flores}", [pivot, *langs], split=args.split)
    else:
        corpus = open_corpus("udhr", [pivot, *langs])
    t = time.perf_counter()
    model = load_model(args.model, device="cpu", batch_size=args.batch_size)
    load_s = time.perf_counter() - t
    pivot_code, langs, codes, ids = select_segments(corpus, langs, pivot, args.sentences)
    all_codes = [pivot_code, *codes]
    texts = [s.strip() for c in all_codes for s in corpus.segments(c, ids)]  # as compute_alignment
    n = len(ids)
    print(f"{model.name}: {len(all_codes)} languages x {n} sentences = {len(texts)} texts, "
          f"{torch.get_num_threads()} threads, model loaded in {load_s:.1f} s", file=sys.stderr)

    t = time.perf_counter()
    fast = compute_alignment(model, corpus, langs, pivot, args.sentences, args.pooling)  # float16, as the authors
    fast_s = time.perf_counter() - t
    print(f"babelscope batched: {fast_s:.1f} s", file=sys.stderr)
    report: dict = {"model": model.name, "languages": all_codes, "sentences": n, "texts": len(texts),
                    "pooling": args.pooling, "babelscope_s": round(fast_s, 2),
                    "babelscope_mean": dict(zip(codes, map(float, fast.mean)))}
    if not args.skip_naive:
        t = time.perf_counter()
        emb = naive_embeddings(model.model, model.tok.hf, texts, args.pooling, store_dtype=np.float32)
        blocks = emb.reshape(len(all_codes), n, *emb.shape[1:])
        naive = np.array([naive_scores(blocks[0], blocks[k]) for k in range(1, len(all_codes))])
        naive_s = time.perf_counter() - t
        print(f"naive one-by-one:   {naive_s:.1f} s", file=sys.stderr)
        half = blocks.astype(np.float16)  # the authors store embeddings as float16
        naive16 = np.array([naive_scores(half[0], half[k]) for k in range(1, len(all_codes))])
        batched = model.hidden_states(texts, pooling=args.pooling)
        b32 = batched.reshape(blocks.shape)
        fast32 = np.array([mexa_scores(b32[0], b32[k]) for k in range(1, len(all_codes))])
        rel = float(np.max(np.abs(batched - emb)) / np.max(np.abs(emb)))
        report.update({
            "naive_s": round(naive_s, 2), "speedup": round(naive_s / fast_s, 1),
            "scores_equal_naive_fp16": bool(np.array_equal(fast.scores, naive16)),
            "scores_equal_naive_fp32": bool(np.array_equal(fast32, naive)),
            "max_score_diff_fp16_vs_fp32": float(np.max(np.abs(naive16 - naive))),
            "embedding_max_rel_err": rel,
            "fp16_overflow": bool(np.isinf(half).any()),
        })
        if args.save:
            np.savez_compressed(args.save, naive=emb, batched=batched, fast=fast.scores,
                                naive_scores=naive, naive16_scores=naive16, codes=np.array(all_codes))
    print(json.dumps(report, indent=2))
    ok = args.skip_naive or (report["scores_equal_naive_fp16"] and report["scores_equal_naive_fp32"])
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
