"""`make mutate`: mutation testing of the modules that compute reported numbers, with mutmut.

Why mutmut (3.x): it mutates each function behind a trampoline, so a mutant is switched on by
an environment variable in a forked worker instead of re-importing torch and the package per
mutant, and it first records which tests reach which function, so each mutant only runs the
tests that can see it. On 2 cores that is the difference between minutes and hours.
(cosmic-ray restarts the test command per mutant; pytest-gremlins is younger and less used.)

Each GROUP below mutates a few modules and runs only the test files that exercise them, in a
scratch copy under build/mutate/<group> (so its config, its ``mutants/`` tree and its cache
never touch the working tree). Results go to build/mutate/summary.json and are printed; the
reviewed dispositions of survivors live in tests/MUTATION_SURVIVORS.md, and the script exits 1
when a survivor has none there (or its row says a test kills it): the habit is that every
survivor gets a killing test or a line saying why it is equivalent.

    python scripts/mutate.py                 # every group
    python scripts/mutate.py metrics ifeval  # some groups
    MUTATE_MAX_CHILDREN=2 (default) MUTATE_GROUP_TIMEOUT=900 (seconds per group)
    MUTATE_RECHECK=0 skips the recheck of survivors (below), for a quick first look
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "build" / "mutate"
SURVIVORS_FILE = REPO / "tests" / "MUTATION_SURVIVORS.md"
RECHECK_LIMIT_S = 300  # one mutant's rerun of the group's tests

#: group -> (globs of files to mutate, test files that exercise them)
GROUPS: dict[str, tuple[list[str], list[str]]] = {
    "metrics": (
        ["src/babelscope/metrics/*"],
        ["tests/test_metrics_edges.py", "tests/test_statistics_reference.py", "tests/test_metrics.py",
         "tests/test_eval_compare.py", "tests/test_calibration.py"],
    ),
    "analyses": (
        ["src/babelscope/analyses/tokenization.py", "src/babelscope/analyses/fidelity.py",
         "src/babelscope/analyses/calibration.py", "src/babelscope/analyses/perplexity.py"],
        ["tests/test_analyses_scoring_edges.py", "tests/test_tokenization.py", "tests/test_fidelity.py",
         "tests/test_calibration.py", "tests/test_statistics_reference.py", "tests/test_perplexity.py"],
    ),
    "tasks": (
        ["src/babelscope/tasks/numbers.py", "src/babelscope/tasks/flores_translation.py",
         "src/babelscope/tasks/extraction.py", "src/babelscope/tasks/blend_scoring.py"],
        ["tests/test_task_scoring_edges.py", "tests/test_tasks_mgsm.py", "tests/test_statistics_reference.py",
         "tests/test_extraction.py", "tests/test_blend_scoring.py", "tests/test_tasks_more.py"],
    ),
    "ifeval": (
        ["src/babelscope/ifeval/scoring.py", "src/babelscope/ifeval/checkers.py", "src/babelscope/ifeval/text.py"],
        ["tests/test_ifeval_checker_edges.py", "tests/test_ifeval.py", "tests/test_multi_if.py",
         "tests/test_ifeval_variants.py", "tests/test_ifeval_multi_if_rules.py"],
    ),
    # the published variants' checkers (issue 17): official IFEval, Multi-IF's rules, M-IFEval
    "ifeval_variants": (
        ["src/babelscope/ifeval/official.py", "src/babelscope/ifeval/multi_if_rules.py",
         "src/babelscope/ifeval/m_ifeval/*"],
        ["tests/test_ifeval_variant_edges.py", "tests/test_ifeval_variants.py", "tests/test_ifeval_multi_if_rules.py",
         "tests/test_ifeval_m_ifeval.py", "tests/test_ifeval_m_ifeval_reference.py",
         "tests/test_ifeval_gpt4_published.py"],
    ),
}

#: Functions of the mutated files that compute no reported number (loading, CLI glue,
#: serialisation, messages): left unmutated, so the groups cover the *scoring* functions the
#: issue names. Marked in the scratch copy only (mutmut's "# pragma: no mutate block").
SKIP: dict[str, list[str]] = {
    "src/babelscope/analyses/tokenization.py": ["run_tokenizers", "_text", "_as_tokenizer", "_vocab"],
    "src/babelscope/analyses/calibration.py": [
        "CalibrationPoint.to_dict", "Calibration.to_dict", "Calibration.note", "Calibration.to_output",
        "check_overlap", "read_scores_csv", "scores_from_run", "load_measured", "_find_column"],
    "src/babelscope/analyses/fidelity.py": [
        "FidelityScore.to_dict", "FidelityReport.to_dict", "report_output", "detect_responses", "task_fidelity"],
    # the rolling-NLL loop needs a model: its tests build and load a tiny HF model per run
    # (~6 s), which for its ~300 mutants alone would pass the 30-minute bound on 2 cores;
    # the bits-per-byte CIs (_ci, _bpb_ratio) are mutated, and `make test` pins the loop's
    # numbers to NLLs computed straight from the model (tests/test_perplexity.py).
    "src/babelscope/analyses/perplexity.py": ["run_bits_per_byte"],
    # registry tables built once, at import (ids, checker functions, kwargs schemas): mutmut
    # switches a mutant on only after import, so it could never kill one of their mutants;
    # tests/test_ifeval_m_ifeval_reference.py runs every id they define against M-IFEval's verdicts
    "src/babelscope/ifeval/m_ifeval/__init__.py": ["_english"],
    "src/babelscope/ifeval/m_ifeval/es.py": ["registry"],
    "src/babelscope/ifeval/m_ifeval/fr.py": ["registry"],
    "src/babelscope/ifeval/m_ifeval/ja.py": ["registry"],
    # which tokenizer is in use, for messages: no caller computes a number with it
    "src/babelscope/ifeval/m_ifeval/tokens.py": ["backend"],
}


def _skip_functions(path: Path, names: list[str]) -> None:
    """Append mutmut's "# pragma: no mutate block" to the header line of each named function
    (``name`` or ``Class.name``) of ``path``, so mutmut leaves it whole."""
    import ast

    lines = path.read_text(encoding="utf-8").split("\n")
    found: dict[str, int] = {}

    def visit(body: list[ast.stmt], prefix: str) -> None:
        for node in body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                found[prefix + node.name] = node.body[0].lineno - 2  # the line ending in ':'
            elif isinstance(node, ast.ClassDef):
                visit(node.body, f"{node.name}.")

    visit(ast.parse("\n".join(lines)).body, "")
    for name in names:
        if name not in found:
            raise SystemExit(f"mutate.py: SKIP names {name!r}, which {path} does not define")
        i = found[name]
        if not lines[i].rstrip().endswith(":") or "#" in lines[i]:
            raise SystemExit(f"mutate.py: cannot mark {name!r} in {path}: line {i + 1} is {lines[i]!r}")
        lines[i] = lines[i].rstrip() + "  # pragma: no mutate block"
    path.write_text("\n".join(lines), encoding="utf-8")


def subprocess_tests(tests: list[str]) -> list[str]:
    """Node ids of the tests in ``tests`` that run babelscope in a child process (CLI tests).

    A child imports the installed package, not mutmut's mutated copy, and mutmut cannot map
    it to the functions it calls, so such a test can never kill a mutant; it only costs an
    interpreter start per run (and fails when the installed tree is mid-change). They are
    deselected here; `make test` runs them.
    """
    import ast

    out = []
    for rel in tests:
        tree = ast.parse((REPO / rel).read_text(encoding="utf-8"))
        funcs = [n for n in tree.body if isinstance(n, ast.FunctionDef)]
        helpers = {f.name for f in funcs if not f.name.startswith("test") and "subprocess" in ast.unparse(f)}
        for f in funcs:
            body = ast.unparse(f)
            if f.name.startswith("test") and ("subprocess" in body or any(f"{h}(" in body for h in helpers)):
                out.append(f"{rel}::{f.name}")
    return out


def _pytest_args(tests: list[str]) -> list[str]:
    args = ["-p", "no:cacheprovider", "-q", "-x"]
    for node in subprocess_tests(tests):
        args += ["--deselect", node]
    return args


def _config(only: list[str], tests: list[str]) -> str:
    def arr(xs: list[str]) -> str:
        return "[" + ", ".join(json.dumps(x) for x in xs) + "]"

    return (
        "\n[tool.mutmut]\n"
        'source_paths = ["src/babelscope"]\n'
        f"only_mutate = {arr(only)}\n"
        f"pytest_add_cli_args_test_selection = {arr(tests)}\n"
        f"pytest_add_cli_args = {arr(_pytest_args(tests))}\n"
        "use_git_change_detection = false\n"
    )


def _prepare(group: str) -> Path:
    only, tests = GROUPS[group]
    work = OUT / group
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    shutil.copytree(REPO / "src", work / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    shutil.copytree(REPO / "tests", work / "tests", ignore=shutil.ignore_patterns("__pycache__"))
    for rel, names in SKIP.items():
        if any(Path(rel).match(glob) or rel == glob for glob in only):
            _skip_functions(work / rel, names)
    text = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    text = re.sub(r"\n\[tool\.mutmut\][^\[]*", "\n", text)
    (work / "pyproject.toml").write_text(text + _config(only, tests), encoding="utf-8")
    return work


def _results(work: Path) -> dict[str, str]:
    """mutant name -> status, from `mutmut results --all true`."""
    p = subprocess.run([sys.executable, "-m", "mutmut", "results", "--all", "true"], cwd=work,
                       capture_output=True, text=True)
    out: dict[str, str] = {}
    for line in p.stdout.splitlines():
        name, sep, status = line.strip().rpartition(": ")
        if sep and name:
            out[name] = status.strip()
    return out


def _recheck(work: Path, tests: list[str], names: list[str], env: dict[str, str], deadline: float,
             max_children: int) -> list[str]:
    """Survivors that the group's whole test selection kills after all.

    mutmut runs each mutant against the tests its coverage pass mapped to the function; we
    saw that mapping miss tests (a seed mutant in bootstrap_ci "survived" although the naive
    reference test fails on it when run), so every survivor is rerun here, in mutmut's
    mutated tree, against all of the group's test files. Only what survives this counts.
    One worker process imports pytest, the package and the test modules once and forks a
    child per mutant (mutmut's trampoline reads MUTANT_UNDER_TEST at call time), so a
    recheck costs the tests' run time, not a fresh interpreter with torch per mutant.
    """
    if not names:
        return []
    p = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--recheck-worker", str(deadline),
                        str(max_children), *tests, "--", *names],
                       cwd=work / "mutants", env={**env, "PYTHONPATH": "src"}, capture_output=True, text=True)
    if p.returncode != 0:
        raise SystemExit(f"recheck in {work} failed:\n{(p.stdout + p.stderr)[-3000:]}")
    return [line.split(" ")[1] for line in p.stdout.splitlines() if line.startswith("KILLED ")]


def _recheck_worker(argv: list[str]) -> int:
    """In mutmut's mutated tree: fork one pytest run per mutant, at most ``max_children`` at a
    time; print ``KILLED name`` for each whose tests fail (exit 1; 2-5 are usage/collection
    errors and are not counted)."""
    import pytest

    deadline, max_children = float(argv[0]), int(argv[1])
    sep = argv.index("--")
    tests, names = argv[2:sep], argv[sep + 1:]
    args = [*_pytest_args(tests), *tests]
    # Baseline, in this process: with no mutant the selection must pass (else a failing run
    # would mean nothing). Running it here also warms what the tests load lazily (language
    # identifiers, segmenters, tokenizers), which every forked child then inherits.
    os.environ["MUTANT_UNDER_TEST"] = ""
    saved = os.dup(1), os.dup(2)
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    os.dup2(null, 2)
    try:
        baseline = int(pytest.main(args))
    finally:
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
    if baseline != 0:
        print(f"BASELINE FAILED (pytest exit {baseline}): the selection fails without a mutant", flush=True)
        return 1
    running: dict[int, str] = {}

    def reap() -> None:
        pid, status = os.wait()
        name = running.pop(pid)
        code = os.waitstatus_to_exitcode(status)
        if code == 1:
            print(f"KILLED {name}", flush=True)
        elif code == -signal.SIGALRM:  # ran past the limit: a hang, which mutmut counts as caught
            print(f"KILLED {name} (timeout)", flush=True)

    for name in names:
        if time.time() > deadline:
            break
        while len(running) >= max(1, max_children):
            reap()
        pid = os.fork()
        if pid == 0:  # child: run the selection with this mutant switched on, quietly
            os.environ["MUTANT_UNDER_TEST"] = name
            signal.alarm(RECHECK_LIMIT_S)
            fd = os.open(os.devnull, os.O_WRONLY)
            os.dup2(fd, 1)
            os.dup2(fd, 2)
            code = 5
            try:
                code = int(pytest.main(args))
            finally:
                os._exit(code)
        running[pid] = name
    while running:
        reap()
    return 0


def short_name(mutant: str) -> str:
    """How tests/MUTATION_SURVIVORS.md names a mutant: without ``babelscope.<package>.``."""
    return mutant.removeprefix("babelscope.").split(".", 1)[-1]


def dispositions(path: Path = SURVIVORS_FILE) -> dict[str, str]:
    """Mutant (short name) -> its disposition, from the survivors file's table rows
    (``| `name` | change | disposition |``)."""
    out: dict[str, str] = {}
    if not path.exists():
        return out
    for line in path.read_text(encoding="utf-8").splitlines():
        m = re.match(r"\| `([^`]+)` \|", line)
        if m:
            out[m.group(1)] = line.rstrip().rstrip("|").rsplit(" | ", 1)[-1].strip()
    return out


#: Dispositions that hold for a mutant that survives a run. A row that says a test kills the
#: mutant ("killed: test_x", "killed by a test added after the run") is stale if it survives.
STANDING = ("equivalent", "killed when switched on before import", "out of scope")


def undispositioned(survivors: list[str], listed: dict[str, str]) -> list[str]:
    """Survivors with no row in the survivors file, or whose row says a test kills them."""
    return [n for n in survivors if not listed.get(short_name(n), "").startswith(STANDING)]


def run_group(group: str, max_children: int, timeout: float) -> dict:
    work = _prepare(group)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}  # mutmut sets its own path
    # The scratch copy has no ../shared beside it: point the tests at the repo's own, so the
    # reference checks on real benchmark files run under mutation too (they skip without it).
    # One thread per test process: the runs fork (mutmut's workers, the recheck's children),
    # and a child that forks from a parent whose torch already started an OpenMP pool hangs
    # (GNU OpenMP is not fork-safe); with 2 workers on 2 cores there is nothing to gain anyway.
    for var, value in (("OMP_NUM_THREADS", "1"), ("MKL_NUM_THREADS", "1"), ("TOKENIZERS_PARALLELISM", "false")):
        env.setdefault(var, value)
    shared = REPO.parent / "shared" / "data"
    if "BABELSCOPE_SHARED_DATA" not in env and shared.is_dir():
        env["BABELSCOPE_SHARED_DATA"] = str(shared)
    t0 = time.time()
    # its own session, so that a timeout ends mutmut's forked workers too, not only mutmut
    proc = subprocess.Popen([sys.executable, "-m", "mutmut", "run", "--max-children", str(max_children)],
                            cwd=work, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    try:
        out, _ = proc.communicate(timeout=timeout)
        rc, tail = proc.returncode, (out or "")[-2000:]
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, 9)
        out, _ = proc.communicate()
        rc, tail = "timeout", (out or "")[-2000:]
    mutmut_seconds = round(time.time() - t0, 1)
    statuses = _results(work)
    counts: dict[str, int] = {}
    for s in statuses.values():
        counts[s] = counts.get(s, 0) + 1
    # a "timeout" is rechecked too: on a loaded machine mutmut's limit (a multiple of the clean
    # run's time) can stop a slow but finished test run; the recheck gives each run 5 minutes
    survivors = sorted(n for n, s in statuses.items() if s in ("survived", "no tests", "suspicious", "timeout"))
    recheck = os.environ.get("MUTATE_RECHECK", "1") != "0"
    rechecked = _recheck(work, GROUPS[group][1], survivors, env, t0 + 2 * timeout, max_children) if recheck else []
    survivors = [n for n in survivors if n not in rechecked]
    listed = dispositions()
    return {"group": group, "returncode": rc, "seconds": round(time.time() - t0, 1), "mutmut_seconds": mutmut_seconds,
            "mutants": len(statuses),
            "counts": counts, "killed_on_recheck": rechecked, "survivors": survivors,
            "undispositioned": undispositioned(survivors, listed),
            "log_tail": tail if rc not in (0, "0") else ""}


def main(argv: list[str]) -> int:
    if argv[:1] == ["--recheck-worker"]:
        return _recheck_worker(argv[1:])
    groups = argv or list(GROUPS)
    unknown = [g for g in groups if g not in GROUPS]
    if unknown:
        print(f"unknown group(s) {unknown}; choose from {list(GROUPS)}", file=sys.stderr)
        return 2
    max_children = int(os.environ.get("MUTATE_MAX_CHILDREN", "2"))
    timeout = float(os.environ.get("MUTATE_GROUP_TIMEOUT", "900"))
    OUT.mkdir(parents=True, exist_ok=True)
    summary_path = OUT / "summary.json"
    summary = json.loads(summary_path.read_text()) if summary_path.exists() else {}
    for g in groups:
        print(f"== mutating {g} ...", flush=True)
        res = run_group(g, max_children, timeout)
        summary[g] = res
        summary_path.write_text(json.dumps(summary, indent=1), encoding="utf-8")
        print(f"   {res['mutants']} mutants in {res['seconds']} s: {res['counts']}; "
              f"{len(res['killed_on_recheck'])} survivors killed on recheck, {len(res['survivors'])} left",
              flush=True)
        for s in res["survivors"]:
            print(f"   survivor: {s}" + ("   <- no standing disposition in tests/MUTATION_SURVIVORS.md" if s in res["undispositioned"] else ""))
        if res["log_tail"]:
            print(res["log_tail"])
    print(f"summary: {summary_path}; dispositions: tests/MUTATION_SURVIVORS.md")
    failed = [g for g in groups if summary[g]["returncode"] not in (0, "0")]
    if failed:  # a group whose mutmut run timed out or crashed has not tested all its mutants
        print(f"mutmut did not finish for {failed} (log tails above)", file=sys.stderr)
        return 1
    new = [s for g in groups for s in summary[g]["undispositioned"]]
    if new:
        # the habit: every survivor gets a killing test or a line saying why it is equivalent
        print(f"{len(new)} survivor(s) have no standing disposition in tests/MUTATION_SURVIVORS.md "
              "(marked above: no row, or a row naming a test that should kill it): add a test that kills "
              "each, or a row saying why it is equivalent", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
