"""Multi-IF's instruction checkers (variant ``multi-if``), as its ``ifeval.py`` has them.

Written from a reading of Multi-IF's code (facebookresearch/Multi-IF ``ifeval.py``, the same
25 ids as IFEval); no code is taken from it. It is IFEval's official semantics
(:mod:`.official`) except where Multi-IF made them multilingual:

- number_sentences asks langdetect for the language first (``en`` when it cannot tell): Thai
  counts PyThaiNLP's sentences line by line; Hindi splits after । ! ?; Chinese and Japanese
  (``zh``, ``zh-cn``, ``zh-tw``, ``ja``) split after ! ? 。 . ！ ？ ． or a line break; every
  other language uses English punkt;
- number_words likewise: Thai counts PyThaiNLP ``newmm`` tokens (whitespace tokens included);
  Chinese/Japanese count each CJK, kana and Hangul character, each emoji, and each remaining
  space-separated run after removing its punctuation set; others count ``\\w+`` runs;
- quotation also accepts “...” and 「...」;
- a keyword that is not a valid regular expression makes keywords:frequency fail (the
  authors catch the error and return False).
"""

from __future__ import annotations

import re

from . import official
from .checkers import CheckContext, Instruction, _compare
from .nlp import UndetectableLanguage, detect_language, punkt_sentences

_CJK_LANGS = ("zh", "zh-cn", "zh-tw", "ja")


def _language(text: str) -> str:
    try:
        return detect_language(text)
    except UndetectableLanguage:
        return "en"


def _thai_sentences(line: str) -> int:
    from pythainlp.tokenize import sent_tokenize

    return len(sent_tokenize(line))


def _split_cjk(text: str) -> list[str]:
    out = []
    for line in text.splitlines():
        out.extend(re.findall(r"[^!?。\.\!\?\！\？\．\n]+[!?。\.\!\?\！\？\．\n]?", line.strip()))
    return out


def count_sentences(text: str) -> int:
    lang = _language(text)
    if lang == "th":
        return sum(_thai_sentences(line) for line in text.splitlines())
    if lang == "hi":
        return len([s for s in re.split(r"(?<=[।!?])\s*", text) if s.strip()])
    if lang in _CJK_LANGS:
        return len(_split_cjk(text))
    return len(punkt_sentences(text))


_NON_ALNUM = r"[\\.\!\?\．\/_,\{\}<>:;$%^&*(+\"\'+——！，。？、`~@#￥……（）：；《）《》“”()\[\]»〔〕\-「」]+"
_ASIAN = r"[\u4E00-\u9FFF\u3400-\u4DBF]|[\u3040-\u309f\u30a0-\u30ff]|[\uAC00-\uD7AF]"


def count_words_cjk(text: str) -> int:
    text = re.sub(_NON_ALNUM, "", text)
    try:
        import emoji
    except ImportError:
        emoji = None
    emojis = 0
    if emoji is not None:
        emojis = emoji.emoji_count(text)
        text = emoji.replace_emoji(text, "")
    asian = len(re.findall(_ASIAN, text))
    return len(re.sub(_ASIAN, " ", text).split()) + asian + emojis


def count_words(text: str) -> int:
    lang = _language(text)
    if lang == "th":
        from pythainlp.tokenize import word_tokenize

        return len(word_tokenize(text))
    if lang in _CJK_LANGS:
        return count_words_cjk(text)
    return len(re.findall(r"\w+", text))


def number_sentences(r: str, kw: dict, ctx: CheckContext) -> bool:
    return _compare(count_sentences(r), kw["relation"], kw["num_sentences"])


def number_words(r: str, kw: dict, ctx: CheckContext) -> bool:
    return _compare(count_words(r), kw["relation"], kw["num_words"])


def quotation(r: str, kw: dict, ctx: CheckContext) -> bool:
    v = r.strip()
    return len(v) > 1 and any(v[0] == a and v[-1] == b for a, b in (('"', '"'), ("“", "”"), ("「", "」")))


def keywords_frequency(r: str, kw: dict, ctx: CheckContext) -> bool:
    try:
        n = len(re.findall(kw["keyword"].strip(), r, flags=re.IGNORECASE))
    except re.error:
        return False
    return _compare(n, kw["relation"], kw["frequency"])


_OWN = {
    "length_constraints:number_sentences": number_sentences,
    "length_constraints:number_words": number_words,
    "startend:quotation": quotation,
    "keywords:frequency": keywords_frequency,
}

INSTRUCTIONS: dict[str, Instruction] = {
    iid: Instruction(iid, _OWN.get(iid, spec.check), spec.required, spec.optional)
    for iid, spec in official.INSTRUCTIONS.items()
}
