"""The language cards of a run, built once when its report is written and stored as an artifact.

A card needs metadata (names, typology, nearest languages) and the run's own rows; building it
is work a report must not do (the report reads the store only), so the pipeline does it and
the report draws the ``language_cards`` artifact.
"""

from __future__ import annotations

import logging
from typing import Any, Sequence

log = logging.getLogger("babelscope.card")


def run_languages(rows: Sequence[dict[str, Any]]) -> list[str]:
    seen: dict[str, None] = {}
    for r in rows:
        if r.get("language"):
            seen.setdefault(str(r["language"]), None)
    return list(seen)


def run_cards(store: Any, run_id: str, pivot: str = "en") -> dict[str, Any]:
    """tag -> card (or {"error": ...} for a language that fails to resolve), for every language of the run."""
    from ..errors import BabelscopeError
    from .build import build_card

    rows = store.results(run_id)
    tags = run_languages(rows)
    udhr = _udhr(tags)
    cards: dict[str, Any] = {}
    for tag in tags:
        try:
            cards[tag] = build_card(tag, store=store, run_id=run_id, pivot=pivot or "en", measure=False, lid=False,
                                    udhr=udhr)
        except BabelscopeError as e:
            cards[tag] = {"error": str(e)}
    return cards


def _udhr(tags: Sequence[str]) -> Any:
    """The UDHR corpus for all the run's languages, opened once (None when unavailable)."""
    from ..corpora.udhr import open_udhr
    from ..errors import BabelscopeError
    from ..languages import Language

    langs = []
    for t in tags:
        try:
            langs.append(Language.parse(t))
        except BabelscopeError:
            continue
    try:
        return open_udhr(None, langs) if langs else None
    except BabelscopeError:
        return None
