"""What every language identifier offers: a label and a probability per text.

Backends label languages their own way (fastText ``zh``, heliport ``cmn``, lingua ``ZH``,
the script detector ``Jpan``). Metrics must not care, so each backend also answers the one
question a fidelity metric asks: *is this label the target language?* (:meth:`accepts`).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from functools import lru_cache
from typing import Sequence

import langcodes

from ..errors import LanguageError
from ..languages import Language

#: The label a metric uses when the identifier is not confident enough (LCB: p <= 0.3).
UNKNOWN = "unknown"


@dataclass(frozen=True)
class Prediction:
    """The top label of one text and its probability (0..1; 1.0 when a backend has none)."""

    label: str
    prob: float

    def confident(self, threshold: float) -> str:
        """The label if ``prob > threshold`` (strictly, as the LCB authors do), else UNKNOWN."""
        return self.label if self.prob > threshold else UNKNOWN


class LanguageIdentifier(ABC):
    """A language identifier; subclasses load their model lazily and cheaply re-use it."""

    name: str = ""

    @property
    def version(self) -> str:
        """Backend package and model version, for run signatures."""
        return self.name

    @abstractmethod
    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        """The most likely label of each text."""

    def identify(self, text: str) -> Prediction:
        return self.predict([text])[0]

    def accepts(self, label: str, target: "Language | str") -> bool:
        """Whether ``label`` (from this backend) says the text is in ``target``."""
        return language_matches(label, target)

    def language_of(self, label: str) -> Language | None:
        """The babelscope Language a label stands for (None for UNKNOWN or unresolvable)."""
        if not label or label == UNKNOWN:
            return None
        try:
            return Language.parse(label)
        except LanguageError:
            return None


def language_matches(label: str, target: "Language | str") -> bool:
    """Same language, by primary subtag, without folding dialects into their macrolanguage.

    The LCB authors compare fastText's label with the expected code as strings, so Egyptian
    Arabic (``arz``) fails an Arabic (``ar``) prompt. We keep that, but accept a label that
    names the *macrolanguage* of a more specific target (``zh`` for ``cmn``, ``ar`` for
    ``arb_Arab``) since a coarse identifier cannot say more.
    """
    if not label or label == UNKNOWN:
        return False
    want = target.query or target.tag if isinstance(target, Language) else str(target)
    lab, tgt = _primary(label), _primary(want)
    if lab is None or tgt is None:
        return False
    if lab == tgt:
        return True
    return _macro(tgt) == lab


@lru_cache(maxsize=4096)
def _primary(code: str) -> str | None:
    code = code.strip().replace("_", "-")
    try:
        return langcodes.standardize_tag(code).split("-")[0].lower()
    except (ValueError, langcodes.LanguageTagError):
        try:
            return langcodes.find(code).language
        except LookupError:
            return None


@lru_cache(maxsize=4096)
def _macro(primary: str) -> str:
    try:
        return langcodes.get(primary).prefer_macrolanguage().language or primary
    except (ValueError, langcodes.LanguageTagError):
        return primary
