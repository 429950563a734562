"""End to end: `babelscope eval` with two prompt conditions, then `babelscope report`."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

pytest.importorskip("torch")

from babelscope.cli import app  # noqa: E402
from babelscope.store import Store  # noqa: E402
from babelscope.workspace import store_path  # noqa: E402
from report_html import parse_report, table_by_caption  # noqa: E402
from test_eval import _data, tiny_model_dir  # noqa: E402,F401

CONDITIONS = ("lit=native|shots=default|demos=same", "lit=en|shots=default|demos=same")


def test_eval_run_report_has_the_evaluation_section(tiny_model_dir, tmp_path):  # noqa: F811
    ws = tmp_path / "ws"
    res = CliRunner().invoke(app, ["--quiet", "eval", "--model", f"hf:{tiny_model_dir}", "--task", "xcopa",
                                   "--languages", "it,sw", "--data-dir", str(_data(tmp_path / "d")),
                                   "--conditions", "lit=native,en", "--pivot", "it", "--bootstrap", "20",
                                   "--workspace", str(ws), "--json"])
    assert res.exit_code == 0, res.output
    run_id = json.loads(res.stdout)["run_id"]
    out = tmp_path / "report.html"
    res = CliRunner().invoke(app, ["--quiet", "report", run_id, "--workspace", str(ws), "--out", str(out)])
    assert res.exit_code == 0, res.output
    text = out.read_text(encoding="utf-8")
    assert "Evaluation: xcopa" in text and "custom view" not in text
    store = Store(store_path(ws))
    rows = [r for r in store.results(run_id) if r["subset"] == "all"]
    assert store.run(run_id).config["conditions"] == list(CONDITIONS)
    store.close()
    acc = {(r["condition"], r["language"]): r["value"] for r in rows if r["metric"] == "acc"}
    p = parse_report(text)
    matrix = table_by_caption(p, "acc by language and condition").records()
    assert [r["Language"].text for r in matrix] == ["it", "sw"]
    for r in matrix:
        for cond in CONDITIONS:
            assert float(r[cond].attrs["data-value"]) == pytest.approx(acc[(cond, r["Language"].text)])
    per_lang = table_by_caption(p, "Per language").records()
    for r in per_lang:  # the pivot is Italian here (--pivot it)
        cond, lang = r["Condition"].text, r["Language"].text
        assert float(r["gap to it"].attrs["data-value"]) == pytest.approx(acc[(cond, lang)] - acc[(cond, "it")])
    norm = {(r["condition"], r["language"]): r["value"] for r in rows if r["metric"] == "acc_norm"}
    assert [float(r["acc_norm"].attrs["data-value"]) for r in per_lang] == pytest.approx(
        [norm[(r["Condition"].text, r["Language"].text)] for r in per_lang])
