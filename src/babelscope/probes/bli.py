"""Bilingual lexicon induction (BLI): does the model place a word near its translation?

Word vectors come from the model (each word embedded once; models/hf_probes.py):
- ``static``: the mean input embedding of the word's tokens (the word with a leading space,
  as inside a sentence);
- ``contextual``: the mean hidden state of the word's tokens at a chosen layer (default: the
  middle one) in the fixed template ``The word "<word>"``.

Entries are filtered by these rules, each with its count reported:
- multi-word: a source word, or a translation, that is not a single word (words.py) is
  dropped (an entry left with no translation goes);
- out of vocabulary: a word the tokenizer cannot encode (no tokens, or the unknown token);
- ambiguous: a source word with more than ``max_senses`` (default 3) translations left;
- then source words are taken most frequent first, ``n_seed + n_test`` of them, shuffled with a
  fixed seed and split into a seed split (for Procrustes) and a held-out test split.

Retrieval searches the targets of all kept entries (seed and test). A test word is correct at
k if any of its dictionary translations is among the k best (MUSE's convention). Both
settings are reported: the raw spaces, and the source space rotated onto the target space by
orthogonal Procrustes fitted on the seed split (the spaces are first normalised, retrieval.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np

from ..analyses.base import AnalysisOutput
from ..errors import ConfigError
from ..languages import Language
from ..metrics.bootstrap import bootstrap_ci
from ..results import ResultRow
from .dictionary import open_dictionary
from .retrieval import normalize, precision_at, procrustes, top_k
from .words import by_frequency, is_single_word, need_pairs

NAME = "bli"
KS = (1, 5, 10)
VECTORS = ("static", "contextual")
RETRIEVALS = ("nn", "csls")
TEMPLATE = ('The word "', '"')
DEFAULT_TEST = 500
DEFAULT_SEED = 2000
MIN_TEST = 10


@dataclass
class BliSplit:
    """One pair's kept entries: seed and test source words with their translations."""

    source: Language
    target: Language
    seed: list[tuple[str, list[str]]]
    test: list[tuple[str, list[str]]]
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def target_words(self) -> list[str]:
        seen: dict[str, None] = {}
        for _, ts in self.seed + self.test:
            for t in ts:
                seen.setdefault(t, None)
        return list(seen)


def _oov(model: Any, words: Sequence[str]) -> set[str]:
    tok = model.tokenizer
    unk = getattr(getattr(tok, "hf", None), "unk_token_id", None)
    batch = getattr(tok, "encode_batch", None)
    ids = batch([" " + w for w in words]) if batch else [tok.encode(" " + w) for w in words]
    return {w for w, t in zip(words, ids) if not t or (unk is not None and unk in t)}


