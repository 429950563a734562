"""Lexical overlap of two languages measured on parallel text under one tokenizer.

URIEL says how alike two grammars are; it says nothing about whether a model's tokenizer cuts
the two languages into the same pieces, which is what in-context transfer can reuse. So this
is measured, not looked up: for every segment both languages have, the share of the target's
subword types that the source's version of the *same* segment also uses, pooled over
segments (sum of shared types / sum of target types). Same sentences keep topic and names
constant, so what is left is shared vocabulary and shared spelling.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from ..corpora.base import ParallelCorpus
from ..errors import CorpusError
from ..languages import Language


@dataclass(frozen=True)
class Overlap:
    """Pooled shared-subword share and how many segments it was measured on."""

    value: float
    segments: int


def shared_subword_share(target: Sequence[Sequence[int]], source: Sequence[Sequence[int]]) -> Overlap:
    """sum_i |types(t_i) & types(s_i)| / sum_i |types(t_i)| over aligned token-id lists."""
    if len(target) != len(source):
        raise ValueError("aligned segment lists differ in length")
    shared = total = 0
    for t, s in zip(target, source):
        ts = set(t)
        shared += len(ts & set(s))
        total += len(ts)
    return Overlap(shared / total if total else float("nan"), len(target))


def lexical_overlap(corpus: ParallelCorpus, target: Language, sources: Sequence[Language],
                    tokenizer, max_segments: int | None = 200) -> dict[Language, Overlap | None]:
    """Overlap of each source with ``target`` on the segments both have (None if one is absent)."""
    try:
        tcode = corpus.code_for(target)
    except CorpusError:
        return {s: None for s in sources}
    ttexts = corpus.texts[tcode]
    out: dict[Language, Overlap | None] = {}
    for src in sources:
        try:
            scode = corpus.code_for(src)
        except CorpusError:
            out[src] = None
            continue
        stexts = corpus.texts[scode]
        ids = [i for i in ttexts if i in stexts and ttexts[i].strip() and stexts[i].strip()]
        if max_segments is not None:
            ids = ids[:max_segments]
        if not ids:
            out[src] = None
            continue
        t_tok = tokenizer.encode_batch([ttexts[i] for i in ids])
        s_tok = tokenizer.encode_batch([stexts[i] for i in ids])
        out[src] = shared_subword_share(t_tok, s_tok)
    return out
