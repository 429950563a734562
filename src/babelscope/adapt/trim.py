"""Vocabulary trimming, end to end: mine, slice, save atomically, verify, report.

The trimmed folder is written beside ``out`` under a temporary name and renamed into place
only when it is complete and has been checked, so an interrupted or failed run never leaves a
half-written model where a user would load it. The folder records what was kept and why
(``babelscope_trim.json``), including the original id of every kept token.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch

from ..version import __version__
from ..errors import ConfigError, ModelError
from ..languages import Language, parse_languages
from . import mining, model_surgery, tokenizer_surgery, verify
from .sources import load_target_text

RECORD_FILE = "babelscope_trim.json"
WEIGHT_SUFFIXES = (".safetensors", ".bin", ".pt", ".gguf")


def resolve_model_path(spec: str) -> Path:
    """``default``, ``hf:<folder>`` or a plain folder: the local HF folder to trim."""
    spec = spec.strip()
    if spec == "default":
        from ..models.default import default_model_path

        path = Path(default_model_path())
        return path if path.is_dir() else path.parent
    spec = spec.removeprefix("hf:")
    path = Path(spec).expanduser()
    if not path.is_dir():
        raise ModelError(f"--model {spec!r}: trimming needs a local Hugging Face model folder "
                         "(hf:<folder>, a folder path, or `default`)")
    return path


def trim(model: str, languages: str | Sequence[str | Language], corpus: str, out: str | Path, *,
         min_frequency: float = 2, top_n: int | None = None, keep: Sequence[str] = (),
         heldout: str | None = None, corpus_words: int | None = None, overwrite: bool = False,
         check_texts: int = 4, prompts: int = 3, new_tokens: int = 16, threads: int | None = None,
         log: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Trim ``model`` to the vocabulary of ``languages`` in ``corpus``; save to ``out``; verify.

    Returns the report (also saved in the folder): sizes before/after, kept ids by reason,
    coverage per language and the results of the checks.
    """
    if threads is not None and threads < 1:
        raise ConfigError(f"--threads must be at least 1, got {threads}")
    before = torch.get_num_threads()
    if threads is None and _oversubscribed():
        threads = 1
    if threads is not None:
        torch.set_num_threads(threads)
    try:
        return _trim(model, languages, corpus, out, min_frequency=min_frequency, top_n=top_n, keep=keep,
                     heldout=heldout, corpus_words=corpus_words, overwrite=overwrite,
                     check_texts=check_texts, prompts=prompts, new_tokens=new_tokens, log=log)
    finally:
        torch.set_num_threads(before)


