"""IFEval's 25 checkers with the semantics of the authors' code (variant ``ifeval``).

Written from a reading of google-research's ``instruction_following_eval`` (instructions.py,
instructions_util.py, evaluation_lib.py); no code is taken from it. Where babelscope's own
rewrite (:mod:`.checkers`) deliberately differs, this module does what the authors' code does:

- keywords, keyword frequency, forbidden words, postscript markers and section splitters are
  used as *regular expressions*, unescaped (a keyword with a regex metacharacter means what
  ``re`` makes of it; one that is not a valid pattern falls back to its literal text, where
  the authors' code would stop with an error);
- "is this English" and response_language ask ``langdetect`` (seeded; :mod:`.nlp`) and compare
  its label to the code as a string; a text langdetect cannot read counts as followed;
- sentences are NLTK punkt's (English parameters), words are ``\\w+`` runs, capital words are
  ``nltk.word_tokenize`` tokens that are ``isupper()``;
- letter_frequency: a "letter" that is not one ASCII letter is replaced by a random ASCII
  letter, as the released code does; the draw is seeded per item (:meth:`CheckContext.rng`),
  so it is reproducible, and shared by the strict and loose passes (the authors' code draws
  once per pass, unseeded);
- nth_paragraph_first_word strips only . , ? ! ' " from the first word (so "Summary:" is not
  "summary"); quotation needs the ASCII double quote; no_comma forbids only ",".
"""

from __future__ import annotations

import json
import re
import string
from collections import Counter

from . import checkers as base
from .checkers import CheckContext, Instruction, _compare
from .nlp import UndetectableLanguage, detect_language, nltk_words, punkt_sentences


def _pattern(text: str) -> str:
    """The text as the authors' code uses it: a regex, or its literal when it is not one."""
    try:
        re.compile(text)
    except re.error:
        return re.escape(text)
    return text


def _is_language(text: str, code: str) -> bool:
    try:
        return detect_language(text) == code
    except UndetectableLanguage:
        return True  # IFEval: "Count as instruction is followed."


# -- keywords ------------------------------------------------------------------------------------

def keywords_existence(r: str, kw: dict, ctx: CheckContext) -> bool:
    return all(re.search(_pattern(k), r, flags=re.IGNORECASE) for k in sorted(kw["keywords"]))


def keywords_frequency(r: str, kw: dict, ctx: CheckContext) -> bool:
    n = len(re.findall(_pattern(kw["keyword"].strip()), r, flags=re.IGNORECASE))
    return _compare(n, kw["relation"], kw["frequency"])


def forbidden_words(r: str, kw: dict, ctx: CheckContext) -> bool:
    return not any(re.search(r"\b" + _pattern(w) + r"\b", r, flags=re.IGNORECASE)
                   for w in sorted(set(kw["forbidden_words"])))


def official_letter(letter: str, ctx: CheckContext) -> str:
    """The letter the authors' checker counts: the given one if it is a single ASCII letter,
    else a (seeded) random draw from string.ascii_letters, lower-cased."""
    if not letter or len(letter) > 1 or not "a" <= letter.lower() <= "z":
        letter = ctx.rng("keywords:letter_frequency", letter).choice(string.ascii_letters)
    return letter.strip().lower()


def letter_frequency(r: str, kw: dict, ctx: CheckContext) -> bool:
    n = Counter(r.lower())[official_letter(kw["letter"], ctx)]
    return _compare(n, kw["let_relation"], kw["let_frequency"])


# -- language and length ---------------------------------------------------------------------------

def response_language(r: str, kw: dict, ctx: CheckContext) -> bool:
    return _is_language(r, kw["language"])


def number_sentences(r: str, kw: dict, ctx: CheckContext) -> bool:
    return _compare(len(punkt_sentences(r)), kw["relation"], kw["num_sentences"])


def number_words(r: str, kw: dict, ctx: CheckContext) -> bool:
    return _compare(len(re.findall(r"\w+", r)), kw["relation"], kw["num_words"])


def nth_paragraph(r: str, kw: dict, ctx: CheckContext) -> tuple[str | None, int]:
    """The paragraph an nth-paragraph instruction names and the count of non-empty paragraphs.

    Paragraphs split on every "\\n\\n"; empty ones are not counted, but the nth is taken from the
    raw split (as the authors' code does); an out-of-range nth is redrawn, seeded, as their
    build_description does. None when that paragraph is missing or empty.
    """
    parts = r.split("\n\n")
    n = sum(1 for p in parts if p.strip())
    nth = kw["nth_paragraph"]
    if nth <= 0 or nth > kw["num_paragraphs"]:
        nth = ctx.rng("nth_paragraph", nth).randint(1, kw["num_paragraphs"] + 1)
    if nth > n:
        return None, n
    return parts[nth - 1].strip() or None, n


