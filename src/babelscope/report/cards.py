"""The report's language cards: one compact card per language of the run.

Rendered from the ``language_cards`` artifact that the pipeline builds from the run's rows
and the offline metadata when it writes a report (card/; ``measure=False``: no tokenizer is
run), so premiums appear when the run measured them. Every string is
escaped; the diagnosis is the rule-based one of card/diagnosis.py, with its rule ids.
"""

from __future__ import annotations

import logging
from typing import Any, Sequence

from .fmt import esc, is_number
from .tables import Column, render_table

log = logging.getLogger("babelscope.report")


def render_cards(artifacts: dict[str, Any]) -> str:
    """One card per language of the run, from the ``language_cards`` artifact the pipeline
    stored (a report reads the store only; runs made before cards existed have none)."""
    cards = artifacts.get("language_cards") or {}
    out = []
    for tag, card in cards.items():
        if "error" in card:
            out.append(f'<div class="card"><h3>{esc(tag)}</h3><p class="warning">{esc(card["error"])}</p></div>')
        else:
            out.append(render_card(card))
    return '<div class="cards">' + "".join(out) + "</div>" if out else ""


def render_card(card: dict[str, Any]) -> str:
    ident = card["language"]
    pop = ident.get("population")
    head = f"{ident['name']} ({ident['tag']}, {ident['iso639_3']})"
    facts = [f"family {ident['family']}", f"script(s) {', '.join(card.get('scripts') or [])}"]
    if pop:
        facts.append(f"{pop:,} speakers")
    if ident.get("autonym"):
        facts.append(f"autonym {ident['autonym']}")
    out = [f'<div class="card" id="card-{esc(ident["tag"])}"><h3>{esc(head)}</h3>',
           f'<p class="lede">{esc("; ".join(facts))}</p>']
    diag = card.get("diagnosis") or {}
    items = "".join(f"<li>{esc(f['text'])} <code>{esc(f['rule'])}</code></li>" for f in diag.get("findings") or [])
    out.append(f"<p><strong>Diagnosis:</strong> {esc(diag.get('summary', ''))}</p>")
    if items:
        out.append(f"<ul class=\"findings\">{items}</ul>")
    tasks = ", ".join(t["task"] + (f" ({t['items']} items)" if t.get("items") else "") for t in card.get("tasks") or [])
    out.append(f"<p>{esc('Tasks: ' + (tasks or 'none'))}</p>")
    prem = card.get("tokenizer_premiums") or {}
    if prem:
        out.append(f"<p>{esc('Tokenizer premiums: ' + ', '.join(f'{k} {v:.2f}' for k, v in prem.items() if is_number(v)))}</p>")
    near = card.get("nearest") or {}
    if near:
        out.append(render_table([Column("distance", "distance"), Column("nearest", "nearest UDHR languages")],
                                [{"distance": kind, "nearest": _near_text(ns)} for kind, ns in near.items()],
                                css_class="compact"))
    res = [r for r in card.get("results") or [] if r.get("gap_to_pivot") is not None and not r.get("variant")]
    if res:
        out.append(render_table(
            [Column("name", "result"), Column("metric", "metric"), Column("value", "value", numeric=True),
             Column("gap", "gap to pivot", numeric=True)],
            [{"name": r["name"], "metric": r["metric"], "value": r.get("value"), "gap": r.get("gap_to_pivot")}
             for r in res[:12]], css_class="compact"))
    out.append("</div>")
    return "".join(out)


def _near_text(ns: Sequence[dict[str, Any]]) -> str:
    return ", ".join(f"{n['language']} ({n['distance']:.2f})" for n in ns)
