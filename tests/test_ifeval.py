"""The 25 instruction checkers, strict/loose scoring, and multilingual sentence/word counting."""

from __future__ import annotations

import pytest

from babelscope.ifeval import (
    INSTRUCTIONS, CheckContext, InstructionError, check, count_sentences, count_words, follow,
    loose_variants, split_sentences, validate,
)
from babelscope.lid import get_identifier


def ok(iid, response, ctx=None, **kw):
    return check(iid, response, validate(iid, kw), ctx)


# -- counting ---------------------------------------------------------------------------------------

def test_sentences_in_many_scripts():
    assert split_sentences("Dr. Smith paid 3.5 dollars. He left! Why?") == ["Dr. Smith paid 3.5 dollars.", "He left!", "Why?"]
    assert count_sentences("यह पहला वाक्य है। यह दूसरा है। तीसरा?") == 3          # danda
    assert count_sentences("今天天气很好。我们去公园吧！你觉得呢？") == 3            # CJK stops, no spaces
    assert count_sentences("Title\n\nOne line. Two lines.") == 3                 # a line break ends one
    assert count_sentences("ประโยคแรก ประโยคที่สอง") == 2                         # Thai: space between Thai
    assert count_sentences("هل أنت بخير؟ نعم.") == 2                              # Arabic question mark
    assert count_sentences("...") == 0


def test_words_in_many_scripts():
    assert count_words("Hello world, this is five.") == 5
    assert count_words("state-of-the-art") == 4                   # \w+ runs, as IFEval
    assert count_words("今天天气很好") == 6                          # one per Han character
    assert count_words("これはペンです") == 7                         # one per kana/kanji
    assert count_words("abc中文def") == 4
    assert count_words("안녕하세요 여러분") == 2                       # Korean uses spaces
    assert count_words("ฉันรักภาษาไทย") == 3                         # ฉัน / รัก / ภาษาไทย


# -- every checker, pass and fail --------------------------------------------------------------------

CASES = [
    ("keywords:existence", {"keywords": ["mom", "mother"]}, "My Mom is a mother.", "My mom is here."),
    ("keywords:frequency", {"keyword": "cat", "frequency": 2, "relation": "at least"}, "cat CAT", "one cat"),
    ("keywords:frequency", {"keyword": "cat", "frequency": 2, "relation": "less than"}, "one cat", "cat cat"),
    ("keywords:forbidden_words", {"forbidden_words": ["dog"]}, "hotdogs are fine", "a Dog barked"),
    ("keywords:forbidden_words", {"forbidden_words": ["猫"]}, "我喜欢狗", "我喜欢猫"),
    ("keywords:letter_frequency", {"letter": "a", "let_frequency": 3, "let_relation": "at least"}, "A banana", "no"),
    ("length_constraints:number_sentences", {"num_sentences": 2, "relation": "less than"}, "One.", "One. Two."),
    ("length_constraints:number_sentences", {"num_sentences": 3, "relation": "at least"}, "一。二。三。", "一。二。"),
    ("length_constraints:number_paragraphs", {"num_paragraphs": 2}, "a\n***\nb", "a\n***\n\n***\nb"),
    ("length_constraints:number_words", {"num_words": 5, "relation": "at least"}, "我喜欢吃苹果", "too few words"),
    ("length_constraints:nth_paragraph_first_word",
     {"num_paragraphs": 2, "nth_paragraph": 2, "first_word": "then"}, "first\n\n\"Then, more.", "first\n\nnext then"),
    ("length_constraints:nth_paragraph_first_word",
     {"num_paragraphs": 2, "nth_paragraph": 2, "first_word": "然后"}, "首先\n\n然后我们走了", "首先\n\n我们然后"),
    ("detectable_content:number_placeholders", {"num_placeholders": 2}, "[name] at [address]", "[name] only"),
    ("detectable_content:postscript", {"postscript_marker": "P.S."}, "Hi.\nP.S. bye", "Hi. PS bye"),
    ("detectable_content:postscript", {"postscript_marker": "P.P.S"}, "Hi.\np.p.s. more", "Hi.\nP.S. more"),
    ("detectable_format:number_bullet_lists", {"num_bullets": 2}, "* a\n- b\ntext", "* a\n* b\n* c"),
    ("detectable_format:constrained_response", {}, "Well. My answer is maybe.", "Maybe."),
    ("detectable_format:number_highlighted_sections", {"num_highlights": 2}, "*one* and **two**", "*one* and ** **"),
    ("detectable_format:multiple_sections", {"section_spliter": "Section", "num_sections": 2},
     "Section 1\na\nSection 2\nb", "Section 1\na"),
    ("detectable_format:json_format", {}, "```json\n{\"a\": 1}\n```", "{a: 1}"),
    ("detectable_format:title", {}, "<<My Title>>\ntext", "<< >> no title"),
    ("combination:two_responses", {}, "first******second", "same******same"),
    ("combination:repeat_prompt", {"prompt_to_repeat": "Write a poem."}, "write a poem. Roses...", "Roses... Write a poem."),
    ("startend:end_checker", {"end_phrase": "Any other questions?"}, "Done. any other questions?\"", "Any other questions? Yes."),
    ("change_case:capital_word_frequency", {"capital_frequency": 2, "capital_relation": "at least"},
     "THIS is VERY-GOOD", "Only ONE here"),
    ("punctuation:no_comma", {}, "No commas here.", "Yes，a CJK comma"),
    ("startend:quotation", {}, "  «Bonjour»  ", "\"unclosed"),
]


