"""A short plain-language diagnosis of a language card, from named rules with fixed thresholds.

No free text: each finding is a rule id, a sentence built from the card's numbers, and the
evidence it read, so a reader can check every claim against the card (and a test can check
every rule). Rules are listed in :data:`RULES` in the order their findings are printed.
"""

from __future__ import annotations

from typing import Any, Callable

#: Premium thresholds (tokens for the language / tokens for the same text in the pivot).
HIGH_PREMIUM = 1.5
LOW_PREMIUM = 1.2
#: Alignment (MEXA score) below this is "low"; at or above it "reached".
LOW_ALIGNMENT = 0.5
#: A task result this far below the pivot (absolute) counts as a gap.
GAP = 0.10
#: A language counts as "well served" when its task gap to the pivot is at most this.
WELL_SERVED_GAP = 0.05

Finding = dict[str, Any]


def _premiums(card: dict[str, Any]) -> Finding | None:
    prem = {k: v for k, v in (card.get("tokenizer_premiums") or {}).items() if v is not None}
    if not prem:
        return None
    if all(v >= HIGH_PREMIUM for v in prem.values()):
        return {"rule": "premium_high_all", "text": f"high tokenizer premium on all {len(prem)} tokenizers "
                f"({min(prem.values()):.2f}-{max(prem.values()):.2f}x the pivot)", "evidence": prem}
    high = sorted(k for k, v in prem.items() if v >= HIGH_PREMIUM)
    if high:
        return {"rule": "premium_high_some", "text": f"high tokenizer premium on {', '.join(high)}; "
                f"lowest {min(prem, key=prem.get)} ({min(prem.values()):.2f}x)", "evidence": prem}
    if all(v <= LOW_PREMIUM for v in prem.values()):
        return {"rule": "premium_low_all", "text": "tokenizer premium near parity on all tokenizers", "evidence": prem}
    return None


def _alignment(card: dict[str, Any]) -> Finding | None:
    layers = card.get("alignment_by_layer") or {}
    if not layers:
        return None
    ordered = sorted((int(k), v) for k, v in layers.items() if v is not None)
    if not ordered:
        return None
    first_layer, first = ordered[0]
    best_layer, best = max(ordered, key=lambda x: x[1])
    ev = {"layers": dict(ordered)}
    if best < LOW_ALIGNMENT:
        return {"rule": "alignment_low_all", "text": f"alignment low from layer {first_layer} on "
                f"(best {best:.2f} at layer {best_layer})", "evidence": ev}
    if first < LOW_ALIGNMENT:
        reached = next(layer for layer, v in ordered if v >= LOW_ALIGNMENT)
        return {"rule": "alignment_late", "text": f"alignment low at layer {first_layer}, reaches "
                f"{LOW_ALIGNMENT:.1f} by layer {reached} (best {best:.2f})", "evidence": ev}
    return {"rule": "alignment_ok", "text": f"aligned with the pivot from layer {first_layer} (best {best:.2f})",
            "evidence": ev}


def _task_gaps(card: dict[str, Any]) -> Finding | None:
    gaps = {}
    for r in card.get("results") or []:
        g = r.get("gap_to_pivot")
        if r.get("kind") == "task" and g is not None and r.get("metric") == "acc" and not r.get("variant"):
            gaps[r["name"]] = g
    if not gaps:
        return None
    behind = {k: v for k, v in gaps.items() if v <= -GAP}
    if behind:
        worst = min(behind, key=behind.get)
        return {"rule": "task_gap", "text": f"accuracy {abs(behind[worst]) * 100:.0f} points below the pivot on "
                f"{worst}" + (f" (and {len(behind) - 1} more task(s))" if len(behind) > 1 else ""), "evidence": gaps}
    return {"rule": "task_parity", "text": "task accuracy within 10 points of the pivot", "evidence": gaps}


def _closest_served(card: dict[str, Any]) -> Finding | None:
    served = card.get("well_served") or []
    if not served:
        return None
    best = served[0]
    return {"rule": "closest_well_served", "text": f"closest well-served language: {best['language']} "
            f"({best['name']}, featural distance {best['featural']:.2f})", "evidence": served[:3]}


def _typology(card: dict[str, Any]) -> Finding | None:
    t = card.get("typology") or {}
    if t.get("in_uriel") is False:
        return {"rule": "typology_absent", "text": "not in URIEL: no typological neighbours", "evidence": t}
    if t.get("in_uriel") and not t.get("has_measured_features"):
        return {"rule": "typology_unmeasured", "text": "no measured typological features in URIEL "
                "(distances would be kNN guesses)", "evidence": t}
    return None


def _script(card: dict[str, Any]) -> Finding | None:
    deltas = card.get("script_effect") or {}
    if not deltas:
        return None
    name, d = max(deltas.items(), key=lambda kv: abs(kv[1]))
    direction = "gains" if d > 0 else "loses"
    return {"rule": "script_effect", "text": f"romanised input {direction} {abs(d) * 100:.0f} points on {name}",
            "evidence": deltas}


RULES: list[tuple[str, Callable[[dict[str, Any]], Finding | None]]] = [
    ("typology", _typology), ("premiums", _premiums), ("alignment", _alignment),
    ("task_gaps", _task_gaps), ("script", _script), ("closest_served", _closest_served),
]


def diagnose(card: dict[str, Any]) -> dict[str, Any]:
    """Findings in rule order and their sentences joined into one line."""
    findings = [f for _, rule in RULES if (f := rule(card)) is not None]
    return {"summary": "; ".join(f["text"] for f in findings) or "no stored measurements to diagnose yet",
            "findings": findings}
