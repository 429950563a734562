"""What llama.cpp buys on a CPU: the embedded default as Q4_K_M GGUF vs the HF fp32 folder.

The same task (XCOPA, ``--languages``, ``--limit`` items each) runs once through each backend,
each in its own child process so that peak memory (ru_maxrss) is that backend's alone; load
and evaluation are timed separately. Printed: time and peak memory of each and their ratio,
accuracy per language of each, and how far log-likelihoods move (mean and max absolute
difference per choice, and how many predictions change).

    flock /tmp/bs-heavy.lock .venv/bin/python bench/bench_llamacpp.py --limit 100
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

CHILD = r"""
import json, resource, sys, time
from pathlib import Path
sys.path.insert(0, {src!r})
from babelscope.evaluation import evaluate
from babelscope.models import load_model
from babelscope.tasks.base import DataSource, get_tasks
t0 = time.perf_counter()
m = load_model({spec!r})
t1 = time.perf_counter()
out = evaluate(m, get_tasks(["xcopa"]), {langs!r}, DataSource(data_dir=Path({data!r})), limit={limit}, pivot=None, n_boot=0)
t2 = time.perf_counter()
acc = {{r.language.tag: r.value for r in out.rows if r.metric == "acc" and r.extra.get("subset") == "all"}}
ll = {{f"{{s['language']}}#{{s['index']}}": s["logliks"] for s in out.samples}}
print(json.dumps({{"load_s": t1 - t0, "eval_s": t2 - t1, "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "acc": acc, "logliks": ll, "signature": m.signature}}))
"""


def child(spec: str, langs: list[str], data: str, limit: int) -> dict:
    code = CHILD.format(src=str(REPO / "src"), spec=spec, langs=langs, data=data, limit=limit)
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    if res.returncode != 0:
        raise RuntimeError(f"{spec}: {res.stderr[-3000:]}")
    return json.loads(res.stdout.strip().splitlines()[-1])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", default=str(REPO.parent / "shared" / "data" / "xcopa"))
    ap.add_argument("--languages", default="it,sw")
    ap.add_argument("--limit", type=int, default=100)
    args = ap.parse_args()
    langs = args.languages.split(",")
    hf = child("default", langs, args.data_dir, args.limit)
    gg = child("default-gguf", langs, args.data_dir, args.limit)
    diffs, flips, n = [], 0, 0
    for k, a in hf["logliks"].items():
        b = gg["logliks"][k]
        diffs += [abs(x - y) for x, y in zip(a, b)]
        flips += int(max(range(len(a)), key=a.__getitem__) != max(range(len(b)), key=b.__getitem__))
        n += 1
    report = {
        "task": "xcopa", "languages": langs, "items_per_language": args.limit,
        "hf_fp32": {k: v for k, v in hf.items() if k != "logliks"},
        "llamacpp_q4_k_m": {k: v for k, v in gg.items() if k != "logliks"},
        "ratios_llamacpp_over_hf": {
            "eval_time": gg["eval_s"] / hf["eval_s"], "load_time": gg["load_s"] / hf["load_s"],
            "peak_rss": gg["peak_rss_mb"] / hf["peak_rss_mb"],
        },
        "loglik_shift": {"mean_abs": sum(diffs) / len(diffs), "max_abs": max(diffs), "choices": len(diffs),
                         "predictions_changed": flips, "items": n},
        "accuracy_change": {lang: gg["acc"][lang] - hf["acc"][lang] for lang in langs},
    }
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