def nth_paragraph_first_word(r: str, kw: dict, ctx: CheckContext) -> bool:
    """The first word, up to its first punctuation mark, lower-cased (see :func:`nth_paragraph`)."""
    para, n = nth_paragraph(r, kw, ctx)
    if para is None:
        return False
    word = para.split()[0].strip().lstrip("'").lstrip('"')
    first = ""
    for ch in word:
        if ch in ".,?!'\"":
            break
        first += ch.lower()
    return n == kw["num_paragraphs"] and first == kw["first_word"].lower()


# -- format ----------------------------------------------------------------------------------------

def postscript(r: str, kw: dict, ctx: CheckContext) -> bool:
    marker = kw["postscript_marker"].strip()
    if marker == "P.P.S":
        pattern = r"\s*p\.\s?p\.\s?s.*$"
    elif marker == "P.S.":
        pattern = r"\s*p\.\s?s\..*$"
    else:
        pattern = r"\s*" + _pattern(marker.lower()) + r".*$"
    return bool(re.findall(pattern, r.lower(), flags=re.MULTILINE))


def multiple_sections(r: str, kw: dict, ctx: CheckContext) -> bool:
    pattern = r"\s?" + _pattern(kw["section_spliter"].strip()) + r"\s?\d+\s?"
    return len(re.split(pattern, r)) - 1 >= kw["num_sections"]


def json_format(r: str, kw: dict, ctx: CheckContext) -> bool:
    value = r.strip()
    for fence in ("```json", "```Json", "```JSON", "```"):  # each removed in turn, as str.removeprefix
        value = value.removeprefix(fence)
    value = value.removesuffix("```").strip()
    try:
        json.loads(value)
    except ValueError:
        return False
    return True


def end_checker(r: str, kw: dict, ctx: CheckContext) -> bool:
    return r.strip().strip('"').lower().endswith(kw["end_phrase"].strip().lower())


def capital_word_frequency(r: str, kw: dict, ctx: CheckContext) -> bool:
    n = sum(1 for w in nltk_words(r) if w.isupper())
    return _compare(n, kw["capital_relation"], kw["capital_frequency"])


def english_capital(r: str, kw: dict, ctx: CheckContext) -> bool:
    return r.isupper() and _is_language(r, "en")


def english_lowercase(r: str, kw: dict, ctx: CheckContext) -> bool:
    return r.islower() and _is_language(r, "en")


def no_comma(r: str, kw: dict, ctx: CheckContext) -> bool:
    return "," not in r


def quotation(r: str, kw: dict, ctx: CheckContext) -> bool:
    v = r.strip()
    return len(v) > 1 and v[0] == '"' and v[-1] == '"'


# Checkers whose published semantics babelscope's rewrite already has for every input.
_SAME = {
    "length_constraints:number_paragraphs": base.number_paragraphs,
    "detectable_content:number_placeholders": base.number_placeholders,
    "detectable_format:number_bullet_lists": base.number_bullet_lists,
    "detectable_format:constrained_response": base.constrained_response,
    "detectable_format:number_highlighted_sections": base.number_highlighted_sections,
    "detectable_format:title": base.title,
    "combination:two_responses": base.two_responses,
    "combination:repeat_prompt": base.repeat_prompt,
}

_OWN = {
    "keywords:existence": keywords_existence,
    "keywords:frequency": keywords_frequency,
    "keywords:forbidden_words": forbidden_words,
    "keywords:letter_frequency": letter_frequency,
    "language:response_language": response_language,
    "length_constraints:number_sentences": number_sentences,
    "length_constraints:number_words": number_words,
    "length_constraints:nth_paragraph_first_word": nth_paragraph_first_word,
    "detectable_content:postscript": postscript,
    "detectable_format:multiple_sections": multiple_sections,
    "detectable_format:json_format": json_format,
    "startend:end_checker": end_checker,
    "change_case:capital_word_frequency": capital_word_frequency,
    "change_case:english_capital": english_capital,
    "change_case:english_lowercase": english_lowercase,
    "punctuation:no_comma": no_comma,
    "startend:quotation": quotation,
}

#: The official registry: babelscope's kwargs schemas, the authors' semantics.
INSTRUCTIONS: dict[str, Instruction] = {
    iid: Instruction(iid, {**_SAME, **_OWN}[iid], dict(spec.required), dict(spec.optional))
    for iid, spec in base.INSTRUCTIONS.items()
}

__all__ = ["INSTRUCTIONS", "official_letter"]
