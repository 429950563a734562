"""The Python API: the README's snippet, run as written in a fresh interpreter, and the study file.

The snippet evaluates the real default model (so it is an e2e test); its numbers are checked
against the same study run through the CLI preset (`babelscope eval`), which is a different
entry point into the pipeline and must give the same rows.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.e2e
def test_readme_snippet_runs_in_a_fresh_interpreter(tmp_path, shared_data):
    (tmp_path / "study.toml").write_text(textwrap.dedent("""
        languages = ["it", "sw"]
        analyses = ["tokenizers"]
        tokenizers = ["tiktoken:cl100k_base"]
        workspace = "runs/nb"
    """), encoding="utf-8")
    snippet = textwrap.dedent(f"""
        import json
        import babelscope as bs
        res = bs.evaluate(models=["default"], tasks=["xcopa"], languages=["it", "sw"], data_dir={str(shared_data / "xcopa")!r}, limit=20,
                          workspace="runs/nb")   # workspace optional
        res.rows            # list of dicts; res.to_pandas() when pandas is installed
        res.report("out.html")
        first = res
        res = bs.run("study.toml")
        print(json.dumps({{"eval": first.rows, "study": res.rows, "run_id": first.run_id}}))
    """)
    proc = subprocess.run([sys.executable, "-c", snippet], cwd=tmp_path, capture_output=True, text=True,
                          timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    acc = {r["language"]: r["value"] for r in out["eval"] if r["name"] == "xcopa" and r["metric"] == "acc"
           and not r["variant"]}
    assert set(acc) == {"it", "sw"}
    assert all(r["model"] == "default" for r in out["eval"])
    assert all(r["n"] == 20 for r in out["eval"] if r["metric"] == "acc" and not r["variant"])
    html = (tmp_path / "out.html").read_text(encoding="utf-8")
    assert "xcopa" in html and first_run_id(out) in html
    premium = {r["language"]: r["value"] for r in out["study"] if r["metric"] == "premium"}
    assert premium["en"] == 1.0 and set(premium) == {"en", "it", "sw"}

    # The CLI preset over the same workspace: same rows, every model answer from the cache.
    cli = subprocess.run([sys.executable, "-m", "babelscope", "--quiet", "eval", "--task", "xcopa",
                          "--languages", "it,sw", "--data-dir", str(shared_data / "xcopa"), "--limit", "20",
                          "--workspace", "runs/nb", "--json"], cwd=tmp_path, capture_output=True, text=True,
                         timeout=900)
    assert cli.returncode == 0, cli.stderr[-3000:]
    again = json.loads(cli.stdout)
    assert again["requests"]["computed"] == 0
    assert {r["language"]: r["value"] for r in again["rows"] if r["metric"] == "acc" and not r["variant"]} == acc


def first_run_id(out: dict) -> str:
    return out["run_id"]


def test_study_file_loads_toml_and_yaml_alike(tmp_path):
    from babelscope.plan import build_plan
    from babelscope.study import load_study

    (tmp_path / "s.toml").write_text(textwrap.dedent("""
        models = ["default", "hf:/path/to/another/model"]
        languages = ["it", "sw", "tr"]
        analyses = ["tokenizers", "bits_per_byte"]
        max_segments = 5
        workspace = "runs/my-study"

        [tasks.xcopa]
        data_dir = "../shared/data/xcopa"
        limit = 10
    """), encoding="utf-8")
    (tmp_path / "s.yaml").write_text(textwrap.dedent("""
        models: [default, "hf:/path/to/another/model"]
        languages: [it, sw, tr]
        analyses: [tokenizers, bits_per_byte]
        max_segments: 5
        workspace: runs/my-study
        tasks:
          xcopa: {data_dir: ../shared/data/xcopa, limit: 10}
    """), encoding="utf-8")
    a, b = load_study(tmp_path / "s.toml"), load_study(tmp_path / "s.yaml")
    assert a == b
    plan = build_plan(a)
    # tokenizers once (model-free), bits_per_byte and xcopa once per model
    assert [(u.name, u.model) for u in plan.units] == [
        ("tokenizers", None), ("bits_per_byte", "default"), ("bits_per_byte", "hf:/path/to/another/model"),
        ("xcopa", "default"), ("xcopa", "hf:/path/to/another/model")]
    assert plan.units[3].options["limit"] == 10 and plan.units[3].languages == ("it", "sw", "tr")
    # CLI flags override the file
    c = load_study(tmp_path / "s.toml", languages=["sw"], max_segments=2)
    assert c.languages == ["sw"] and c.max_segments == 2 and c.models == a.models


def test_unit_ids_are_deterministic_picklable_and_change_with_what_decides_the_numbers():
    import pickle

    from babelscope.plan import build_plan
    from babelscope.study import build_study

    base = {"languages": ["it", "sw"], "analyses": ["bits_per_byte"], "max_segments": 5}
    u1 = build_plan(build_study(base)).units[0]
    u2 = build_plan(build_study(base)).units[0]
    assert u1.id == u2.id and len(u1.id) == 16
    assert pickle.loads(pickle.dumps(u1)) == u1 and pickle.loads(pickle.dumps(u1)).id == u1.id
    assert build_plan(build_study({**base, "max_segments": 6})).units[0].id != u1.id
    assert build_plan(build_study({**base, "languages": ["it"]})).units[0].id != u1.id
    assert build_plan(build_study({**base, "dtype": "bfloat16"})).units[0].id != u1.id
    # how requests are batched does not decide the numbers: same unit
    assert build_plan(build_study({**base, "batch_size": 4})).units[0].id == u1.id


@pytest.mark.parametrize("values, match", [
    ({"analyses": ["tokenisers"]}, "did you mean: tokenizers"),
    ({"tasks": {"xcopaa": {}}}, "did you mean: xcopa"),
    ({"analyses": [], "tasks": {}}, "no analysis and no task"),
    ({"languages": []}, "at least one language"),
    ({"models": ["default", "default"]}, "listed twice"),
    ({"tasks": {"xcopa": {"limit": 0}}}, "tasks.xcopa.limit"),
    ({"tasks": {"xcopa": {"limt": 3}}}, "tasks.xcopa.limt: unknown key"),
    ({"max_segmets": 3}, "max_segmets: unknown key"),
])
def test_bad_study_values_name_the_key(values, match):
    from babelscope.errors import ConfigError
    from babelscope.study import build_study

    with pytest.raises(ConfigError, match=match):
        build_study({"languages": ["it"], "analyses": ["tokenizers"], **values})


def test_bad_study_file_exits_2_naming_the_file(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("models = [\n", encoding="utf-8")
    res = subprocess.run([sys.executable, "-m", "babelscope", "run", str(bad)], capture_output=True, text=True,
                         timeout=120)
    assert res.returncode == 2
    assert "bad.toml" in res.stderr and "Traceback" not in res.stderr
