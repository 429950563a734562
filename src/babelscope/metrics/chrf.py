"""chrF++ (character n-gram F-score with word bigrams) via sacrebleu.

Per-sentence chrF++ gives the per-item scores the bootstrap needs; the corpus-level score (the
number papers report) is computed from summed statistics, which is not the mean of sentence
scores, so both are offered.
"""

from __future__ import annotations

from typing import Sequence


def _metric():
    try:
        from sacrebleu.metrics import CHRF
    except ImportError as e:  # pragma: no cover - sacrebleu is a dependency
        from ..errors import BabelscopeError

        raise BabelscopeError("chrF++ needs the 'sacrebleu' package (pip install sacrebleu)") from e
    return CHRF(word_order=2)


def sentence_chrfpp(hypothesis: str, reference: str) -> float:
    return float(_metric().sentence_score(hypothesis, [reference]).score)


def corpus_chrfpp(hypotheses: Sequence[str], references: Sequence[str]) -> float:
    return float(_metric().corpus_score(list(hypotheses), [list(references)]).score)
