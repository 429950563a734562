"""Edges of babelscope's own IFEval checkers, sentence/word counting and strict/loose scoring
that `make mutate` found untested (tests/MUTATION_SURVIVORS.md, group ``ifeval``).

Each expectation is worked out by hand from the rule the docstring (or IFEval's
instructions.py, where the rule is IFEval's) states, or computed by the reference library the
rule names (PyThaiNLP's newmm segmenter); the comment on each case says which.
"""

from __future__ import annotations

import random

import pytest

from babelscope.ifeval import CheckContext, InstructionError, count_sentences, count_words, follow, loose_variants
from babelscope.ifeval import checkers, text
from babelscope.ifeval.checkers import INSTRUCTIONS, Instruction, validate


class _Lid:
    """A language identifier that always answers ``label`` and accepts only an exact match,
    so a verdict shows which identifier and which expected language a checker used."""

    def __init__(self, label: str):
        self.label = label

    def identify(self, text: str):
        return type("Pred", (), {"label": self.label})()

    def accepts(self, label: str, language: str) -> bool:
        return label == language


def ok(iid, response, ctx=None, **kw):
    return checkers.check(iid, response, validate(iid, kw), ctx)


# -- the context: seeded draws, the identifier it was given, empty text --------------------------------

def test_rng_is_seeded_by_seed_item_and_tag_joined_with_bars():
    # the documented key "seed|item|tag": stored runs rescored later must redraw the same letters
    ctx = CheckContext(item="k#turn1", seed=7)
    assert ctx.rng("letter", 2).random() == random.Random("7|k#turn1|letter|2").random()
    assert ctx.rng("letter", 2).random() != CheckContext(item="k#turn2", seed=7).rng("letter", 2).random()


def test_language_checks_use_the_given_identifier_and_pass_empty_text():
    # the context's own identifier decides (a fake one that says "xx" to everything)
    assert ok("language:response_language", "plainly English words", CheckContext(lid=_Lid("xx")), language="xx")
    assert not ok("language:response_language", "plainly English words", CheckContext(lid=_Lid("en")), language="xx")
    # IFEval: text with nothing to detect counts as following (the identifier is never asked)
    assert CheckContext(lid=_Lid("en")).is_language("  \n ", "fr") is True


@pytest.mark.parametrize("iid,text", [("change_case:english_capital", "BONJOUR TOUT LE MONDE"),
                                      ("change_case:english_lowercase", "bonjour tout le monde")])
def test_case_checks_expect_the_conversations_language(iid, text):
    # the expected language is ctx.language ("fr" here), not always English
    assert ok(iid, text, CheckContext(language="fr", lid=_Lid("fr")))
    assert not ok(iid, text, CheckContext(language="fr", lid=_Lid("en")))
    # no language given: English, spelled "en"
    assert ok(iid, text, CheckContext(language="", lid=_Lid("en")))
    assert not ok(iid, text, CheckContext(language="", lid=_Lid("de")))


def test_module_check_passes_response_kwargs_and_a_default_context():
    kw = {"keyword": "cat", "frequency": 2, "relation": "at least"}
    assert checkers.check("keywords:frequency", "cat and cat", kw) is True
    assert checkers.check("keywords:frequency", "one cat", kw) is False
    assert checkers.check("punctuation:no_comma", "a, b", {}) is False
    # no context given: a default one (whitespace is undetectable, so it follows)
    assert checkers.check("language:response_language", "  ", {"language": "fr"}) is True


# -- relations: "less than" as well as "at least" -------------------------------------------------------

def test_less_than_relations():
    # 'a' occurs 4 times in "A banana" (case folded); 4 words; 1 all-caps word
    assert ok("keywords:letter_frequency", "A banana", letter="a", let_frequency=5, let_relation="less than")
    assert not ok("keywords:letter_frequency", "A banana", letter="a", let_frequency=4, let_relation="less than")
    assert ok("length_constraints:number_words", "one two three four", num_words=5, relation="less than")
    assert not ok("length_constraints:number_words", "one two three four", num_words=4, relation="less than")
    assert ok("change_case:capital_word_frequency", "ONE two", capital_frequency=2, capital_relation="less than")
    assert not ok("change_case:capital_word_frequency", "ONE TWO", capital_frequency=2,
                  capital_relation="less than")


