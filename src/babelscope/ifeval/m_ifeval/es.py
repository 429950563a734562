"""M-IFEval's Spanish instructions (``es:`` ids), with the semantics of its es_instructions.py.

Written from a reading of M-IFEval's code (lm-evaluation-harness ``m_ifeval`` registry and its
``es_instructions.py``); no code is taken from it. What differs from IFEval's English rules:

- relations are "al menos" (>=) and "como máximo" (<=), also on letters and capital words;
- the constrained answers are "Sí.", "No.", "Quizás."; postscripts "P.D." and "Nota";
- bullets are "*" only (IFEval also counts "-"); number_words and number_sentences first drop
  list markers, and number_sentences splits text langdetect does not call Spanish with the
  multilingual model;
- nth_paragraph_first_word compares a *phrase*: the paragraph's first N words, each without
  ASCII punctuation, lower-cased, against ``first_word.lower().split()``;
- end_checker ignores one trailing "." of the response;
- spanish_capital: every letter, after NFKD decomposition with the accents dropped, is upper
  case, and langdetect says "es" of the lower-cased text;
- five Spanish instructions: question_marks (¿...?), exclamation_marks (¡...!), enie and
  dieresis (exactly N words with ñ / ü) and tildes (words with á é í ó ú, at least/at most N).

Words and sentences are spaCy's (:mod:`.tokens` says when it is not installed).
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections import Counter

from .. import official
from ..checkers import _INT, _LIST, _STR, CheckContext, Instruction
from ..nlp import UndetectableLanguage, detect_language
from . import tokens

REL = ("al menos", "como máximo")
LANG = "es"


def _rel(n: int, relation: str, threshold: int) -> bool:
    return n >= threshold if relation == REL[0] else n <= threshold


def keywords_frequency(r: str, kw: dict, ctx: CheckContext) -> bool:
    n = len(re.findall(official._pattern(kw["keyword"].strip()), r, flags=re.IGNORECASE))
    return _rel(n, kw["relation"], kw["frequency"])


def letter_frequency(r: str, kw: dict, ctx: CheckContext) -> bool:
    n = Counter(r.lower())[official.official_letter(kw["letter"], ctx)]
    return _rel(n, kw["let_relation"], kw["let_frequency"])


_LIST_MARKER = re.compile(r"(^\s*[\d]+\.\s*)|(^\s*[-*]\s*)", flags=re.MULTILINE)


def number_words(r: str, kw: dict, ctx: CheckContext) -> bool:
    cleaned = _LIST_MARKER.sub("", r).replace("\n", " ")
    return _rel(len(tokens.words(cleaned, LANG)), kw["relation"], kw["num_words"])


def number_sentences(r: str, kw: dict, ctx: CheckContext) -> bool:
    """List markers go first; text langdetect does not call Spanish is split by the multilingual
    model, as M-IFEval's NumberOfSentences does (its default when detection fails is Spanish)."""
    cleaned = _LIST_MARKER.sub("", r)
    try:
        spanish = detect_language(r.lower()) == LANG
    except UndetectableLanguage:
        spanish = True
    n = tokens.count_sentences(cleaned, LANG) if spanish else tokens.count_multilingual_sentences(cleaned)
    return _rel(n, kw["relation"], kw["num_sentences"])


def nth_paragraph_first_phrase(r: str, kw: dict, ctx: CheckContext) -> bool:
    para, n = official.nth_paragraph(r, kw, ctx)
    if para is None:
        return False
    want = kw["first_word"].lower().split()
    got = ["".join(c for c in w if c not in string.punctuation).lower() for w in para.split()]
    if len(got) < len(want):
        return False
    return n == kw["num_paragraphs"] and got[:len(want)] == want


def at_least(key: str, count):
    def check(r: str, kw: dict, ctx: CheckContext) -> bool:
        return count(r, kw) >= kw[key]
    return check


def postscript(r: str, kw: dict, ctx: CheckContext) -> bool:
    marker = kw["postscript_marker"].strip()
    if marker == "P.D.":
        pattern = r"\s*p\.\s?d\..*$"
    elif marker == "Nota":
        pattern = r"\s*nota.*$"
    else:
        pattern = r"\s*" + official._pattern(marker.lower()) + r".*$"
    return bool(re.findall(pattern, r.lower(), flags=re.MULTILINE))


def star_bullets(r: str, kw: dict, ctx: CheckContext) -> bool:
    return len(re.findall(r"^\s*\*[^\*].*$", r, flags=re.MULTILINE)) == kw["num_bullets"]


def constrained(options: tuple[str, ...]):
    def check(r: str, kw: dict, ctx: CheckContext) -> bool:
        v = r.strip()
        return any(o in v for o in options)
    return check


def end_checker(r: str, kw: dict, ctx: CheckContext) -> bool:
    v = r.strip().strip('"').lower()
    v = v.removesuffix(".")
    return v.endswith(kw["end_phrase"].strip().lower())


def capital_word_frequency(r: str, kw: dict, ctx: CheckContext) -> bool:
    n = sum(1 for w in tokens.words(r, LANG) if w.isupper())
    return _rel(n, kw["capital_relation"], kw["capital_frequency"])


def spanish_capital(r: str, kw: dict, ctx: CheckContext) -> bool:
    decomposed = unicodedata.normalize("NFKD", r)
    upper = all(c.isupper() or not c.isalpha() for c in decomposed if not unicodedata.combining(c))
    return upper and official._is_language(r.lower(), LANG)


