"""lingua: 75 languages, strong on short text (Apache-2.0, ~100 MB of n-gram models).

Building the all-language detector takes ~16 s, so the detector is built once per process
and can be restricted to a few languages (``languages=["fr", "de"]``), which is much faster.
"""

from __future__ import annotations

from functools import cached_property
from typing import Sequence

from ..errors import ConfigError, ModelError
from .base import LanguageIdentifier, Prediction


class LinguaIdentifier(LanguageIdentifier):
    name = "lingua"

    def __init__(self, languages: Sequence[str] | None = None):
        self._languages = tuple(languages or ())

    @cached_property
    def _detector(self):
        try:
            import lingua
        except ImportError as e:
            raise ModelError("LID backend 'lingua' needs `pip install lingua-language-detector`") from e
        if not self._languages:
            return lingua.LanguageDetectorBuilder.from_all_languages().build()
        chosen = []
        for code in self._languages:
            chosen.append(_lingua_language(lingua, code))
        if len(chosen) < 2:
            raise ConfigError("lingua needs at least two languages to choose between")
        return lingua.LanguageDetectorBuilder.from_languages(*chosen).build()

    @property
    def version(self) -> str:
        from importlib.metadata import version

        return f"lingua-{version('lingua-language-detector')}"

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        out = []
        for text in texts:
            values = self._detector.compute_language_confidence_values(text) if text.strip() else []
            if not values:
                out.append(Prediction("unknown", 0.0))
                continue
            top = values[0]
            out.append(Prediction(top.language.iso_code_639_1.name.lower(), float(top.value)))
        return out


def _lingua_language(lingua, code: str):
    from ..languages import Language

    lang = Language.parse(code)
    for attr, value in (("iso_code_639_1", lang.tag.split("-")[0]), ("iso_code_639_3", lang.iso639_3)):
        enum = lingua.IsoCode639_1 if attr == "iso_code_639_1" else lingua.IsoCode639_3
        member = getattr(enum, value.upper(), None)
        if member is not None:
            try:
                if attr == "iso_code_639_1":
                    return lingua.Language.from_iso_code_639_1(member)
                return lingua.Language.from_iso_code_639_3(member)
            except ValueError:
                continue
    raise ConfigError(f"lingua does not know language {code!r} ({lang.name})")
