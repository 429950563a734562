"""M-IFEval's Japanese instructions (``ja:`` ids), with the semantics of its ja_instructions.py.

Written from a reading of M-IFEval's code as lm-evaluation-harness ships it (``m_ifeval``
ja_instructions.py, ja_instructions_util.py); no code is taken from it. Japanese formats:

- relations are "未満" (<) and "以上" (>=); answers "はい、そうです。", "いいえ、違います。",
  "どちらとも言えません。"; titles 『...』; highlights 《...》; sections 第N章 (N in ASCII or
  full-width digits, the kwarg naming 章/節/項); bullets "・"; numbered lists "1. ";
  quotation 「...」; commas 、 and periods 。;
- keywords, keyword counts and forbidden words compare whole janome tokens (surface forms);
- a letter is a hiragana (else a random hiragana, seeded); its katakana form counts too;
- sentences: ja_sentence_segmenter (neologd normalisation, split at line breaks and 。!?,
  a line ending in の joined to the next); length is counted in characters;
- nth_paragraph_first_word: the paragraph, without a leading 「 or 『, starts with the word;
- end_checker: 」 and 』 stripped from both ends of the response and the phrase;
- Japanese instructions: furigana, kansuuji, no/only hiragana, no/only katakana, kanji count,
  sentence_unified_end, nominal_ending (a noun before 。！？, janome POS), no_period.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import Counter
from functools import lru_cache

from .. import official
from ..checkers import _INT, _LIST, _STR, CheckContext, Instruction

REL = ("未満", "以上")
LANG = "ja"


def _rel(n: int, relation: str, threshold: int) -> bool:
    return n < threshold if relation == REL[0] else n >= threshold


@lru_cache(maxsize=1)
def _janome():
    from janome.tokenizer import Tokenizer

    return Tokenizer()


def _tokens(text: str) -> list:
    return list(_janome().tokenize(text))


def _surfaces(text: str) -> list[str]:
    return [t.surface for t in _tokens(text)]


@lru_cache(maxsize=1)
def _segmenter():
    from ja_sentence_segmenter.common.pipeline import make_pipeline
    from ja_sentence_segmenter.concatenate.simple_concatenator import (
        concatenate_matching,
    )
    from ja_sentence_segmenter.normalize.neologd_normalizer import normalize
    from ja_sentence_segmenter.split.simple_splitter import (
        split_newline,
        split_punctuation,
    )

    split_at = functools.partial(split_punctuation, punctuations=r"。!?")
    join_no = functools.partial(concatenate_matching, former_matching_rule=r"^(?P<result>.+)(の)$",
                                remove_former_matched=False)
    return make_pipeline(normalize, split_newline, join_no, split_at)


def count_sentences(text: str) -> int:
    return len(list(_segmenter()(text)))


def keywords_existence(r: str, kw: dict, ctx: CheckContext) -> bool:
    words = set(_surfaces(r))
    return all(k in words for k in kw["keywords"])


def keywords_frequency(r: str, kw: dict, ctx: CheckContext) -> bool:
    return _rel(Counter(_surfaces(r))[kw["keyword"].strip()], kw["relation"], kw["frequency"])


def forbidden_words(r: str, kw: dict, ctx: CheckContext) -> bool:
    words = set(_surfaces(r))
    return not any(w in words for w in kw["forbidden_words"])


_HIRAGANA = [chr(i) for i in range(ord("ぁ"), ord("ん") + 1)]


def japanese_letter(letter: str, ctx: CheckContext) -> str:
    if not letter or len(letter) > 1 or not "ぁ" <= letter <= "ん":
        return ctx.rng("ja:keywords:letter_frequency", letter).choice(_HIRAGANA)
    return letter.strip()


def letter_frequency(r: str, kw: dict, ctx: CheckContext) -> bool:
    letter = japanese_letter(kw["letter"], ctx)
    counts = Counter(r)
    return _rel(counts[letter] + counts[chr(ord(letter) + 96)], kw["let_relation"], kw["let_frequency"])


def number_sentences(r: str, kw: dict, ctx: CheckContext) -> bool:
    return _rel(count_sentences(r), kw["relation"], kw["num_sentences"])


def number_letters(r: str, kw: dict, ctx: CheckContext) -> bool:
    return _rel(len(r), kw["relation"], kw["num_letters"])


def nth_paragraph_first_word(r: str, kw: dict, ctx: CheckContext) -> bool:
    para, n = official.nth_paragraph(r, kw, ctx)
    if para is None:
        return False
    want = kw["first_word"].lower()
    para = para.lstrip("「").lstrip("『")
    return n == kw["num_paragraphs"] and para[:len(want)] == want


def postscript(r: str, kw: dict, ctx: CheckContext) -> bool:
    marker = kw["postscript_marker"].strip()
    if marker == "P.P.S":
        pattern = r"\s*p\.\s?p\.\s?s.*$"
    elif marker == "P.S.":
        pattern = r"\s*p\.\s?s\..*$"
    else:
        pattern = r"\s*" + re.escape(marker) + r".*$"
    return bool(re.findall(pattern, r, flags=re.IGNORECASE | re.MULTILINE))


def bullets(r: str, kw: dict, ctx: CheckContext) -> bool:
    return len(re.findall(r"^\s*・[^\・].*$", r, flags=re.MULTILINE)) == kw["num_bullets"]


def numbered_lists(r: str, kw: dict, ctx: CheckContext) -> bool:
    return len(re.findall(r"^\s*\d+\.\s.*$", r, flags=re.MULTILINE)) == kw["num_items"]


def constrained(r: str, kw: dict, ctx: CheckContext) -> bool:
    v = r.strip()
    return any(o in v for o in ("はい、そうです。", "いいえ、違います。", "どちらとも言えません。"))


def highlights(r: str, kw: dict, ctx: CheckContext) -> bool:
    n = sum(1 for h in re.findall(r"《[^\n《》]*》", r) if h.strip("《》").strip())
    return n >= kw["num_highlights"]


def sections(r: str, kw: dict, ctx: CheckContext) -> bool:
    pattern = r"\s?" + r"第[\d\uFF10-\uFF19]+" + official._pattern(kw["section_spliter"].strip()) + r"\s?"
    return len(re.split(pattern, r)) - 1 >= kw["num_sections"]


def repeat_prompt(r: str, kw: dict, ctx: CheckContext) -> bool:
    return r.strip().startswith(kw["prompt_to_repeat"].strip())


def end_checker(r: str, kw: dict, ctx: CheckContext) -> bool:
    return r.strip().strip("」』").endswith(kw["end_phrase"].strip().strip("」』"))


def title(r: str, kw: dict, ctx: CheckContext) -> bool:
    return any(t.lstrip("『").rstrip("』").strip() for t in re.findall(r"『[^\n]+』", r))


def no_period(r: str, kw: dict, ctx: CheckContext) -> bool:
    return "。" not in r


def no_comma(r: str, kw: dict, ctx: CheckContext) -> bool:
    return "、" not in r


def quotation(r: str, kw: dict, ctx: CheckContext) -> bool:
    v = r.strip()
    return len(v) > 1 and v[0] == "「" and v[-1] == "」"


def furigana(r: str, kw: dict, ctx: CheckContext) -> bool:
    return len(re.findall(r"[\u4e00-\u9faf]+", r)) == len(re.findall(r"[\u4e00-\u9faf]+（[ぁ-ん]+）", r))


def kanji(r: str, kw: dict, ctx: CheckContext) -> bool:
    return _rel(len(re.findall(r"[\u4e00-\u9faf]", r)), kw["relation"], kw["kanji_limit"])


def _ignorable(ch: str) -> bool:
    return not unicodedata.category(ch).startswith("L")


def no_hiragana(r: str, kw: dict, ctx: CheckContext) -> bool:
    return not any("ぁ" <= c <= "ゖ" for c in r)


def hiragana_only(r: str, kw: dict, ctx: CheckContext) -> bool:
    return all("ぁ" <= c <= "ん" or c == "ー" or _ignorable(c) for c in r)


def no_katakana(r: str, kw: dict, ctx: CheckContext) -> bool:
    return not any("ァ" <= c <= "ヺ" or "ｦ" <= c <= "ﾟ" for c in r)


def katakana_only(r: str, kw: dict, ctx: CheckContext) -> bool:
    return all("ァ" <= c <= "ン" or c in "ー・" or "ｦ" <= c <= "ﾟ" or _ignorable(c) for c in r)


_QUOTES = (re.compile(r"「.*?」"), re.compile(r"『.*?』"))


def _unquoted(r: str) -> str:
    for q in _QUOTES:
        r = q.sub("", r)
    return r


def sentence_unified_end(r: str, kw: dict, ctx: CheckContext) -> bool:
    ending = kw["ending"]
    return all(not s or s.endswith(ending) for s in re.split(r"[。！？]", _unquoted(r)))


def nominal_ending(r: str, kw: dict, ctx: CheckContext) -> bool:
    toks = _tokens(_unquoted(r))
    n = sum(1 for i in range(1, len(toks))
            if toks[i].surface in "。！？" and toks[i - 1].part_of_speech.startswith("名詞"))
    return n >= kw["count"]


def kansuuji(r: str, kw: dict, ctx: CheckContext) -> bool:
    return not re.search(r"\d", r)


def registry() -> dict[str, Instruction]:
    """The ``ja:`` ids; like the authors' (which take ``**kwargs``) they ignore unknown kwargs."""
    same = official.INSTRUCTIONS
    specs = [
        ("keywords:existence", keywords_existence, {"keywords": _LIST}),
        ("keywords:frequency", keywords_frequency, {"keyword": _STR, "frequency": _INT, "relation": _STR}),
        ("keywords:forbidden_words", forbidden_words, {"forbidden_words": _LIST}),
        ("keywords:letter_frequency", letter_frequency, {"letter": _STR, "let_frequency": _INT, "let_relation": _STR}),
        ("language:response_language", same["language:response_language"].check, {"language": _STR}),
        ("length_constraints:number_sentences", number_sentences, {"num_sentences": _INT, "relation": _STR}),
        ("length_constraints:number_paragraphs", same["length_constraints:number_paragraphs"].check,
         {"num_paragraphs": _INT}),
        ("length_constraints:number_letters", number_letters, {"num_letters": _INT, "relation": _STR}),
        ("length_constraints:nth_paragraph_first_word", nth_paragraph_first_word,
         {"num_paragraphs": _INT, "nth_paragraph": _INT, "first_word": _STR}),
        ("detectable_content:number_placeholders", same["detectable_content:number_placeholders"].check,
         {"num_placeholders": _INT}),
        ("detectable_content:postscript", postscript, {"postscript_marker": _STR}),
        ("detectable_format:number_bullet_lists", bullets, {"num_bullets": _INT}),
        ("detectable_format:number_numbered_lists", numbered_lists, {"num_items": _INT}),
        ("detectable_format:constrained_response", constrained, {}),
        ("detectable_format:number_highlighted_sections", highlights, {"num_highlights": _INT}),
        ("detectable_format:multiple_sections", sections, {"section_spliter": _STR, "num_sections": _INT}),
        ("detectable_format:json_format", same["detectable_format:json_format"].check, {}),
        ("detectable_format:title", title, {}),
        ("combination:two_responses", same["combination:two_responses"].check, {}),
        ("combination:repeat_prompt", repeat_prompt, {"prompt_to_repeat": _STR}),
        ("startend:end_checker", end_checker, {"end_phrase": _STR}),
        ("startend:sentence_unified_end", sentence_unified_end, {"ending": _STR}),
        ("detectable_format:nominal_ending", nominal_ending, {"count": _INT}),
        ("letters:furigana", furigana, {}),
        ("letters:kansuuji", kansuuji, {}),
        ("letters:no_katakana", no_katakana, {}),
        ("letters:katakana_only", katakana_only, {}),
        ("letters:no_hiragana", no_hiragana, {}),
        ("letters:hiragana_only", hiragana_only, {}),
        ("letters:kanji", kanji, {"kanji_limit": _INT, "relation": _STR}),
        ("punctuation:no_comma", no_comma, {}),
        ("punctuation:no_period", no_period, {}),
        ("startend:quotation", quotation, {}),
    ]
    return {f"ja:{iid}": Instruction(f"ja:{iid}", fn, req, {}, REL, ignores_extra=True) for iid, fn, req in specs}
