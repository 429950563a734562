"""`babelscope tokenizers`: tokenizer premium per language on a parallel corpus (no model)."""

from __future__ import annotations

from typing import Any, List, Optional

import typer
from rich import box
from rich.table import Table
from rich.text import Text

from .app import app, console, emit_json, split_list

FALLBACK_LANGUAGES = ["en", "de", "hi", "zh"]


def default_languages() -> list[str]:
    """The product's default list (babelscope.config), or a small fallback without it."""
    try:
        from ..config import DEFAULT_LANGUAGES
    except ImportError:
        return list(FALLBACK_LANGUAGES)
    return list(DEFAULT_LANGUAGES)


@app.command("tokenizers")
def tokenizers(
    corpus: str = typer.Option("udhr", "--corpus", "-c", help="udhr | flores200:<dir> | flores_plus | files:<dir>"),
    split: Optional[str] = typer.Option(None, "--split", help="FLORES split: dev, devtest, all (default devtest; all with --join)."),
    join: bool = typer.Option(False, "--join", help="Tokenise each language's text as ONE string (Petrov et al. 2023 counting)."),
    tokenizer: Optional[List[str]] = typer.Option(None, "--tokenizer", "-t", help="Tokenizer spec (repeatable); default: the standard set."),
    languages: Optional[str] = typer.Option(None, "--languages", "-l", help="Comma-separated languages (any spelling)."),
    pivot: str = typer.Option("en", "--pivot", help="Language the premium divides by."),
    json_out: bool = typer.Option(False, "--json", help="Print wide JSON rows to stdout."),
) -> None:
    """How many tokens each language needs for the same text (premium vs the pivot)."""
    from ..presets import tokenizers_study
    from ..results import widen
    from .progress import progress_callback

    if join and split is None:
        split = "all"  # Petrov et al. count dev + devtest
    with progress_callback() as cb:
        res = tokenizers_study(corpus=corpus, split=split, join=join, tokenizers=tokenizer or None,
                               languages=split_list([languages]) if languages else default_languages(),
                               pivot=pivot, progress=cb)
    outcome = res.outcome("tokenizers")
    assert outcome is not None and outcome.output is not None
    out = outcome.output
    corp_name = out.artifacts.get("tokenizers", {}).get("corpus", corpus)
    tidy = [r.to_dict() for r in out.rows]
    wide = widen(tidy, "tokenizer")
    premium = {(r["variant"], r["language"]): r for r in tidy if r["metric"] == "premium"}
    for w in wide:
        p = premium.get((w["tokenizer"], w["language"]), {})
        w["premium_ci_low"], w["premium_ci_high"] = p.get("ci_low"), p.get("ci_high")
        w["flag"] = p.get("flag", "")
        if w.get("tokens") is not None:
            w["tokens"] = int(w["tokens"])
    if json_out:
        emit_json(wide)
        return
    _print_table(wide, corp_name, out.artifacts.get("tokenizers", {}))


def _fmt(x: Any, digits: int = 2, pct: bool = False) -> str:
    if x is None:
        return "-"
    if pct:
        return f"{100 * x:.1f}%"
    if isinstance(x, (int, float)) and float(x).is_integer() and abs(x) >= 100:
        return f"{int(x):,}"
    return f"{x:.{digits}f}" if isinstance(x, float) else str(x)


def _print_table(wide: list[dict[str, Any]], corpus_name: str, info: dict[str, Any]) -> None:
    # Cells are Text objects, so corpus codes and tokenizer names are never read as markup.
    title = f"tokenizer premium on {corpus_name} ({info.get('segments', '?')} segments, pivot {info.get('pivot', '?')})"
    table = Table(title=Text(title), box=box.SIMPLE_HEAD, pad_edge=False)
    cells = [(
        str(w["tokenizer"]), str(w["language"]), str(w["corpus_code"]), _fmt(w.get("tokens")),
        _fmt(w.get("premium")) + ("*" if w.get("flag") else ""), _fmt(w.get("byte_premium")),
        _fmt(w.get("chars_per_token"), 1), _fmt(w.get("fertility")), _fmt(w.get("unk_rate"), pct=True),
        _fmt(w.get("byte_fallback_rate"), pct=True),
    ) for w in wide]
    heads = ("tokenizer", "language", "code", "tokens", "premium", "bytes", "chr/tok", "fert.", "UNK", "byte fb")
    widths = [max([len(col)] + [len(c[i]) for c in cells]) for i, col in enumerate(heads)]
    for i, col in enumerate(heads):
        table.add_column(col, justify="left" if i < 3 else "right", no_wrap=True, min_width=widths[i])
    for c in cells:
        table.add_row(*(Text(x) for x in c))
    # A table wider than the terminal is printed whole (lines wrap) rather than truncated.
    console.print(table, width=max(console.width, sum(widths) + 2 * len(widths)), crop=False)
    console.print(Text("premium = tokens / pivot tokens (Petrov et al. 2023); bytes = UTF-8 byte premium "
                       "(Arnett et al. 2024); fert. = tokens per whitespace word; - = not applicable"))
    for w in wide:
        if w.get("flag"):
            console.print(Text(f"* {w['tokenizer']} {w['language']}: premium invalid: {w['flag']}"))
