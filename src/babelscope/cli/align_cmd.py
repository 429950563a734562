"""`babelscope align`: MEXA cross-lingual alignment, per layer, optionally calibrated.

The command stores its rows as a run (so `babelscope report` can draw the heatmap) and prints
either a table (stderr) or JSON (stdout).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, List, Optional

import typer
from rich.table import Table
from rich.text import Text

from ..config import DEFAULT_LANGUAGES
from .app import app, console, emit_json, split_list, state
from .progress import progress_callback

_BLOCKS = " ▁▂▃▄▅▆▇█"


@app.command("align")
def align_command(
    model: str = typer.Option("default", "--model", "-m", help="default | hf:<hub id or folder>[@rev] | gguf:<path>"),
    corpus: str = typer.Option("udhr", "--corpus", "-c", help="udhr | flores200:<dir> | flores_plus | files:<dir>"),
    split: Optional[str] = typer.Option(None, "--split", help="Corpus split (FLORES: dev, devtest, all)."),
    languages: Optional[List[str]] = typer.Option(None, "--languages", "-l", help="Comma list (default: the default run's languages)."),
    pivot: str = typer.Option("en", "--pivot", help="The language others are aligned to."),
    sentences: int = typer.Option(100, "--sentences", "-n", help="Parallel sentences per language (the first N shared ones)."),
    pooling: str = typer.Option("weighted_mean", "--pooling", help="weighted_mean (MEXA default) | last | mean (encoders)."),
    precision: str = typer.Option("float16", "--precision", help="Round sentence embeddings before the cosines: float16 (as the authors' code, reproduces their scores) | float32."),
    against: Optional[str] = typer.Option(None, "--against", help="Measured scores to calibrate against: a CSV of language,score or RUN[:NAME[:METRIC]] in the store."),
    aggregate: str = typer.Option("mean", "--against-aggregate", help="Alignment over layers to fit against: mean | max."),
    no_intercept: bool = typer.Option(False, "--no-intercept", help="Fit score = a * alignment (through the origin)."),
    batch_size: int = typer.Option(32, "--batch-size", help="Sentences per forward pass (also capped by a token budget)."),
    device: Optional[str] = typer.Option(None, "--device", help="cpu, cuda, cuda:1 ... (default: cuda if available)"),
    dtype: Optional[str] = typer.Option(None, "--dtype", help="float32, bfloat16, float16"),
    workspace: Optional[Path] = typer.Option(None, "--workspace", "-w", help="Results folder (default: $BABELSCOPE_WORKSPACE or ./babelscope_runs)."),
    no_store: bool = typer.Option(False, "--no-store", help="Do not record the run in the results store."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON to stdout."),
) -> None:
    """Cross-lingual alignment (MEXA): how well each language's hidden states line up with the pivot's."""
    from ..presets import align_study

    t0 = time.perf_counter()
    with progress_callback() as cb:
        res = align_study(
            model=model, corpus=corpus, split=split, languages=split_list(languages) or list(DEFAULT_LANGUAGES),
            pivot=pivot, sentences=sentences, pooling=pooling, precision=precision, against=against,
            aggregate=aggregate, intercept=not no_intercept, batch_size=batch_size, device=device, dtype=dtype,
            workspace=workspace, store=not no_store, progress=cb,
        )
    out = res.outcome("alignment")
    assert out is not None and out.output is not None
    result, cal = out.output.payload
    run_id = None if no_store else res.run_id
    seconds = time.perf_counter() - t0
    if json_out:
        payload: dict[str, Any] = {"run_id": run_id, "model": model, "seconds": round(seconds, 2), **result.to_json()}
        if cal is not None:
            payload["calibration"] = cal.to_dict()
        emit_json(payload)
        return
    _print_table(result)
    if cal is not None:
        _print_calibration(cal)
    if not state["quiet"]:
        console.print(f"{result.n} sentences x {len(result.languages)} languages x {result.n_layers} layers "
                      f"in {seconds:.0f} s" + (f"; run {run_id}" if run_id else ""))


def _spark(values: Any) -> str:
    return "".join(_BLOCKS[min(len(_BLOCKS) - 1, int(round(float(v) * (len(_BLOCKS) - 1))))] for v in values)


def _print_table(result: Any) -> None:
    table = Table("language", "code", "mean", "max", "best layer", f"layers 0..{result.n_layers - 1}",
                  title=f"MEXA alignment with {result.pivot.tag} ({result.pooling}, {result.n} sentences)")
    for k, lang in enumerate(result.languages):
        table.add_row(Text(f"{lang.tag} {lang.name}"), Text(result.codes[k]), f"{result.mean[k]:.3f}",
                      f"{result.max[k]:.3f}", str(int(result.best_layer[k])), Text(_spark(result.scores[k])))
    console.print(table)


def _print_calibration(cal: Any) -> None:
    d = cal.to_dict()
    fit = d["fit"]
    console.print(Text(
        f"calibration against {cal.source} ({fit['n_languages']} languages, alignment {cal.aggregate}): "
        f"score = {cal.slope:.3f} x alignment {'-' if cal.intercept < 0 else '+'} {abs(cal.intercept):.3f}; "
        f"Pearson {_r(d['pearson'])}; Spearman {_r(d['spearman'])}"
    ))
    if cal.note:
        console.print(Text(f"note: {cal.note}", style="yellow"))
    if cal.estimates:
        table = Table("language", "alignment", "estimated score", title="ESTIMATES (predicted from alignment, not measured)")
        for p in cal.estimates:
            table.add_row(Text(p.language.tag), f"{p.alignment:.3f}", f"{p.predicted:.3f} (estimate)")
        console.print(table)


def _r(c: dict[str, Any]) -> str:
    fmt = lambda v: "n/a" if v is None else f"{v:.2f}"  # noqa: E731
    return f"{fmt(c['r'])} [95% CI {fmt(c['ci_low'])}, {fmt(c['ci_high'])}]"
