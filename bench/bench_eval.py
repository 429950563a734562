"""babelscope eval vs lm-evaluation-harness on a 4-option task with a shared ~150-token context.

The task is built from UDHR (the derived ``udhr_continuation`` task with long contexts), so it
runs offline. Each side runs in its own process, timed wall-clock and measured for peak
resident memory; the per-item log-likelihoods are then compared (max |diff|) and the
accuracies must be identical.

    .venv/bin/python bench/bench_eval.py --model /path/to/hf-folder --items 100 \\
        --lm-eval /tmp/lmeval-venv/bin/lm_eval   # a side venv: pip install torch==2.13.0 "lm-eval[hf]==0.4.*"

Without --lm-eval only babelscope's side runs. Not a test: numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

OURS = r"""
import json, sys
from pathlib import Path
from babelscope.engine.requests import LoglikelihoodRequest
from babelscope.models import load_model
items = [json.loads(l) for l in Path(sys.argv[1]).read_text(encoding="utf-8").splitlines()]
model = load_model("hf:" + sys.argv[2], device="cpu", dtype="float32", batch_size=int(sys.argv[4]),
                   prefix_sharing=sys.argv[5] == "1")
runner = model
try:
    from babelscope.engine.executor import Engine
    runner = Engine(model, cache=None, batch_size=max(64, int(sys.argv[4])), progress=None)
except ImportError:
    pass
reqs = [LoglikelihoodRequest(it["context"], " " + c) for it in items for c in it["choices"]]
res = runner.loglikelihood(reqs)
out = []
for k, it in enumerate(items):
    out.append([r.logprob for r in res[4 * k:4 * k + 4]])
Path(sys.argv[3]).write_text(json.dumps(out), encoding="utf-8")
"""

YAML = """task: bench_udhr4
dataset_path: json
dataset_kwargs:
  data_files:
    test: {data}
output_type: multiple_choice
test_split: test
doc_to_text: "{{{{context}}}}"
doc_to_choice: "{{{{choices}}}}"
doc_to_target: label
metric_list:
  - metric: acc
metadata:
  version: 1.0
