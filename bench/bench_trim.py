"""Benchmark: trim the embedded Gemma-3-270M to English + another language, offline.

Prints the time, vocabulary and parameters before/after, weight bytes, coverage and checks
(1)-(3). The model is the embedded default (``default``) unless --model names a local HF
folder.

    .venv/bin/python bench/bench_trim.py [--model hf:<folder>] [--languages eng,deu]
        [--corpus wordfreq] [--threads 1] [--out /tmp/gemma-trimmed]
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default="default")
    ap.add_argument("--languages", default="eng,deu")
    ap.add_argument("--corpus", default="wordfreq")
    ap.add_argument("--threads", type=int, default=None, help="torch threads (1 is fastest on a busy machine)")
    ap.add_argument("--out", default=None, help="output folder (default: a temporary one)")
    ap.add_argument("--json", action="store_true", help="print the whole report as JSON")
    args = ap.parse_args()

    from babelscope.adapt import resolve_model_path, trim

    src = resolve_model_path(args.model)  # building the default folder is not part of the timing
    out = args.out or os.path.join(tempfile.mkdtemp(prefix="bench-trim-"), "trimmed")
    t0 = time.perf_counter()
    r = trim(str(src), args.languages, args.corpus, out, overwrite=True, threads=args.threads)
    wall = time.perf_counter() - t0
    if args.json:
        print(json.dumps(r, indent=1, ensure_ascii=False, default=str))
        return
    print(f"model            {src}")
    print(f"languages        {', '.join(r['languages'])} from {r['corpus']} (held out: {r['sources'].get('heldout')})")
    print(f"cpu threads      {args.threads or 'torch default'} (os.cpu_count()={os.cpu_count()})")
    print(f"wall time        {wall:.1f} s  (phases: {r['seconds']})")
    print(f"vocabulary       {r['vocab_before']:,} -> {r['vocab_after']:,}  kept by reason {r['kept_by_reason']}")
    print(f"parameters       {r['params_before']:,} -> {r['params_after']:,}  ({r['params_ratio']:.3f}x)")
    print(f"weight bytes     {r['file_bytes_before']:,} -> {r['file_bytes_after']:,}")
    for lang, c in r["coverage"].items():
        print(f"coverage {lang:7s} corpus tokens {c['corpus_tokens']:.4f}, held-out tokens {c['heldout_tokens']:.4f}")
    ch = r["checks"]
    for lang in r["languages"]:
        ids, lg, gen = ch["token_ids"][lang], ch["logits"][lang], ch["generation"][lang]
        print(f"check {lang:7s} (1) ids exact {ids['exact']}/{ids['covered']} covered units "
              f"({ids['outside']} outside, {ids['outside_decodes_same']} decode the same) | "
              f"(2) max |dlogit| {lg['max_abs_diff']:.2e} over {lg['tokens']} tokens | "
              f"(3) greedy identical {gen.get('identical')}/{gen.get('prompts')} "
              f"(unrestricted original: {gen.get('identical_unrestricted')})")
    print(f"all checks passed: {r['passed']}")


if __name__ == "__main__":
    main()
