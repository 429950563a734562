"""`babelscope compare`: per-language paired bootstrap between two stored eval runs."""

from __future__ import annotations

import json

import pytest

from typer.testing import CliRunner

from babelscope.cli import app
from babelscope.store import Store
from babelscope.workspace import store_path


def _run(store: Store, accs: dict[str, list[float]]) -> str:
    run_id = store.start_run("eval", "sig", {})
    items = [("xcopa", lang, f"c#{i}", {"condition": "c", "acc": v, "index": str(i)})
             for lang, vals in accs.items() for i, v in enumerate(vals)]
    store.add_results(run_id, [], items)
    store.finish_run(run_id)
    return run_id


def test_compare_cli(tmp_path):
    store = Store(store_path(tmp_path))
    a = _run(store, {"it": [0.0, 1.0] * 50, "sw": [0.0, 1.0] * 50})
    b = _run(store, {"it": [1.0] * 100, "sw": [0.0, 1.0] * 50 + [1.0]})  # sw has one extra item
    store.close()
    res = CliRunner().invoke(app, ["compare", a, b, "--workspace", str(tmp_path), "--json"])
    assert res.exit_code == 0, res.output
    rows = {r["language"]: r for r in json.loads(res.stdout)["rows"]}
    # closed form: d = 1 on 50 of 100 items, 0 elsewhere; a resample is <= 0 only when it draws
    # none of the 50 (0.5**100), so p = 2 * (0 + 1) / (B + 1) with B = 1000
    assert rows["it"]["delta"] == 0.5 and rows["it"]["p_value"] == 2 / 1001 and rows["it"]["n"] == 100
    assert rows["sw"]["delta"] == 0.0 and rows["sw"]["p_value"] == 1.0 and rows["sw"]["only_b"] == 1
    bad = CliRunner().invoke(app, ["compare", a, "nope", "--workspace", str(tmp_path)])
    assert bad.exit_code != 0


def test_compare_p_value_is_two_sided_and_pinned_to_a_naive_loop():
    """compare_runs against a plain loop (same seed, one index at a time, Python sums) and the
    closed form for one flipped item of 100: the far tail (resample mean <= 0) is the event
    "flipped item not drawn", probability 0.99**100 = 0.366, so two-sided p = 0.732. With
    B = 4000 its Monte-Carlo standard error is 2 * sqrt(0.366 * 0.634 / 4000) = 0.015."""
    import math

    import numpy as np

    from babelscope.cli.compare_cmd import compare_runs
    from babelscope.metrics.bootstrap import SEED

    def items(vals):
        return [{"name": "xcopa", "language": "it", "condition": "", "item_id": str(i), "acc": v}
                for i, v in enumerate(vals)]

    a, b = [0.0] * 100, [1.0] + [0.0] * 99
    (row,) = compare_runs(items(a), items(b), n_boot=4000)
    rng = np.random.default_rng(SEED)
    reps = [sum(b[j] - a[j] for j in [int(rng.integers(0, 100)) for _ in range(100)]) / 100 for _ in range(4000)]
    far = min(sum(r <= 0 for r in reps), sum(r >= 0 for r in reps))
    assert row["p_value"] == 2 * (far + 1) / 4001, "compare p-value vs naive loop"
    assert row["p_value"] == pytest.approx(2 * 0.99 ** 100, abs=4 * 0.015), "two-sided p-value"
    s = sorted(reps)
    for q, got in ((0.025, row["ci_low"]), (0.975, row["ci_high"])):
        h = 3999 * q
        lo = math.floor(h)
        assert got == pytest.approx(s[lo] + (h - lo) * (s[lo + 1] - s[lo]), rel=1e-12), "compare CI"
