"""Tokenizer premium: what the same content costs in tokens, language by language.

Petrov et al. (2023, "Language Model Tokenizers Introduce Unfairness Between Languages"):
premium(L) = tokens(text in L) / tokens(same text in the pivot), no special tokens; a
tokenizer/language cell is invalid when more than 10% of its characters become UNK (the
count is then meaningless). Arnett et al. (2024) showed that part of the gap is the script's
UTF-8 cost alone, so the byte premium (bytes(L) / bytes(pivot)) is reported beside it.

Counts are summed over the segments every requested language and the pivot share. With
``join=True`` each language's text is one string (FLORES: whole files, as Petrov et al.).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Sequence

import numpy as np

from ..corpora.base import ParallelCorpus
from ..errors import ConfigError
from ..languages import Language
from ..metrics.bootstrap import bootstrap as _bootstrap
from ..results import ResultRow
from .base import AnalysisOutput

NAME = "tokenizers"
UNK_LIMIT = 0.10  # Petrov et al.: cells with >10% of characters mapped to UNK are dropped

#: Scripts written without spaces between words: tokens per "word" means nothing there.
NO_SPACE_SCRIPTS = frozenset({
    "Hani", "Hans", "Hant", "Jpan", "Hira", "Kana", "Thai", "Laoo", "Khmr", "Mymr", "Tibt",
    "Java", "Bali", "Lana", "Tale", "Talu", "Yiii", "Brai",
})

BOOTSTRAP_SEED = 0  # the premium CIs' resampled segments (same for every tokenizer and language)

MAX_CHARS_PER_WORD = 25  # longer "words" mean the text is not space-separated

METRICS = ("tokens", "premium", "byte_premium", "chars_per_token", "bytes_per_token",
           "fertility", "unk_rate", "byte_fallback_rate")


@dataclass
class _Text:
    """One language's text as the tokenizers will see it, with its size in every unit."""

    code: str
    language: Language
    texts: list[str]
    chars: int
    bytes: int
    words: int


@dataclass
class _Cell:
    tokens: np.ndarray  # per text
    unk_tokens: int
    unk_chars: int
    byte_fallback: int | None


def run_tokenizers(corpus: ParallelCorpus, languages: Sequence[Language], pivot: Language,
                   tokenizers: Sequence[Any], join: bool = False,
                   progress: Callable[[str, int, int], None] | None = None,
                   bootstrap: int = 1000) -> AnalysisOutput:
    """Premium, byte premium, compression and UNK/byte-fallback rates per tokenizer x language.

    ``tokenizers`` are spec strings or tokenizer objects (anything with ``name`` and
    ``encode``; those from :mod:`babelscope.tokenizer_specs` also report UNK/byte fallback).
    The pivot always gets rows (premium 1.0) so tables show what the ratios divide by.
    """
    if not tokenizers:
        raise ConfigError("tokenizers: no tokenizer given")
    toks = [_as_tokenizer(t) for t in tokenizers]
    langs = [pivot] + [lang for lang in languages if lang != pivot]
    codes = [corpus.code_for(lang) for lang in langs]
    ids = corpus.shared_ids(codes)
    if not ids:
        raise ConfigError(f"tokenizers: {corpus.name} has no segment shared by {', '.join(codes)}")
    texts = [_text(corpus, code, lang, ids, join) for code, lang in zip(codes, langs)]

    out = AnalysisOutput()
    out.artifacts["tokenizers"] = {
        "corpus": corpus.name, "corpus_version": corpus.version, "segments": len(ids), "join": join,
        "pivot": pivot.tag,
        "tokenizers": {t.name: {"vocab_size": _vocab(t), "byte_level": bool(getattr(t, "byte_level", False)),
                                "byte_fallback": bool(getattr(t, "has_byte_fallback", False))} for t in toks},
    }
    total, done = len(toks) * len(texts), 0
    boot = bootstrap if bootstrap and not join and len(ids) > 1 else 0
    for tok in toks:
        cells: list[_Cell] = []
        for t in texts:
            cells.append(_count(tok, t.texts))
            done += 1
            if progress:
                progress("tokenizers", done, total)
        out.rows.extend(_rows(tok.name, texts, cells, boot))
    return out


