"""`babelscope model-info SPEC`: load a model and show what babelscope sees in it."""

from __future__ import annotations

from typing import Optional

import typer
from rich.markup import escape
from rich.table import Table

from ..models import load_model
from .app import app, console, emit_json


@app.command("model-info")
def model_info(
    spec: str = typer.Argument("default", help="default, hf:<hub id or folder>[@revision] or gguf:<file>."),
    device: Optional[str] = typer.Option(None, "--device", help="cpu, cuda, cuda:N (default: cuda if available)."),
    dtype: Optional[str] = typer.Option(None, "--dtype", help="float32, bfloat16, float16 (default: fp32 on CPU)."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON to stdout."),
) -> None:
    """Load a model and print its signature, size, tokenizer facts and capabilities."""
    info = load_model(spec, device=device, dtype=dtype).info()
    if json_out:
        emit_json(info)
        return
    table = Table("field", "value")
    for k, v in info.items():
        table.add_row(k, escape(", ".join(v) if isinstance(v, list) else f"{v:,}" if isinstance(v, int) and not isinstance(v, bool) else str(v)))
    console.print(table)
