"""The multi-if checker variant: Multi-IF's own per-language counting, from its ifeval.py.

Expected values: Multi-IF's ifeval.py read rule by rule (as each test says), its own docstring
example, or the libraries it calls (langdetect, PyThaiNLP) used directly here.
"""

from __future__ import annotations

import pytest

from babelscope.ifeval import CheckContext, follow
from babelscope.ifeval.multi_if_rules import count_words_cjk

langdetect = pytest.importorskip("langdetect")
pytest.importorskip("pycrfsuite")
pytest.importorskip("emoji")


def verdict(variant: str, response: str, iid: str, kwargs: dict) -> bool:
    return follow(response, [iid], [kwargs], CheckContext(item="t"), checkers=variant).strict[0]


def _detect(text: str) -> str:
    langdetect.DetectorFactory.seed = 0
    return langdetect.detect(text)


def test_cjk_word_count_matches_multi_ifs_docstring():
    # ifeval.py count_words_chinese_japanese docstring: this input gives 19.
    assert count_words_cjk("こんにちは、ジェイソンさん、Jason? Nice to meet you☺ ❤") == 19


def test_chinese_sentences_split_at_full_stops():
    # Multi-IF: langdetect says zh-cn -> split_chinese_japanese: one sentence per run ending in
    # 。！？: 3 here. IFEval's English punkt ends sentences only at . ? ! followed by a space: 1.
    text = "今天天气很好。我们去公园吧！你觉得怎么样？"
    kw = {"num_sentences": 3, "relation": "at least"}
    assert verdict("multi-if", text, "length_constraints:number_sentences", kw) is (_detect(text) in ("zh-cn", "zh-tw"))
    assert verdict("ifeval", text, "length_constraints:number_sentences", kw) is False


def test_hindi_sentences_split_at_danda():
    # Multi-IF (langdetect "hi"): re.split(r"(?<=[।!?])\s*") non-empty pieces: 3.
    # English punkt splits only after "?": 2.
    text = "मैं घर जा रहा हूँ। तुम कहाँ जा रहे हो? ठीक है।"
    kw = {"num_sentences": 3, "relation": "at least"}
    assert verdict("multi-if", text, "length_constraints:number_sentences", kw) is (_detect(text) == "hi")
    assert verdict("ifeval", text, "length_constraints:number_sentences", kw) is False


def test_thai_words_are_pythainlp_tokens_with_spaces():
    # Multi-IF (langdetect "th"): len(word_tokenize_thai(value)) with PyThaiNLP's defaults
    # (newmm, whitespace tokens kept); IFEval counts \w+ runs: 2 (Thai vowel signs are \w).
    from pythainlp.tokenize import word_tokenize

    text = "ฉันไปโรงเรียน เขาไปตลาด"
    n = len(word_tokenize(text)) if _detect(text) == "th" else None
    assert n is not None and n > 2
    assert verdict("multi-if", text, "length_constraints:number_words", {"num_words": n, "relation": "at least"})
    assert not verdict("multi-if", text, "length_constraints:number_words", {"num_words": n + 1, "relation": "at least"})


def test_quotation_accepts_chinese_and_japanese_quotes():
    for text in ("“你好”", "「こんにちは」"):
        assert verdict("multi-if", text, "startend:quotation", {})
        assert not verdict("ifeval", text, "startend:quotation", {})


def test_english_poem_is_counted_by_punkt_as_in_ifeval():
    # For English text Multi-IF calls the same punkt count_sentences as IFEval: 2 sentences.
    poem = "Roses are red,\nviolets are blue.\nSugar is sweet\nand so are you."
    kw = {"num_sentences": 2, "relation": "at least"}
    assert verdict("multi-if", poem, "length_constraints:number_sentences", kw) is (_detect(poem) not in ("th", "hi", "zh-cn", "zh-tw", "ja"))
    assert not verdict("multi-if", poem, "length_constraints:number_sentences", {"num_sentences": 3, "relation": "at least"})
