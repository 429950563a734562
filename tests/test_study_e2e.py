"""A two-model study end to end: examples/study.toml on the real default and a trimmed copy.

The second model is made in this test by `babelscope trim`. The study runs in a subprocess
that is killed with SIGKILL once its first units are stored; running it again resumes the
same run. The resumed rows are checked against an uninterrupted run of the same study (in a
second workspace whose request cache holds the same model answers), and the resumed run's
skipped units report that they computed nothing.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[1]


def _cli(*args: str, cwd: Path, timeout: int = 900) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "babelscope", "--quiet", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=timeout)


def _study(tmp: Path, model_dir: Path, workspace: Path, xcopa: Path) -> Path:
    """examples/study.toml with this test's trimmed model, workspace and data folder."""
    text = (REPO / "examples" / "study.toml").read_text(encoding="utf-8")
    text = (text.replace('"hf:runs/gemma-it-sw"', json.dumps(f"hf:{model_dir}"))
            .replace('"runs/example-study"', json.dumps(str(workspace)))
            .replace('"../shared/data/xcopa"', json.dumps(str(xcopa))))
    assert str(model_dir) in text and str(workspace) in text and str(xcopa) in text
    path = tmp / f"study-{workspace.name}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _units(workspace: Path) -> int:
    db = workspace / "results.sqlite"
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(str(db), timeout=5) as con:
            return int(con.execute("SELECT COUNT(*) FROM units").fetchone()[0])
    except sqlite3.Error:
        return 0


def _key(r: dict) -> tuple:
    return (r.get("model"), r["name"], r["metric"], r.get("variant") or "", r["language"], r.get("condition") or "")


@pytest.fixture(scope="module")
def trimmed(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("trim") / "gemma-it-sw"
    res = _cli("trim", "--model", "default", "--languages", "en,it,sw", "--corpus", "udhr", "--out", str(out),
               "--prompts", "1", "--new-tokens", "4", cwd=REPO)
    assert res.returncode == 0, res.stderr[-3000:]
    assert (out / "config.json").exists()
    return out


def test_two_model_study_resumes_after_sigkill_with_the_same_rows(trimmed, tmp_path, shared_data):
    xcopa = shared_data / "xcopa"
    ws = tmp_path / "killed"
    study = _study(tmp_path, trimmed, ws, xcopa)

    plan = json.loads(_cli("run", str(study), "--dry-run", "--json", cwd=tmp_path).stdout)
    n_units = len(plan["units"])
    assert n_units == 1 + 2 * 2 + 2 * 2  # tokenizers; bpb + alignment per model; two tasks per model
    assert set(plan["models"]) == {"default", f"hf:{trimmed}"}

    proc = subprocess.Popen([sys.executable, "-m", "babelscope", "--quiet", "run", str(study), "--json"],
                            cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)
    try:
        deadline = time.time() + 600
        while _units(ws) < 2 and proc.poll() is None and time.time() < deadline:
            time.sleep(0.5)
        assert proc.poll() is None, "the study finished before it could be killed: " + proc.stderr.read().decode()[-2000:]
        stored_before_kill = _units(ws)
        assert 2 <= stored_before_kill < n_units
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.stderr.close()

    res = _cli("run", str(study), "--json", cwd=tmp_path)
    assert res.returncode == 0, res.stderr[-3000:]
    resumed = json.loads(res.stdout)
    assert resumed["resumed"] is True
    skipped = [u for u in resumed["units"] if u["status"] == "skipped"]
    assert len(skipped) >= stored_before_kill
    assert all(u["requests"]["computed"] == 0 for u in skipped)
    assert len(resumed["units"]) == n_units

    # An uninterrupted run of the same study, answered by the same model answers.
    ws2 = tmp_path / "straight"
    ws2.mkdir()
    shutil.copy(ws / "request_cache.sqlite", ws2 / "request_cache.sqlite")
    res2 = _cli("run", _study(tmp_path, trimmed, ws2, xcopa).as_posix(), "--json", cwd=tmp_path)
    assert res2.returncode == 0, res2.stderr[-3000:]
    straight = json.loads(res2.stdout)
    assert straight["resumed"] is False
    assert straight["requests"]["computed"] == 0

    a = {_key(r): r for r in resumed["rows"]}
    b = {_key(r): r for r in straight["rows"]}
    assert len(a) == len(resumed["rows"]), "a row was written twice"
    assert a.keys() == b.keys()
    for k in a:
        assert (a[k]["value"], a[k]["n"], a[k]["ci_low"], a[k]["ci_high"]) == \
               (b[k]["value"], b[k]["n"], b[k]["ci_low"], b[k]["ci_high"]), k

    # Both models have rows for every model analysis and task, on the typed language axis.
    for name in ("bits_per_byte", "alignment", "xcopa", "udhr_continuation"):
        models = {r["model"] for r in resumed["rows"] if r["name"] == name}
        assert models == {"default", f"hf:{trimmed}"}, name
    assert {r["language"] for r in resumed["rows"] if r["name"] == "xcopa"} == {"it", "sw"}
    assert all(r["iso639_3"] and r["script"] and r["family"] for r in resumed["rows"])
    # The trimmed model's own tokenizer joins the premium analysis.
    assert any(str(trimmed) in str(r.get("variant")) for r in resumed["rows"] if r["name"] == "tokenizers")

    html = Path(resumed["report"]).read_text(encoding="utf-8")
    assert "Model comparison" in html
    assert f"hf:{trimmed}" in html and "xcopa" in html
