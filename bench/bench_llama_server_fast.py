"""What tests/llama_server_fast.py buys: llama-cpp-python's server with and without its
per-token Python sort of the vocabulary, on babelscope's XCOPA log-likelihood requests.

Starts the unpatched server (``python -m llama_cpp.server``), then the fast launcher, each fresh
with the same settings, and sends each the same echoed log-likelihood requests (XCOPA it+sw,
the first ``--limit`` items per language, through babelscope's ``api:`` backend at
concurrency 1, no request cache). Prints the seconds per request of each, their ratio, and
whether every answer was the same (the log-likelihoods compared exactly).

    .venv/bin/python bench/bench_llama_server_fast.py --limit 2
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "src"), str(REPO / "tests")]

from servers import llama_server  # noqa: E402


def main() -> int:
    from babelscope.engine.requests import LoglikelihoodRequest
    from babelscope.models import load_model
    from babelscope.models.default_gguf import default_gguf_path
    from babelscope.tasks.base import Condition, DataSource, get_tasks

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", default=str(REPO.parent / "shared" / "data" / "xcopa"))
    ap.add_argument("--languages", default="it,sw")
    ap.add_argument("--limit", type=int, default=2, help="items per language (two requests each)")
    args = ap.parse_args()
    task = get_tasks(["xcopa"])[0]
    reqs: list[LoglikelihoodRequest] = []
    for lang in args.languages.split(","):
        for item in task.items(lang, DataSource(data_dir=Path(args.data_dir)), Condition())[: args.limit]:
            reqs += [LoglikelihoodRequest(item.context, c) for c in item.continuations]
    tmp = Path(tempfile.mkdtemp(prefix="bench_llama_fast_"))
    out: dict = {"requests": len(reqs)}
    scores = {}
    for fast in (False, True):
        name = "fast" if fast else "unpatched"
        with llama_server(default_gguf_path(), log=tmp / f"{name}.log", fast=fast) as base:
            model = load_model(f"api:{base}#gemma?concurrency=1")
            t = time.perf_counter()
            got = model.loglikelihood(reqs)
            wall = time.perf_counter() - t
        scores[name] = [(g.logprob, g.n_tokens, g.is_greedy) for g in got]
        out[name] = {"wall_s": round(wall, 2), "s_per_request": round(wall / len(reqs), 3)}
    out["speedup_unpatched_over_fast"] = round(out["unpatched"]["wall_s"] / out["fast"]["wall_s"], 1)
    out["identical_answers"] = scores["fast"] == scores["unpatched"]
    print(json.dumps(out, indent=2))
    return 0 if out["identical_answers"] else 1


if __name__ == "__main__":
    sys.exit(main())
