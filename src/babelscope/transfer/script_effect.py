"""How much of a language's gap its script explains.

For a measure where the pivot is the reference (premium 1.0, the pivot's bits per byte, the
pivot's accuracy) the gap is ``native - pivot``; romanising the language's text moves the
measure to ``latin``. The share of the gap the script explains is
``(native - latin) / (native - pivot)``: 1 when romanising closes the gap, 0 when it changes
nothing, negative when romanised text does worse.
"""

from __future__ import annotations

from typing import Any, Sequence

from ..languages import Language


def gap_share(native: float, latin: float, pivot: float) -> float | None:
    """(native - latin) / (native - pivot); None when there is no gap to explain."""
    gap = native - pivot
    if abs(gap) < 1e-12:
        return None
    return (native - latin) / gap


def premium_script_effect(corpus: Any, languages: Sequence[Language], pivot: Language,
                          tokenizer: Any) -> dict[str, dict[str, float | None]]:
    """Per language: premium native, premium romanised, and the share of the premium gap explained."""
    from ..analyses.tokenization import run_tokenizers
    from ..corpora.romanized import romanize_corpus

    def premiums(c: Any) -> dict[str, float]:
        rows = run_tokenizers(c, list(languages), pivot, [tokenizer], bootstrap=0).rows
        return {r.language.tag: r.value for r in rows if r.metric == "premium" and r.value is not None}

    native, latin = premiums(corpus), premiums(romanize_corpus(corpus))
    out = {}
    for lang in languages:
        n, lt = native.get(lang.tag), latin.get(lang.tag)
        out[lang.tag] = {"native": n, "latin": lt,
                         "share_explained": None if n is None or lt is None else gap_share(n, lt, 1.0)}
    return out
