"""`babelscope runs | show | export | report` and workspace resolution."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from babelscope.cli import app, main
from babelscope.errors import BabelscopeError
from babelscope.languages import Language
from babelscope.results import ResultRow
from babelscope.workspace import open_store, workspace_dir

VALUES = {"en": 1.0, "sw": 2.5, "am": 3.25, "hi": 1.75}


@pytest.fixture
def ws(tmp_path):
    ws = tmp_path / "ws"
    store = open_store(ws)
    rid = store.start_run("run [bold]x[/bold]", "model:m|babelscope:0.1.0", {"model": "m"})
    store.add_results(rid, [ResultRow("tokenizers", "premium", Language.parse(c), v, variant="tok")
                            for c, v in VALUES.items()])
    store.finish_run(rid)
    store.close()
    return ws, rid


def invoke(*args):
    return CliRunner().invoke(app, list(args))


def test_workspace_resolution(tmp_path, monkeypatch):
    monkeypatch.delenv("BABELSCOPE_WORKSPACE", raising=False)
    assert workspace_dir() == Path("babelscope_runs")
    monkeypatch.setenv("BABELSCOPE_WORKSPACE", str(tmp_path / "env"))
    assert workspace_dir() == tmp_path / "env"
    assert workspace_dir(tmp_path / "opt") == tmp_path / "opt"
    store = open_store()
    assert store.path == tmp_path / "env" / "results.sqlite" and store.path.exists()
    store.close()
    (tmp_path / "file").write_text("x")
    with pytest.raises(BabelscopeError, match="is a file"):
        workspace_dir(tmp_path / "file")
    with pytest.raises(BabelscopeError, match="no results store"):
        open_store(tmp_path / "missing", create=False)
    assert not (tmp_path / "missing").exists()


def test_runs_json(ws):
    path, rid = ws
    res = invoke("runs", "--json", "--workspace", str(path))
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert [(r["run_id"], r["rows"], r["status"]) for r in data] == [(rid, len(VALUES), "finished")]


def test_runs_table_shows_brackets_literally(ws, monkeypatch):
    from babelscope.cli.app import console

    monkeypatch.setattr(console, "_width", 300)  # no folding of long cells
    path, rid = ws
    res = invoke("runs", "-w", str(path))
    assert res.exit_code == 0
    assert rid in res.output and "[bold]x[/bold]" in res.output


def test_show_json_summary(ws):
    path, rid = ws
    res = invoke("show", "latest", "--json", "-w", str(path))
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["run"]["run_id"] == rid and data["rows"] == len(VALUES)
    (s,) = data["summary"]
    tags = {c: Language.parse(c).tag for c in VALUES}
    assert s["mean"] == pytest.approx(sum(VALUES.values()) / len(VALUES))
    assert (s["min"], s["min_language"]) == (1.0, tags["en"])
    assert (s["max"], s["max_language"]) == (3.25, tags["am"])
    assert s["languages"] == len(VALUES)


def test_export_and_report_commands(ws, tmp_path):
    path, rid = ws
    out = tmp_path / "rows.csv"
    res = invoke("export", rid[:10], "--out", str(out), "-w", str(path))
    assert res.exit_code == 0, res.output
    assert res.stdout.strip() == str(out)
    with out.open(encoding="utf-8") as f:
        got = {r["language"]: float(r["value"]) for r in csv.DictReader(f)}
    assert got == {Language.parse(c).tag: v for c, v in VALUES.items()}
    res = invoke("export", "latest", "--format", "parquet", "-w", str(path))
    assert res.exit_code == 0, res.output
    assert Path(res.stdout.strip()) == path / "exports" / f"{rid}.parquet"
    res = invoke("report", "latest", "-w", str(path))
    assert res.exit_code == 0, res.output
    report = Path(res.stdout.strip())
    assert report == path / "reports" / f"{rid}.html" and report.exists()


def _main(monkeypatch, capsys, *args):
    monkeypatch.setattr(sys, "argv", ["babelscope", *args])
    with pytest.raises(SystemExit) as e:
        main()
    return e.value.code, capsys.readouterr()


@pytest.mark.parametrize("cmd", [["show", "nope"], ["report", "nope"], ["export", "nope", "--out", "x.csv"]])
def test_unknown_run_is_exit_2(ws, monkeypatch, capsys, cmd):
    path, rid = ws
    code, out = _main(monkeypatch, capsys, *cmd, "-w", str(path))
    assert code == 2
    assert "no run 'nope'" in out.err and rid in out.err


def test_missing_workspace_is_exit_2_and_creates_nothing(tmp_path, monkeypatch, capsys):
    code, out = _main(monkeypatch, capsys, "runs", "-w", str(tmp_path / "nowhere"))
    assert code == 2 and "no results store" in out.err
    assert not (tmp_path / "nowhere").exists()


def test_bad_format_is_exit_2(ws, monkeypatch, capsys):
    path, _ = ws
    code, out = _main(monkeypatch, capsys, "export", "latest", "--out", str(path / "x.txt"), "-w", str(path))
    assert code == 2 and "--format" in out.err


def test_module_entry_point_exit_code(ws):
    path, _ = ws
    env = {**os.environ, "BABELSCOPE_WORKSPACE": str(path)}
    proc = subprocess.run([sys.executable, "-m", "babelscope", "show", "does-not-exist"],
                          capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 2, proc.stderr
    assert "does-not-exist" in proc.stderr


def test_python_api_for_finished_runs_matches_the_cli(ws, tmp_path):
    """`bs.list_runs/show_run/run_rows/export_run/report_run` answer what the CLI prints.

    Expected values are the fixture's own VALUES (written above), not read back through
    the code under test: the summary mean is their plain average, min/max their extremes.
    """
    import babelscope as bs

    path, rid = ws
    (run,) = bs.list_runs(path)
    assert run["run_id"] == rid and run["rows"] == len(VALUES) and run["status"] == "finished"
    assert json.loads(invoke("runs", "--json", "--workspace", str(path)).output) == [run]
    shown = bs.show_run(rid[:6], path)
    (s,) = shown["summary"]
    assert s["mean"] == pytest.approx(sum(VALUES.values()) / len(VALUES), abs=0)
    assert (s["min"], s["min_language"]) == (1.0, "en") and (s["max"], s["max_language"]) == (3.25, "am")
    assert sorted(r["language"] for r in bs.run_rows("latest", path)) == sorted(VALUES)
    out = bs.export_run(rid, tmp_path / "rows.csv", workspace=path)
    with open(out, newline="", encoding="utf-8") as f:
        assert {r["language"]: float(r["value"]) for r in csv.DictReader(f)} == VALUES
    html = bs.report_run(rid, tmp_path / "r.html", workspace=path).read_text(encoding="utf-8")
    assert rid in html and html.lstrip().lower().startswith("<!doctype html")
    with pytest.raises(BabelscopeError, match="same run"):
        bs.compare_runs(rid, "latest", workspace=path)
    with pytest.raises(BabelscopeError, match="no results store"):
        bs.list_runs(tmp_path / "nowhere")
    assert not (tmp_path / "nowhere").exists()
