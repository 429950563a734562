"""The Language value type: any common spelling in, one canonical identity out.

Users and corpora spell languages many ways (``sw``, ``swa``, ``swh``, ``swh_Latn``,
``Swahili``). Results from different sources only line up if they all resolve to the same
value, so every result row is keyed by a :class:`Language`, never by a raw string.

Canonical form: the BCP-47 tag CLDR prefers (macrolanguage where CLDR prefers it, so ``cmn``
and ``zh`` are one language but ``yue`` stays Cantonese), the script kept in the tag only when
it was given and is not the language's default (or the language is commonly written in more
than one script, like Chinese or Serbian: then it is always there), and the region when
given.
"""

from __future__ import annotations

import csv
import difflib
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import langcodes

from .errors import LanguageError

# Languages commonly written in more than one script: their tag always names the script (the
# default one when none was given), so "zh" and "zh-Hans" are the same language and "zh-Hant"
# another. For every other language the default script is left out of the tag.
MULTI_SCRIPT = frozenset(
    {"zh", "yue", "sr", "pa", "uz", "az", "kk", "ks", "sd", "mn", "ku", "ff", "shi", "tzm", "sat"}
)

_TAGLIKE = re.compile(r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{1,8})*$")


@dataclass(frozen=True, eq=False)
class Language:
    """A resolved language. Equal (and hashing alike) exactly when the canonical tags are equal."""

    tag: str
    iso639_3: str
    script: str
    name: str
    family: str
    population: int | None = None
    region: str | None = None
    query: str = field(default="", repr=False)

    @staticmethod
    def parse(text: "str | Language") -> "Language":
        """Resolve a tag, ISO 639-3 code, FLORES code or English name; LanguageError if unknown."""
        if isinstance(text, Language):
            return text
        return _parse(str(text).strip())

    def row_fields(self) -> dict[str, Any]:
        """The language columns every result row carries."""
        return {
            "language": self.tag,
            "iso639_3": self.iso639_3,
            "script": self.script,
            "family": self.family,
            "language_name": self.name,
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "tag": self.tag,
            "iso639_3": self.iso639_3,
            "script": self.script,
            "name": self.name,
            "family": self.family,
            "population": self.population,
            "region": self.region,
            "query": self.query,
        }

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Language) and other.tag == self.tag

    def __hash__(self) -> int:
        return hash(self.tag)

    def __str__(self) -> str:
        return self.tag


def parse_languages(spec: "str | list[str] | tuple[str, ...]") -> list[Language]:
    """A comma-separated string (or list) of languages, resolved, duplicates dropped in order."""
    parts = spec.split(",") if isinstance(spec, str) else [p for s in spec for p in str(s).split(",")]
    out: list[Language] = []
    for p in parts:
        if p.strip():
            lang = Language.parse(p)
            if lang not in out:
                out.append(lang)
    return out


@lru_cache(maxsize=4096)
def _parse(text: str) -> Language:
    if not text:
        raise LanguageError("empty language tag")
    lc = None
    if _TAGLIKE.match(text):
        try:
            cand = langcodes.get(text.replace("_", "-"))
        except (langcodes.LanguageTagError, ValueError):
            cand = None
        if cand is not None and _known(cand):
            lc = cand
    if lc is None:
        try:
            lc = langcodes.find(text)
        except LookupError:
            lc = None
    if lc is None or not _known(lc):
        raise LanguageError(f"unknown language {text!r}", suggestions(text))
    return _build(lc, text)


def _known(lc: langcodes.Language) -> bool:
    if not lc.language or not lc.is_valid():
        return False
    return lc.language in _table_by_any() or not lc.display_name().startswith("Unknown language")


def _build(lc: langcodes.Language, query: str) -> Language:
    macro = lc.prefer_macrolanguage()
    code = macro.language or lc.language
    default_script = langcodes.get(code).maximize().script or "Zyyy"
    script = lc.script or default_script
    parts = [code]
    if code in MULTI_SCRIPT or script != default_script:
        parts.append(script)
    if macro.territory:
        parts.append(macro.territory)
    tag = "-".join(parts)
    iso3 = langcodes.get(code).to_alpha3()
    row = _table_by_any().get(iso3) or _table_by_any().get(lc.language) or {}
    family = row.get("family") or "Unknown"
    try:
        pop = langcodes.get(code).speaking_population() or None
    except Exception:  # population data is optional decoration
        pop = None
    name = langcodes.get(tag).display_name()
    return Language(tag=tag, iso639_3=iso3, script=script, name=name, family=family,
                    population=pop, region=macro.territory, query=query)


@lru_cache(maxsize=1)
def _table() -> list[dict[str, str]]:
    with resources.files("babelscope.data").joinpath("languages.tsv").open(encoding="utf-8") as f:
        return list(csv.DictReader(f, delimiter="\t"))


@lru_cache(maxsize=1)
def _table_by_any() -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for row in _table():
        out[row["iso639_3"]] = row
    return out


def suggestions(text: str, n: int = 5) -> list[str]:
    """Close matches for a query among known codes and English names, as 'code (Name)'."""
    q = text.lower().replace("_", "-")
    head = q.split("-")[0]
    rows = _table()
    names = {r["name"].lower(): r["iso639_3"] for r in rows if r["name"]}
    codes = {r["iso639_3"]: r["iso639_3"] for r in rows}
    hits: list[str] = []
    for cand in difflib.get_close_matches(q, list(names), n=n, cutoff=0.6):
        hits.append(names[cand])
    for cand in difflib.get_close_matches(head, list(codes), n=n, cutoff=0.6):
        hits.append(codes[cand])
    out: list[str] = []
    by = _table_by_any()
    for code in hits:
        label = f"{code} ({by[code]['name']})"
        if label not in out:
            out.append(label)
    return out[:n]


@lru_cache(maxsize=1)
def _iana_macrolanguages() -> dict[str, str]:
    """ISO 639-3 individual language -> its macrolanguage, from the IANA subtag registry that
    the ``language_data`` package ships (e.g. arz -> ar, cmn -> zh, swh -> sw); no hand list."""
    from language_data.registry_parser import parse_registry

    return {e["Subtag"]: e["Macrolanguage"] for e in parse_registry()
            if e.get("Type") == "language" and "Macrolanguage" in e}


@lru_cache(maxsize=4096)
def macrolanguage_of(code: str) -> str | None:
    """The macrolanguage subtag ``code`` belongs to (itself when it is one or has none).

    Accepts any spelling langcodes reads (``arz``, ``ary_Arab``, ``zho``, ``ar-EG``); None when
    the code is not a language. Identifiers label dialects (py3langid says ``ary`` for Moroccan
    Arabic) while prompts name the macrolanguage (``ar``), so comparing the two needs this.
    """
    raw = str(code).strip().replace("_", "-")
    if not raw:
        return None
    try:
        primary = langcodes.standardize_tag(raw).split("-")[0].lower()
    except (ValueError, langcodes.LanguageTagError):
        return None
    primary = _iana_macrolanguages().get(primary, primary)
    try:  # 3-letter codes of languages that have a 2-letter one (ara -> ar, zho -> zh)
        primary = langcodes.get(primary).language or primary
    except (ValueError, langcodes.LanguageTagError):
        pass
    return _iana_macrolanguages().get(primary, primary)


def same_macrolanguage(a: str, b: str) -> bool:
    """Whether two language codes name the same language once dialects and individual
    languages are folded into their ISO 639-3 macrolanguage (ary ~ ar, cmn ~ zh, swh ~ sw)."""
    ma, mb = macrolanguage_of(a), macrolanguage_of(b)
    return ma is not None and ma == mb