# -- paragraphs ---------------------------------------------------------------------------------------

def test_paragraph_dividers_at_the_edges_do_not_count():
    # "***" before the first or after the last paragraph leaves an empty edge piece: not a paragraph
    for r in ("***\na\n***\nb", "a\n***\nb\n***", "***\na\n***\nb\n***"):
        assert ok("length_constraints:number_paragraphs", r, num_paragraphs=2), r
        assert not ok("length_constraints:number_paragraphs", r, num_paragraphs=1), r
        assert not ok("length_constraints:number_paragraphs", r, num_paragraphs=3), r


def test_nth_paragraph_first_word_edges():
    def nth(r, nth_paragraph, first_word, num_paragraphs=2):
        return ok("length_constraints:nth_paragraph_first_word", r, num_paragraphs=num_paragraphs,
                  nth_paragraph=nth_paragraph, first_word=first_word)

    assert not nth("one\n\ntwo", 3, "two")                 # no 3rd paragraph
    assert not nth("one\n\nfoo", 0, "foo")                 # paragraphs count from 1
    # IFEval: the nth piece of the "\n\n" split is empty (the response opens with a blank line): fails
    assert not nth("\n\nthen more", 1, "then", num_paragraphs=1)
    # a capital X is a letter of the word, not a quote mark to strip
    assert nth("intro\n\nXylophones ring.", 2, "xylophones")
    assert not nth("intro\n\n\"", 2, "x")                  # a paragraph of only a quote mark has no word


# -- postscripts --------------------------------------------------------------------------------------

def test_postscript_markers():
    # P.P.S and P.S. allow a space after each dot (IFEval's patterns \s*p\.\s?p\.\s?s / \s*p\.\s?s\.)
    assert ok("detectable_content:postscript", "Hi.\nP. P. S. more", postscript_marker="P.P.S")
    assert ok("detectable_content:postscript", "Hi.\nP. S. bye", postscript_marker="P.S.")
    # the marker may close any line, not only the last
    assert ok("detectable_content:postscript", "Hi.\nP.S. bye\nthanks", postscript_marker="P.S.")
    # any other marker is matched literally, case-insensitively
    assert ok("detectable_content:postscript", "Hola.\nNOTA: adiós", postscript_marker="Nota:")
    assert not ok("detectable_content:postscript", "Hola.\nNota adiós", postscript_marker="Nota:")
    assert not ok("detectable_content:postscript", "Hi.\nP. S. bye", postscript_marker="Nota:")


# -- highlights, JSON, titles, two responses, endings, quotation ----------------------------------------

def test_highlighted_sections_count_each_once_and_keep_letters():
    assert ok("detectable_format:number_highlighted_sections", "*X* and *Y*", num_highlights=2)
    assert not ok("detectable_format:number_highlighted_sections", "**bold**", num_highlights=2)  # one, not two
    assert ok("detectable_format:number_highlighted_sections", "**b**", num_highlights=1)         # one letter


@pytest.mark.parametrize("fence", ["```json", "```Json", "```JSON", "```"])
def test_json_fences(fence):
    assert ok("detectable_format:json_format", f"{fence}\n{{\"a\": 1}}\n```")


def test_title_of_one_capital_letter():
    assert ok("detectable_format:title", "<<X>>\nbody")


def test_two_responses_with_dividers_at_the_edges():
    assert ok("combination:two_responses", "******first******second")
    assert ok("combination:two_responses", "first******second******")
    assert not ok("combination:two_responses", "a************b")   # an empty response between two dividers