def _rows(tok_name: str, texts: list[_Text], cells: list[_Cell], boot: int) -> list[ResultRow]:
    piv_t, piv_c = texts[0], cells[0]
    piv_tokens = int(piv_c.tokens.sum())
    piv_bad = _unk_share(piv_c, piv_t) > UNK_LIMIT
    rows: list[ResultRow] = []
    for t, c in zip(texts, cells):
        n_tok = int(c.tokens.sum())
        unk_share = _unk_share(c, t)
        flags: list[str] = []
        if unk_share > UNK_LIMIT:
            flags.append(f"{unk_share:.0%} of characters are UNK (>{UNK_LIMIT:.0%})")
        if piv_bad:
            flags.append(f"pivot {piv_t.code} has >{UNK_LIMIT:.0%} UNK characters")
        premium = n_tok / piv_tokens if piv_tokens and not flags else None
        lo = hi = None
        if premium is not None and boot:
            lo, hi = premium_ci(c.tokens, piv_c.tokens, boot)
        cis = {"premium": (lo, hi)}
        if boot and piv_t.bytes:  # byte premium: the same paired resampling over segment bytes
            cis["byte_premium"] = premium_ci(_segment_bytes(t), _segment_bytes(piv_t), boot)
        # Whitespace words only mean words where the script uses spaces, and where this text
        # does (the UDHR's Amharic separates words with "፡", not spaces).
        uses_spaces = (t.language.script not in NO_SPACE_SCRIPTS and t.words
                       and t.chars / t.words <= MAX_CHARS_PER_WORD)
        values: dict[str, tuple[float | None, dict[str, Any]]] = {
            "tokens": (float(n_tok), {}),
            "premium": (premium, {"flag": "; ".join(flags)} if flags else {}),
            "byte_premium": (t.bytes / piv_t.bytes if piv_t.bytes else None, {}),
            "chars_per_token": (t.chars / n_tok if n_tok else None, {}),
            "bytes_per_token": (t.bytes / n_tok if n_tok else None, {}),
            "fertility": (n_tok / t.words if uses_spaces and t.words else None, {}),
            "unk_rate": (c.unk_tokens / n_tok if n_tok else None, {"unk_char_rate": unk_share}),
            "byte_fallback_rate": (c.byte_fallback / n_tok if n_tok and c.byte_fallback is not None else None, {}),
        }
        for metric in METRICS:
            value, extra = values[metric]
            rows.append(ResultRow(
                name=NAME, metric=metric, language=t.language, value=value, variant=tok_name,
                corpus_code=t.code, n=len(t.texts) if len(t.texts) > 1 else None,
                ci_low=cis.get(metric, (None, None))[0], ci_high=cis.get(metric, (None, None))[1],
                extra=extra,
            ))
    return rows


def premium_ci(tokens: np.ndarray, pivot_tokens: np.ndarray, n_boot: int, seed: int = BOOTSTRAP_SEED,
               alpha: float = 0.05) -> tuple[float, float]:
    """Percentile interval of sum(tokens) / sum(pivot tokens) over resampled segments.

    Paired: one set of resampled segment indices serves the language and the pivot, so the
    interval reflects how the premium varies over content, not the two texts' independent noise.
    """
    stats = np.stack([np.asarray(tokens, dtype=np.float64), np.asarray(pivot_tokens, dtype=np.float64)], axis=1)
    r = _bootstrap(stats, _premium_statistic, n_boot=n_boot, alpha=alpha, seed=seed)
    return r.ci_low, r.ci_high


def _premium_statistic(resampled: np.ndarray) -> np.ndarray:
    # A resample whose pivot counts sum to 0 divides by 1 instead (only with empty pivot texts).
    return resampled[..., 0].sum(axis=1) / np.maximum(resampled[..., 1].sum(axis=1), 1)


def _segment_bytes(t: _Text) -> np.ndarray:
    return np.array([len(s.encode("utf-8")) for s in t.texts], dtype=np.float64)


def _unk_share(c: _Cell, t: _Text) -> float:
    return c.unk_chars / t.chars if t.chars else 0.0


def _text(corpus: ParallelCorpus, code: str, lang: Language, ids: list[str], join: bool) -> _Text:
    segs = [corpus.joined(code, ids)] if join else corpus.segments(code, ids)
    return _Text(
        code=code, language=lang, texts=segs,
        chars=sum(len(s) for s in segs),
        bytes=sum(len(s.encode("utf-8")) for s in segs),
        words=sum(len(s.split()) for s in segs),
    )


def _count(tok: Any, texts: list[str]) -> _Cell:
    if hasattr(tok, "count"):
        c = tok.count(texts)
        fallback = c.byte_fallback if getattr(tok, "has_byte_fallback", False) else None
        return _Cell(np.asarray(c.tokens, dtype=np.int64), c.unk_tokens, c.unk_chars, fallback)
    # A bare Tokenizer protocol object (e.g. a model's own): counts only.
    return _Cell(np.asarray([len(tok.encode(s)) for s in texts], dtype=np.int64), 0, 0, None)


def _as_tokenizer(t: Any) -> Any:
    if isinstance(t, str):
        from ..tokenizer_specs import load_tokenizer

        return load_tokenizer(t)
    if not hasattr(t, "encode") or not hasattr(t, "name"):
        raise ConfigError(f"tokenizers: {t!r} is neither a tokenizer spec nor a tokenizer")
    return t


def _vocab(t: Any) -> int | None:
    try:
        return int(t.vocab_size)
    except Exception:  # a protocol object may not know its size
        return None
