"""Word-list rules the probes share: which dictionary words are usable, and in what order.

Dictionaries list rare words, phrases and abbreviations next to common words. Every probe
takes words in order of frequency in their language (wordfreq's Zipf values, where wordfreq
knows the language; dictionary order otherwise, which is alphabetical for dictd files), so the
first N pairs are the common words a model has seen, and results with a small N are stable.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from typing import Iterable, Sequence

from ..errors import ConfigError
from ..languages import Language


def is_single_word(word: str) -> bool:
    """One word: letters (and combining marks) only, so no spaces, hyphens, apostrophes or digits.

    Hyphenated compounds are left out because frequency lists score them as their parts
    (wordfreq rates "one-year-long" like "one year long") and tokenizers split them anyway.
    """
    return bool(word) and all(c.isalpha() or unicodedata.category(c).startswith("M") for c in word)


@lru_cache(maxsize=64)
def _zipf_fn(lang: str):
    try:
        import wordfreq
    except ImportError:
        return None
    if lang not in wordfreq.available_languages():
        return None
    try:  # some languages need an optional tokenizer (Japanese: MeCab; Chinese: jieba)
        wordfreq.zipf_frequency("a", lang)
    except Exception:  # noqa: BLE001 - without it, dictionary order
        return None
    return lambda w: wordfreq.zipf_frequency(w, lang)


def frequency(word: str, language: Language) -> float:
    """wordfreq's Zipf frequency of ``word``, or 0.0 where wordfreq does not know the language."""
    fn = _zipf_fn(language.tag.split("-")[0])
    return float(fn(word)) if fn else 0.0


def by_frequency(words: Iterable[str], language: Language) -> list[str]:
    """Most frequent first; ties (and unknown languages) keep their input order."""
    ws = list(words)
    fn = _zipf_fn(language.tag.split("-")[0])
    if fn is None:
        return ws
    score = {w: fn(w) for w in ws}
    return sorted(ws, key=lambda w: -score[w])


def need_pairs(have: int, want: int, what: str, pair: str, counts: dict[str, int] | None = None) -> None:
    """Fail (exit 2) when a pair has fewer usable entries than a probe needs."""
    if have < want:
        detail = "; ".join(f"{k}: {v}" for k, v in (counts or {}).items())
        raise ConfigError(f"{what} {pair}: only {have} usable pairs, need at least {want}"
                          + (f" (dropped by the rules: {detail})" if detail else ""))


def parse_pairs(values: Sequence[str]) -> list[tuple[Language, Language]]:
    """"en-de,en-sw" -> [(en, de), (en, sw)]; a value without exactly one dash is an error."""
    out = []
    for v in values:
        parts = v.split("-")
        if len(parts) != 2 or not all(parts):
            raise ConfigError(f"--pairs: {v!r} is not a language pair like en-de")
        a, b = Language.parse(parts[0]), Language.parse(parts[1])
        if a == b:
            raise ConfigError(f"--pairs: {v!r} pairs a language with itself")
        out.append((a, b))
    if not out:
        raise ConfigError("--pairs: give at least one language pair like en-de")
    return out
