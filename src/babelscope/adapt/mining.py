"""Mine the target vocabulary: which token ids does the target-language text actually use?

Counting is done on the model's own tokenizer over weighted texts (a running-text segment has
weight 1; a wordfreq word has its expected count), per language, so that the kept set is the
union over languages and coverage can be reported per language. Selection is separate from
counting because the thresholds are a user choice and the always-kept ids come from the
tokenizer, not from the corpus.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from ..errors import ConfigError, CorpusError


@dataclass
class TokenCounts:
    """Weighted token-id counts per language (arrays of length ``vocab_size``)."""

    vocab_size: int
    per_language: dict[str, np.ndarray] = field(default_factory=dict)
    texts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> np.ndarray:
        out = np.zeros(self.vocab_size, dtype=np.float64)
        for arr in self.per_language.values():
            out += arr
        return out


def count_tokens(encode_batch, texts_by_language: Mapping[str, Sequence[tuple[str, float]]],
                 vocab_size: int, batch_size: int = 4096) -> TokenCounts:
    """Count ids of ``(text, weight)`` pairs per language with ``encode_batch(list[str]) -> list[list[int]]``.

    Raises CorpusError naming a language whose texts are empty (nothing to mine from).
    """
    counts = TokenCounts(vocab_size)
    for lang, items in texts_by_language.items():
        arr = np.zeros(vocab_size, dtype=np.float64)
        items = [(t, w) for t, w in items if t and t.strip() and w > 0]
        if not items:
            raise CorpusError(f"the corpus has no text for language {lang}: nothing to mine a vocabulary from")
        for start in range(0, len(items), batch_size):
            chunk = items[start:start + batch_size]
            encoded = encode_batch([t for t, _ in chunk])
            lengths = np.fromiter((len(e) for e in encoded), dtype=np.int64, count=len(encoded))
            if lengths.sum() == 0:
                continue
            ids = np.fromiter((i for e in encoded for i in e), dtype=np.int64, count=int(lengths.sum()))
            if ids.max(initial=0) >= vocab_size:
                raise ConfigError(
                    f"the tokenizer produced id {int(ids.max())} but the model has only {vocab_size} "
                    "embedding rows; tokenizer and model do not belong together"
                )
            weights = np.repeat(np.array([w for _, w in chunk], dtype=np.float64), lengths)
            np.add.at(arr, ids, weights)
        counts.per_language[lang] = arr
        counts.texts[lang] = len(items)
    return counts


@dataclass
class KeptVocabulary:
    """The ids to keep, ascending, and why each group was kept (reason -> ids)."""

    ids: np.ndarray
    reasons: dict[str, set[int]]

    def __len__(self) -> int:
        return int(self.ids.size)

    def reason_counts(self) -> dict[str, int]:
        return {k: len(v) for k, v in self.reasons.items()}

    def mapping(self) -> dict[int, int]:
        """Old id -> new id: the kept ids keep their relative order."""
        return {int(old): new for new, old in enumerate(self.ids.tolist())}


def select_ids(counts: np.ndarray, min_frequency: float = 2, top_n: int | None = None,
               always: Mapping[str, Iterable[int]] | None = None) -> KeptVocabulary:
    """Ids with count >= ``min_frequency`` (the ``top_n`` most frequent of them if given), plus ``always``."""
    if min_frequency <= 0:
        raise ConfigError(f"--min-frequency must be positive, got {min_frequency}")
    if top_n is not None and top_n <= 0:
        raise ConfigError(f"--top-n must be positive, got {top_n}")
    frequent = np.flatnonzero(counts >= min_frequency)
    if top_n is not None and frequent.size > top_n:
        # Stable order: higher count first, then lower id, so the choice is reproducible.
        order = np.lexsort((frequent, -counts[frequent]))
        frequent = frequent[order[:top_n]]
    reasons: dict[str, set[int]] = {"corpus": set(frequent.tolist())}
    for reason, ids in (always or {}).items():
        reasons.setdefault(reason, set()).update(int(i) for i in ids)
    keep = set().union(*reasons.values())
    return KeptVocabulary(np.array(sorted(keep), dtype=np.int64), reasons)


def add_ids(kept: KeptVocabulary, reason: str, ids: Iterable[int]) -> KeptVocabulary:
    """``kept`` with ``ids`` added under ``reason`` (used for ids the tokenizer surgery needs)."""
    reasons = {k: set(v) for k, v in kept.reasons.items()}
    new = {int(i) for i in ids} - set(kept.ids.tolist())
    reasons.setdefault(reason, set()).update(new)
    keep = set(kept.ids.tolist()) | new
    return KeptVocabulary(np.array(sorted(keep), dtype=np.int64), reasons)


def coverage(counts: np.ndarray, kept_ids: np.ndarray) -> float | None:
    """Share of counted tokens whose id is kept (None when nothing was counted)."""
    total = float(counts.sum())
    if total <= 0:
        return None
    return float(counts[kept_ids].sum()) / total