"""


def build_items(n: int, languages: list[str]) -> list[dict]:
    from babelscope.tasks.base import Condition, DataSource
    from babelscope.tasks.udhr_continuation import UDHRContinuation

    task = UDHRContinuation(context_units=110, option_units=8, no_space_context=220, no_space_option=16)
    out: list[dict] = []
    while len(out) < n:
        for lang in languages:
            code = task.code_for(lang)
            for it in task.items(code, DataSource(), Condition()):
                out.append({"context": it.context, "choices": list(it.choice_texts), "label": it.target,
                            "id": it.id})
        if not out:
            raise SystemExit("no items")
    return out[:n]


def timed(cmd: list[str], env: dict | None = None) -> tuple[float, float, str]:
    """(seconds, peak RSS in GB, output) of a child process, via GNU time when present.

    The output ends with GNU time's report, so :func:`cpu_seconds` can read user+system time:
    on a shared machine CPU time compares two runs more fairly than wall-clock time.
    """
    t0 = time.perf_counter()
    if Path("/usr/bin/time").exists():
        proc = subprocess.run(["/usr/bin/time", "-v", *cmd], capture_output=True, text=True, env=env)
        secs = time.perf_counter() - t0
        rss = next((int(line.split(":")[1]) for line in proc.stderr.splitlines()
                    if "Maximum resident set size" in line), 0) / 1e6
    else:
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
        secs = time.perf_counter() - t0
        rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1e6
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout[-3000:] + proc.stderr[-3000:])
        raise SystemExit(f"command failed: {' '.join(cmd[:3])} ...")
    return secs, rss, proc.stdout + proc.stderr


def cpu_seconds(output: str) -> float | None:
    vals = [float(line.split(":")[1]) for line in output.splitlines()
            if line.strip().startswith(("User time (seconds)", "System time (seconds)"))]
    return sum(vals) if vals else None


def accuracy(lls: list[list[float]], items: list[dict]) -> float:
    return sum(max(range(4), key=lambda k: ll[k]) == it["label"] for ll, it in zip(lls, items)) / len(items)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", required=True, help="plain HF folder (e.g. the converted Gemma-3-270M)")
    ap.add_argument("--items", type=int, default=100)
    ap.add_argument("--languages", default="en,de,sw,hi")
    ap.add_argument("--batch-size", type=int, default=8)
    ap.add_argument("--lm-eval", default=None, help="lm_eval executable of a side environment")
    ap.add_argument("--no-prefix-sharing", action="store_true",
                    help="run every (context, choice) whole, as before shared-prefix scoring")
    ap.add_argument("--out", default=None, help="write the figures as JSON here")
    args = ap.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench_eval_"))
    items = build_items(args.items, args.languages.split(","))
    data = work / "items.jsonl"
    data.write_text("".join(json.dumps(i, ensure_ascii=False) + "\n" for i in items), encoding="utf-8")
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(args.model)
    ctx_tokens = sum(len(tok(i["context"])["input_ids"]) for i in items) / len(items)
    print(f"{len(items)} items, mean context {ctx_tokens:.0f} tokens, batch {args.batch_size}")

    script = work / "ours.py"
    script.write_text(OURS, encoding="utf-8")
    ours_out = work / "ours.json"
    secs, rss, log = timed([sys.executable, str(script), str(data), args.model, str(ours_out), str(args.batch_size),
                             "0" if args.no_prefix_sharing else "1"])
    ours = json.loads(ours_out.read_text())
    report = {"items": len(items), "context_tokens": ctx_tokens,
              "babelscope": {"seconds": secs, "cpu_seconds": cpu_seconds(log), "peak_rss_gb": rss,
                             "acc": accuracy(ours, items)}}
    print(f"babelscope: {secs:.1f} s ({report['babelscope']['cpu_seconds']} s CPU), peak {rss:.2f} GB, acc {report['babelscope']['acc']:.3f}")

    if args.lm_eval:
        tasks = work / "tasks"
        tasks.mkdir()
        (tasks / "bench_udhr4.yaml").write_text(YAML.format(data=data), encoding="utf-8")
        env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"}
        secs2, rss2, log2 = timed([args.lm_eval, "--model", "hf", "--model_args", f"pretrained={args.model},dtype=float32",
                                "--tasks", "bench_udhr4", "--include_path", str(tasks), "--batch_size", str(args.batch_size),
                                "--device", "cpu", "--log_samples", "--output_path", str(work / "lmeval")], env=env)
        sample_file = next((work / "lmeval").rglob("samples_bench_udhr4*.jsonl"))
        theirs: dict[int, list[float]] = {}
        for line in sample_file.read_text(encoding="utf-8").splitlines():
            s = json.loads(line)
            theirs[s["doc_id"]] = [float(r[0][0]) if isinstance(r[0], list) else float(r[0]) for r in s["resps"]]
        lls = [theirs[k] for k in range(len(items))]
        diff = max(abs(a - b) for x, y in zip(ours, lls) for a, b in zip(x, y))
        report["lm_eval"] = {"seconds": secs2, "cpu_seconds": cpu_seconds(log2), "peak_rss_gb": rss2,
                             "acc": accuracy(lls, items)}
        report["max_abs_loglik_diff"] = diff
        report["speedup"] = secs2 / secs
        report["memory_ratio"] = rss / rss2 if rss2 else None
        print(f"lm-eval:    {secs2:.1f} s ({report['lm_eval']['cpu_seconds']} s CPU), peak {rss2:.2f} GB, acc {report['lm_eval']['acc']:.3f}")
        print(f"speed-up {secs2 / secs:.2f}x, memory {rss / rss2:.2f} of lm-eval's, max |Δ loglik| {diff:.2e}")
    if args.out:
        Path(args.out).write_text(json.dumps(report, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