def spanish_lowercase(r: str, kw: dict, ctx: CheckContext) -> bool:
    return r.islower() and official._is_language(r, LANG)


def wrapped(opening: str, closing: str):
    """A non-empty span opened by ``opening`` and closed by the first ``closing`` after it."""
    pattern = re.compile(re.escape(opening) + "[^" + re.escape(closing) + "]*" + re.escape(closing))

    def check(r: str, kw: dict, ctx: CheckContext) -> bool:
        return any(m.lstrip(opening).rstrip(closing).strip() for m in pattern.findall(r))
    return check


def words_with(letter: str):
    def check(r: str, kw: dict, ctx: CheckContext) -> bool:
        return sum(1 for w in tokens.words(r, LANG) if letter in w.lower()) == kw["let_frequency"]
    return check


def tildes(r: str, kw: dict, ctx: CheckContext) -> bool:
    n = sum(1 for w in tokens.words(r, LANG) if any(c in "áéíóúÁÉÍÓÚ" for c in w))
    return _rel(n, kw["relation"], kw["num_words"])


def _placeholders(r: str, kw: dict) -> int:
    return len(re.findall(r"\[.*?\]", r))


def _highlights(r: str, kw: dict) -> int:
    n = sum(1 for h in re.findall(r"\*[^\n\*]*\*", r) if h.strip("*").strip())
    return n + sum(1 for h in re.findall(r"\*\*[^\n\*]*\*\*", r) if h[2:-2].strip())


def _sections(r: str, kw: dict) -> int:
    return len(re.split(r"\s?" + official._pattern(kw["section_spliter"].strip()) + r"\s?\d+\s?", r)) - 1


def registry() -> dict[str, Instruction]:
    """The ``es:`` ids with their kwargs schemas (relations in Spanish)."""
    same = official.INSTRUCTIONS
    rel = {"relation": _STR}
    specs = [
        ("keywords:existence", same["keywords:existence"].check, {"keywords": _LIST}, {}),
        ("keywords:frequency", keywords_frequency, {"keyword": _STR, "frequency": _INT, "relation": _STR}, {}),
        ("keywords:forbidden_words", same["keywords:forbidden_words"].check, {"forbidden_words": _LIST}, {}),
        ("keywords:letter_frequency", letter_frequency,
         {"letter": _STR, "let_frequency": _INT, "let_relation": _STR}, {}),
        ("language:response_language", same["language:response_language"].check, {"language": _STR}, {}),
        ("length_constraints:number_words", number_words, {"num_words": _INT, "relation": _STR}, {}),
        ("length_constraints:number_sentences", number_sentences, {"num_sentences": _INT, "relation": _STR}, {}),
        ("length_constraints:number_paragraphs", same["length_constraints:number_paragraphs"].check,
         {"num_paragraphs": _INT}, {}),
        ("length_constraints:nth_paragraph_first_word", nth_paragraph_first_phrase,
         {"num_paragraphs": _INT, "nth_paragraph": _INT, "first_word": _STR}, {}),
        ("detectable_content:number_placeholders", at_least("num_placeholders", _placeholders),
         {"num_placeholders": _INT}, rel),
        ("detectable_content:postscript", postscript, {"postscript_marker": _STR}, {}),
        ("detectable_format:number_bullet_lists", star_bullets, {"num_bullets": _INT}, {}),
        ("detectable_format:constrained_response", constrained(("Sí.", "No.", "Quizás.")), {}, {}),
        ("detectable_format:number_highlighted_sections", at_least("num_highlights", _highlights),
         {"num_highlights": _INT}, rel),
        ("detectable_format:multiple_sections", at_least("num_sections", _sections),
         {"section_spliter": _STR, "num_sections": _INT}, rel),
        ("detectable_format:json_format", same["detectable_format:json_format"].check, {}, {}),
        ("detectable_format:title", same["detectable_format:title"].check, {}, {}),
        ("combination:two_responses", same["combination:two_responses"].check, {}, {}),
        ("combination:repeat_prompt", same["combination:repeat_prompt"].check, {"prompt_to_repeat": _STR}, {}),
        ("punctuation:no_comma", same["punctuation:no_comma"].check, {}, {}),
        ("punctuation:question_marks", wrapped("¿", "?"), {}, {}),
        ("punctuation:exclamation_marks", wrapped("¡", "!"), {}, {}),
        ("startend:end_checker", end_checker, {"end_phrase": _STR}, {}),
        ("startend:quotation", same["startend:quotation"].check, {}, {}),
        ("change_case:capital_word_frequency", capital_word_frequency,
         {"capital_frequency": _INT, "capital_relation": _STR}, {}),
        ("change_case:spanish_capital", spanish_capital, {}, {}),
        ("change_case:spanish_lowercase", spanish_lowercase, {}, {}),
        ("special_character:enie", words_with("ñ"), {"let_frequency": _INT}, {}),
        ("special_character:dieresis", words_with("ü"), {"let_frequency": _INT}, {}),
        ("special_character:tildes", tildes, {"num_words": _INT, "relation": _STR}, {}),
    ]
    return {f"es:{iid}": Instruction(f"es:{iid}", fn, req, opt, REL) for iid, fn, req, opt in specs}
