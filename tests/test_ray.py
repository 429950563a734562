"""A study's units spread over a real local Ray cluster (head + 2 workers, 1 CPU each).

Expectations come from the same study run in one process (the pipeline without Ray): the
sharded rows must equal them exactly - values, n and CIs (the bootstraps are seeded). The
cluster lives in 127.0.0.1 only and is shut down in the fixture even when a test fails.
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import pytest

ray = pytest.importorskip("ray", reason="Ray is the optional extra babelscope[ray] (make installs it)")

from tiny_models import tiny_causal_lm  # noqa: E402


@pytest.fixture(scope="module")
def cluster():
    temp = tempfile.mkdtemp(prefix="bsray", dir="/tmp")  # short: Ray's socket paths have a length limit
    try:
        ray.init(num_cpus=2, include_dashboard=False, _temp_dir=temp, log_to_driver=False,
                 _node_ip_address="127.0.0.1")
        yield
    finally:
        ray.shutdown()
        shutil.rmtree(temp, ignore_errors=True)


@pytest.fixture(scope="module")
def model(tmp_path_factory) -> Path:
    return tiny_causal_lm("llama", tmp_path_factory.mktemp("m"))


def _study(model: Path, workspace: Path, shared_data: Path):
    from babelscope.study import build_study

    return build_study({
        "models": [{"spec": f"hf:{model}", "device": "cpu"}], "languages": ["it", "sw", "tr"],
        "analyses": ["tokenizers", "bits_per_byte"], "tokenizers": ["tiktoken:gpt2"], "max_segments": 4,
        "tasks": {"xcopa": {"data_dir": str(shared_data / "xcopa"), "limit": 8}, "udhr_continuation": {"limit": 4}},
        "workspace": str(workspace), "report": False,
    })


def _rows(result) -> dict[tuple, tuple]:
    out = {}
    for r in result.rows:
        key = (r.get("model"), r["name"], r["metric"], r.get("variant") or "", r["language"], r.get("condition") or "")
        assert key not in out, f"row written twice: {key}"
        out[key] = (r["value"], r["n"], r["ci_low"], r["ci_high"])
    return out


@pytest.fixture(scope="module")
def single(model, tmp_path_factory, shared_data):
    from babelscope.pipeline import run_study

    return run_study(_study(model, tmp_path_factory.mktemp("single"), shared_data))


def test_sharded_rows_equal_single_process_and_rerun_computes_nothing(cluster, model, single, tmp_path, shared_data):
    from babelscope.pipeline import run_study

    sharded = run_study(_study(model, tmp_path / "ws", shared_data), ray="auto")
    assert sharded.scheduling["scheduler"] == "ray"
    assert _rows(sharded) == _rows(single)
    assert sharded.requests["computed"] == single.requests["computed"] > 0
    # one model: loaded once per model worker, not once per unit (3 units use it)
    assert sharded.scheduling["model_loads"] == 1
    assert sum(1 for u in sharded.plan.units if u.model) == 3

    again = run_study(_study(model, tmp_path / "ws", shared_data), ray="auto")
    assert again.requests["computed"] == 0
    assert again.requests["cached"] == single.requests["unique"]
    assert _rows(again) == _rows(single)


def _kill_first_busy_worker(stop: threading.Event, killed: list[int]) -> None:
    """SIGKILL the first Ray worker seen running a unit (Ray titles it ray::UnitWorker.run)."""
    while not stop.is_set():
        out = subprocess.run(["ps", "-eo", "pid=,args="], capture_output=True, text=True).stdout
        for line in out.splitlines():
            pid, _, args = line.strip().partition(" ")
            if "ray::UnitWorker.run" in args:
                os.kill(int(pid), signal.SIGKILL)
                killed.append(int(pid))
                return
        time.sleep(0.05)


def test_a_worker_killed_mid_unit_changes_nothing(cluster, model, single, tmp_path, shared_data):
    from babelscope.pipeline import run_study

    stop, killed = threading.Event(), []
    watcher = threading.Thread(target=_kill_first_busy_worker, args=(stop, killed), daemon=True)
    watcher.start()
    try:
        res = run_study(_study(model, tmp_path / "ws", shared_data), ray="auto")
    finally:
        stop.set()
        watcher.join(timeout=10)
    assert killed, "no worker was seen running a unit"
    assert _rows(res) == _rows(single)
    with sqlite3.connect(str(tmp_path / "ws" / "results.sqlite")) as con:
        units = con.execute("SELECT COUNT(*), COUNT(DISTINCT unit_id) FROM units WHERE run_id=?",
                            (res.run_id,)).fetchone()
    assert units == (len(res.plan.units), len(res.plan.units))


def test_a_unit_that_fails_on_the_cluster_names_itself(cluster, tmp_path, shared_data):
    from babelscope.errors import BabelscopeError
    from babelscope.pipeline import run_study
    from babelscope.study import build_study

    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "config.json").write_text("{}", encoding="utf-8")  # loads nowhere
    study = build_study({"models": [f"hf:{broken}"], "languages": ["it"], "analyses": ["bits_per_byte"],
                         "max_segments": 1, "workspace": str(tmp_path / "ws"), "report": False})
    with pytest.raises(BabelscopeError, match="bits_per_byte"):
        run_study(study, ray="auto")
