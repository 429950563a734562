"""The script condition: the same items, romanised with uroman.

Whether a language's gap is its script (tokenizer pieces, unfamiliar characters) or the
language itself is answered by showing the model the same items written in Latin letters.
uroman (Hermjakob et al. 2018) romanises any script with one universal table, which is what
makes "the same items, romanised" comparable across languages.
"""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache
from typing import Any, Sequence

from .errors import ConfigError


@lru_cache(maxsize=1)
def _uroman() -> Any:
    try:
        import uroman
    except ImportError:
        raise ConfigError(
            "script=latin needs uroman: pip install 'babelscope[transfer]' (or pip install uroman)"
        ) from None
    return uroman.Uroman()


@lru_cache(maxsize=65536)
def romanize(text: str, lang: str | None = None) -> str:
    """``text`` in Latin letters; uroman's language hint is the ISO 639-3 code."""
    if not text or text.isascii():
        return text
    return _uroman().romanize_string(text, lcode=lang) if lang else _uroman().romanize_string(text)


def romanize_items(items: Sequence[Any], lang: str | None = None) -> list[Any]:
    """Items with context, options, stop sequences and string targets romanised.

    Stop sequences keep their native form too: a model may still write the original script.
    """
    out = []
    for it in items:
        stop = tuple(dict.fromkeys([*it.stop, *(romanize(s, lang) for s in it.stop)]))
        target = romanize(it.target, lang) if isinstance(it.target, str) else it.target
        out.append(replace(
            it, context=romanize(it.context, lang),
            continuations=tuple(romanize(c, lang) for c in it.continuations),
            choice_texts=tuple(romanize(c, lang) for c in it.choice_texts),
            stop=stop, target=target, meta={**it.meta, "script": "latin"},
        ))
    return out
