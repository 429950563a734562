"""`babelscope trim` on the command line: the JSON report, and bad input that exits 2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

pytest.importorskip("wordfreq")

from test_trim_models import build, write_corpus

from babelscope.cli import app
from babelscope.errors import ConfigError, CorpusError, ModelError


@pytest.fixture(scope="module")
def gemma_dir(tmp_path_factory) -> Path:
    return build("gemma3", tmp_path_factory.mktemp("models"))


def _trim(*args: str):
    return CliRunner().invoke(app, ["--quiet", "trim", "--threads", "1", *args])


def test_cli_json_report(gemma_dir: Path, tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "corpus")
    out = tmp_path / "out"
    res = _trim("--model", f"hf:{gemma_dir}", "--languages", "eng,deu", "--corpus", f"files:{corpus}",
                "--out", str(out), "--prompts", "2", "--new-tokens", "5", "--keep", "<0x41>", "--json")
    assert res.exit_code == 0, res.output
    report = json.loads(res.stdout)
    for key in ("vocab_before", "vocab_after", "params_before", "params_after", "coverage"):
        assert key in report
    assert report["vocab_after"] < report["vocab_before"]
    assert report["params_after"] < report["params_before"]
    assert set(report["coverage"]) == {"en", "de"}
    for check in ("token_ids", "logits", "generation"):
        assert report["checks"][check]["passed"] is True
    assert report["checks"]["logits"]["de"]["max_abs_diff"] <= 1e-4
    assert report["checks"]["generation"]["de"]["identical"] == report["checks"]["generation"]["de"]["prompts"] > 0
    assert report["thresholds"]["keep"] == ["<0x41>"]
    record = json.loads((out / "babelscope_trim.json").read_text(encoding="utf-8"))
    assert record["languages"] == ["en", "de"] and record["corpus"] == f"files:{corpus}"
    assert len(record["kept_ids"]) == report["vocab_after"]

    # Out exists now: refusing to overwrite names the option; --overwrite replaces it.
    again = _trim("--model", str(gemma_dir), "--languages", "eng", "--corpus", f"files:{corpus}",
                  "--out", str(out), "--prompts", "1", "--new-tokens", "3")
    assert isinstance(again.exception, ConfigError) and "--overwrite" in str(again.exception)
    again = _trim("--model", str(gemma_dir), "--languages", "eng", "--corpus", f"files:{corpus}",
                  "--out", str(out), "--prompts", "1", "--new-tokens", "3", "--overwrite")
    assert again.exit_code == 0, again.output
    assert json.loads((out / "babelscope_trim.json").read_text(encoding="utf-8"))["languages"] == ["en"]


def test_language_without_text_fails_before_writing(gemma_dir: Path, tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "corpus", langs=("eng", "deu"))
    out = tmp_path / "out"
    res = _trim("--model", str(gemma_dir), "--languages", "eng,fra", "--corpus", f"files:{corpus}",
                "--out", str(out))
    assert isinstance(res.exception, CorpusError)
    assert "fr" in str(res.exception)
    assert not out.exists() and not list(tmp_path.glob(".out.tmp-*"))


def test_unsupported_architecture_and_bad_keep(gemma_dir: Path, tmp_path: Path) -> None:
    import shutil

    odd = tmp_path / "odd"
    shutil.copytree(gemma_dir, odd)
    cfg = json.loads((odd / "config.json").read_text())
    cfg["architectures"] = ["MadeUpForCausalLM"]
    (odd / "config.json").write_text(json.dumps(cfg))
    corpus = write_corpus(tmp_path / "corpus")
    res = _trim("--model", str(odd), "--languages", "eng", "--corpus", f"files:{corpus}", "--out",
                str(tmp_path / "o1"))
    assert isinstance(res.exception, ModelError) and "MadeUpForCausalLM" in str(res.exception)

    res = _trim("--model", str(gemma_dir), "--languages", "eng", "--corpus", f"files:{corpus}", "--out",
                str(tmp_path / "o2"), "--keep", "no-such-token")
    assert isinstance(res.exception, ConfigError) and "no-such-token" in str(res.exception)
    assert not (tmp_path / "o2").exists()


def test_exit_code_2_from_the_real_entry_point(gemma_dir: Path, tmp_path: Path) -> None:
    """A language wordfreq has no list for: exit 2 and a message naming it, no traceback."""
    proc = subprocess.run(
        [sys.executable, "-m", "babelscope", "trim", "--model", f"hf:{gemma_dir}", "--languages", "eng,swa",
         "--corpus", "wordfreq", "--out", str(tmp_path / "out")],
        capture_output=True, text=True, timeout=300, check=False,
    )
    assert proc.returncode == 2, proc.stderr
    assert "Swahili" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "out").exists()


def test_eval_before_and_after(gemma_dir: Path, tmp_path: Path) -> None:
    """--eval scores both models on the same items; each side equals a separate evaluation."""
    from babelscope.engine.executor import Engine
    from babelscope.evaluation import evaluate
    from babelscope.languages import Language
    from babelscope.models import load_model
    from babelscope.tasks.base import DataSource, get_task

    corpus = write_corpus(tmp_path / "corpus")
    out = tmp_path / "out"
    res = _trim("--model", str(gemma_dir), "--languages", "eng,deu", "--corpus", f"files:{corpus}",
                "--out", str(out), "--prompts", "1", "--new-tokens", "3",
                "--eval", "udhr_continuation", "--eval-limit", "6", "--json")
    assert res.exit_code == 0, res.output
    records = json.loads(res.stdout)["eval"]
    acc = {r["language"]: r for r in records if r["metric"] == "acc" and not r["variant"]}
    assert set(acc) == {"en", "de"}
    for label, folder in (("original", gemma_dir), ("trimmed", out)):
        rows = evaluate(Engine(load_model(f"hf:{folder}")), [get_task("udhr_continuation")],
                        [Language.parse("en"), Language.parse("de")], DataSource(), limit=6, pivot=None,
                        n_boot=0).rows
        mine = {r.language.tag: r.value for r in rows if r.metric == "acc" and not r.variant}
        assert {k: acc[k][label] for k in mine} == pytest.approx(mine)
    for r in records:
        assert r["difference"] == pytest.approx(r["trimmed"] - r["original"]) and r["n"] == 6
