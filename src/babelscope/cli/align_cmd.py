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
    from ..analyses.alignment import POOLINGS, PRECISIONS, check_hidden_states, compute_alignment, select_segments
    from ..analyses.calibration import calibrate, check_overlap, load_measured
    from ..corpora import open_corpus
    from ..errors import ConfigError
    from ..languages import Language, parse_languages
    from ..models import load_model

    t0 = time.perf_counter()
    if pooling not in POOLINGS:
        raise ConfigError(f"--pooling: unknown pooling {pooling!r}; use one of {', '.join(POOLINGS)}")
    if precision not in PRECISIONS:
        raise ConfigError(f"--precision: unknown precision {precision!r}; use one of {', '.join(PRECISIONS)}")
    if aggregate not in ("mean", "max"):
        raise ConfigError(f"--against-aggregate must be mean or max, got {aggregate!r}")
    langs = parse_languages(split_list(languages) or list(DEFAULT_LANGUAGES))
    piv = Language.parse(pivot)
    measured = source = None
    if against:  # read it before the slow part, so a bad CSV fails at once
        measured, source = load_measured(against, workspace)
        check_overlap([x for x in langs if x != piv], measured, source)
    opened = open_corpus(corpus, [piv, *[x for x in langs if x != piv]], split=split)
    select_segments(opened, langs, piv, sentences)  # bad languages / ids fail before the model loads
    loaded = load_model(model, device=device, dtype=dtype, batch_size=batch_size)
    check_hidden_states(loaded, pooling, precision)
    with progress_callback() as cb:
        engine = _engine(loaded, workspace, no_store, batch_size, cb)
        result = compute_alignment(engine, opened, langs, piv, sentences, pooling, precision)
    cal = None
    if measured is not None:
        cal = calibrate(result.aggregate(aggregate), measured, source=source or against or "",
                        aggregate=aggregate, intercept=not no_intercept)
    run_id = None if no_store else _store(workspace, loaded, opened, result, cal, {
        "model": model, "corpus": corpus, "split": split, "languages": [x.tag for x in langs],
        "pivot": piv.tag, "sentences": sentences, "pooling": pooling, "precision": precision, "against": against,
    })
    seconds = time.perf_counter() - t0
    if json_out:
        out: dict[str, Any] = {"run_id": run_id, "model": model, "seconds": round(seconds, 2), **result.to_json()}
        if cal is not None:
            out["calibration"] = cal.to_dict()
        emit_json(out)
        return
    _print_table(result)
    if cal is not None:
        _print_calibration(cal)
    if not state["quiet"]:
        console.print(f"{result.n} sentences x {len(result.languages)} languages x {result.n_layers} layers "
                      f"in {seconds:.0f} s" + (f"; run {run_id}" if run_id else ""))


def _engine(model: Any, workspace: Path | None, no_store: bool, batch_size: int, progress: Any) -> Any:
    """The Engine (dedup, progress, and a request cache in the workspace so a rerun, e.g. with
    another --against, costs no forward passes); without a store, no cache either."""
    from ..engine.executor import Engine
    from ..workspace import workspace_dir

    cache = None if no_store else workspace_dir(workspace) / "request_cache.sqlite"
    if cache is not None:
        cache.parent.mkdir(parents=True, exist_ok=True)
    # Chunks of several model batches: the model sorts and pads within each chunk.
    return Engine(model, cache=cache, batch_size=max(64, 4 * batch_size), progress=progress)


def _store(workspace: Path | None, model: Any, corpus: Any, result: Any, cal: Any, config: dict) -> str:
    from ..config import signature
    from ..workspace import open_store

    sig = signature({
        "model": getattr(model, "signature", getattr(model, "name", "?")),
        "corpus": f"{corpus.name}@{corpus.version}", "pivot": result.pivot.tag,
        "n": result.n, "pooling": result.pooling,
    })
    store = open_store(workspace)
    try:
        run_id = store.start_run("align", sig, config)
        out = result.to_output()
        if cal is not None:
            out.extend(cal.to_output())
        store.add_results(run_id, out.rows, out.items, out.artifacts)
        store.finish_run(run_id)
    finally:
        store.close()
    return run_id


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
