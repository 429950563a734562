"""Cognates, interlingual homographs and non-cognates: where spelling fools the model.

After "Multilingual LLMs Struggle to Link Orthography and Semantics": models do well on
cognates and can fall below chance on interlingual homographs (German "Gift" = poison). The
word sets are *derived* from the English<->X dictionaries, by these rules:

- cognate: a translation pair whose normalised edit distance (Levenshtein distance over the
  longer length, after lower-casing and removing accents) is at most ``cognate_max`` (0.25);
- non-cognate: a translation pair whose normalised edit distance is at least
  ``noncognate_min`` (0.5);
- interlingual homograph: a foreign word spelled exactly like an English headword (ignoring
  case) that is not a translation pair in either direction (the English word does not list
  it, and it does not list the English word); its true meaning is its own translation.

Only single words of at least MIN_CHARS letters; pairs whose English side is capitalised (a
proper noun: Berlin, Seine) are left out; a foreign word's meaning is its most frequent
single-word English translation (dictionaries read backwards list them in no useful order).
Most frequent foreign words first. Each item asks the model for the
meaning of the foreign word with two English options, the true translation and a distractor:
for a homograph the English word of the same spelling; for cognates and non-cognates the
meaning of the next item of the same class (one that is not also a meaning of the word). The random baseline is therefore 0.5. Two formulations:

- log-likelihood: ``The <Language> word "<w>" means "`` followed by each option and ``"``;
  the option with the higher total log-likelihood is the answer;
- generative (greedy): ``The <Language> word "<w>" means in English: "``; correct when the
  generated text starts with the true translation, "fooled" when with the distractor.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np

from ..analyses.base import AnalysisOutput
from ..engine.requests import GenerationRequest, LoglikelihoodRequest
from ..errors import ConfigError
from ..languages import Language
from ..metrics.bootstrap import bootstrap_ci
from ..results import ResultRow
from .dictionary import DictionaryError, open_dictionary
from .words import by_frequency, is_single_word, need_pairs

NAME = "homographs"
CLASSES = ("cognate", "homograph", "non-cognate")
ENGLISH = Language.parse("en")
DEFAULT_ITEMS = 100
MIN_ITEMS = 5
MIN_CHARS = 3


def _plain(word: str) -> str:
    s = unicodedata.normalize("NFKD", word.lower())
    return "".join(c for c in s if not unicodedata.combining(c))


def levenshtein(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def normalised_distance(a: str, b: str) -> float:
    a, b = _plain(a), _plain(b)
    return levenshtein(a, b) / max(1, len(a), len(b))


@dataclass
class WordSets:
    """One pair's derived items: (class, foreign word, true English meaning, distractor)."""

    english: Language
    foreign: Language
    items: list[tuple[str, str, str, str]]
    counts: dict[str, int] = field(default_factory=dict)


def derive_sets(dictionary: str, english: Language | str, foreign: Language | str,
                n_items: int = DEFAULT_ITEMS, cognate_max: float = 0.25, noncognate_min: float = 0.5,
                ) -> WordSets:
    """Up to ``n_items`` items per class (rules in the module docstring)."""
    en, fx = Language.parse(english), Language.parse(foreign)
    if en != ENGLISH:
        raise ConfigError(f"--pairs: homographs compares English with another language; {en.tag}-{fx.tag} "
                          "does not start with en")
    e2f = open_dictionary(dictionary, en, fx)
    try:
        f2e = open_dictionary(dictionary, fx, en)
    except DictionaryError:
        f2e = e2f.reversed()
    def usable(w: str) -> bool:
        return is_single_word(w) and len(w) >= MIN_CHARS

    en_words = {w.lower(): w for w in e2f.entries if usable(w) and not w[0].isupper()}
    en_to_f = {w.lower(): {t.lower() for t in ts} for w, ts in e2f.entries.items()}
    f_to_en = {w.lower(): {t.lower() for t in ts} for w, ts in f2e.entries.items()}
    rev = e2f.reversed()
    for w, ts in rev.entries.items():  # English words the English->X side gives for w
        f_to_en.setdefault(w.lower(), set()).update(t.lower() for t in ts)
    options: dict[str, list[str]] = {}  # foreign word -> its usable English translations
    for w, ts in list(f2e.entries.items()) + list(rev.entries.items()):
        if usable(w):
            got = options.setdefault(w, [])
            got += [t for t in ts if usable(t) and not t[0].isupper() and t not in got]
    pairs = {w: by_frequency(ts, en)[0] for w, ts in options.items() if ts}  # the most frequent meaning
    cands: dict[str, list[tuple[str, str]]] = {c: [] for c in CLASSES}
    seen: set[str] = set()
    for f, e in pairs.items():
        fl = f.lower()
        if fl in seen:  # "Gut" and "gut", "Online" and "online": one item
            continue
        seen.add(fl)
        if fl in en_words and fl not in en_to_f.get(fl, set()) and fl not in f_to_en.get(fl, set()) \
                and e.lower() != fl:
            cands["homograph"].append((f, e))
            continue
        dist = normalised_distance(f, e)
        if dist <= cognate_max:
            cands["cognate"].append((f, e))
        elif dist >= noncognate_min:
            cands["non-cognate"].append((f, e))
    counts = {f"{c} candidates": len(v) for c, v in cands.items()}
    items: list[tuple[str, str, str, str]] = []
    for c in CLASSES:
        by_word = dict(cands[c])
        chosen = by_frequency(by_word, fx)[:n_items]
        need_pairs(len(chosen), MIN_ITEMS, f"homographs ({c})", f"{en.tag}-{fx.tag}", counts)
        meanings = [by_word[f] for f in chosen]
        for i, f in enumerate(chosen):
            e = by_word[f]
            if c == "homograph":
                distractor = en_words[f.lower()]
            else:  # the next item's meaning that is not also a meaning of this word
                distractor = next((meanings[(i + j) % len(meanings)] for j in range(1, len(meanings))
                                   if meanings[(i + j) % len(meanings)].lower() not in
                                   f_to_en.get(f.lower(), set()) | {e.lower()}), None)
                if distractor is None:
                    continue
            items.append((c, f, e, distractor))
        counts[c] = len(chosen)
    return WordSets(en, fx, items, counts)


