"""babelscope's completions backend vs lm-evaluation-harness's local-completions, same server.

Starts llama-cpp-python's OpenAI-compatible server on 127.0.0.1 with the embedded default GGUF
(through tests/llama_server_fast.py: the real server with only its per-token Python sort of the
vocabulary replaced, answers byte-identical; see that module), puts a counting pass-through
proxy in front of it (tests/servers.py), and runs XCOPA it+sw (the first ``--limit`` items per
language) through

1. babelscope's ``api:`` backend (library API, concurrency 1, fresh request cache,
   ``limit_mode="head"``: the first N items, as lm-eval's ``--limit`` takes them), and
2. lm-eval 0.4.13 ``--model local-completions`` (string prompts, ``num_concurrent=1``; its
   tokenizer, which it uses to find where the continuation starts, is the GGUF's, saved once as
   a Hugging Face tokenizer folder), with local task files pointing lm-eval's own xcopa prompt
   functions at the same data (as bench/check_xcopa_vs_lmeval.py does),

then prints accuracy per language (must be identical), the items whose prediction differs (with
both tools' log-likelihoods), the largest per-choice log-likelihood difference, the requests
each sent (counted by the proxy) and the wall time of each (lm-eval's includes its process
start), as ratios. Then babelscope's throughput at concurrency 1/4/16 on the same requests
(fresh cache each time, straight to the server).

    .venv/bin/python bench/bench_api.py --lm-eval /tmp/lmeval-venv/bin/lm_eval

lm-eval lives in a side environment (its pins differ from ours), e.g.
``python3 -m venv /tmp/lmeval-venv && /tmp/lmeval-venv/bin/pip install "lm-eval[api]==0.4.13"``
(the ``api`` extra brings tenacity, which local-completions needs).

Why ``--n-batch 1``: llama.cpp's CPU logits for a token depend on how many tokens share its
batch, and the server keeps the previous prompt's prefix, so at the default batching a tool's
numbers depend on the order it sends requests (lm-eval sorts by length; babelscope sends each
item's choices together) and the two tools can differ by tenths of a nat. One token per batch
removes that; ``--n-batch 0`` keeps the server's default.

Measured (2 cores shared with other jobs; llama-cpp-python 0.3.36, --limit 100
--throughput-limit 25): accuracy it 0.51 / sw 0.44 for both, max log-likelihood difference 0.0
over 400 choices, 400 requests each, wall 206 s vs 1,034 s (ratio 0.20; an earlier run 239 s vs
494 s, 0.48), prompt characters shared with the previous request 34% vs 8%. Throughput at
concurrency 1/4/16: 3.31 / 2.08 / 2.02 requests/s (noise: the server answers one at a time).
At ``--n-batch 0``: one item differs (it #37, 0.17 nats on a choice; acc it 0.50 vs 0.51), max
difference 0.56, 347 s vs 375 s.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "src"), str(REPO / "tests"), str(REPO / "bench")]

from check_xcopa_vs_lmeval import SHIM, TASK  # noqa: E402  (lm-eval task template for local XCOPA files)
from servers import ProxyScript, fault_proxy, llama_server  # noqa: E402


def run_babelscope(base: str, data_dir: Path, langs: list[str], limit: int, concurrency: int, tmp: Path) -> dict:
    from babelscope.engine.executor import Engine
    from babelscope.evaluation import evaluate
    from babelscope.models import load_model
    from babelscope.tasks.base import DataSource, get_tasks

    model = load_model(f"api:{base}#gemma?concurrency={concurrency}")
    cache = tmp / f"cache_c{concurrency}_{time.time_ns()}.sqlite"
    engine = Engine(model, cache=cache, batch_size=64)
    t = time.perf_counter()
    # limit_mode="head": the first ``limit`` items, as lm-eval's --limit takes them (babelscope's
    # default is a seeded stratified sample)
    out = evaluate(engine, get_tasks(["xcopa"]), langs, DataSource(data_dir=data_dir), limit=limit, pivot=None,
                   n_boot=0, limit_mode="head")
    wall = time.perf_counter() - t
    acc = {r.language.tag: r.value for r in out.rows if r.metric == "acc" and r.extra.get("subset") == "all"}
    ll = {(s["language"], s["index"]): s["logliks"] for s in out.samples}
    return {"wall_s": wall, "acc": acc, "logliks": ll, "requests": model.endpoint.stats.requests - 1,
            "n_loglik": engine.stats.computed}


def shared_prefix_fraction(prompts: list[str]) -> float:
    """Characters each prompt shares, from its start, with the one sent just before it, over all
    characters sent: what a server that keeps the previous prompt's prefix (llama.cpp's does)
    need not evaluate again."""
    shared = sum(len(os.path.commonprefix([a, b])) for a, b in zip(prompts, prompts[1:]))
    return shared / max(1, sum(len(p) for p in prompts))


def gguf_tokenizer_folder(gguf: Path, out: Path) -> Path:
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
    tok.save_pretrained(str(out))
    return out


def run_lm_eval(lm_eval: str, base: str, tokenizer: Path, data_dir: Path, langs: list[str], limit: int,
                tmp: Path) -> dict:
    tasks_dir = tmp / "tasks"
    tasks_dir.mkdir(exist_ok=True)
    (tasks_dir / "lmeval_xcopa_utils.py").write_text(SHIM, encoding="utf-8")
    for lang in langs:
        data = data_dir / "data" / lang / f"test.{lang}.jsonl"
        (tasks_dir / f"xcopa_{lang}_local.yaml").write_text(TASK.format(lang=lang, data=data), encoding="utf-8")
    out_dir = tmp / "lmeval_out"
    args = [lm_eval, "--model", "local-completions", "--model_args",
            f"model=gemma,base_url={base}/completions,tokenizer={tokenizer},tokenizer_backend=huggingface,"
            "tokenized_requests=False,num_concurrent=1,max_retries=3,max_length=2048",
            "--tasks", ",".join(f"xcopa_{x}_local" for x in langs), "--include_path", str(tasks_dir),
            "--limit", str(limit), "--batch_size", "1", "--log_samples", "--output_path", str(out_dir)]
    t = time.perf_counter()
    res = subprocess.run(args, capture_output=True, text=True, cwd=tmp,
                         env={"HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", "PATH": "/usr/bin:/bin",
                              "HOME": str(Path.home())})
    wall = time.perf_counter() - t
    if res.returncode != 0:
        raise RuntimeError(f"lm_eval failed ({res.returncode}):\n{res.stderr[-4000:]}")
    acc, ll = {}, {}
    for lang in langs:
        files = sorted(out_dir.rglob(f"samples_xcopa_{lang}_local_*.jsonl"))
        recs = sorted((json.loads(x) for x in files[-1].read_text(encoding="utf-8").splitlines()),
                      key=lambda r: r["doc_id"])
        acc[lang] = sum(float(r["acc"]) for r in recs) / len(recs)
        for r in recs:
            ll[(lang, r["doc_id"])] = [float(x[0]) for x in r["filtered_resps"]]
    return {"wall_s": wall, "acc": acc, "logliks": ll}


def main() -> int:
    from babelscope.engine.requests import LoglikelihoodRequest
    from babelscope.models import load_model
    from babelscope.models.default_gguf import default_gguf_path

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", default=str(REPO.parent / "shared" / "data" / "xcopa"))
    ap.add_argument("--languages", default="it,sw")
    ap.add_argument("--limit", type=int, default=100)
    ap.add_argument("--lm-eval", default="", help="lm_eval executable of a side environment (skip if empty)")
    ap.add_argument("--n-batch", type=int, default=1, help="the server's --n_batch (0: its default). "
                    "1 makes its numbers independent of request order (see the module docstring)")
    ap.add_argument("--concurrency", default="1,4,16", help="throughput runs ('' for none)")
    ap.add_argument("--throughput-limit", type=int, default=None, help="items per language for the "
                    "throughput runs (default: --limit)")
    args = ap.parse_args()
    langs = args.languages.split(",")
    data_dir = Path(args.data_dir)
    tmp = Path(tempfile.mkdtemp(prefix="bench_api_"))
    gguf = default_gguf_path()
    report: dict = {"limit": args.limit, "languages": langs}
    import llama_cpp

    report["server"] = (f"llama-cpp-python {llama_cpp.__version__} through tests/llama_server_fast.py, "
                        f"n_batch {args.n_batch or 'default'}")
    with llama_server(gguf, alias="gemma", log=tmp / "server.log", n_batch=args.n_batch or None) as server:
        # one untimed request first, so neither tool pays the server's first-request warm-up
        load_model(f"api:{server}#gemma").loglikelihood([LoglikelihoodRequest("Il gatto dorme sul", " divano")])
        ours_script = ProxyScript(upstream=server)
        with fault_proxy(ours_script) as base:
            ours = run_babelscope(base, data_dir, langs, args.limit, 1, tmp)
        ours["requests_seen_by_proxy"] = sum(1 for s in ours_script.seen if s["method"] == "POST")
        ours["first_to_last_request_s"] = round(ours_script.times[-1] - ours_script.times[0], 2)
        ours["prompt_chars_shared_with_previous_request"] = round(shared_prefix_fraction(ours_script.prompts), 3)
        report["babelscope"] = {k: v for k, v in ours.items() if k != "logliks"}
        if args.lm_eval:
            tok = gguf_tokenizer_folder(gguf, tmp / "tokenizer")
            theirs_script = ProxyScript(upstream=server)
            try:
                with fault_proxy(theirs_script) as base:
                    theirs = run_lm_eval(args.lm_eval, base, tok, data_dir, langs, args.limit, tmp)
            except RuntimeError as e:
                theirs = None
                report["lm_eval"] = f"failed: {e}"
        if args.lm_eval and theirs is not None:
            theirs["requests_seen_by_proxy"] = sum(1 for s in theirs_script.seen if s["method"] == "POST")
            theirs["first_to_last_request_s"] = round(theirs_script.times[-1] - theirs_script.times[0], 2)
            theirs["prompt_chars_shared_with_previous_request"] = round(
                shared_prefix_fraction(theirs_script.prompts), 3)
            diffs = [abs(a - b) for k, v in ours["logliks"].items() for a, b in zip(v, theirs["logliks"][k])]
            argmax = lambda v: max(range(len(v)), key=lambda i: v[i])  # noqa: E731
            differ = [{"language": k[0], "index": k[1], "babelscope": v, "lm_eval": theirs["logliks"][k]}
                      for k, v in sorted(ours["logliks"].items()) if argmax(v) != argmax(theirs["logliks"][k])]
            report["lm_eval"] = {k: v for k, v in theirs.items() if k != "logliks"}
            report["comparison"] = {
                "accuracy_identical": ours["acc"] == theirs["acc"],
                "items_compared": len(ours["logliks"]), "same_items": ours["logliks"].keys() == theirs["logliks"].keys(),
                "items_with_different_prediction": differ,
                "max_abs_loglik_diff": max(diffs), "choices_compared": len(diffs),
                "wall_ratio_babelscope_over_lm_eval": ours["wall_s"] / theirs["wall_s"],
                "request_span_ratio_babelscope_over_lm_eval":
                    ours["first_to_last_request_s"] / max(1e-9, theirs["first_to_last_request_s"]),
                "requests_ratio_babelscope_over_lm_eval":
                    ours["requests_seen_by_proxy"] / max(1, theirs["requests_seen_by_proxy"]),
            }
        elif not args.lm_eval:
            report["lm_eval"] = "skipped: pass --lm-eval PATH (see the docstring for the side environment)"
        thr = {}
        for c in (int(x) for x in args.concurrency.split(",") if x.strip()):
            r = run_babelscope(server, data_dir, langs, args.throughput_limit or args.limit, c, tmp)
            thr[c] = {"wall_s": round(r["wall_s"], 2), "requests": r["requests"],
                      "requests_per_s": round(r["requests"] / r["wall_s"], 2)}
        for c in thr:
            thr[c]["speedup_vs_lowest"] = round(thr[c]["requests_per_s"] / thr[min(thr)]["requests_per_s"], 2)
        report["throughput_by_concurrency"] = thr
    print(json.dumps(report, indent=2, default=str))
    ok = report.get("comparison", {}).get("accuracy_identical", True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
