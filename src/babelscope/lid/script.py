"""A Unicode script detector: the share of a text's letters in each writing system.

It cannot tell French from English, but it catches the grossest confusions (an English answer
to a Hindi prompt, Chinese characters in a Japanese answer without kana) at no cost and for
every language, including those no statistical identifier knows. Its labels are ISO 15924
script codes, with the mixed East Asian systems named as their languages write them:
``Jpan`` (kana, usually with kanji), ``Kore`` (hangul, possibly with hanja), ``Hani`` (Chinese
characters alone).
"""

from __future__ import annotations

from collections import Counter
from typing import Sequence

import regex

from ..errors import LanguageError
from ..languages import Language
from .base import UNKNOWN, LanguageIdentifier, Prediction

SCRIPTS = (
    "Latn", "Cyrl", "Grek", "Armn", "Geor", "Hebr", "Arab", "Syrc", "Thaa", "Nkoo", "Deva",
    "Beng", "Guru", "Gujr", "Orya", "Taml", "Telu", "Knda", "Mlym", "Sinh", "Thai", "Laoo",
    "Tibt", "Mymr", "Khmr", "Hang", "Hira", "Kana", "Hani", "Bopo", "Ethi", "Cher", "Cans",
    "Mong", "Tfng", "Olck", "Yiii", "Vaii", "Adlm", "Bali", "Java", "Sund", "Tale", "Lana",
)
_PATTERN = regex.compile("|".join(f"(?P<{s}>[\\p{{sc={s}}}&&[\\p{{L}}\\p{{M}}]])" for s in SCRIPTS), regex.V1)

#: Scripts a language tag's script stands for when matching (Jpan/Kore are mixtures).
_TARGET_SCRIPTS = {"Hans": "Hani", "Hant": "Hani", "Hani": "Hani", "Jpan": "Jpan", "Kore": "Kore"}


def script_shares(text: str) -> dict[str, float]:
    """Share of letters (and combining marks) per script; empty when the text has none."""
    counts: Counter[str] = Counter(m.lastgroup for m in _PATTERN.finditer(text))
    total = sum(counts.values())
    return {s: c / total for s, c in counts.most_common()} if total else {}


def writing_system(shares: dict[str, float]) -> tuple[str, float]:
    """The dominant writing system and its share, merging the East Asian mixtures."""
    if not shares:
        return UNKNOWN, 0.0
    merged = dict(shares)
    kana = merged.pop("Hira", 0.0) + merged.pop("Kana", 0.0)
    han = merged.pop("Hani", 0.0)
    hangul = merged.pop("Hang", 0.0)
    if kana:
        merged["Jpan"] = kana + han
    elif hangul:
        merged["Kore"] = hangul + han
    elif han:
        merged["Hani"] = han
    label = max(merged, key=merged.get)
    return label, merged[label]


class ScriptIdentifier(LanguageIdentifier):
    name = "script"

    @property
    def version(self) -> str:
        return "script-1"

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        return [Prediction(*writing_system(script_shares(t))) for t in texts]

    def accepts(self, label: str, target: "Language | str") -> bool:
        if label == UNKNOWN:
            return False
        try:
            lang = Language.parse(target)
        except LanguageError:
            return False
        return label == _TARGET_SCRIPTS.get(lang.script, lang.script)

    def language_of(self, label: str) -> Language | None:
        return None  # a script is not a language