def build_split(model: Any, dictionary: str, source: Language | str, target: Language | str,
                n_seed: int = DEFAULT_SEED, n_test: int = DEFAULT_TEST, max_senses: int = 3,
                seed: int = 0) -> BliSplit:
    """Filter, order and split one pair's dictionary (rules in the module docstring)."""
    src, tgt = Language.parse(source), Language.parse(target)
    d = open_dictionary(dictionary, src, tgt)
    counts = {"dictionary entries": len(d), "multi-word": 0, "out of vocabulary": 0, "ambiguous": 0}
    entries: dict[str, list[str]] = {}
    for s, ts in d.entries.items():
        if not is_single_word(s):
            counts["multi-word"] += 1
            continue
        single = [t for t in ts if is_single_word(t)]
        if not single:
            counts["multi-word"] += 1
            continue
        entries[s] = single
    words = list(entries) + sorted({t for ts in entries.values() for t in ts})
    oov = _oov(model, words)
    for s in list(entries):
        kept = [t for t in entries[s] if t not in oov]
        if s in oov or not kept:
            counts["out of vocabulary"] += 1
            del entries[s]
        elif len(kept) > max_senses:
            counts["ambiguous"] += 1
            del entries[s]
        else:
            entries[s] = kept
    counts["usable"] = len(entries)
    need_pairs(len(entries), MIN_TEST + 2, "bli", f"{src.tag}-{tgt.tag}", counts)
    order = by_frequency(entries, src)[: n_seed + n_test]
    rng = np.random.default_rng(seed)
    order = [order[i] for i in rng.permutation(len(order))]
    n_t = min(n_test, max(MIN_TEST, len(order) // 4)) if len(order) < n_seed + n_test else n_test
    test = [(s, entries[s]) for s in order[:n_t]]
    seeds = [(s, entries[s]) for s in order[n_t:]]
    counts.update({"seed": len(seeds), "test": len(test)})
    return BliSplit(src, tgt, seeds, test, counts)


class WordVectors:
    """Embeds each distinct word once per kind of vector, and keeps it (a cache per run)."""

    def __init__(self, model: Any, layer: int | None = None):
        self.model = model
        self.layer = model.n_layers // 2 if layer is None else int(layer)
        if not 0 <= self.layer <= model.n_layers:
            raise ConfigError(f"--layer must be between 0 and {model.n_layers}, got {layer}")
        self._cache: dict[tuple[str, str], np.ndarray] = {}

    def get(self, kind: str, words: Sequence[str]) -> np.ndarray:
        from ..models.hf_probes import input_word_vectors, word_span_states

        todo = list(dict.fromkeys(w for w in words if (kind, w) not in self._cache))
        if todo:
            if kind == "static":
                vecs, _ = input_word_vectors(self.model, todo)
            elif kind == "contextual":
                vecs = word_span_states(self.model, TEMPLATE[0], todo, TEMPLATE[1], [self.layer])[:, 0]
            else:
                raise ConfigError(f"unknown vectors {kind!r}; use one of {', '.join(VECTORS)}")
            for w, v in zip(todo, vecs):
                self._cache[(kind, w)] = v
        return np.stack([self._cache[(kind, w)] for w in words]) if words else np.zeros((0, 1), np.float32)


def evaluate_split(split: BliSplit, vectors: WordVectors, kinds: Sequence[str] = VECTORS,
                   retrievals: Sequence[str] = RETRIEVALS, ks: Sequence[int] = KS,
                   n_boot: int = 1000) -> AnalysisOutput:
    """P@k for every (vectors, retrieval, alignment) on the test split; rows keyed by the target."""
    src, tgt = split.source, split.target
    tw = split.target_words
    t_index = {t: i for i, t in enumerate(tw)}
    src_words = [s for s, _ in split.seed + split.test]
    test_gold = [{t_index[t] for t in ts} for _, ts in split.test]
    n_seed = len(split.seed)
    rows: list[ResultRow] = []
    table: list[dict[str, Any]] = []
    common = {"source": src.tag, "source_name": src.name}
    for kind in kinds:
        S = normalize(vectors.get(kind, src_words))
        T = normalize(vectors.get(kind, tw))
        seed_x = S[[i for i, (_, ts) in enumerate(split.seed) for _ in ts]]
        seed_y = T[[t_index[t] for _, ts in split.seed for t in ts]]
        settings = [("none", S)]
        if n_seed >= 2:
            settings.append(("procrustes", S @ procrustes(seed_x, seed_y)))
        for align, S2 in settings:
            Q = S2[n_seed:]
            for method in retrievals:
                ranked = top_k(Q, T, max(ks), method, sources=S2)
                hits = precision_at(ranked, test_gold, ks)
                entry: dict[str, Any] = {"vectors": kind, "retrieval": method, "alignment": align}
                for k in ks:
                    lo, hi = bootstrap_ci(hits[k], n_boot=n_boot)
                    value = float(hits[k].mean())
                    entry[f"p@{k}"] = value
                    rows.append(ResultRow(
                        NAME, f"p@{k}", tgt, value, variant=f"{kind}/{method}/{align}", n=len(test_gold),
                        ci_low=lo, ci_high=hi,
                        extra={**common, "vectors": kind, "retrieval": method, "alignment": align,
                               **({"layer": vectors.layer} if kind == "contextual" else {})}))
                table.append(entry)
    items = [(NAME, tgt.tag, f"{src.tag}-{tgt.tag}:{s}", {"source": src.tag, "word": s, "translations": ts})
             for s, ts in split.test]
    art = {"source": src.tag, "target": tgt.tag, "target_name": tgt.name, "counts": split.counts,
           "n_targets": len(tw), "layer": vectors.layer, "results": table,
           "examples": [[s, ", ".join(ts)] for s, ts in split.test[:5]]}
    return AnalysisOutput(rows=rows, items=items, artifacts={f"{NAME}:{src.tag}-{tgt.tag}": art})


def run_bli(model: Any, dictionary: str, pairs: Sequence[tuple[Language | str, Language | str]],
            n_seed: int = DEFAULT_SEED, n_test: int = DEFAULT_TEST, vectors: Sequence[str] = VECTORS,
            layer: int | None = None, max_senses: int = 3, n_boot: int = 1000) -> AnalysisOutput:
    """The probe: every pair's dictionary is read and split (and checked) before any vector."""
    from ..models.hf_probes import require_probe_access

    require_probe_access(model, "bli")
    for v in vectors:
        if v not in VECTORS:
            raise ConfigError(f"--vectors: unknown {v!r}; use {', '.join(VECTORS)}")
    if n_test < MIN_TEST or n_seed < 0:
        raise ConfigError(f"--test must be >= {MIN_TEST} and --seed-size >= 0 (got {n_test}, {n_seed})")
    splits = [build_split(model, dictionary, a, b, n_seed, n_test, max_senses) for a, b in pairs]
    wv = WordVectors(model, layer)
    out = AnalysisOutput()
    for sp in splits:
        out.extend(evaluate_split(sp, wv, vectors, n_boot=n_boot))
    return out