def _context(fx: Language, word: str) -> str:
    return f'The {fx.name} word "{word}" means "'


def score_sets(model: Any, sets: WordSets, generate: bool = True, n_boot: int = 1000) -> AnalysisOutput:
    """Accuracy per class (log-likelihood and, if asked, generative) with CIs and the baseline."""
    fx = sets.foreign
    reqs = []
    for _, f, e, d in sets.items:
        ctx = _context(fx, f)
        reqs += [LoglikelihoodRequest(ctx, e + '"'), LoglikelihoodRequest(ctx, d + '"')]
    ll = model.loglikelihood(reqs)
    correct = np.array([1.0 if ll[2 * i].logprob > ll[2 * i + 1].logprob else 0.0 for i in range(len(sets.items))])
    gen_ok = gen_fooled = None
    gens: list[str] = []
    if generate:
        gens = model.generate([GenerationRequest(context=f'The {fx.name} word "{f}" means in English: "', max_tokens=8,
                                                 stop=('"', "\n"), temperature=0.0) for _, f, _, _ in sets.items])
        heads = [g.strip().lower() for g in gens]
        gen_ok = np.array([1.0 if h.startswith(e.lower()) else 0.0 for h, (_, _, e, _) in zip(heads, sets.items)])
        gen_fooled = np.array([1.0 if h.startswith(d.lower()) and not h.startswith(e.lower()) else 0.0
                               for h, (_, _, e, d) in zip(heads, sets.items)])
    rows: list[ResultRow] = []
    common = {"source": sets.english.tag, "derived": True}
    summary: dict[str, Any] = {}
    for c in CLASSES:
        idx = [i for i, it in enumerate(sets.items) if it[0] == c]
        if not idx:
            continue
        metrics = [("accuracy", correct[idx], 0.5)]
        if gen_ok is not None and gen_fooled is not None:
            metrics += [("generative_accuracy", gen_ok[idx], None), ("generative_fooled", gen_fooled[idx], None)]
        summary[c] = {}
        for metric, v, baseline in metrics:
            lo, hi = bootstrap_ci(v, n_boot=n_boot)
            rows.append(ResultRow(NAME, metric, fx, float(v.mean()), variant=c, n=len(idx), ci_low=lo, ci_high=hi,
                                  extra={"word_class": c, **common,
                                         **({"random_baseline": baseline} if baseline is not None else {})}))
            summary[c][metric] = {"value": float(v.mean()), "ci_low": lo, "ci_high": hi, "n": len(idx),
                                  "random_baseline": baseline}
    items = []
    for i, (c, f, e, d) in enumerate(sets.items):
        rec = {"source": sets.english.tag, "class": c, "word": f, "meaning": e, "distractor": d,
               "ll_meaning": ll[2 * i].logprob, "ll_distractor": ll[2 * i + 1].logprob, "correct": bool(correct[i])}
        if gens:
            rec["generated"] = gens[i]
        items.append((NAME, fx.tag, f"{sets.english.tag}-{fx.tag}:{c}:{f}", rec))
    art = {"source": sets.english.tag, "target": fx.tag, "target_name": fx.name, "counts": sets.counts,
           "derived": True, "summary": summary,
           "examples": {c: [[f, e, d] for cc, f, e, d in sets.items if cc == c][:5] for c in CLASSES}}
    return AnalysisOutput(rows=rows, items=items, artifacts={f"{NAME}:{sets.english.tag}-{fx.tag}": art})


def run_homographs(model: Any, dictionary: str, pairs: Sequence[tuple[Language | str, Language | str]],
                   n_items: int = DEFAULT_ITEMS, generate: bool = True, cognate_max: float = 0.25,
                   noncognate_min: float = 0.5, n_boot: int = 1000) -> AnalysisOutput:
    """The probe: every pair's word sets are derived (and checked) before the model runs."""
    from ..models.base import Capability, require

    require(model, Capability.LOGLIKELIHOOD, *((Capability.GENERATE,) if generate else ()))
    if not 0 <= cognate_max < noncognate_min <= 1:
        raise ConfigError(f"need 0 <= --cognate-max < --noncognate-min <= 1 (got {cognate_max}, {noncognate_min})")
    if n_items < MIN_ITEMS:
        raise ConfigError(f"--items must be at least {MIN_ITEMS}, got {n_items}")
    sets = [derive_sets(dictionary, a, b, n_items, cognate_max, noncognate_min) for a, b in pairs]
    out = AnalysisOutput()
    for s in sets:
        out.extend(score_sets(model, s, generate, n_boot))
    return out
