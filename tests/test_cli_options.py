"""Option validation callbacks and the argv spellings normalize_argv accepts.

Expected argument lists are written out by hand from the rules in cli/options.py's docstring.
"""

from __future__ import annotations

import subprocess
import sys
from typing import Optional

import pytest
import typer
from typer.testing import CliRunner

from babelscope.cli.options import NON_NEGATIVE, POSITIVE, in_range, normalize_argv
from babelscope.errors import ConfigError


@pytest.mark.parametrize("argv, want", [
    ([], ["--help"]),
    (["runs", "--quiet"], ["--quiet", "runs"]),
    (["eval", "-t", "xcopa", "-v", "-q"], ["-v", "-q", "eval", "-t", "xcopa"]),
    (["-q", "runs", "-q"], ["-q", "runs"]),
    (["eval", "--list"], ["tasks"]),
    (["eval", "--list", "--json"], ["tasks", "--json"]),
    (["eval", "--tasks", "xcopa", "--num_fewshot", "5"], ["eval", "--task", "xcopa", "--conditions", "shots=5"]),
    (["eval", "--tasks=xcopa,mgsm", "--num_fewshot=0"], ["eval", "--task=xcopa,mgsm", "--conditions", "shots=0"]),
    (["eval", "--batch_size", "4", "-t", "x"], ["eval", "--batch-size", "4", "-t", "x"]),
    (["runs", "--", "-q"], ["runs", "--", "-q"]),  # after "--" nothing moves
    (["languages", "--tasks"], ["languages", "--tasks"]),  # aliases are eval's only
])
def test_normalize_argv(argv, want):
    assert normalize_argv(argv) == want


@pytest.mark.parametrize("argv, match", [
    (["eval", "--num_fewshot", "five"], "whole number"),
    (["eval", "--num_fewshot"], "needs a number"),
    (["eval", "--num_fewshot", "5", "--conditions", "lit=en"], "not both"),
])
def test_normalize_argv_errors(argv, match):
    with pytest.raises(ConfigError, match=match):
        normalize_argv(argv)


def _app() -> typer.Typer:
    app = typer.Typer()

    @app.command()
    def cmd(batch_size: int = typer.Option(8, "--batch-size", callback=POSITIVE),
            boot: int = typer.Option(10, "--bootstrap", callback=NON_NEGATIVE),
            limit: Optional[int] = typer.Option(None, "--limit", callback=POSITIVE),
            frac: Optional[float] = typer.Option(None, "--frac", callback=in_range(0, 1))) -> None:
        print(f"ok {batch_size} {boot} {limit} {frac}")

    return app


@pytest.mark.parametrize("args, code, text", [
    (["--batch-size", "0"], 2, "must be at least 1, not 0"),
    (["--batch-size", "-5"], 2, "must be at least 1, not -5"),
    (["--bootstrap", "-1"], 2, "must be at least 0, not -1"),
    (["--limit", "0"], 2, "must be at least 1, not 0"),
    (["--frac", "1.5"], 2, "must be between 0 and 1, not 1.5"),
    (["--batch-size", "1", "--bootstrap", "0"], 0, "ok 1 0 None None"),
])
def test_callbacks(args, code, text):
    res = CliRunner().invoke(_app(), args)
    assert res.exit_code == code
    assert text in " ".join(res.output.split())
    if code:
        assert "--batch-size" in res.output or "--bootstrap" in res.output or "--limit" in res.output or "--frac" in res.output


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "babelscope", *args], capture_output=True, text=True)


def test_entry_point_bare_help_and_flags_after_the_command():
    p = _cli()
    assert p.returncode == 0 and "Usage" in p.stdout
    p = _cli("eval", "--list", "--json")
    assert p.returncode == 0 and '"xcopa"' in p.stdout
    p = _cli("languages", "en", "--quiet")
    assert p.returncode == 0
    p = _cli("eval", "--num_fewshot", "x", "--tasks", "xcopa")
    assert p.returncode == 2 and "--num_fewshot" in p.stderr and "Traceback" not in p.stderr


def test_compare_refuses_a_run_against_itself(tmp_path, monkeypatch, capsys):
    from babelscope.cli import main
    from babelscope.workspace import open_store

    s = open_store(tmp_path / "ws")
    rid = s.start_run("eval", "sig", {})
    s.finish_run(rid)
    s.close()
    monkeypatch.setattr(sys, "argv", ["babelscope", "compare", "latest", rid[:10], "-w", str(tmp_path / "ws")])
    with pytest.raises(SystemExit) as e:
        main()
    err = " ".join(capsys.readouterr().err.split())
    assert e.value.code == 2 and "are the same run" in err and rid in err


def test_ctrl_c_says_how_to_resume(monkeypatch, capsys):
    from babelscope.cli import app, main

    @app.command("hr-test-interrupt", hidden=True)
    def _interrupt() -> None:
        raise KeyboardInterrupt

    try:
        monkeypatch.setattr(sys, "argv", ["babelscope", "hr-test-interrupt"])
        with pytest.raises(SystemExit) as e:
            main()
        assert e.value.code == 130
        assert "rerun to resume" in " ".join(capsys.readouterr().err.split())
    finally:
        app.registered_commands[:] = [c for c in app.registered_commands if c.name != "hr-test-interrupt"]
