"""Bits per byte: how surprised the model is by the same content in each language.

Per language: total negative log-likelihood in bits divided by the UTF-8 bytes of the text,
over the parallel segments every requested language shares. Bytes, not tokens, make languages
and tokenizers comparable: a model that needs more tokens for a language pays for them in
bits, not by a smaller denominator.

Each segment is scored as its own document (rolling window from BOS), not joined into one
long text. Joined, later segments would be read with more context than earlier ones, and the
window boundaries would fall at different points of the content in each language (their token
counts differ), so the same content would not be scored under the same conditions. Scored
alone, every language's segment k gets exactly the same conditioning (BOS + the segment),
each segment's score is cacheable on its own, and per-segment records line up across
languages. The price is that absolute values are higher than document-level bpb (each
segment's first words are predicted from nothing); comparisons across languages are what this
number is for.

Default size: rolling scoring needs the full 262,144-way output head at every token, about
0.55 GFLOP per token for Gemma-3-270M. bench/bench_bpb.py measured 18 tokens/s on 2 CPU cores
shared with other jobs (load average 8.7; the naive loop: 8.4 tokens/s), roughly 4x that on
idle cores. UDHR paragraphs are ~30-150 tokens, so 24 languages x 10 segments (~20k tokens) is
a few minutes on idle cores; raise ``max_segments`` on a GPU.
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np

from ..corpora.base import ParallelCorpus
from ..engine.executor import Engine
from ..engine.requests import RollingLoglikelihoodRequest
from ..errors import CorpusError
from ..languages import Language
from ..metrics.bootstrap import Statistic, bootstrap, ratio_of_sums
from ..models.base import Capability
from ..results import ResultRow
from .base import AnalysisOutput

NAME = "bits_per_byte"
DEFAULT_MAX_SEGMENTS = 10
BOOTSTRAP_SAMPLES = 1000
BOOTSTRAP_SEED = 0


def run_bits_per_byte(
    engine: Engine,
    corpus: ParallelCorpus,
    languages: Sequence[Language | str],
    pivot: Language | str | None = None,
    max_segments: int | None = DEFAULT_MAX_SEGMENTS,
) -> AnalysisOutput:
    """Rows per language: bits_per_byte (with a 95% bootstrap CI over segments),
    bits_per_token, tokens, bytes, and bits_per_byte_ratio against ``pivot`` when given.

    All texts go to the engine in one call, so batching spans languages and the cache answers
    any segment scored before.
    """
    engine.require(Capability.LOGLIKELIHOOD)
    langs = [Language.parse(x) for x in languages]
    pivot_lang = Language.parse(pivot) if pivot is not None else None
    if pivot_lang is not None and pivot_lang not in langs:
        langs.append(pivot_lang)
    if not langs:
        raise CorpusError(f"{corpus.name}: no languages given for bits per byte")
    codes = [corpus.code_for(lang) for lang in langs]
    ids = corpus.shared_ids(codes)
    if max_segments is not None:
        if max_segments < 1:
            raise CorpusError(f"max_segments must be at least 1, not {max_segments}")
        ids = ids[:max_segments]
    if not ids:
        raise CorpusError(
            f"{corpus.name}: languages {', '.join(codes)} share no segments, so their bits per byte "
            "cannot be compared"
        )
    texts = {code: corpus.segments(code, ids) for code in codes}
    requests = [RollingLoglikelihoodRequest(t) for code in codes for t in texts[code]]
    answers = iter(engine.loglikelihood_rolling(requests))

    out = AnalysisOutput()
    per_lang: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
    for lang, code in zip(langs, codes):
        bits, toks, nbytes = [], [], []
        for seg_id, text in zip(ids, texts[code]):
            r = next(answers)
            b = r.nll / math.log(2)
            n_bytes = len(text.encode("utf-8"))
            bits.append(b)
            toks.append(r.n_tokens)
            nbytes.append(n_bytes)
            out.items.append((NAME, lang.tag, seg_id, {
                "bits": b, "tokens": r.n_tokens, "bytes": n_bytes,
                "bits_per_byte": b / n_bytes if n_bytes else None, "corpus_code": code,
            }))
        per_lang[code] = (np.array(bits), np.array(toks, dtype=float), np.array(nbytes, dtype=float))

    pivot_code = codes[langs.index(pivot_lang)] if pivot_lang is not None else None
    for lang, code in zip(langs, codes):
        bits, toks, nbytes = per_lang[code]
        bpb = bits.sum() / nbytes.sum()
        lo, hi = _ci(np.stack([bits, nbytes], axis=1))
        common = dict(language=lang, corpus_code=code, n=len(ids))
        out.rows.append(ResultRow(NAME, "bits_per_byte", value=float(bpb), ci_low=lo, ci_high=hi, **common))
        out.rows.append(ResultRow(NAME, "bits_per_token", value=float(bits.sum() / toks.sum()), **common))
        out.rows.append(ResultRow(NAME, "tokens", value=float(toks.sum()), **common))
        out.rows.append(ResultRow(NAME, "bytes", value=float(nbytes.sum()), **common))
        if pivot_code is not None:
            pb, _, pn = per_lang[pivot_code]
            ratio = bpb / (pb.sum() / pn.sum())
            # paired bootstrap: the same segments resampled for the language and the pivot
            lo, hi = _ci(np.stack([bits, nbytes, pb, pn], axis=1), _bpb_ratio)
            out.rows.append(ResultRow(NAME, "bits_per_byte_ratio", value=float(ratio), ci_low=lo, ci_high=hi,
                                      extra={"pivot": pivot_lang.tag}, **common))
    out.artifacts[NAME] = {
        "corpus": corpus.name, "corpus_version": corpus.version, "segments": list(ids),
        "pivot": pivot_lang.tag if pivot_lang else None, "model": engine.signature,
        "scoring": "each segment its own document, rolling window from BOS",
    }
    return out


def _bpb_ratio(resampled: np.ndarray) -> np.ndarray:
    """(bits / bytes of the language) / (bits / bytes of the pivot) per resample."""
    return ratio_of_sums(resampled[..., :2]) / ratio_of_sums(resampled[..., 2:])


def _ci(stats: np.ndarray, statistic: Statistic = ratio_of_sums) -> tuple[float, float]:
    """95% percentile interval over resampled segments (seed 0, as every bits-per-byte CI)."""
    r = bootstrap(stats, statistic, n_boot=BOOTSTRAP_SAMPLES, alpha=0.05, seed=BOOTSTRAP_SEED)
    return r.ci_low, r.ci_high