@pytest.mark.parametrize("iid,kw,good,bad", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_checker_pass_and_fail(iid, kw, good, bad):
    assert ok(iid, good, **kw) is True
    assert ok(iid, bad, **kw) is False


def test_language_checkers_use_babelscope_lid():
    ctx = CheckContext(language="fr", lid=get_identifier("py3langid"))
    fr = "Je voudrais réserver une table pour deux personnes ce soir, merci."
    en = "I would like to book a table for two people tonight, thank you."
    assert ok("language:response_language", fr, ctx, language="fr")
    assert not ok("language:response_language", en, ctx, language="fr")
    en_ctx = CheckContext(language="English", lid=get_identifier("py3langid"))
    assert ok("change_case:english_lowercase", en.lower(), en_ctx)
    assert not ok("change_case:english_lowercase", en, en_ctx)
    assert ok("change_case:english_capital", en.upper(), en_ctx)
    assert not ok("change_case:english_capital", fr.upper(), en_ctx)  # upper case, wrong language


def test_every_registered_instruction_is_exercised():
    covered = {c[0] for c in CASES} | {"language:response_language", "change_case:english_lowercase",
                                        "change_case:english_capital"}
    assert covered == set(INSTRUCTIONS) and len(INSTRUCTIONS) == 25


# -- validation and loose scoring ----------------------------------------------------------------------

def test_validate_names_the_fault():
    with pytest.raises(InstructionError, match="unknown instruction id 'keywords:nope'"):
        validate("keywords:nope", {}, where="f.csv: row 3")
    with pytest.raises(InstructionError, match="f.csv: row 3: keywords:existence does not take kwargs colour"):
        validate("keywords:existence", {"keywords": ["a"], "colour": 1}, where="f.csv: row 3")
    with pytest.raises(InstructionError, match="needs kwargs num_words, relation"):
        validate("length_constraints:number_words", {})
    with pytest.raises(InstructionError, match="num_words='many' should be int"):
        validate("length_constraints:number_words", {"num_words": "many", "relation": "at least"})
    with pytest.raises(InstructionError, match="relation='about' should be one of"):
        validate("length_constraints:number_words", {"num_words": 3, "relation": "about"})
    assert validate("length_constraints:number_words", {"num_words": 3.0, "relation": "at least", "x": None}) == \
        {"num_words": 3, "relation": "at least"}


def test_loose_variants_and_follow():
    assert loose_variants("Sure!\n*body*\nBye") == [
        "Sure!\n*body*\nBye", "*body*\nBye", "Sure!\n*body*", "*body*",
        "Sure!\nbody\nBye", "body\nBye", "Sure!\nbody", "body",
    ]
    # strict fails (first line breaks the JSON), loose passes once the first line is dropped
    r = follow("Here you go:\n{\"a\": 1}", ["detectable_format:json_format", "punctuation:no_comma"], [{}, {}])
    assert r.strict == (False, True) and r.loose == (True, True)
    assert not r.prompt_strict and r.prompt_loose
    # an empty response follows nothing, not even "no commas"
    e = follow("   ", ["punctuation:no_comma"], [{}])
    assert e.strict == (False,) and e.loose == (False,)
