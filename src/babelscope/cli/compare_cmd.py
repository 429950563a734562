"""`babelscope compare RUN_A RUN_B`: per-language paired bootstrap between two eval runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

import typer

from .app import app, console, emit_json, state

def compare_runs(items_a: list[dict[str, Any]], items_b: list[dict[str, Any]], metric: str | None = None,
                 n_boot: int = 1000) -> list[dict[str, Any]]:
    """See :func:`babelscope.compare.compare_items` (kept here for v0.1 callers)."""
    from ..compare import compare_items

    return compare_items(items_a, items_b, metric, n_boot)


@app.command("compare")
def compare_command(
    run_a: str = typer.Argument(..., help="Run id, unique prefix or 'latest'."),
    run_b: str = typer.Argument(..., help="Run id, unique prefix or 'latest'."),
    metric: Optional[str] = typer.Option(None, "--metric", help="Per-item score to compare (default: acc / exact_match / chrf)."),
    workspace: Optional[Path] = typer.Option(None, "--workspace", "-w"),
    n_boot: int = typer.Option(1000, "--bootstrap", min=1),
    json_out: bool = typer.Option(False, "--json"),
) -> None:
    """Is run B better or worse than run A, per language? (paired bootstrap over shared items)"""
    from ..runs import compare_runs as compare_stored

    result = compare_stored(run_a, run_b, metric, n_boot, workspace)
    rows = result["rows"]
    if json_out:
        emit_json(result)
        return
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=f"B ({escape(result['run_b'])}) minus A ({escape(result['run_a'])})")
    for col in ("task", "language", "metric", "A", "B", "B-A", "95% CI", "p", "n"):
        table.add_column(col)
    for r in rows:
        table.add_row(escape(r["task"]), escape(r["language"]), escape(r["metric"]), f"{r['a']:.3f}",
                      f"{r['b']:.3f}", f"{r['delta']:+.3f}", f"{r['ci_low']:+.3f}..{r['ci_high']:+.3f}",
                      f"{r['p_value']:.3f}", str(r["n"]))
    console.print(table)
    if not state["quiet"] and any(r["only_a"] or r["only_b"] for r in rows):
        console.print("note: some items were scored in only one run and are left out of the pairing")
