"""chrF++ (character n-gram F-score with word bigrams) via sacrebleu.

Per-sentence chrF++ gives the per-item scores; the corpus-level score (the number papers
report) is computed from summed n-gram statistics, which is not the mean of sentence scores.
Its bootstrap interval resamples sentences and recomputes the score from the resample's summed
statistics, as sacrebleu's own paired bootstrap does.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from .bootstrap import N_BOOT, SEED, BootstrapResult, bootstrap


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


def sentence_statistics(hypotheses: Sequence[str], references: Sequence[str]) -> np.ndarray:
    """(n, k) per-sentence n-gram statistics (sacrebleu's; k = 3 per character and word order)."""
    if len(hypotheses) != len(references):
        raise ValueError(f"{len(hypotheses)} hypotheses for {len(references)} references")
    stats = _metric()._extract_corpus_statistics(list(hypotheses), [list(references)])
    return np.asarray(stats, dtype=np.int64).reshape(len(hypotheses), -1)


def chrfpp_from_statistics(summed: Sequence[int]) -> float:
    """chrF++ from statistics summed over sentences (what ``corpus_chrfpp`` computes)."""
    return float(_metric()._compute_f_score([int(v) for v in summed]))


def corpus_statistic(resampled: np.ndarray) -> np.ndarray:
    """Corpus chrF++ of each resample of (n, k) sentence statistics."""
    metric = _metric()
    return np.array([metric._compute_f_score([int(v) for v in s.sum(axis=0)]) for s in resampled])


def corpus_chrfpp_ci(hypotheses: Sequence[str], references: Sequence[str], n_boot: int = N_BOOT,
                     alpha: float = 0.05, seed: int = SEED) -> BootstrapResult:
    """Corpus chrF++ and its percentile interval over resampled sentences."""
    return bootstrap(sentence_statistics(hypotheses, references), corpus_statistic, n_boot, alpha, seed)
