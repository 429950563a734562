"""Edges of the task scorers that turn responses into accuracy (numbers, answer extraction)
that `make mutate` found untested (tests/MUTATION_SURVIVORS.md, group ``tasks``).

Expected values are worked out by hand from the rule each docstring states (and, for the
extractors, from the benchmark authors' rule the docstring restates); the comment on each
case says which rule decides it.
"""

from __future__ import annotations

import pytest

from babelscope.tasks.extraction import (
    lettered_answer, m3exam_prediction, mgsm_exact_match, mgsm_strict, tumlu_letter,
)
from babelscope.tasks.numbers import extract_answer, fold_digits, numbers_in, same_number

# -- numbers ---------------------------------------------------------------------------------------------


def test_digit_like_characters_that_are_not_decimal_stay():
    # '²' and '①' are Unicode digits without a decimal value: left as they are
    assert fold_digits("x² ①") == "x² ①"


def test_negative_numbers_keep_their_sign():
    assert numbers_in("from -12 to 3") == [-12.0, 3.0]
    assert extract_answer("The answer is -7", ("The answer is",)) == -7.0


def test_the_last_answer_phrase_wins():
    # "the last number after the last answer phrase present"
    assert extract_answer("The answer is 3. No wait, the answer is 5.", ("the answer is",)) == 5.0


def test_same_number_tolerance():
    # equal within 1e-6 relative to the gold (absolute below 1): the rule in same_number
    assert same_number(3.0, 3.0) and same_number(1e6 + 0.5, 1e6)   # 0.5 < 1e-6 * 1e6
    assert not same_number(1e6 + 2, 1e6)                           # 2 > 1
    assert not same_number(-3.0, 3.0)
    assert not same_number(1.0000015, 1.0)                          # 1.5e-6 > 1e-6 * max(1, 1)
    assert not same_number(1e-6, 0.0)                               # strictly less than the tolerance
    assert not same_number(1.5, 1.0)
    assert not same_number(None, 1.0) and not same_number(1.0, None) and not same_number(None, None)


# -- extraction -------------------------------------------------------------------------------------------


def test_tumlu_letter_edges():
    # '*' is removed before the patterns are searched ("Javob: **B**" reads "Javob: B")
    assert tumlu_letter("Javob: **B**", "uzbek") == "B"
    # only A-D are read
    assert tumlu_letter("Javob: X", "uzbek") is None
    with pytest.raises(KeyError) as e:
        tumlu_letter("A)", "klingon")
    assert e.value.args[0] == "TUMLU has no answer word for 'klingon'"


def test_m3exam_prediction_edges():
    assert m3exam_prediction(None) == ""      # an empty response stays empty (wrong)
    assert m3exam_prediction("B.") == "B"     # longer than one character: its first


def test_mgsm_strict_falls_back_to_english_and_exact_match_folds_case():
    assert mgsm_strict("The answer is 12", "xx") == "12"   # a language without a regex: the English one
    assert mgsm_exact_match("12", "12")                    # a string gold
    assert mgsm_exact_match("Ab", "aB")                    # ignore_case on both sides
    assert not mgsm_exact_match("12", "13")


def test_lettered_answer_edges():
    letters = ("A", "B", "C", "D")
    assert lettered_answer("**B**", letters) == "B"         # markdown emphasis removed
    assert lettered_answer("Answer:_B_", letters) == "B"    # '_' read as a space
    assert lettered_answer("Answer: C", letters) == "C"     # the default answer word
    assert lettered_answer("[B]", letters) == "B"           # a bare letter in brackets
    assert lettered_answer("X", ("W", "X", "Y", "Z")) == "X"


# -- BLEnD soft exact match (nlee0212/BLEnD evaluation/exact_match.py, as blend_scoring restates it) --------

def test_blend_tokens_per_language():
    import jieba
    import simplemma

    from babelscope.tasks.blend_scoring import tokens

    # Chinese: jieba's own segmentation
    assert tokens("我喜欢北京烤鸭", "Chinese") == list(jieba.cut("我喜欢北京烤鸭"))
    # Korean: kiwipiepy analyses 나/NP 는/JX 학교/NNG 에/JKB 가/VV 었/EP 다/EF; particles (J*) and
    # endings (E*) are dropped and a verb stem gets 다 (the dictionary form, as Okt's stem=True)
    assert tokens("나는 학교에 갔다", "Korean") == ["나", "학교", "가다"]
    # Spanish: simplemma's lemma of each word
    assert tokens("Los gatos comen", "Spanish") == [simplemma.lemmatize(w, lang="es") for w in ("Los", "gatos", "comen")]
    assert tokens("Los gatos comen", "Spanish") == ["el", "gato", "comer"]
    # the official stemmers of these three split on whitespace and strip punctuation but '-'
    for lang in ("Azerbaijani", "Hausa", "Sundanese"):
        assert tokens("salam, dünya! well-known -x- X-", lang) == ["salam", "dünya", "well-known", "x", "X"], lang
    # any other language: words and punctuation marks, unlemmatised
    assert tokens("ሰላም, ዓለም", "Amharic") == ["ሰላም", ",", "ዓለም"]


