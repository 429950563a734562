"""Tokenizer throughput: segments/s per tokenizer, batched vs one segment at a time.

Runs on FLORES-200 devtest when ../shared/data/flores200 exists, else on the UDHR.
    .venv/bin/python bench/bench_tokenizers.py [--languages en,de,hi,zh] [--repeat 3]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from babelscope.corpora import open_corpus
from babelscope.languages import parse_languages
from babelscope.tokenizer_specs import DEFAULT_TOKENIZERS, load_tokenizer

FLORES = Path(__file__).resolve().parents[2] / "shared" / "data" / "flores200"


def _best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--languages", default="en,de,hi,zh,ar,sw")
    ap.add_argument("--tokenizer", action="append")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    langs = parse_languages(args.languages)
    spec = f"flores200:{FLORES}" if FLORES.is_dir() else "udhr"
    corpus = open_corpus(spec, langs)
    texts = [s for lang in langs for s in corpus.segments(corpus.code_for(lang))]
    n_chars = sum(len(t) for t in texts)

    from babelscope import tokenizer_backends as backends

    cores = backends.usable_cores()
    table = Table(title=f"{corpus.name}: {len(texts)} segments, {n_chars:,} characters, "
                        f"{cores} usable cores, best of {args.repeat}")
    for col in ("tokenizer", "load s", "naive seg/s", "batch API seg/s", "batch/naive", "count() seg/s", "MB/s"):
        table.add_column(col, justify="left" if col == "tokenizer" else "right")
    mb = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    for name in args.tokenizer or DEFAULT_TOKENIZERS:
        t0 = time.perf_counter()
        tok = load_tokenizer(name)
        load = time.perf_counter() - t0
        naive = _best(lambda: [len(tok.encode(t)) for t in texts], args.repeat)
        saved = backends.MIN_CORES_FOR_BATCH
        backends.MIN_CORES_FOR_BATCH = 0  # force the library's batch encoder
        try:
            batch = _best(lambda: tok.encode_batch(texts), args.repeat)
        finally:
            backends.MIN_CORES_FOR_BATCH = saved
        auto = _best(lambda: tok.count(texts), args.repeat)  # what the analysis runs
        table.add_row(name, f"{load:.2f}", f"{len(texts) / naive:,.0f}", f"{len(texts) / batch:,.0f}",
                      f"{naive / batch:.2f}x", f"{len(texts) / auto:,.0f}", f"{mb / auto:.2f}")
    Console().print(table)


if __name__ == "__main__":
    main()
