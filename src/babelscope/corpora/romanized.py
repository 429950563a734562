"""The script condition for parallel-text analyses: the same corpus, romanised with uroman.

Tokenizer premium and bits per parallel segment measured on the native script and on this
romanised copy of the same segments tell how much of a language's gap its script explains
(see :func:`babelscope.transfer.script_effect.gap_share`). Latin-script languages are kept
as they are (uroman would only strip their diacritics, which is not a change of script).
"""

from __future__ import annotations

from dataclasses import replace

from .base import ParallelCorpus


def romanize_corpus(corpus: ParallelCorpus) -> ParallelCorpus:
    """A copy of ``corpus`` with every non-Latin-script language's segments romanised."""
    from ..romanize import romanize

    texts = {}
    for code, segs in corpus.texts.items():
        lang = corpus.languages[code]
        if lang.script == "Latn":
            texts[code] = dict(segs)
        else:
            texts[code] = {sid: romanize(t, lang.iso639_3) for sid, t in segs.items()}
    return replace(corpus, name=f"{corpus.name}|script=latin", texts=texts,
                   meta={**corpus.meta, "script": "latin", "romanizer": "uroman"})