def _trim(model: str, languages: str | Sequence[str | Language], corpus: str, out: str | Path, *,
          min_frequency: float, top_n: int | None, keep: Sequence[str], heldout: str | None,
          corpus_words: int | None, overwrite: bool, check_texts: int, prompts: int, new_tokens: int,
          log: Callable[[str], None] | None) -> dict[str, Any]:
    say = log or (lambda _msg: None)
    t0 = time.perf_counter()
    langs = parse_languages(languages) if isinstance(languages, str) else parse_languages(list(map(str, languages)))
    if not langs:
        raise ConfigError("--languages is empty")
    src = resolve_model_path(model)
    out = Path(out).expanduser()
    _check_out(out, src, overwrite)

    # Cheap user errors first: a language without text fails before any model loads.
    say(f"reading target text from {corpus}")
    target = load_target_text(corpus, langs, heldout=heldout, corpus_words=corpus_words)

    from transformers import AutoTokenizer

    say(f"loading {src}")
    orig_tok = AutoTokenizer.from_pretrained(str(src))
    loaded = model_surgery.load_model(src)
    m = loaded.model
    vocab_before = model_surgery.vocab_size_of(m)
    params_before = model_surgery.parameter_count(m)
    tj = tokenizer_surgery.tokenizer_json(orig_tok)
    tok_ids = tokenizer_surgery.all_token_ids(tj)
    if tok_ids and max(tok_ids.values()) >= vocab_before:
        raise ModelError(f"tokenizer ids reach {max(tok_ids.values())} but the model has {vocab_before} "
                         "embedding rows; tokenizer and model do not belong together")

    t_load = time.perf_counter()

    backend = orig_tok.backend_tokenizer

    def encode_batch(texts: list[str]) -> list[list[int]]:
        # The Rust backend directly: the Python wrapper costs 3x on a million word forms.
        return [e.ids for e in backend.encode_batch(texts, add_special_tokens=False)]

    say("counting tokens")
    counts = mining.count_tokens(encode_batch, target.mining, vocab_before)
    held_counts = mining.count_tokens(
        encode_batch, {k: [(t, 1.0) for t in v] for k, v in target.heldout.items()}, vocab_before)
    always = tokenizer_surgery.always_keep(tj, orig_tok.all_special_ids)
    always["config"] = set(model_surgery.config_token_ids(m).values())
    always["requested"] = _resolve_keep(keep, tok_ids, vocab_before)
    kept = mining.select_ids(counts.total, min_frequency, top_n, always)
    closure = tokenizer_surgery.close_over_merges(tj, set(kept.ids.tolist()))
    kept = mining.add_ids(kept, "merge_closure", closure)
    mapping = kept.mapping()
    tj_new = tokenizer_surgery.prune(tj, mapping)
    t_mine = time.perf_counter()

    say(f"trimming {vocab_before} -> {len(kept)} tokens")
    model_surgery.trim_model(m, kept.ids.tolist(), mapping)
    params_after_mem = model_surgery.parameter_count(m)
    m.to(loaded.dtype)
    tmp = out.parent / f".{out.name}.tmp-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        tmp.mkdir(parents=True)
        m.save_pretrained(str(tmp))
        tokenizer_surgery.write_trimmed_tokenizer(orig_tok, tj_new, mapping, tmp)
        del m, loaded
        t_save = time.perf_counter()

        say("verifying the saved folder against the original")
        checks, params_after = _verify(src, tmp, orig_tok, kept.ids, mapping, target.heldout,
                                       check_texts, prompts, new_tokens)
        t_verify = time.perf_counter()
        report = _report(
            src, out, langs, corpus, target.sources, min_frequency, top_n, keep, vocab_before, kept,
            params_before, params_after, counts, held_counts, checks, tmp,
            {"load": t_load - t0, "mine": t_mine - t_load, "trim_and_save": t_save - t_mine,
             "verify": t_verify - t_save, "total": t_verify - t0},
        )
        if params_after != params_after_mem:
            raise ModelError(f"saved model has {params_after} parameters, expected {params_after_mem}")
        record = dict(report, kept_ids=kept.ids.tolist())
        (tmp / RECORD_FILE).write_text(json.dumps(record, ensure_ascii=False, indent=1, default=str),
                                       encoding="utf-8")
        if out.exists():
            shutil.rmtree(out)
        tmp.rename(out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    report["file_bytes_after"] = _weight_bytes(out)
    return report


def _oversubscribed() -> bool:
    """Is the machine already running more work than it has cores?

    Then torch's worker threads spin-wait on each other: on 2 busy cores one thread ran the
    checks 4x faster than two (measured on Gemma-3-270M), so one thread is used.
    """
    try:
        return os.getloadavg()[0] >= (os.cpu_count() or 1)
    except OSError:  # no load average on this platform
        return False


def _check_out(out: Path, src: Path, overwrite: bool) -> None:
    if out.resolve() == src.resolve():
        raise ConfigError(f"--out {out} is the model folder itself; choose another folder")
    if out.exists() and (not out.is_dir() or any(out.iterdir())) and not overwrite:
        raise ConfigError(f"--out {out} exists and is not empty; pass --overwrite to replace it")


def _resolve_keep(keep: Sequence[str], tok_ids: dict[str, int], vocab: int) -> set[int]:
    out: set[int] = set()
    for item in keep:
        if item in tok_ids:
            out.add(tok_ids[item])
        elif item.lstrip("-").isdigit() and 0 <= int(item) < vocab:
            out.add(int(item))
        else:
            raise ConfigError(f"--keep {item!r} is neither a token of this tokenizer nor an id below {vocab}")
    return out


def _verify(src: Path, trimmed: Path, orig_tok: Any, kept_ids: np.ndarray, mapping: dict[int, int],
            heldout: dict[str, list[str]], check_texts: int, prompts: int,
            new_tokens: int) -> tuple[dict[str, Any], int]:
    from transformers import AutoTokenizer

    new_tok = AutoTokenizer.from_pretrained(str(trimmed))
    orig = model_surgery.load_model(src).model
    new_loaded = model_surgery.load_model(trimmed)
    new = new_loaded.model
    kind = new_loaded.kind
    checks: dict[str, Any] = {"token_ids": {}, "logits": {}, "generation": {}}
    with torch.inference_mode():
        for lang, texts in heldout.items():
            checks["token_ids"][lang] = verify.check_token_ids(orig_tok, new_tok, kept_ids, texts)
            windows = verify.covered_windows(orig_tok, texts, kept_ids, max(check_texts, prompts))
            checks["logits"][lang] = verify.check_logits(orig, new, kind, kept_ids, mapping,
                                                         windows[:check_texts])
            checks["generation"][lang] = verify.check_generation(
                orig, new, kind, orig_tok, new_tok, kept_ids, mapping, windows[:prompts], new_tokens=new_tokens)
    for name in ("token_ids", "logits", "generation"):
        checks[name]["passed"] = all(v["passed"] for k, v in checks[name].items() if isinstance(v, dict))
    return checks, model_surgery.parameter_count(new)


def _report(src: Path, out: Path, langs: list[Language], corpus: str, sources: dict, min_frequency: float,
            top_n: int | None, keep: Sequence[str], vocab_before: int, kept: mining.KeptVocabulary,
            params_before: int, params_after: int, counts: mining.TokenCounts,
            held_counts: mining.TokenCounts, checks: dict,
            tmp: Path, seconds: dict[str, float]) -> dict[str, Any]:
    coverage: dict[str, Any] = {}
    for lang in langs:
        arr = counts.per_language[lang.tag]
        held = checks["token_ids"].get(lang.tag, {})
        coverage[lang.tag] = {
            "corpus_tokens": mining.coverage(arr, kept.ids),
            "heldout_tokens": mining.coverage(held_counts.per_language[lang.tag], kept.ids),
            "heldout_units_covered": (held["covered"] / held["units"]) if held.get("units") else None,
        }
    passed = all(checks[k]["passed"] for k in ("token_ids", "logits", "generation"))
    return {
        "babelscope_version": __version__,
        "model": str(src),
        "out": str(out),
        "languages": [lang.tag for lang in langs],
        "corpus": corpus,
        "sources": sources,
        "thresholds": {"min_frequency": min_frequency, "top_n": top_n, "keep": list(keep)},
        "vocab_before": vocab_before,
        "vocab_after": len(kept),
        "kept_by_reason": kept.reason_counts(),
        "params_before": params_before,
        "params_after": params_after,
        "params_ratio": params_after / params_before,
        "file_bytes_before": _weight_bytes(src),
        "file_bytes_after": _weight_bytes(tmp),
        "oov": _oov_handling(kept.reasons),
        "coverage": coverage,
        "checks": checks,
        "passed": passed,
        "seconds": {k: round(v, 2) for k, v in seconds.items()},
        "torch_threads": torch.get_num_threads(),
    }


def _oov_handling(reasons: dict[str, set[int]]) -> str:
    """How text outside the kept vocabulary still encodes: byte tokens, the byte alphabet, or UNK."""
    if reasons.get("byte_fallback"):
        return "byte_fallback"
    if reasons.get("byte_level_alphabet"):
        return "byte_level"
    return "unk" if reasons.get("unknown") else "none"


def _weight_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in Path(folder).iterdir() if p.name.endswith(WEIGHT_SUFFIXES))
