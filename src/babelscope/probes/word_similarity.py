"""Word similarity across languages, per layer: the word-level twin of MEXA.

For n translation pairs of a language pair, each word is embedded alone through the same
backend call MEXA uses (``hidden_states``: batching, pooling and every layer at once; through
the Engine when given one, so its cache applies) and MEXA's cosine matrices
(analyses/alignment.py) give, per layer, cos(word, its translation) on the diagonal and
cos(word, another pair's translation) off it: the random pairs. Reported per layer: the mean
translation cosine, the mean random cosine, their gap (with a bootstrap CI over pairs) and the
share of pairs that are mutual nearest neighbours (MEXA's own score, on words).

Pairs: single words on both sides, the first translation of each source word, most frequent
source words first, no target word twice (two sources sharing a target would tie).
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ..analyses.alignment import check_hidden_states, cosine_matrices, mutual_nn_hits
from ..analyses.base import AnalysisOutput
from ..errors import ConfigError
from ..languages import Language
from ..metrics.bootstrap import bootstrap_ci
from ..results import ResultRow
from .dictionary import open_dictionary
from .words import by_frequency, is_single_word, need_pairs

NAME = "word_similarity"
DEFAULT_PAIRS = 200
MIN_PAIRS = 10


def select_pairs(dictionary: str, source: Language | str, target: Language | str,
                 n_pairs: int = DEFAULT_PAIRS) -> tuple[list[tuple[str, str]], dict[str, int]]:
    src, tgt = Language.parse(source), Language.parse(target)
    d = open_dictionary(dictionary, src, tgt)
    counts = {"dictionary entries": len(d), "not single words": 0, "target already used": 0}
    first: dict[str, str] = {}
    used: set[str] = set()
    for s in by_frequency([w for w in d.entries], src):
        t = next((x for x in d.entries[s] if is_single_word(x)), None)
        if not is_single_word(s) or t is None:
            counts["not single words"] += 1
            continue
        if t in used:
            counts["target already used"] += 1
            continue
        used.add(t)
        first[s] = t
        if len(first) >= n_pairs:
            break
    need_pairs(len(first), MIN_PAIRS, "word-similarity", f"{src.tag}-{tgt.tag}", counts)
    counts["pairs"] = len(first)
    return list(first.items()), counts


def run_word_similarity(engine_or_model: Any, dictionary: str,
                        pairs: Sequence[tuple[Language | str, Language | str]],
                        n_pairs: int = DEFAULT_PAIRS, pooling: str = "mean", n_boot: int = 1000) -> AnalysisOutput:
    """The probe: all pairs' words are selected first, then embedded in one batched call."""
    check_hidden_states(engine_or_model, pooling)
    if n_pairs < MIN_PAIRS:
        raise ConfigError(f"--n-pairs must be at least {MIN_PAIRS}, got {n_pairs}")
    chosen = []
    for a, b in pairs:
        src, tgt = Language.parse(a), Language.parse(b)
        words, counts = select_pairs(dictionary, src, tgt, n_pairs)
        chosen.append((src, tgt, words, counts))
    texts = [w for _, _, words, _ in chosen for pair in words for w in pair]
    emb = np.asarray(engine_or_model.hidden_states(texts, pooling=pooling), dtype=np.float32)
    out = AnalysisOutput()
    at = 0
    for src, tgt, words, counts in chosen:
        n = len(words)
        block = emb[at: at + 2 * n]
        at += 2 * n
        cos = cosine_matrices(block[0::2], block[1::2])  # (layers, n, n)
        hits = mutual_nn_hits(cos)
        common = {"source": src.tag, "source_name": src.name, "pooling": pooling}
        curves: dict[str, list[float]] = {"translation": [], "random": [], "gap": [], "gap_low": [],
                                          "gap_high": [], "mutual_nn": []}
        rows: list[ResultRow] = []
        for layer in range(cos.shape[0]):
            c = cos[layer]
            diag = np.diagonal(c)
            rand = (c.sum(axis=1) - diag) / (n - 1)  # each word against every other pair's translation
            gap = diag - rand
            lo, hi = bootstrap_ci(gap, n_boot=n_boot)
            vals = {"translation_cosine": float(diag.mean()), "random_cosine": float(rand.mean()),
                    "gap": float(gap.mean()), "mutual_nn": float(hits[layer].mean())}
            for metric, v in vals.items():
                ci = (lo, hi) if metric == "gap" else (None, None)
                rows.append(ResultRow(NAME, metric, tgt, v, variant=f"layer{layer}", n=n, ci_low=ci[0],
                                      ci_high=ci[1], extra={"layer": layer, **common}))
            curves["translation"].append(vals["translation_cosine"])
            curves["random"].append(vals["random_cosine"])
            curves["gap"].append(vals["gap"])
            curves["gap_low"].append(lo)
            curves["gap_high"].append(hi)
            curves["mutual_nn"].append(vals["mutual_nn"])
        best = int(np.argmax(curves["gap"]))
        rows.append(ResultRow(NAME, "best_gap", tgt, curves["gap"][best], n=n,
                              extra={"best_layer": best, **common}))
        out.extend(AnalysisOutput(rows=rows, artifacts={f"{NAME}:{src.tag}-{tgt.tag}": {
            "source": src.tag, "target": tgt.tag, "target_name": tgt.name, "n": n, "counts": counts,
            "layers": list(range(cos.shape[0])), **curves, "examples": [list(p) for p in words[:5]]}}))
    return out
