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
    spec: str = typer.Argument("default", help=(
        "default (HF fp32 folder of the embedded Gemma-3-270M) | default-gguf (the same model's Q4_K_M GGUF "
        "through llama.cpp) | hf:<hub id or folder>, optionally @<revision> | gguf:<file> (llama.cpp) | gguf-hf:<file> "
        "(dequantised into transformers) | api:<base_url>#<model> (OpenAI-compatible /completions, like "
        "lm-eval's local-completions) | chat:<base_url>#<model> (/chat/completions, generation only). "
        "Endpoint options after the model: ?concurrency=8&timeout=120&retries=6&backoff=0.5&key_env=VAR; "
        "the API key is read from $BABELSCOPE_API_KEY, else $OPENAI_API_KEY.")),
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