def test_end_phrase_ending_in_a_capital():
    assert ok("startend:end_checker", "I love the letter X", end_phrase="letter X")


def test_quotation_needs_two_characters():
    assert not ok("startend:quotation", "\"")
    assert ok("startend:quotation", "«»")   # IFEval: len > 1 and quoted at both ends


# -- validation messages (matched whole) -----------------------------------------------------------------

def test_validate_messages():
    known = ", ".join(sorted(INSTRUCTIONS))
    with pytest.raises(InstructionError) as e:
        validate("nope", {})
    assert str(e.value) == f"unknown instruction id 'nope' (known: {known})"
    with pytest.raises(InstructionError) as e:
        validate("nope", {}, registry_name="multi-if")
    assert str(e.value) == f"unknown instruction id 'nope' of the multi-if checkers (known: {known})"
    with pytest.raises(InstructionError) as e:
        validate("detectable_format:title", ["x"], where="f.jsonl: row 2")
    assert str(e.value) == "f.jsonl: row 2: kwargs of detectable_format:title must be a JSON object, got ['x']"
    with pytest.raises(InstructionError) as e:
        validate("detectable_format:title", {"b": 1, "a": 2})
    assert str(e.value) == "detectable_format:title does not take kwargs a, b (expected: none)"
    with pytest.raises(InstructionError) as e:
        validate("keywords:frequency", {"keyword": "x", "frequency": 1, "relation": "at least", "z": 0})
    assert str(e.value) == "keywords:frequency does not take kwargs z (expected: keyword, frequency, relation)"
    with pytest.raises(InstructionError) as e:
        validate("keywords:frequency", {"keyword": "x", "frequency": 1, "relation": "about"})
    assert str(e.value) == "keywords:frequency: relation='about' should be one of less than, at least"
    with pytest.raises(InstructionError) as e:   # a JSON true is not a count
        validate("length_constraints:number_paragraphs", {"num_paragraphs": True})
    assert str(e.value) == "length_constraints:number_paragraphs: kwarg num_paragraphs=True should be int"


def test_validate_drops_unknown_kwargs_where_the_checker_ignores_them():
    spec = Instruction("x:y", lambda r, kw, ctx: True, {"a": (int,)}, ignores_extra=True)
    assert validate("x:y", {"a": 1, "junk": 2}, registry={"x:y": spec}) == {"a": 1}


# -- counting -----------------------------------------------------------------------------------------

def test_sentence_breaks_that_are_not_sentence_ends():
    assert count_sentences("Agent X. Smith arrived.") == 1      # a capital initial
    assert count_sentences("J. Smith wrote it.") == 1           # a one-letter initial
    assert count_sentences("We go. Then we stop.") == 2         # a two-letter word is no initial
    assert count_sentences("It rose to 3. then it fell.") == 1      # a lower-case word goes on


def test_thai_words_are_counted_with_newmm_next_to_other_words():
    from pythainlp.tokenize import word_tokenize

    thai = "ฉันชอบกินข้าวมาก"
    newmm = len([w for w in word_tokenize(thai, engine="newmm", keep_whitespace=False) if w.strip()])
    assert newmm != max(1, round(len(thai) / 5))   # precondition: the segmenter, not the fallback, decides
    assert count_words(thai) == newmm
    assert count_words("hello " + thai) == 1 + newmm              # counts add up across runs
    assert count_words("abc" + thai) == 1 + newmm                 # Latin and Thai in one run


def test_thai_fallback_without_pythainlp(monkeypatch):
    # without PyThaiNLP: one word per 5 Thai characters, rounded, at least one
    monkeypatch.setattr(text, "_thai_segmenter", lambda: None)
    assert count_words("กขค") == 1                  # round(0.6) = 1
    assert count_words("ก" * 13) == 3               # round(2.6) = 3
    assert count_words("ก" * 2) == 1                # round(0.4) = 0, floored at 1


# -- strict and loose -------------------------------------------------------------------------------------

