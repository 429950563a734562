"""`babelscope eval --formulation generate --log-samples`, then `--responses` on that file:
the same rows, and no model loaded the second time (the model spec points nowhere)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

pytest.importorskip("torch")

from babelscope.cli import app  # noqa: E402
from babelscope.errors import BabelscopeError  # noqa: E402
from test_eval import tiny_model_dir  # noqa: E402,F401


def _eval(args):
    return CliRunner().invoke(app, ["--quiet", "eval", *args])


def test_generate_then_responses_round_trip(tiny_model_dir, shared_data, tmp_path):  # noqa: F811
    samples = tmp_path / "s.jsonl"
    common = ["--task", "tumlu", "--data-dir", str(shared_data / "tumlu"), "--json", "--bootstrap", "0",
              "--lid", "none", "--workspace", str(tmp_path / "ws")]
    res = _eval(["--model", f"hf:{tiny_model_dir}", "--languages", "az,kk-Latn", "--formulation", "generate",
                 "--conditions", "shots=0", "--limit", "4", "--log-samples", str(samples), *common])
    assert res.exit_code == 0, res.output
    first = json.loads(res.stdout)["rows"]
    lines = [json.loads(x) for x in samples.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == 8 and all("response" in s and s["condition"].endswith("|form=generate") for s in lines)
    assert {r["metric"] for r in first} >= {"acc", "extraction_failure"}
    res2 = _eval(["--model", "hf:/nonexistent", "--responses", str(samples), *common])
    assert res2.exit_code == 0, res2.output
    second = json.loads(res2.stdout)["rows"]
    key = lambda r: (r["language"], r["variant"], r["metric"])  # noqa: E731
    assert sorted((key(r), r["value"], r["n"]) for r in second) == sorted((key(r), r["value"], r["n"]) for r in first)
    # an unknown id: exit 2 naming the id and the row
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({**lines[0], "id": "Biology/123456"}) + "\n", encoding="utf-8")
    res3 = _eval(["--responses", str(bad), *common])
    assert isinstance(res3.exception, BabelscopeError) and "row 1: id 'Biology/123456'" in str(res3.exception)
