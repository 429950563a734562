"""M-IFEval's French instructions (``fr:`` ids), with the semantics of its fr_instructions.py.

Written from a reading of M-IFEval's code as lm-evaluation-harness ships it (``m_ifeval``
fr_instructions.py, fr_instructions_util.py); no code is taken from it. Differences from
IFEval's English rules:

- relations are "moins de" (<) and "au moins" (>=);
- constrained answers "Oui.", "Non.", "Peut-être."; titles are ``##...##``; quotation accepts
  "...", '...' and «...»;
- sentences: NLTK punkt's French model plus M-IFEval's French abbreviations; words: ``\\w+``;
  capital words: ``nltk.word_tokenize`` (English punkt) tokens that are upper case;
- french_capital asks langdetect about the *lower-cased* text (all-caps French reads as German);
- French instructions: ethel_or_cedilla (a forbidden character, any case), informal_address
  (tu/te/t'/toi/ton/ta/tes as words), no_accents, accents (listed words spelled with their
  accents), no_digits.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

from .. import official
from ..checkers import _INT, _LIST, _STR, CheckContext, Instruction
from ..nlp import nltk_words
from . import tokens

REL = ("moins de", "au moins")
LANG = "fr"


def _rel(n: int, relation: str, threshold: int) -> bool:
    return n < threshold if relation == REL[0] else n >= threshold


def keywords_frequency(r: str, kw: dict, ctx: CheckContext) -> bool:
    n = len(re.findall(official._pattern(kw["keyword"].strip()), r, flags=re.IGNORECASE))
    return _rel(n, kw["relation"], kw["frequency"])


def letter_frequency(r: str, kw: dict, ctx: CheckContext) -> bool:
    n = Counter(r.lower())[official.official_letter(kw["letter"], ctx)]
    return _rel(n, kw["let_relation"], kw["let_frequency"])


def number_sentences(r: str, kw: dict, ctx: CheckContext) -> bool:
    return _rel(len(tokens.french_sentences(r)), kw["relation"], kw["num_sentences"])


def number_words(r: str, kw: dict, ctx: CheckContext) -> bool:
    return _rel(len(re.findall(r"\w+", r)), kw["relation"], kw["num_words"])


def capital_word_frequency(r: str, kw: dict, ctx: CheckContext) -> bool:
    n = sum(1 for w in nltk_words(r) if w.isupper())
    return _rel(n, kw["capital_relation"], kw["capital_frequency"])


def constrained(r: str, kw: dict, ctx: CheckContext) -> bool:
    v = r.strip()
    return any(o in v for o in ("Oui.", "Non.", "Peut-être."))


def title(r: str, kw: dict, ctx: CheckContext) -> bool:
    return any(t.lstrip("#").rstrip("#").strip() for t in re.findall(r"##[^\n]+##", r))


def french_capital(r: str, kw: dict, ctx: CheckContext) -> bool:
    return r.isupper() and official._is_language(r.lower(), LANG)


def french_lowercase(r: str, kw: dict, ctx: CheckContext) -> bool:
    return r.islower() and official._is_language(r, LANG)


def quotation(r: str, kw: dict, ctx: CheckContext) -> bool:
    v = r.strip()
    return len(v) > 1 and any(v.startswith(a) and v.endswith(b) for a, b in (('"', '"'), ("'", "'"), ("«", "»")))


def forbidden_char(r: str, kw: dict, ctx: CheckContext) -> bool:
    return re.search(re.escape(kw["forbidden_char"]), r, flags=re.IGNORECASE) is None


_TU = re.compile(r"\btu\b|\bte\b|\bt'\b|\btoi\b|\bton\b|\bta\b|\btes\b", flags=re.IGNORECASE)


def informal_address(r: str, kw: dict, ctx: CheckContext) -> bool:
    return bool(_TU.search(r))


_ACCENTED = re.compile(r"[àáâãäåçèéêëìíîïñòóôõöùúûüýÿÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÖÙÚÛÜÝ]")


def no_accents(r: str, kw: dict, ctx: CheckContext) -> bool:
    return not _ACCENTED.search(r)


def _strip_accents(word: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))


def accents(r: str, kw: dict, ctx: CheckContext) -> bool:
    """Every listed word (keyed by its unaccented spelling) is written with its accents."""
    targets = kw["word_to_accentuate"]
    for word in re.findall(r"\b\w+\b", r.lower()):
        plain = _strip_accents(word)
        if plain in targets and word != targets[plain]:
            return False
    return True


def no_digits(r: str, kw: dict, ctx: CheckContext) -> bool:
    return not re.search(r"\d", r)


def registry() -> dict[str, Instruction]:
    """The ``fr:`` ids with their kwargs schemas (relations in French)."""
    same = official.INSTRUCTIONS
    specs = [
        ("keywords:existence", same["keywords:existence"].check, {"keywords": _LIST}),
        ("keywords:frequency", keywords_frequency, {"keyword": _STR, "frequency": _INT, "relation": _STR}),
        ("keywords:forbidden_words", same["keywords:forbidden_words"].check, {"forbidden_words": _LIST}),
        ("keywords:letter_frequency", letter_frequency, {"letter": _STR, "let_frequency": _INT, "let_relation": _STR}),
        ("language:response_language", same["language:response_language"].check, {"language": _STR}),
        ("length_constraints:number_sentences", number_sentences, {"num_sentences": _INT, "relation": _STR}),
        ("length_constraints:number_paragraphs", same["length_constraints:number_paragraphs"].check,
         {"num_paragraphs": _INT}),
        ("length_constraints:number_words", number_words, {"num_words": _INT, "relation": _STR}),
        ("length_constraints:nth_paragraph_first_word", same["length_constraints:nth_paragraph_first_word"].check,
         {"num_paragraphs": _INT, "nth_paragraph": _INT, "first_word": _STR}),
        ("detectable_content:number_placeholders", same["detectable_content:number_placeholders"].check,
         {"num_placeholders": _INT}),
        ("detectable_content:postscript", same["detectable_content:postscript"].check, {"postscript_marker": _STR}),
        ("detectable_format:number_bullet_lists", same["detectable_format:number_bullet_lists"].check,
         {"num_bullets": _INT}),
        ("detectable_format:constrained_response", constrained, {}),
        ("detectable_format:number_highlighted_sections", same["detectable_format:number_highlighted_sections"].check,
         {"num_highlights": _INT}),
        ("detectable_format:multiple_sections", same["detectable_format:multiple_sections"].check,
         {"section_spliter": _STR, "num_sections": _INT}),
        ("detectable_format:json_format", same["detectable_format:json_format"].check, {}),
        ("detectable_format:title", title, {}),
        ("combination:two_responses", same["combination:two_responses"].check, {}),
        ("combination:repeat_prompt", same["combination:repeat_prompt"].check, {"prompt_to_repeat": _STR}),
        ("startend:end_checker", same["startend:end_checker"].check, {"end_phrase": _STR}),
        ("change_case:capital_word_frequency", capital_word_frequency,
         {"capital_frequency": _INT, "capital_relation": _STR}),
        ("change_case:french_capital", french_capital, {}),
        ("change_case:french_lowercase", french_lowercase, {}),
        ("punctuation:no_comma", same["punctuation:no_comma"].check, {}),
        ("startend:quotation", quotation, {}),
        ("special_character:ethel_or_cedilla", forbidden_char, {"forbidden_char": _STR}),
        ("detectable_content:informal_address", informal_address, {}),
        ("special_character:no_accents", no_accents, {}),
        ("special_character:accents", accents, {"word_to_accentuate": (dict,)}),
        ("detectable_content:no_digits", no_digits, {}),
    ]
    return {f"fr:{iid}": Instruction(f"fr:{iid}", fn, req, {}, REL) for iid, fn, req in specs}