def test_loose_variant_without_first_and_last_of_four_lines():
    assert loose_variants("a\nb\nc\nd")[3] == "b\nc"


def test_loose_pass_only_without_the_first_line():
    # only the variant with the greeting dropped and the '*' kept starts with the prompt
    r = follow("Sure!\nWrite *one* poem.", ["combination:repeat_prompt"], [{"prompt_to_repeat": "Write *one* poem"}])
    assert r.strict == (False,) and r.loose == (True,)


def test_follow_uses_the_given_context():
    r = follow("plainly English words", ["language:response_language"], [{"language": "xx"}],
               context=CheckContext(lid=_Lid("xx")))
    assert r.strict == (True,)


# -- follow(): the loose pass, and the published checkers' per-pass draws --------------------------
# Expected verdicts follow IFEval's evaluation_main (google-research): the loose verdict is any
# of the eight response variants (the response itself first) passing a freshly built instruction,
# so an instruction that draws at random draws again for the loose pass.

def test_loose_pass_counts_the_response_itself_when_every_variant_fails():
    # "*highlight*" has one highlighted section; every other variant (lines removed: blank; the
    # asterisks removed: no highlight) fails, so only the response itself keeps the loose pass
    ids, kw = ["detectable_format:number_highlighted_sections"], [{"num_highlights": 1}]
    assert [v for v in loose_variants("*highlight*")[1:] if v.strip()] == ["highlight"]
    for variant in (None, "ifeval"):
        res = follow("*highlight*", ids, kw, checkers=variant)
        assert res.strict == (True,) and res.loose == (True,), variant


def test_each_pass_uses_its_own_planned_draw():
    # the letter "#" makes IFEval draw a letter per pass; planned: instruction 0 strict 'b'
    # (3 b's: passes) and loose 'a' (none: fails), instruction 1 the other way round. So a strict
    # pass says nothing about the loose one, in either direction.
    ids = ["keywords:letter_frequency"] * 2
    kw = [{"letter": "#", "let_frequency": 3, "let_relation": "at least"}] * 2
    plan = {("k", 0, "strict"): "b", ("k", 0, "loose"): "a", ("k", 1, "strict"): "a", ("k", 1, "loose"): "b"}
    res = follow("bbb", ids, kw, CheckContext(item="k", draws=plan), checkers="ifeval")
    assert res.strict == (True, False)
    assert res.loose == (False, True)


def test_a_drawn_loose_pass_checks_the_response_itself():
    # nth paragraph 0 is out of range, so IFEval draws it per pass; planned strict 3 (no such
    # paragraph: fails), loose 1. "Hello world\n\n*" has 2 non-empty paragraphs and paragraph 1
    # starts with "hello"; each other variant has fewer paragraphs (a line removed, or the "*"
    # paragraph emptied by removing asterisks), so the loose pass holds only on the response itself.
    ids = ["length_constraints:nth_paragraph_first_word"]
    kw = [{"num_paragraphs": 2, "nth_paragraph": 0, "first_word": "hello"}]
    plan = {("k", 0, "strict"): 3, ("k", 0, "loose"): 1}
    res = follow("Hello world\n\n*", ids, kw, CheckContext(item="k", draws=plan), checkers="ifeval")
    assert res.strict == (False,)
    assert res.loose == (True,)


def test_spec_builds_the_instruction_it_names():
    # INSTRUCTIONS is built with _spec once, at import; called here so a change to it is seen
    # (a mutation tool switches changes on after import). Expected: the Instruction written out.
    got = checkers._spec("keywords:frequency", checkers.keywords_frequency, keyword=(str,), frequency=(int,))
    assert got == Instruction("keywords:frequency", checkers.keywords_frequency, {"keyword": (str,), "frequency": (int,)})
    assert INSTRUCTIONS["keywords:frequency"].required == {
        "keyword": checkers._STR, "frequency": checkers._INT, "relation": checkers._STR}
