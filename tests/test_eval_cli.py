"""`babelscope eval` end to end on a tiny local model: rows, samples file, store, errors, resume."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

pytest.importorskip("torch")

from babelscope.cli import app  # noqa: E402
from babelscope.errors import BabelscopeError  # noqa: E402
from test_eval import XCOPA, _data, reference_logliks, tiny_model_dir  # noqa: E402,F401


def _eval(args):
    return CliRunner().invoke(app, ["--quiet", "eval", *args])


def test_eval_cli_acceptance_shape(tiny_model_dir, tmp_path):  # noqa: F811
    data = _data(tmp_path / "d")
    ws = tmp_path / "ws"
    samples = tmp_path / "samples.jsonl"
    args = ["--model", f"hf:{tiny_model_dir}", "--task", "xcopa", "--languages", "it,sw", "--data-dir", str(data),
            "--limit", "2", "--limit-mode", "head", "--json", "--log-samples", str(samples), "--workspace", str(ws), "--bootstrap", "100"]
    res = _eval(args)
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    acc = [r for r in out["rows"] if r["metric"] == "acc" and r["subset"] == "all"]
    assert [(r["task"], r["language"], r["iso639_3"]) for r in acc] == [("xcopa", "it", "ita"), ("xcopa", "sw", "swa")]
    for r in acc:
        assert {"value", "ci_low", "ci_high", "n"} <= set(r) and r["n"] == 2
    lines = [json.loads(x) for x in samples.read_text(encoding="utf-8").splitlines()]
    assert [(s["language"], s["index"], s["target"]) for s in lines] == [
        ("it", 0, XCOPA["it"][0]["label"]), ("it", 1, XCOPA["it"][1]["label"]),
        ("sw", 0, XCOPA["sw"][0]["label"]), ("sw", 1, XCOPA["sw"][1]["label"])]
    pairs = [(s["context"], c) for s in lines for c in s["choices"]]
    assert [ll for s in lines for ll in s["logliks"]] == pytest.approx(reference_logliks(tiny_model_dir, pairs), abs=1e-4)
    # a rerun is answered from the request cache and gives the same rows
    res2 = _eval(args)
    assert res2.exit_code == 0, res2.output
    assert [r["value"] for r in json.loads(res2.stdout)["rows"]] == [r["value"] for r in out["rows"]]
    from babelscope.store import Store
    from babelscope.workspace import store_path
    st = Store(store_path(ws))
    assert len(st.runs()) == 2 and len(st.items(st.runs()[0].run_id)) == 4


def test_eval_cli_bad_input(tmp_path):
    for args, needle in [
        (["--task", "xcopaa"], "did you mean: xcopa"),
        (["--task", "xcopa", "--languages", "de", "--data-dir", str(tmp_path)], "has no language de"),
        (["--task", "xcopa", "--languages", "sw", "--data-dir", str(tmp_path)], "test.sw.jsonl"),
        (["--task", "xcopa", "--conditions", "shots=x"], "--conditions"),
    ]:
        res = _eval(["--model", "hf:/nonexistent", *args])
        assert isinstance(res.exception, BabelscopeError), res.output
        assert needle in str(res.exception)
