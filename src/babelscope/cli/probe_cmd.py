"""`babelscope probe KIND`: word- and layer-level probes (latent language, BLI, homographs,
word similarity). Each is an analysis of the study registry: this module parses options,
runs the one-probe study through the pipeline (every dictionary is checked before the model
loads; the run is stored like any other) and prints a table or JSON.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Callable, List, Optional

import typer
from rich.table import Table
from rich.text import Text

from .app import app, console, emit_json, split_list, state
from .progress import progress_callback

probe_app = typer.Typer(help="Probe inside the model: latent language, lexicon induction, homographs, word similarity.",
                        no_args_is_help=True)
app.add_typer(probe_app, name="probe")

_MODEL = typer.Option("default", "--model", "-m", help="default | hf:<hub id or folder>[@rev] | gguf:<path>")
_DICT = typer.Option(..., "--dictionary", "-d",
                     help="freedict:<dir> (finds <src>-<tgt> files) | a dictd .index | a two-column TSV of word pairs")
_WS = typer.Option(None, "--workspace", "-w", help="Results folder (default: $BABELSCOPE_WORKSPACE or ./babelscope_runs).")
_NO_STORE = typer.Option(False, "--no-store", help="Do not record the run in the results store.")
_JSON = typer.Option(False, "--json", help="Print JSON to stdout.")
_DEVICE = typer.Option(None, "--device", help="cpu, cuda, cuda:1 ... (default: cuda if available)")
_DTYPE = typer.Option(None, "--dtype", help="float32, bfloat16, float16")
_BATCH = typer.Option(16, "--batch-size", help="Prompts or words per forward pass.")


def _run(probe: str, model: str, dictionary: str, options: dict[str, Any], batch_size: int, device: str | None,
         dtype: str | None, workspace: Path | None, no_store: bool, json_out: bool,
         printer: Callable[[Any], None]) -> None:
    from ..presets import probe_study

    t0 = time.perf_counter()
    with progress_callback() as cb:
        res = probe_study(kind=probe, model=model, options={"dictionary": dictionary, **options},
                          batch_size=batch_size, device=device, dtype=dtype, workspace=workspace,
                          store=not no_store, progress=cb)
    out = res.outcomes[0].output
    run_id = None if no_store else res.run_id
    seconds = time.perf_counter() - t0
    if json_out:
        emit_json({"run_id": run_id, "probe": probe, "model": model, "seconds": round(seconds, 2),
                   "config": {"probe": probe, "model": model, "dictionary": dictionary, **options},
                   "signature": res.signature, "summary": out.artifacts, "rows": [r.to_dict() for r in out.rows]})
        return
    printer(out)
    if not state["quiet"]:
        console.print(f"{probe} in {seconds:.0f} s" + (f"; run {run_id}" if run_id else ""))


@probe_app.command("latent-language")
def latent_language_command(
    model: str = _MODEL,
    dictionary: str = _DICT,
    source: str = typer.Option("fr", "--source", "-s", help="Language of the words in the prompts."),
    targets: Optional[List[str]] = typer.Option(None, "--targets", "-t", help="Comma list of target languages."),
    prompts: int = typer.Option(100, "--prompts", "-n", help="Prompts per target language."),
    shots: int = typer.Option(4, "--shots", help="Demonstration pairs in each prompt."),
    batch_size: int = _BATCH, device: Optional[str] = _DEVICE, dtype: Optional[str] = _DTYPE,
    workspace: Optional[Path] = _WS, no_store: bool = _NO_STORE, json_out: bool = _JSON,
) -> None:
    """Logit lens over layers: P(target word) vs P(English word) at the last position, per layer."""
    from ..languages import Language, parse_languages

    tgts = parse_languages(split_list(targets))
    _run("latent-language", model, dictionary,
         {"source": Language.parse(source).tag, "targets": [t.tag for t in tgts], "prompts": prompts, "shots": shots},
         batch_size, device, dtype, workspace, no_store, json_out, _print_lens)


@probe_app.command("bli")
def bli_command(
    model: str = _MODEL,
    dictionary: str = _DICT,
    pairs: Optional[List[str]] = typer.Option(None, "--pairs", "-p", help="Comma list of pairs, e.g. en-de,en-sw."),
    test: int = typer.Option(500, "--test", help="Test words per pair (held out from the seed split)."),
    seed_size: int = typer.Option(2000, "--seed-size", help="Seed words per pair for the Procrustes map."),
    vectors: Optional[List[str]] = typer.Option(None, "--vectors", help="static,contextual (default: both)."),
    layer: Optional[int] = typer.Option(None, "--layer", help="Layer of contextual vectors (default: the middle one)."),
    max_senses: int = typer.Option(3, "--max-senses", help="Drop source words with more translations (ambiguous)."),
    batch_size: int = _BATCH, device: Optional[str] = _DEVICE, dtype: Optional[str] = _DTYPE,
    workspace: Optional[Path] = _WS, no_store: bool = _NO_STORE, json_out: bool = _JSON,
) -> None:
    """Bilingual lexicon induction: P@1/5/10 by NN and CSLS, without and with Procrustes."""
    from ..probes.bli import VECTORS

    _run("bli", model, dictionary,
         {"pairs": split_list(pairs), "test": test, "seed_size": seed_size,
          "vectors": split_list(vectors) or list(VECTORS), "layer": layer, "max_senses": max_senses},
         batch_size, device, dtype, workspace, no_store, json_out, _print_bli)


@probe_app.command("homographs")
def homographs_command(
    model: str = _MODEL,
    dictionary: str = _DICT,
    pairs: Optional[List[str]] = typer.Option(None, "--pairs", "-p", help="Comma list of en-X pairs, e.g. en-de,en-fr."),
    items: int = typer.Option(100, "--items", help="Items per class and pair (most frequent words first)."),
    generate: bool = typer.Option(True, "--generate/--no-generate", help="Also score the generative formulation."),
    cognate_max: float = typer.Option(0.25, "--cognate-max", help="Normalised edit distance at most this: cognate."),
    noncognate_min: float = typer.Option(0.5, "--noncognate-min", help="Normalised edit distance at least this: non-cognate."),
    batch_size: int = _BATCH, device: Optional[str] = _DEVICE, dtype: Optional[str] = _DTYPE,
    workspace: Optional[Path] = _WS, no_store: bool = _NO_STORE, json_out: bool = _JSON,
) -> None:
    """Cognates vs interlingual homographs vs non-cognates: accuracy per class against chance."""
    _run("homographs", model, dictionary,
         {"pairs": split_list(pairs), "items": items, "generate": generate, "cognate_max": cognate_max,
          "noncognate_min": noncognate_min},
         batch_size, device, dtype, workspace, no_store, json_out, _print_homographs)


@probe_app.command("word-similarity")
def word_similarity_command(
    model: str = _MODEL,
    dictionary: str = _DICT,
    pairs: Optional[List[str]] = typer.Option(None, "--pairs", "-p", help="Comma list of pairs, e.g. en-de,en-sw."),
    n_pairs: int = typer.Option(200, "--n-pairs", help="Translation pairs per language pair."),
    pooling: str = typer.Option("mean", "--pooling", help="mean | weighted_mean | last (MEXA's poolings)."),
    batch_size: int = _BATCH, device: Optional[str] = _DEVICE, dtype: Optional[str] = _DTYPE,
    workspace: Optional[Path] = _WS, no_store: bool = _NO_STORE, json_out: bool = _JSON,
) -> None:
    """Cosine of translation pairs against random pairs, per layer (MEXA's twin for words)."""
    _run("word-similarity", model, dictionary, {"pairs": split_list(pairs), "n_pairs": n_pairs, "pooling": pooling},
         batch_size, device, dtype, workspace, no_store, json_out, _print_similarity)


# -- tables ----------------------------------------------------------------------------------------

def _f(v: Any, digits: int = 3) -> str:
    return "n/a" if v is None else f"{v:.{digits}f}"


def _print_lens(out: Any) -> None:
    table = Table("pair", "prompts", "crossover layer", "English peak layer", "P(target) last layer",
                  title="Latent language (logit lens)")
    for art in out.artifacts.values():
        table.add_row(Text(f"{art['source']}->{art['target']}"), str(art["n"]),
                      str(art["crossover_layer"]) if art["crossover_layer"] is not None else "never",
                      str(art["english_peak_layer"]), _f(art["p_target"]["mean"][-1]))
    console.print(table)


def _print_bli(out: Any) -> None:
    table = Table("pair", "vectors", "retrieval", "alignment", "P@1", "P@5", "P@10", title="Bilingual lexicon induction")
    for art in out.artifacts.values():
        for r in art["results"]:
            table.add_row(Text(f"{art['source']}-{art['target']}"), r["vectors"], r["retrieval"], r["alignment"],
                          _f(r.get("p@1")), _f(r.get("p@5")), _f(r.get("p@10")))
    console.print(table)
    for art in out.artifacts.values():
        console.print(Text(f"{art['source']}-{art['target']} counts: " +
                           ", ".join(f"{k} {v}" for k, v in art["counts"].items())))


def _print_homographs(out: Any) -> None:
    table = Table("pair", "class", "n", "accuracy [95% CI]", "random", "generative", title="Homographs (derived word sets)")
    for art in out.artifacts.values():
        for c, m in art["summary"].items():
            a = m["accuracy"]
            g = m.get("generative_accuracy")
            table.add_row(Text(f"{art['source']}-{art['target']}"), c, str(a["n"]),
                          f"{_f(a['value'])} [{_f(a['ci_low'])}, {_f(a['ci_high'])}]", _f(a["random_baseline"], 2),
                          _f(g["value"]) if g else "-")
    console.print(table)


def _print_similarity(out: Any) -> None:
    table = Table("pair", "pairs", "best layer", "gap at best", "translation cos", "random cos",
                  title="Word similarity (translation vs random pairs)")
    for art in out.artifacts.values():
        b = max(range(len(art["gap"])), key=lambda i: art["gap"][i])
        table.add_row(Text(f"{art['source']}-{art['target']}"), str(art["n"]), str(b), _f(art["gap"][b]),
                      _f(art["translation"][b]), _f(art["random"][b]))
    console.print(table)
