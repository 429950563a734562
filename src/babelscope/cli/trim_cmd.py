"""`babelscope trim`: keep only the vocabulary the target languages use; verify the result."""

from __future__ import annotations

from typing import Any

import typer
from rich.markup import escape
from rich.table import Table

from .app import app, console, emit_json, split_list, state


@app.command("trim")
def trim_cmd(
    model: str = typer.Option("default", "--model", "-m", help="hf:<local folder>, a folder path, or `default`."),
    languages: str = typer.Option(..., "--languages", "-l", help="Comma-separated target languages (any spelling)."),
    corpus: str = typer.Option("wordfreq", "--corpus", "-c",
                               help="wordfreq | udhr | flores200:<dir> | files:<dir> | hfds:<repo>[:<config>[:<split>]]"),
    out: str = typer.Option(..., "--out", "-o", help="Folder to write the trimmed model to."),
    min_frequency: float = typer.Option(2, "--min-frequency", help="Keep ids counted at least this often."),
    top_n: int | None = typer.Option(None, "--top-n", help="Keep at most the N most frequent ids (plus the always-kept)."),
    keep: list[str] | None = typer.Option(None, "--keep", help="Token (or id) to keep whatever the corpus says (repeatable)."),
    heldout: str | None = typer.Option(None, "--heldout", help="Corpus for the checks (default: held-out part of --corpus; udhr for wordfreq)."),
    corpus_words: int | None = typer.Option(None, "--corpus-words", help="wordfreq: size of the corpus the frequencies stand for (default 500,000)."),
    prompts: int = typer.Option(3, "--prompts", help="Greedy-generation prompts per language for check 3."),
    new_tokens: int = typer.Option(16, "--new-tokens", help="Tokens generated per prompt for check 3."),
    threads: int | None = typer.Option(None, "--threads", help="torch CPU threads (default: torch's, or 1 when the machine is busier than its cores)."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace --out if it exists."),
    eval_tasks: list[str] | None = typer.Option(None, "--eval", help="Also evaluate original and trimmed model on this task (repeatable; e.g. udhr_continuation) and report the per-language difference."),
    eval_data_dir: str | None = typer.Option(None, "--eval-data-dir", help="Local data folder for --eval tasks that need one."),
    eval_limit: int | None = typer.Option(None, "--eval-limit", min=1, help="First N items per language for --eval."),
    json_out: bool = typer.Option(False, "--json", help="Print the report as JSON to stdout."),
) -> None:
    """Trim a model's vocabulary to target languages, save it, and verify it against the original.

    Exit code 1 when a check fails (the folder is still written, with the failed checks recorded).
    """
    from ..adapt import trim

    log = None if state["quiet"] or json_out else (lambda msg: console.print(escape(msg)))
    report = trim(model, languages, corpus, out, min_frequency=min_frequency, top_n=top_n, keep=keep or (),
                  heldout=heldout, corpus_words=corpus_words, overwrite=overwrite, prompts=prompts,
                  new_tokens=new_tokens, threads=threads, log=log)
    if eval_tasks:
        from pathlib import Path

        from ..adapt.trim import resolve_model_path
        from ..languages import parse_languages
        from ..presets import trim_eval_difference

        tasks = split_list(eval_tasks)
        report["eval"] = trim_eval_difference(resolve_model_path(model), Path(report["out"]), tasks,
                                               parse_languages(languages), data_dir=eval_data_dir, limit=eval_limit)
    if json_out:
        emit_json(report)
    else:
        _print(report)
    if not report["passed"]:
        raise typer.Exit(1)


def _print(report: dict[str, Any]) -> None:
    t = Table("", "before", "after", "ratio", title=f"trimmed to {', '.join(report['languages'])}")
    for label, a, b in (("vocabulary", report["vocab_before"], report["vocab_after"]),
                        ("parameters", report["params_before"], report["params_after"]),
                        ("weight bytes", report["file_bytes_before"], report["file_bytes_after"])):
        t.add_row(label, f"{a:,}", f"{b:,}", f"{b / a:.3f}" if a else "")
    console.print(t)
    cov = Table("language", "corpus token coverage", "held-out token coverage", "token ids", "logits max diff",
                "generation identical")
    checks = report["checks"]
    for lang, c in report["coverage"].items():
        ids = checks["token_ids"].get(lang, {})
        lg = checks["logits"].get(lang, {})
        gen = checks["generation"].get(lang, {})
        cov.add_row(
            escape(lang), _pct(c.get("corpus_tokens")), _pct(c.get("heldout_tokens")),
            f"{ids.get('exact', 0)}/{ids.get('covered', 0)} exact",
            f"{lg.get('max_abs_diff', float('nan')):.2e}",
            f"{gen.get('identical', 0)}/{gen.get('prompts', 0)}" if gen.get("applicable") else "n/a",
        )
    console.print(cov)
    if report.get("eval"):
        ev = Table("task", "language", "metric", "n", "original", "trimmed", "difference",
                   title="evaluation before / after")
        for r in report["eval"]:
            ev.add_row(escape(r["task"]), escape(r["language"]), escape(r["metric"] + (f" {r['variant']}" if r["variant"] else "")),
                       str(r["n"]), _num(r["original"]), _num(r["trimmed"]), _num(r["difference"], signed=True))
        console.print(ev)
    verdict = "[green]all checks passed[/]" if report["passed"] else "[bold red]checks FAILED[/]"
    console.print(f"{verdict}; saved to {escape(report['out'])} in {report['seconds']['total']:.1f} s")


def _num(x: float | None, signed: bool = False) -> str:
    return "" if x is None else (f"{x:+.4f}" if signed else f"{x:.4f}")


def _pct(x: float | None) -> str:
    return "" if x is None else f"{100 * x:.2f}%"
