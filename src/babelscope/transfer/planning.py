"""Rank candidate source languages for a target: typology first, shown distance by distance.

The ranking key is transparent on purpose: the mean of the URIEL distances the pair has
(each in [0, 1]), optionally blended with how badly the model serves the candidate
("closest languages the model is already good at"). Script match and measured lexical
overlap are shown beside it but do not move the rank: the transfer literature we build on
("Languages You Know Influence Those You Learn") finds typology predicts transfer better than
lexical overlap, and `babelscope transfer --fit` lets a user check that for their model.
Ties break by lexical overlap, then by tag, so the order is deterministic.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

from ..errors import ConfigError
from ..languages import Language
from .uriel import DISTANCES, TYPOLOGICAL, TypologyError, distances, uriel, uriel_code


@dataclass
class Candidate:
    """One source language for the target, with every number its rank came from."""

    language: Language
    distances: dict[str, float | None]
    measured: dict[str, int]
    script_match: bool
    lexical_overlap: float | None = None
    overlap_segments: int = 0
    served: float | None = None
    score: float | None = None
    rank: int | None = None
    flags: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "rank": self.rank, "language": self.language.tag, "iso639_3": self.language.iso639_3,
            "script": self.language.script, "family": self.language.family, "name": self.language.name,
            "score": self.score, "distances": dict(self.distances), "measured_features": dict(self.measured),
            "script_match": self.script_match, "lexical_overlap": self.lexical_overlap,
            "overlap_segments": self.overlap_segments, "served": self.served, "flags": list(self.flags),
        }


@dataclass
class TransferPlan:
    """The ranked candidates (best first) and those that could not be ranked, with why."""

    target: Language
    target_measured: dict[str, int]
    ranked: list[Candidate]
    unranked: list[Candidate]
    method: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {
            "target": {**self.target.to_dict(), "uriel_code": uriel_code(self.target),
                       "measured_features": self.target_measured},
            "ranked": [c.to_dict() for c in self.ranked],
            "unranked": [c.to_dict() for c in self.unranked],
            "method": self.method,
        }


def composite(d: Mapping[str, float | None]) -> float | None:
    """Mean of the available distances (None when none is available)."""
    vals = [v for k in DISTANCES if (v := d.get(k)) is not None]
    return sum(vals) / len(vals) if vals else None


def check_languages(target: Language, candidates: Sequence[Language]) -> list[Language]:
    """The candidate list without duplicates; ConfigError for an unusable set."""
    out: list[Language] = []
    for c in candidates:
        if c == target:
            raise ConfigError(f"--candidates: the target {target.tag} is among the candidates; leave it out")
        if c not in out:
            out.append(c)
    if len(out) < 2:
        raise ConfigError(
            f"--candidates: ranking needs at least two candidate languages, got {len(out)} "
            f"({', '.join(c.tag for c in out) or 'none'})"
        )
    return out


def plan_transfer(
    target: Language | str,
    candidates: Sequence[Language | str],
    *,
    tokenizer: Any = None,
    corpus: Any = None,
    served: Mapping[Language, float] | None = None,
    served_weight: float = 0.5,
    max_segments: int | None = 200,
) -> TransferPlan:
    """Rank ``candidates`` as sources for ``target``.

    ``tokenizer`` and ``corpus`` (a ParallelCorpus) add measured lexical overlap; ``served``
    maps candidates to how well the model serves them, scaled to [0, 1] with 1 best, and
    blends in as ``(1 - w) * typology + w * (1 - served)``.
    Errors (exit 2): an unknown tag, a target URIEL lacks or has no measured typology for,
    fewer than two candidates.
    """
    tgt = Language.parse(target)
    cands = check_languages(tgt, [Language.parse(c) for c in candidates])
    if not 0 <= served_weight <= 1:
        raise ConfigError(f"served weight must be within [0, 1], not {served_weight}")
    u = uriel()
    tcode = uriel_code(tgt)
    if not u.has(tcode):
        raise TypologyError(f"target {tgt.tag} ({tgt.name}, {tcode}): URIEL (lang2vec) has no entry for it")
    tprof = u.profile(tcode)
    if not tprof.has_typology:
        raise TypologyError(
            f"target {tgt.tag} ({tgt.name}, {tcode}) has no measured typological features in URIEL "
            "(only kNN guesses); it cannot be planned for by typology"
        )
    overlaps = {}
    if tokenizer is not None and corpus is not None:
        from .lexical import lexical_overlap

        overlaps = lexical_overlap(corpus, tgt, cands, tokenizer, max_segments)
    ranked: list[Candidate] = []
    unranked: list[Candidate] = []
    for c in cands:
        code = uriel_code(c)
        ov = overlaps.get(c)
        cand = Candidate(c, {k: None for k in DISTANCES}, {k: 0 for k in TYPOLOGICAL},
                         script_match=c.script == tgt.script,
                         lexical_overlap=None if ov is None else ov.value,
                         overlap_segments=0 if ov is None else ov.segments,
                         served=None if served is None else served.get(c))
        if not u.has(code):
            cand.flags.append(f"no URIEL entry for {code}")
            unranked.append(cand)
            continue
        prof = u.profile(code)
        cand.measured = dict(prof.measured)
        if not prof.has_typology:
            cand.flags.append("no measured typological features in URIEL (only kNN guesses): not ranked")
            unranked.append(cand)
            continue
        cand.distances = distances(tprof, prof)
        for kind, n in prof.measured.items():
            if n == 0:
                cand.flags.append(f"{kind}: no measured features, distance uses kNN-imputed values")
        typ = composite(cand.distances)
        if served is not None:
            if cand.served is None:
                cand.flags.append("no stored result for this language: typology only")
                cand.score = typ
            else:
                cand.score = None if typ is None else (1 - served_weight) * typ + served_weight * (1 - cand.served)
        else:
            cand.score = typ
        (ranked if cand.score is not None else unranked).append(cand)
    ranked.sort(key=lambda c: (c.score, -(c.lexical_overlap or 0.0), c.language.tag))
    for i, c in enumerate(ranked, 1):
        c.rank = i
    method = {
        "score": "mean of the available URIEL distances"
                 + (f", blended {served_weight:g} with (1 - served)" if served is not None else ""),
        "distances": list(DISTANCES),
        "uriel": "lang2vec data files (kNN-imputed typology, Glottolog clades, geocoords)",
        "lexical_overlap": None if not overlaps else {
            "definition": "sum over aligned segments of shared subword types / target subword types",
            "tokenizer": getattr(tokenizer, "name", str(tokenizer)), "corpus": getattr(corpus, "name", str(corpus)),
        },
    }
    return TransferPlan(tgt, dict(tprof.measured), ranked, unranked, method)
