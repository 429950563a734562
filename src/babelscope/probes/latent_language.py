"""Latent language: which language the middle layers "think" in while the model translates.

A logit lens (nostalgebraist 2020; Wendler et al. 2024, "Do Llamas work in English?"):
few-shot word-translation prompts from source to target language, built from a dictionary,
e.g. ``Français: "chat" - Deutsch: "Katze"`` ... ``Français: "fleur" - Deutsch: "``; at every
layer the last position's residual stream is decoded through the final norm and the output
head (models/hf_probes.logit_lens) and two probabilities are read: that of the correct target
word's first token, and that of its English equivalent's first token. A curve per target
language, with bootstrap CIs over prompts, and the layer where the target overtakes English.

Prompt pairs are joined through English (fr->en and en->de give fr->de with the English
word). Rules for usable pairs (counts reported): all three words single words (words.py) of
at least MIN_CHARS characters in the source, and not among its function words (wordfreq
Zipf frequency of MAX_ZIPF or more: "pour", "avec"; they have no one translation);
target and English words differ; their first tokens differ (else the two curves are one).
Words are taken most frequent first. Language labels in the prompt are English names.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from ..errors import ConfigError
from ..languages import Language
from ..metrics.bootstrap import bootstrap_ci
from ..results import ResultRow
from ..analyses.base import AnalysisOutput
from .dictionary import pivot_triples
from .words import by_frequency, frequency, is_single_word, need_pairs

NAME = "latent_language"
DEFAULT_PROMPTS = 100
DEFAULT_SHOTS = 4
PIVOT = Language.parse("en")
MIN_CHARS = 3
MAX_ZIPF = 5.8


@dataclass
class LensPrompts:
    """The prompts of one (source, target) pair and the two token ids read from each."""

    source: Language
    target: Language
    texts: list[str]
    words: list[tuple[str, str, str]]  # (source word, English word, target word) asked
    target_tokens: list[int]
    english_tokens: list[int]
    counts: dict[str, int]


def _first_token(model: Any, word: str) -> int | None:
    ids = model.tokenizer.encode(word)
    return int(ids[0]) if ids else None


def build_prompts(model: Any, dictionary: str, source: Language | str, target: Language | str,
                  n_prompts: int = DEFAULT_PROMPTS, n_shots: int = DEFAULT_SHOTS) -> LensPrompts:
    """Few-shot prompts for ``source`` -> ``target``; fails (exit 2) with too few usable pairs.

    Each prompt's demonstrations are the ``n_shots`` pairs after it in the frequency-ordered
    list (wrapping round), so no prompt shows its own answer.
    """
    src, tgt = Language.parse(source), Language.parse(target)
    if n_prompts < 1 or n_shots < 0:
        raise ConfigError(f"--prompts must be >= 1 and --shots >= 0 (got {n_prompts}, {n_shots})")
    triples = pivot_triples(dictionary, src, tgt, PIVOT)
    counts = {"joined through English": len(triples), "not single words": 0, "function words": 0,
              "target equals English": 0,
              "same first token": 0, "duplicate source word": 0}
    kept: dict[str, tuple[str, str, str, int, int]] = {}
    for s, e, t in triples:
        if not (is_single_word(s) and is_single_word(e) and is_single_word(t)) or len(s) < MIN_CHARS:
            counts["not single words"] += 1
            continue
        if frequency(s, src) >= MAX_ZIPF:
            counts["function words"] += 1
            continue
        if t.lower() == e.lower() and tgt != PIVOT:
            counts["target equals English"] += 1
            continue
        tt, et = _first_token(model, t), _first_token(model, e)
        if tt is None or et is None or (tt == et and tgt != PIVOT):
            counts["same first token"] += 1
            continue
        if s in kept:
            counts["duplicate source word"] += 1
            continue
        kept[s] = (s, e, t, tt, et)
    order = by_frequency(kept, src)
    need = n_prompts + n_shots
    need_pairs(len(order), min(need, max(2, n_shots + 1)), "latent-language", f"{src.tag}->{tgt.tag}", counts)
    order = order[:need] if len(order) >= need else order
    n = min(n_prompts, len(order))
    counts["usable"] = len(kept)
    counts["prompts"] = n
    texts, words, tts, ets = [], [], [], []
    for i in range(n):
        demos = [kept[order[(i + 1 + j) % len(order)]] for j in range(n_shots)]
        s, e, t, tt, et = kept[order[i]]
        lines = [f'{src.name}: "{d[0]}" - {tgt.name}: "{d[2]}"' for d in demos]
        lines.append(f'{src.name}: "{s}" - {tgt.name}: "')
        texts.append("\n".join(lines))
        words.append((s, e, t))
        tts.append(tt)
        ets.append(et)
    return LensPrompts(src, tgt, texts, words, tts, ets, counts)


def crossover_layer(p_target: np.ndarray, p_english: np.ndarray) -> int | None:
    """The first layer from which the target's mean probability stays above English's at every
    later layer; None when English (or a tie) holds at the last layer."""
    above = p_target > p_english
    if not above[-1]:
        return None
    k = len(above) - 1
    while k > 0 and above[k - 1]:
        k -= 1
    return int(k)


def lens_output(prompts: LensPrompts, probs: np.ndarray, n_boot: int = 1000) -> AnalysisOutput:
    """Rows per layer (p_target, p_english with CIs), the crossover layer, items and curves."""
    src, tgt = prompts.source, prompts.target
    n, L1, _ = probs.shape
    common = {"source": src.tag, "source_name": src.name, "pivot": PIVOT.tag}
    rows: list[ResultRow] = []
    curves: dict[str, Any] = {"layers": list(range(L1))}
    for k, metric in ((0, "p_target"), (1, "p_english")):
        mean, lo, hi = [], [], []
        for layer in range(L1):
            v = probs[:, layer, k]
            a, b = bootstrap_ci(v, n_boot=n_boot)
            mean.append(float(v.mean()))
            lo.append(a)
            hi.append(b)
            rows.append(ResultRow(NAME, metric, tgt, float(v.mean()), variant=f"layer{layer}", n=n,
                                  ci_low=a, ci_high=b, extra={"layer": layer, **common}))
        curves[metric] = {"mean": mean, "ci_low": lo, "ci_high": hi}
    cross = crossover_layer(np.array(curves["p_target"]["mean"]), np.array(curves["p_english"]["mean"]))
    peak = int(np.argmax(curves["p_english"]["mean"]))
    rows.append(ResultRow(NAME, "crossover_layer", tgt, None if cross is None else float(cross), n=n,
                          extra={"n_layers": L1, "english_peak_layer": peak, **common,
                                 **({"reason": "the target never overtakes English"} if cross is None else {})}))
    rows.append(ResultRow(NAME, "p_target_final", tgt, curves["p_target"]["mean"][-1], n=n,
                          ci_low=curves["p_target"]["ci_low"][-1], ci_high=curves["p_target"]["ci_high"][-1],
                          extra=common))
    items = [(NAME, tgt.tag, f"{src.tag}-{tgt.tag}:{i}",
              {"source": src.tag, "source_word": s, "english_word": e, "target_word": t,
               "p_target": [float(x) for x in probs[i, :, 0]], "p_english": [float(x) for x in probs[i, :, 1]]})
             for i, (s, e, t) in enumerate(prompts.words)]
    curves.update({"source": src.tag, "target": tgt.tag, "target_name": tgt.name, "n": n,
                   "crossover_layer": cross, "english_peak_layer": peak, "counts": prompts.counts,
                   "examples": [list(w) for w in prompts.words[:5]]})
    return AnalysisOutput(rows=rows, items=items, artifacts={f"{NAME}:{src.tag}-{tgt.tag}": curves})


def run_latent_language(model: Any, dictionary: str, source: Language | str,
                        targets: Sequence[Language | str], n_prompts: int = DEFAULT_PROMPTS,
                        n_shots: int = DEFAULT_SHOTS, n_boot: int = 1000) -> AnalysisOutput:
    """The probe: prompts for every target are built (and checked) first, then the lens runs."""
    from ..models.hf_probes import logit_lens, require_probe_access

    require_probe_access(model, "latent-language")
    src = Language.parse(source)
    tgts = [Language.parse(t) for t in targets]
    if not tgts:
        raise ConfigError("--targets: give at least one target language")
    if src in tgts:
        raise ConfigError(f"--targets: the source {src.tag} cannot also be a target")
    all_prompts = [build_prompts(model, dictionary, src, t, n_prompts, n_shots) for t in tgts]
    out = AnalysisOutput()
    for p in all_prompts:
        probs = logit_lens(model, p.texts, [[a, b] for a, b in zip(p.target_tokens, p.english_tokens)])
        out.extend(lens_output(p, probs, n_boot))
    return out