def test_blend_english_lemma_takes_noun_verb_adj_adv_in_that_order():
    from babelscope.tasks.blend_scoring import tokens

    # lemminflect.getAllLemmas: went {VERB: go}, oftener {ADJ: often}, sooner {ADV: soon}, children {NOUN: child}
    assert tokens("went oftener sooner children", "English") == ["go", "often", "soon", "child"]


def test_blend_final_cleanup():
    from babelscope.tasks.blend_scoring import _final

    # NFD, COMBINING ACUTE ACCENT removed, lower-cased; punctuation tokens and empty tokens dropped
    assert _final(["Árbol", ",", "", "X"]) == ["arbol", "x"]
    assert _final(["XXXX"]) == ["xxxx"]


def test_blend_lemma_check_substring_rules():
    from babelscope.tasks.blend_scoring import lemma_check

    assert lemma_check("ice-cream", "i like ice cream", "English")     # '-' read as ' '
    assert lemma_check("ice cream", "i like ice-cream", "English")     # ' ' read as '-'
    # the substring test comes first: "a-b c" is in "xa-b cx" although no token matches
    assert lemma_check("a-b c", "xa-b cx", "English")
    # else every lemma of the answer among the response's lemmas (simplemma: comen -> comer)
    assert lemma_check("comer", "ellos comen mucho", "Spanish")


def test_blend_answerable_counts_missing_keys_as_zero():
    from babelscope.tasks.blend_scoring import answerable

    ann = [{"answers": ["x"], "count": 1}]
    assert answerable({"idks": {"not-applicable": 2}, "annotations": ann})     # 0 + 2 < 3
    assert answerable({"idks": {"no-answer": 2}, "annotations": ann})
    assert not answerable({"idks": {"no-answer": 2, "not-applicable": 1}, "annotations": ann})


def test_blend_clean_response():
    from babelscope.tasks.blend_scoring import clean_response

    assert clean_response("x: paris") == "x: paris"                    # no prompt: no word removed
    assert clean_response("Straße") == "straße"                        # lower-cased, not case-folded
    # CJK punctuation folded (： 、 ， 。 -> : , , .), then dots stripped at the ends
    assert clean_response("答案：北京、上海，广州。") == "答案:北京,上海,广州"
    assert clean_response("Q? Paris", prompt="Q?") == "paris"          # the echoed prompt removed
    # a leading "word:" goes only when the word occurs in the prompt (colon not needed there)
    assert clean_response("city: paris", prompt="Name the city") == "paris"
    assert clean_response("paris: capital", prompt="Which city?") == "paris: capital"
    assert clean_response("sí: claro", prompt="Responde sí o no.") == "claro"


def test_blend_sem_scores_edges():
    from babelscope.tasks.blend_scoring import sem_scores

    # the prompt echo is removed before matching ("big" is only in the echoed question)
    assert sem_scores("Which city is big? Answer: Paris", [{"answers": ["big"], "count": 3}], "Spanish", False,
                      prompt="Which city is big? Answer:") == (0.0, 0.0)
    assert sem_scores("XXXX", [{"answers": ["xxxx"], "count": 1}], "English", False) == (1.0, 1.0)
    assert sem_scores("...", [{"answers": ["x"], "count": 1}], "English", False) == (0.0, 0.0)  # nothing left
    # a missing or zero count weighs 1
    assert sem_scores("b", [{"answers": ["a"]}, {"answers": ["b"]}], "Spanish", False) == (1.0, 1.0)
    assert sem_scores("b", [{"answers": ["a"], "count": 0}, {"answers": ["b"], "count": 1}], "Spanish",
                      False) == (1.0, 1.0)
    assert sem_scores("b", [{"answers": ["a"], "count": 4}, {"answers": ["b"]}], "Spanish", False) == (1.0, 0.25)
    assert sem_scores("b", [{"answers": ["a"], "count": 4}, {"answers": ["b"], "count": 0}], "Spanish",
                      False) == (1.0, 0.25)
    assert sem_scores("b", [{"answers": ["a"], "count": 4}, {"en_answers": ["b"]}], "Spanish", True) == (1.0, 0.25)
    assert sem_scores("b", [{"answers": ["a"], "count": 4}, {"en_answers": ["b"], "count": 0}], "Spanish",
                      True) == (1.0, 0.25)
    # local answers with the language's lemmatiser, English answers with English lemmas
    assert sem_scores("ellos comen", [{"answers": ["comer"], "count": 1}], "Spanish", False) == (1.0, 1.0)
    assert sem_scores("they went", [{"en_answers": ["go"], "count": 1}], "Spanish", True) == (1.0, 1.0)


