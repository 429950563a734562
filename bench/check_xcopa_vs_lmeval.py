"""Issue 4's acceptance check: `babelscope eval --task xcopa` vs lm-evaluation-harness, item by item.

Runs babelscope's CLI (with --log-samples) and lm-eval's own xcopa tasks on the same local
XCOPA files and model, then compares every choice's log-likelihood (must agree within 1e-4)
and the accuracy per language (must be identical). lm-eval reads the hub dataset by default;
here a task file per language points its ``dataset_path: json`` at the local test file and
takes its prompt functions from lm-eval's installed ``xcopa/utils.py`` (imported, not copied).

    .venv/bin/python bench/check_xcopa_vs_lmeval.py --model ~/.cache/babelscope/models/gemma-3-270m \\
        --data-dir ../shared/data/xcopa --lm-eval /tmp/lmeval-venv/bin/lm_eval --limit 100

The side environment: ``python3 -m venv /tmp/lmeval-venv && /tmp/lmeval-venv/bin/pip install
torch==2.13.0 "lm-eval[hf]==0.4.*"``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

TASK = """task: xcopa_{lang}_local
dataset_path: json
dataset_kwargs:
  data_files:
    test: {data}
output_type: multiple_choice
test_split: test
doc_to_text: !function lmeval_xcopa_utils.doc_to_text_{lang}
doc_to_target: label
doc_to_choice: !function lmeval_xcopa_utils.doc_to_choice
metric_list:
  - metric: acc
metadata:
  version: 1.0
"""

SHIM = """# Re-exports lm-eval's own xcopa prompt functions for the local task files.
from lm_eval.tasks.xcopa.utils import *  # noqa: F401,F403
"""


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", required=True, help="plain HF model folder")
    ap.add_argument("--data-dir", default=str(REPO.parent / "shared" / "data" / "xcopa"))
    ap.add_argument("--languages", default="it,sw")
    ap.add_argument("--limit", type=int, default=100)
    ap.add_argument("--lm-eval", required=True, help="lm_eval executable of a side environment")
    ap.add_argument("--batch-size", type=int, default=8)
    args = ap.parse_args()
    langs = args.languages.split(",")
    model = str(Path(args.model).expanduser())
    tmp = Path(tempfile.mkdtemp(prefix="xcopa_check_"))

    samples = tmp / "babelscope.jsonl"
    ours = subprocess.run(
        [str(REPO / ".venv" / "bin" / "babelscope"), "--quiet", "eval", "--model", f"hf:{model}", "--task", "xcopa",
         "--languages", args.languages, "--data-dir", args.data_dir, "--limit", str(args.limit),
         "--limit-mode", "head", "--json",
         "--log-samples", str(samples), "--workspace", str(tmp / "ws"), "--batch-size", str(args.batch_size)],
        capture_output=True, text=True)
    if ours.returncode != 0:
        print(ours.stderr, file=sys.stderr)
        return 1
    acc_ours = {r["language"]: r["value"] for r in json.loads(ours.stdout)["rows"]
                if r["metric"] == "acc" and r["subset"] == "all"}
    by_lang: dict[str, list[dict]] = {}
    for line in samples.read_text(encoding="utf-8").splitlines():
        s = json.loads(line)
        by_lang.setdefault(s["language"], []).append(s)

    tasks_dir = tmp / "tasks"
    tasks_dir.mkdir()
    (tasks_dir / "lmeval_xcopa_utils.py").write_text(SHIM, encoding="utf-8")
    for lang in langs:
        data = Path(args.data_dir) / "data" / lang / f"test.{lang}.jsonl"
        (tasks_dir / f"xcopa_{lang}_local.yaml").write_text(TASK.format(lang=lang, data=data), encoding="utf-8")
    out_dir = tmp / "lmeval"
    theirs = subprocess.run(
        [args.lm_eval, "--model", "hf", "--model_args", f"pretrained={model},dtype=float32",
         "--tasks", ",".join(f"xcopa_{x}_local" for x in langs), "--include_path", str(tasks_dir),
         "--limit", str(args.limit), "--batch_size", str(args.batch_size), "--device", "cpu",
         "--log_samples", "--output_path", str(out_dir)],
        capture_output=True, text=True, cwd=tmp)
    if theirs.returncode != 0:
        print(theirs.stderr[-4000:], file=sys.stderr)
        return 1

    report: dict = {"model": model, "limit": args.limit, "languages": {}}
    ok = True
    for lang in langs:
        files = sorted(out_dir.rglob(f"samples_xcopa_{lang}_local_*.jsonl"))
        recs = sorted((json.loads(x) for x in files[-1].read_text(encoding="utf-8").splitlines()),
                      key=lambda r: r["doc_id"])
        theirs_ll = [[float(r[0]) for r in rec["filtered_resps"]] for rec in recs]
        mine = sorted(by_lang[lang], key=lambda s: s["index"])
        mine_ll = [s["logliks"] for s in mine]
        diff = max(abs(a - b) for x, y in zip(mine_ll, theirs_ll) for a, b in zip(x, y))
        acc_theirs = sum(float(rec["acc"]) for rec in recs) / len(recs)
        same_targets = [s["target"] for s in mine] == [int(rec["target"]) for rec in recs]
        report["languages"][lang] = {"items": len(recs), "max_abs_loglik_diff": diff,
                                     "acc_babelscope": acc_ours[lang], "acc_lm_eval": acc_theirs,
                                     "targets_equal": same_targets}
        ok &= diff <= 1e-4 and acc_ours[lang] == acc_theirs and same_targets and len(recs) == len(mine)
    report["passed"] = ok
    print(json.dumps(report, indent=2))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
