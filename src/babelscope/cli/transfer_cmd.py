"""`babelscope transfer`: which source languages can help a target, and does typology predict transfer."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from .app import app, console, emit_json, split_list, state



@app.command("transfer")
def transfer_command(
    target: Optional[str] = typer.Argument(None, help="Target language (tag, ISO 639-3 code or name)."),
    candidates: Optional[List[str]] = typer.Option(None, "--candidates", "-c", help="Source languages (comma list), or a named set: default | results. Default: languages with results in the store, else the default run's."),
    fit: Optional[str] = typer.Option(None, "--fit", help="Fit distances to a stored run's measured transfer matrix (run id, prefix or 'latest')."),
    tokenizer: str = typer.Option("gemma3", "--tokenizer", help="Tokenizer for lexical overlap (the embedded model's by default); 'none' to skip."),
    corpus: str = typer.Option("udhr", "--corpus", help="Parallel corpus for lexical overlap."),
    served_from: Optional[str] = typer.Option(None, "--served-from", help="Weight candidates by how well the model serves them in this stored run."),
    served_metric: str = typer.Option("acc", "--served-metric", help="Metric read with --served-from (acc, alignment, bits_per_byte, ...)."),
    served_weight: float = typer.Option(0.5, "--served-weight", min=0.0, max=1.0),
    metric: str = typer.Option("acc", "--metric", help="With --fit: the matrix metric."),
    task: Optional[str] = typer.Option(None, "--task", help="With --fit: only this task's matrix."),
    n_boot: int = typer.Option(1000, "--bootstrap", min=0, help="Bootstrap resamples for the fit's CIs."),
    workspace: Optional[Path] = typer.Option(None, "--workspace", "-w"),
    json_out: bool = typer.Option(False, "--json", help="Print JSON to stdout."),
) -> None:
    """Rank source languages for TARGET by URIEL distances, script and lexical overlap; or --fit RUN."""
    from ..advice import check_transfer_args, fit_transfer, plan_transfer

    check_transfer_args(target, fit)
    if fit is not None:
        out = fit_transfer(fit, metric=metric, task=task, n_boot=n_boot, workspace=workspace)
        if json_out:
            emit_json(out)
        elif not state["quiet"]:
            _print_fit(out)
        return
    assert target is not None
    plan = plan_transfer(target, split_list(candidates), tokenizer=tokenizer, corpus=corpus,
                         served_from=served_from, served_metric=served_metric, served_weight=served_weight,
                         workspace=workspace)
    if json_out:
        emit_json(plan.to_dict())
    elif not state["quiet"]:
        _print_plan(plan)


def _print_plan(plan) -> None:
    from rich.table import Table
    from rich.text import Text

    from ..transfer.uriel import DISTANCES

    t = plan.target
    table = Table(title=Text(f"transfer sources for {t.tag} ({t.name})"),
                  caption="syn/pho/inv/gen/geo/fea: URIEL distances (0 = same); lex: shared subwords; "
                          "imputed: kinds with no measured features (kNN guesses)")
    for col in ("#", "language", "score", "syn", "pho", "inv", "gen", "geo", "fea", "script", "lex", "notes"):
        table.add_column(col)

    def f(x):
        return "" if x is None else f"{x:.2f}"

    for c in [*plan.ranked, *plan.unranked]:
        imputed = [k[:3] for k, n in c.measured.items() if n == 0]
        notes = ("imputed: " + ",".join(imputed)) if c.rank and imputed else "; ".join(c.flags)
        table.add_row(str(c.rank or "-"), Text(c.language.tag), f(c.score),
                      *[f(c.distances.get(k)) for k in DISTANCES], "=" if c.script_match else "≠",
                      f(c.lexical_overlap), Text(notes))
    console.print(table)


def _print_fit(out) -> None:
    from rich.table import Table
    from rich.text import Text

    def f(x):
        return "" if x is None else f"{x:+.3f}"

    for fit in out["fits"]:
        table = Table(title=Text(f"run {out['run_id']} {fit['task']} {fit['metric']} [{fit['condition']}]: "
                                 f"{fit['n_cells']} cells"))
        for col in ("predictor", "spearman", "95% CI", "n"):
            table.add_column(col)
        for k, v in fit["distances"].items():
            table.add_row(k, f(v["spearman"]), f"{f(v['ci_low'])} .. {f(v['ci_high'])}", str(v["n"]))
        c = fit["combined"]
        table.add_row("combined (LOTO)", f(c["spearman"]), f"{f(c['ci_low'])} .. {f(c['ci_high'])}", str(c["n"]))
        console.print(table)
    console.print(Text(out["reading"]))