def test_blend_signature_note_of_an_unlisted_language():
    from babelscope.tasks.blend_scoring import signature_note

    assert signature_note("Klingon") == "lemma=word split!=official:?"


# -- FLORES translation items, on a FLORES-200 layout written here ---------------------------------------------

def _flores(tmp_path, split_lines):
    for split, langs in split_lines.items():
        (tmp_path / split).mkdir(parents=True, exist_ok=True)
        for code, lines in langs.items():
            (tmp_path / split / f"{code}.{split}").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return tmp_path


def test_flores_translation_items(tmp_path):
    from babelscope.tasks.base import GENERATE, Condition, DataSource, TaskError
    from babelscope.tasks.flores_translation import FloresTranslation

    eng, swh, fra = ["e1", "e2", "e3", "e4"], ["s1", "s2", "s3", "s4"], ["f1", "f2", "f3", "f4"]
    d = _flores(tmp_path, {"devtest": {"eng_Latn": eng, "swh_Latn": swh, "fra_Latn": fra},
                           "dev": {"eng_Latn": ["de1"], "swh_Latn": ["ds1"], "fra_Latn": ["df1"]}})
    src = DataSource(d)
    items = FloresTranslation(("en",)).items("sw", src, Condition(shots=2))
    # two demonstrations (sentences 1-2), then one item per remaining sentence
    assert [(i.id, i.kind, i.target, i.stop, i.max_tokens, i.subsets) for i in items] == [
        ("en>devtest:0003", GENERATE, "s3", ("\n",), 256, ()), ("en>devtest:0004", GENERATE, "s4", ("\n",), 256, ())]
    assert items[0].context == "English: e1\nSwahili: s1\n\nEnglish: e2\nSwahili: s2\n\nEnglish: e3\nSwahili:"
    # two sources: every item says which one it comes from
    two = FloresTranslation(("en", "fr")).items("sw", src, Condition(shots=0))
    assert [(i.id, i.subsets) for i in two] == [(f"en>devtest:000{k}", ("from=en",)) for k in range(1, 5)] + \
        [(f"fr>devtest:000{k}", ("from=fr",)) for k in range(1, 5)]
    assert two[4].context == "French: f1\nSwahili:"
    # the split asked for
    dev = FloresTranslation(("en",)).items("sw", DataSource(d, split="dev"), Condition(shots=0))
    assert [(i.id, i.target) for i in dev] == [("en>dev:0001", "ds1")]
    with pytest.raises(TaskError) as e:
        FloresTranslation(("en",)).items("en", src, Condition(shots=0))
    assert str(e.value) == "task 'flores_translation': target en is its only source; give another --pivot"
    with pytest.raises(TaskError) as e:
        FloresTranslation(("en",)).items("sw", DataSource(), Condition(shots=0))
    assert str(e.value) == "task 'flores_translation': no --data-dir given and the hub is not reachable"


def test_flores_corpus_intervals_resample_count():
    from babelscope.metrics.chrf import corpus_chrfpp_ci
    from babelscope.tasks.base import GENERATE, Item
    from babelscope.tasks.flores_translation import FloresTranslation

    # 24 sentence pairs of varied overlap, so 1000 and 1001 resamples give different percentiles
    words = "habari ya asubuhi ninapenda chai mvua inanyesha leo sana kesho watoto shule".split()
    refs = [" ".join(words[i % 12:i % 12 + 3 + i % 4]) for i in range(24)]
    hyps = [" ".join(words[(i * 5) % 12:(i * 5) % 12 + 2 + i % 3]) for i in range(24)]
    items = [Item(id=str(i), kind=GENERATE, context="", target=r) for i, r in enumerate(refs)]
    scores = [{"response": h} for h in hyps]
    t = FloresTranslation()
    # the documented default: 1000 resamples
    r = corpus_chrfpp_ci(hyps, refs, n_boot=1000)
    assert t.corpus_intervals(items, scores) == {"chrf_corpus": (r.ci_low, r.ci_high)}
    # one resample is still an interval (of one value); none is no interval
    one = t.corpus_intervals(items, scores, n_boot=1)["chrf_corpus"]
    assert one[0] == one[1]
    assert t.corpus_intervals(items, scores, n_boot=0) == {}
