"""One card per language: who it is, what babelscope can measure for it, what the store says.

A card is a JSON-ready dict assembled from sources that each answer one question (identity:
languages.py; typology and neighbours: URIEL; coverage: the task registry, UDHR, the LID
backends; premiums: the tokenizers; results: the store) and closed by a rule-based
diagnosis (card/diagnosis.py). Everything a reader sees in the diagnosis is in the card.
"""

from __future__ import annotations

from typing import Any, Sequence

from ..errors import BabelscopeError
from ..languages import Language
from ..transfer.uriel import distances, uriel, uriel_code
from .diagnosis import WELL_SERVED_GAP, diagnose

#: Result-row keys a card keeps (the rest is per-analysis detail the report already shows).
RESULT_KEYS = ("kind", "name", "metric", "variant", "value", "ci_low", "ci_high", "n", "gap_to_pivot",
               "condition", "corpus_code")


def identity(lang: Language) -> dict[str, Any]:
    import langcodes

    try:
        autonym = langcodes.get(lang.tag).autonym()
    except Exception:  # autonyms are decoration; CLDR lacks many
        autonym = None
    return {**lang.to_dict(), "autonym": autonym, "uriel_code": uriel_code(lang)}


def typology(lang: Language) -> dict[str, Any]:
    u = uriel()
    code = uriel_code(lang)
    if not u.has(code):
        return {"in_uriel": False, "code": code}
    p = u.profile(code)
    lat, lon = u.coordinates(code)
    return {"in_uriel": True, "code": code, "measured_features": dict(p.measured),
            "has_measured_features": p.has_typology, "clades": sorted(p.clades, key=len),
            "latitude": round(lat, 2), "longitude": round(lon, 2)}


def stored_results(store: Any, lang: Language, run_id: str | None = None) -> list[dict[str, Any]]:
    """The language's rows in one run or in every run (newest first), with run id and command."""
    runs = [store.run(run_id)] if run_id else store.runs()
    out = []
    for run in runs:
        for r in store.results(run.run_id):
            if r.get("language") != lang.tag:
                continue
            out.append({"run_id": run.run_id, "command": run.command, **{k: r.get(k) for k in RESULT_KEYS}})
    return out


def premiums_from_results(results: Sequence[dict[str, Any]]) -> dict[str, float]:
    """Tokenizer -> premium from the newest stored tokenizer run."""
    out: dict[str, float] = {}
    for r in results:  # newest run first: keep the first value seen per tokenizer
        if r["name"] == "tokenizers" and r["metric"] == "premium" and r.get("value") is not None:
            out.setdefault(str(r["variant"]), float(r["value"]))
    return out


def measure_premiums(lang: Language, tokenizers: Sequence[str], pivot: Language) -> dict[str, float | None]:
    """Premiums on the UDHR segments the language shares with the pivot (None where unmeasurable)."""
    from ..analyses.tokenization import run_tokenizers
    from ..corpora import open_corpus
    from ..tokenizer_specs import load_tokenizer

    if lang == pivot:
        return {t: 1.0 for t in tokenizers}
    try:
        corpus = open_corpus("udhr", [pivot, lang])
        corpus.code_for(lang)
    except BabelscopeError:
        return {}
    out: dict[str, float | None] = {}
    for spec in tokenizers:
        try:
            tok = load_tokenizer(spec)
            rows = run_tokenizers(corpus, [lang], pivot, [tok], bootstrap=0).rows
        except BabelscopeError:
            out[spec] = None
            continue
        out[spec] = next((r.value for r in rows if r.metric == "premium" and r.language == lang), None)
    return out


def alignment_by_layer(results: Sequence[dict[str, Any]]) -> dict[int, float]:
    run = next((r["run_id"] for r in results if r["name"] == "alignment" and r["metric"] == "score"), None)
    out = {}
    for r in results:
        if r["run_id"] == run and r["name"] == "alignment" and r["metric"] == "score" and r.get("value") is not None:
            variant = str(r.get("variant") or "")
            if variant.startswith("layer") and variant[5:].isdigit():
                out[int(variant[5:])] = float(r["value"])
    return out


