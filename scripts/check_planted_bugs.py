"""Issue 16 acceptance: apply one planted bug, run the statistics tests, revert.

Usage: python scripts/check_planted_bugs.py [NAME ...]  (alpha, premium_unpaired, one_sided,
fidelity_per_group; all four by default). Each must make at least one test fail whose name or message names the
statistic. The file is restored in a finally block.
"""
import os
import subprocess
import sys

W = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUGS = {
 "alpha": ("src/babelscope/metrics/bootstrap.py",
           "lo, hi = np.quantile(r, [alpha / 2, 1 - alpha / 2])",
           "lo, hi = np.quantile(r, [alpha, 1 - alpha])"),
 "premium_unpaired": ("src/babelscope/analyses/tokenization.py",
           "    r = _bootstrap(stats, _premium_statistic, n_boot=n_boot, alpha=alpha, seed=seed)\n    return r.ci_low, r.ci_high",
           "    from ..metrics.bootstrap import percentile_interval, replicates\n"
           "    num = replicates(stats[:, 0], lambda s: s.sum(axis=1), n_boot, seed)\n"
           "    den = replicates(stats[:, 1], lambda s: s.sum(axis=1), n_boot, seed + 1)\n"
           "    return percentile_interval(num / np.maximum(den, 1), alpha)"),
 "one_sided": ("src/babelscope/metrics/bootstrap.py",
           "return float(min(1.0, 2 * (side + 1) / (r.size + 1)))",
           "return float(min(1.0, (side + 1) / (r.size + 1)))"),
 "fidelity_per_group": ("src/babelscope/analyses/fidelity.py",
           "by_task.append(average(ALL, ALL, t_lang, task))",
           "by_task.append(average(ALL, ALL, tgroups, task))"),
}
TESTS = ["tests/test_metrics.py", "tests/test_statistics_reference.py", "tests/test_eval_compare.py",
         "tests/test_tokenization.py", "tests/test_multi_if.py", "tests/test_perplexity.py",
         "tests/test_calibration.py", "tests/test_fidelity.py", "tests/test_report_sections.py"]


def check(name: str) -> bool:
    """Apply bug ``name``, run TESTS, restore the file; True when at least one test failed."""
    path, old, new = BUGS[name]
    p = os.path.join(W, path)
    src = open(p).read()
    assert src.count(old) == 1, (name, src.count(old))
    open(p, "w").write(src.replace(old, new))
    try:
        env = dict(os.environ, PYTHONPATH=W + "/src")
        r = subprocess.run([sys.executable, "-m", "pytest", *TESTS, "-q", "-p", "no:cacheprovider", "--tb=line", "-rf"],
                           cwd=W, env=env, capture_output=True, text=True)
        print(f"== {name}: exit {r.returncode}")
        print("\n".join(ln for ln in r.stdout.splitlines()
                        if ln.startswith(("FAILED", "E ", "/work")) or "passed" in ln or "failed" in ln))
        return r.returncode == 1
    finally:
        open(p, "w").write(src)
        subprocess.run(["git", "diff", "--stat", "--", path], cwd=W)


def main(names: list[str]) -> int:
    unknown = [n for n in names if n not in BUGS]
    if unknown:
        print(f"unknown bug(s) {unknown}; choose from {list(BUGS)}", file=sys.stderr)
        return 2
    missed = [n for n in names or list(BUGS) if not check(n)]
    if missed:
        print(f"no test failed for: {missed}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
