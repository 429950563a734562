"""`babelscope compare`: per-language paired bootstrap between two stored eval runs."""

from __future__ import annotations

import json

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
    assert rows["it"]["delta"] == 0.5 and rows["it"]["p_value"] < 0.01 and rows["it"]["n"] == 100
    assert rows["sw"]["delta"] == 0.0 and rows["sw"]["p_value"] == 1.0 and rows["sw"]["only_b"] == 1
    bad = CliRunner().invoke(app, ["compare", a, "nope", "--workspace", str(tmp_path)])
    assert bad.exit_code != 0
