"""`kill -9` in the middle of `babelscope eval`, rerun: the results equal an uninterrupted run.

The kill is real (SIGKILL from inside the process after the model answered two batches), so
nothing gets a chance to clean up: only what the request cache committed survives.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("torch")

from test_eval import XCOPA, tiny_model_dir  # noqa: E402,F401

KILLER = """
import os, signal, sys
from babelscope.models import hf
_orig = hf.HFModel.loglikelihood
calls = [0]
def loglikelihood(self, requests):
    calls[0] += 1
    if calls[0] > int(os.environ["KILL_AFTER_BATCHES"]):
        os.kill(os.getpid(), signal.SIGKILL)
    return _orig(self, requests)
hf.HFModel.loglikelihood = loglikelihood
from babelscope.cli import main
sys.argv[0] = "babelscope"
main()
"""


def _data(root: Path, n: int = 80) -> Path:
    """n items per language: the fixture's items with numbered premises (distinct requests)."""
    for code, rows in XCOPA.items():
        d = root / "data" / code
        d.mkdir(parents=True)
        lines = []
        for i in range(n):
            r = dict(rows[i % len(rows)], idx=i)
            r["premise"] = f"{r['premise'][:-1]} {i}."
            lines.append(json.dumps(r, ensure_ascii=False))
        (d / f"test.{code}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


def _eval(args: list[str], env_extra: dict[str, str] | None = None, killer: bool = False):
    env = dict(os.environ, **(env_extra or {}))
    cmd = [sys.executable, "-c", KILLER] if killer else [sys.executable, "-m", "babelscope"]
    return subprocess.run([*cmd, "--quiet", "eval", *args], capture_output=True, text=True, env=env, timeout=600)


def test_kill_9_then_rerun_equals_uninterrupted(tiny_model_dir, tmp_path):  # noqa: F811
    data = _data(tmp_path / "d")
    common = ["--model", f"hf:{tiny_model_dir}", "--task", "xcopa", "--languages", "it,sw", "--data-dir", str(data),
              "--json", "--bootstrap", "50", "--batch-size", "4"]
    ws = tmp_path / "killed"
    dead = _eval([*common, "--workspace", str(ws)], {"KILL_AFTER_BATCHES": "2"}, killer=True)
    assert dead.returncode == -signal.SIGKILL, dead.stderr[-2000:]
    with sqlite3.connect(ws / "request_cache.sqlite") as db:
        (cached,) = db.execute("SELECT COUNT(*) FROM responses").fetchone()
    assert 0 < cached < 2 * 80 * 2  # two engine chunks were committed, not the whole run

    resumed = _eval([*common, "--workspace", str(ws)])
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    clean = _eval([*common, "--workspace", str(tmp_path / "clean")])
    assert clean.returncode == 0, clean.stderr[-2000:]

    def values(p):
        return [(r["language"], r["metric"], r["subset"], r["value"], r["ci_low"], r["ci_high"], r["n"])
                for r in json.loads(p.stdout)["rows"]]

    assert values(resumed) == values(clean)
