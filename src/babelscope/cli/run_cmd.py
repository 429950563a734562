"""`babelscope run [STUDY]`: a study file, or the embedded default run when none is given."""

from __future__ import annotations

from pathlib import Path
from typing import Any, List, Optional

import typer

from ..config import DEFAULT_ANALYSES, DEFAULT_LANGUAGES
from .app import app, console, emit_json, split_list, state
from .progress import progress_callback


@app.command("run")
def run_command(
    study_file: Optional[Path] = typer.Argument(None, help="A study file (.toml / .yaml): models, languages, analyses, tasks. Flags override its values."),
    model: Optional[List[str]] = typer.Option(None, "--model", "-m", help="Model spec(s), comma-separated or repeated: default | hf:<hub id or folder>[@rev] | gguf:<path>"),
    corpus: Optional[str] = typer.Option(None, "--corpus", "-c", help="udhr | flores200:<dir> | flores_plus | files:<dir>"),
    split: Optional[str] = typer.Option(None, "--split", help="Corpus split (FLORES: dev, devtest, all)."),
    languages: Optional[List[str]] = typer.Option(None, "--languages", "-l", help=f"Comma list; default: {','.join(DEFAULT_LANGUAGES)}"),
    pivot: Optional[str] = typer.Option(None, "--pivot", help="The language others are compared to (default en)."),
    analyses: Optional[List[str]] = typer.Option(None, "--analyses", "-a", help=f"Comma list; default: {','.join(DEFAULT_ANALYSES)}"),
    tokenizer: Optional[List[str]] = typer.Option(None, "--tokenizer", "-t", help="Tokenizer spec for the premium analysis (repeatable)."),
    max_segments: Optional[int] = typer.Option(None, "--max-segments", min=1, help="Cap on parallel segments per language for model analyses."),
    batch_size: Optional[int] = typer.Option(None, "--batch-size", min=1, help="Sequences per forward pass (default 16)."),
    device: Optional[str] = typer.Option(None, "--device", help="cpu, cuda, cuda:1 ... (default: cuda if available)"),
    dtype: Optional[str] = typer.Option(None, "--dtype", help="float32, bfloat16, float16"),
    workspace: Optional[Path] = typer.Option(None, "--workspace", "-w", help="Results folder (default: the study's, $BABELSCOPE_WORKSPACE or ./babelscope_runs)."),
    no_report: bool = typer.Option(False, "--no-report", help="Skip writing the HTML report."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Print the plan (units, languages, estimated requests per model) without loading a model."),
    ray: Optional[str] = typer.Option(None, "--ray", metavar="[ADDRESS]",
                                      help="Spread the units over a Ray cluster: --ray alone starts a local one, --ray auto joins $RAY_ADDRESS, --ray HOST:PORT that cluster."),
    unit_timeout: Optional[float] = typer.Option(None, "--unit-timeout", min=1, help="With --ray: fail when no unit finishes within this many seconds (default 3600)."),
    new: bool = typer.Option(False, "--new", help="Start a new run even if an unfinished run of the same study exists (default: resume it)."),
    json_out: bool = typer.Option(False, "--json", help="Print the run's rows as JSON to stdout."),
) -> None:
    """Run a study: analyses and tasks on one or more models, stored, with the HTML report."""
    from ..pipeline import dry_run as plan_only
    from ..pipeline import run_study
    from ..study import build_study, read_study_file

    values: dict[str, Any] = read_study_file(study_file) if study_file else {}
    flags: dict[str, Any] = {
        "corpus": corpus, "split": split, "pivot": pivot, "max_segments": max_segments,
        "batch_size": batch_size, "device": device, "dtype": dtype,
        "workspace": str(workspace) if workspace is not None else None,
        "tokenizers": split_list(tokenizer) or None,
        "languages": split_list(languages) or None,
        "analyses": split_list(analyses) or None,
        "models": split_list(model) or None,
    }
    values.update({k: v for k, v in flags.items() if v is not None})
    if no_report:
        values["report"] = False
    study = build_study(values, where=f"study file {study_file}" if study_file else "run")
    if dry_run:
        plan = plan_only(study)
        if json_out:
            emit_json(plan)
        else:
            _print_plan(plan)
        return
    with progress_callback() as cb:
        result = run_study(study, progress=cb, resume=not new, ray=ray, unit_timeout=unit_timeout)
    if json_out:
        emit_json({"run_id": result.run_id, "report": str(result.report) if result.report else None,
                   "seconds": round(result.seconds, 2), "requests": result.requests,
                   "signature": result.signature, "resumed": result.resumed, "scheduling": result.scheduling,
                   "units": [o.record() for o in result.outcomes], "rows": result.rows})
        return
    if not state["quiet"]:
        cached = ""
        if result.requests and result.requests.get("cached"):
            cached = f" ({result.requests['cached']} of {result.requests['unique']} model requests from the cache)"
        resumed = " (resumed)" if result.resumed else ""
        console.print(f"run {result.run_id}{resumed}: {len(result.rows)} rows in {result.seconds:.0f} s{cached}")
    if result.report:
        print(f"report: {result.report.resolve()}")


def _print_plan(plan: dict[str, Any]) -> None:
    from rich.table import Table
    from rich.text import Text

    table = Table("unit", "kind", "name", "model", "languages", "condition", "est. requests",
                  title=Text(f"plan {plan['study']}: {len(plan['units'])} units, pivot {plan['pivot']}"))
    for u in plan["units"]:
        est = u.get("estimated_requests")
        table.add_row(*(Text(str(x)) for x in (u["id"], u["kind"], u["name"], u["model"] or "-",
                                                 ",".join(u["languages"]), u["condition"] or "-",
                                                 "-" if est is None else f"{est:,}")))
    console.print(table)
    for m, d in plan["models"].items():
        console.print(Text(f"{m}: {d['units']} units, ~{d['estimated_requests']:,} model requests"))