def script_effect(results: Sequence[dict[str, Any]]) -> dict[str, float]:
    """Task -> accuracy under script=latin minus the same condition in the native script."""
    native: dict[tuple[str, str, str], float] = {}
    latin: dict[tuple[str, str, str], float] = {}
    for r in results:
        cond = str(r.get("condition") or "")
        if r.get("kind") != "task" or r.get("metric") != "acc" or r.get("value") is None:
            continue
        key = (r["run_id"], r["name"], cond.replace("|script=latin", ""))
        (latin if "script=latin" in cond else native)[key] = float(r["value"])
    return {name: latin[k] - native[k] for k in latin if k in native for name in [k[1]]}


def well_served(lang: Language, store: Any, pivot: Language) -> list[dict[str, Any]]:
    """Stored languages at most WELL_SERVED_GAP below the pivot on tasks, nearest (featural) first."""
    gaps: dict[str, list[float]] = {}
    for run in store.runs():
        for r in store.results(run.run_id):
            g = r.get("gap_to_pivot")
            if r.get("kind") == "task" and r.get("metric") == "acc" and g is not None and not r.get("variant"):
                gaps.setdefault(r["language"], []).append(float(g))
    u = uriel()
    code = uriel_code(lang)
    if not u.has(code):
        return []
    me = u.profile(code)
    out = []
    for tag, gs in gaps.items():
        mean_gap = sum(gs) / len(gs)
        try:
            other = Language.parse(tag)
        except BabelscopeError:
            continue
        oc = uriel_code(other)
        if other == lang or mean_gap < -WELL_SERVED_GAP or not u.has(oc):
            continue
        d = distances(me, u.profile(oc))["featural"]
        if d is not None:
            out.append({"language": other.tag, "name": other.name, "featural": d, "mean_gap_to_pivot": mean_gap})
    out.sort(key=lambda x: (x["featural"], x["language"]))
    return out


def build_card(
    language: Language | str,
    *,
    store: Any = None,
    run_id: str | None = None,
    pivot: Language | str = "en",
    tokenizers: Sequence[str] | None = None,
    measure: bool = True,
    lid: bool = True,
    pool: Sequence[Language] | None = None,
    udhr: Any = None,
) -> dict[str, Any]:
    """The card of ``language``. ``measure=False`` uses only stored premiums (fast: the report);
    ``udhr`` is a UDHR corpus opened once for many cards."""
    from .coverage import corpus_coverage, lid_coverage, task_coverage
    from .nearest import nearest

    lang = Language.parse(language)
    piv = Language.parse(pivot)
    card: dict[str, Any] = {"language": identity(lang), "typology": typology(lang)}
    card["scripts"] = sorted({lang.script})
    card["tasks"] = task_coverage(lang, udhr)
    card["corpora"] = corpus_coverage(lang, udhr)
    for c in card["corpora"]:
        card["scripts"] = sorted(set(card["scripts"]) | {Language.parse(v).script for v in c.get("variants", [])
                                                          if _parses(v)})
    card["lid"] = lid_coverage(lang) if lid else {}
    results = stored_results(store, lang, run_id) if store is not None else []
    card["results"] = results
    prem: dict[str, float | None] = premiums_from_results(results)
    if not prem and measure:
        from ..tokenizer_specs import DEFAULT_TOKENIZERS

        prem = measure_premiums(lang, list(tokenizers or DEFAULT_TOKENIZERS), piv)
    card["tokenizer_premiums"] = prem
    card["alignment_by_layer"] = alignment_by_layer(results)
    card["script_effect"] = script_effect(results)
    card["nearest"] = nearest(lang, pool)
    card["well_served"] = well_served(lang, store, piv) if store is not None else []
    card["pivot"] = piv.tag
    card["diagnosis"] = diagnose(card)
    card["thresholds"] = _thresholds()
    return card


def _parses(code: str) -> bool:
    try:
        Language.parse(code)
        return True
    except BabelscopeError:
        return False


def _thresholds() -> dict[str, float]:
    from . import diagnosis as d

    return {"high_premium": d.HIGH_PREMIUM, "low_premium": d.LOW_PREMIUM, "low_alignment": d.LOW_ALIGNMENT,
            "task_gap": d.GAP, "well_served_gap": d.WELL_SERVED_GAP}

