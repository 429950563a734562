"""BLEnD short answers scored as nlee0212/BLEnD evaluation/exact_match.py scores them.

Expected values are traced by hand through the official code on the same inputs:
get_llm_response_by_id (prompt removed, '：、，。' folded, lower-cased, a leading "word:" that
occurs in the prompt removed, '.' stripped), then soft_exact_match (skip when no-answer +
not-applicable >= 3, idk >= 5 or no annotations; groups in order, local answers with the
language's lemma_check unless the run is English, then English answers; weight = matched
group's count / first group's count), lemma_check (answer *not* lower-cased: substring or
'-'/' ' variants in the response; else every token, NFD with only U+0301 removed and
lower-cased, among the response's tokens). Each case says which step decides it.
"""

from __future__ import annotations

import json

import pytest

from babelscope.tasks.base import Condition, DataSource, get_task
from babelscope.tasks.blend_scoring import clean_response, lemma_check, sem_scores, signature_note

pytest.importorskip("simplemma")
pytest.importorskip("lemminflect")

GREEK = [{"answers": ["τοστ"], "en_answers": ["toast"], "count": 2},
         {"answers": ["κουλούρι"], "en_answers": ["koulouri"], "count": 1}]


def test_accents_are_removed_not_split():
    # substring fails ('jamón ibérico' vs 'jamon iberico'); tokens after NFD minus U+0301:
    # ['jamon', 'iberico'] on both sides -> match. (babelscope's old normaliser split 'jamo n'.)
    ann = [{"answers": ["jamón ibérico"], "en_answers": ["iberian ham"], "count": 3}]
    assert sem_scores("Jamon iberico.", ann, "Spanish", english_run=False) == (1.0, 1.0)


def test_gold_is_not_lower_cased():
    # 'CO' in 'scotland' is False (case kept); token 'co' is not among ['scotland'] -> no match.
    ann = [{"answers": ["CO"], "en_answers": ["CO"], "count": 1}]
    assert sem_scores("Scotland", ann, "English", english_run=True) == (0.0, 0.0)
    assert not lemma_check("CO", "scotland", "English")


def test_english_runs_check_only_english_answers():
    # English run: only en_answers ('rice'); 'mi' in 'millet pancake' is never tried -> 0.
    ann = [{"answers": ["mi"], "en_answers": ["rice"], "count": 1}]
    assert sem_scores("Millet pancake", ann, "English", english_run=True) == (0.0, 0.0)
    # the local run tries 'mi' first and the official substring rule matches it -> 1.
    assert sem_scores("Millet pancake", ann, "Indonesian", english_run=False) == (1.0, 1.0)
    # a Greek answer to the English run of Greece: en_answers 'toast'/'koulouri' only -> 0
    assert sem_scores("κουλούρι", GREEK, "English", english_run=True) == (0.0, 0.0)


def test_weight_is_first_matching_group_over_first_group():
    # local run: group 1 ('τοστ', 'toast') fails, group 2 'κουλούρι' is a substring -> (1, 1/2)
    assert sem_scores("Κουλούρι!", GREEK, "Greek", english_run=False) == (1.0, 0.5)
    # the English answer of group 1 matches in a local run too -> (1, 2/2)
    assert sem_scores("toast with butter", GREEK, "Greek", english_run=False) == (1.0, 1.0)
    assert sem_scores(None, GREEK, "Greek", english_run=False) == (0.0, 0.0)  # no response: 0


def test_prompt_echo_and_answer_word_removed():
    prompt = "Question: What is a common dish?\nAnswer:"
    # 'answer:' is the leading \w+: and 'answer' occurs in the lower-cased prompt -> removed
    assert clean_response("Answer: Fish and chips.", prompt) == "fish and chips"
    ann = [{"answers": ["fish and chips"], "en_answers": ["fish and chips"], "count": 5}]
    assert sem_scores("Answer: Fish and chips.", ann, "English", english_run=True, prompt=prompt) == (1.0, 1.0)


def test_english_lemmas():
    # spaCy lemmatises 'apples' -> 'apple': tokens ['apple'] vs ['an', 'apple'] -> match
    assert lemma_check("apples", "an apple", "English")
    assert not lemma_check("fried rice", "rice", "English")  # 'fried' -> 'fry' is missing


def test_signature_says_where_lemmatisers_differ():
    assert signature_note("Chinese") == "lemma=jieba"
    assert "!=official:spacy" in signature_note("English")


def test_unannotated_questions_are_skipped(tmp_path):
    root = tmp_path / "data"
    (root / "annotations").mkdir(parents=True)
    (root / "prompts").mkdir()
    data = {
        "q1": {"question": "Q1?", "en_question": "Q1?", "annotations": [{"answers": ["a"], "en_answers": ["a"], "count": 1}],
               "idks": {"idk": 0, "no-answer": 0, "not-applicable": 0}},
        "q2": {"question": "Q2?", "en_question": "Q2?", "annotations": [],
               "idks": {"idk": 0, "no-answer": 0, "not-applicable": 0}},
        "q3": {"question": "Q3?", "en_question": "Q3?", "annotations": [{"answers": ["b"], "en_answers": ["b"], "count": 1}],
               "idks": {"idk": 5, "no-answer": 0, "not-applicable": 0}},
    }
    (root / "annotations" / "UK_data.json").write_text(json.dumps(data), encoding="utf-8")
    (root / "prompts" / "UK_prompts.csv").write_text('id,English,Translation\ninst-4,"Q: {q}\nA:","Q: {q}\nA:"\n', encoding="utf-8")
    t = get_task("blend")
    items = t.items("UK", DataSource(tmp_path), Condition())
    assert [i.id for i in items] == ["q1"]  # q2: no annotations, q3: idk >= 5 (official count: 1)
    assert t.score(items[0], "A", "UK")["sem_b"] == 1.0


def _cli_eval(args):
    from typer.testing import CliRunner

    from babelscope.cli import app

    return CliRunner().invoke(app, ["--quiet", "eval", *args])


def test_blend_responses_cli_equals_official_soft_exact_match(shared_data, tmp_path):
    """Hand-written answers to Greece; expected = soft_exact_match traced by hand:
    Al-en-01 'Κουλούρι.' -> cleaned 'κουλούρι'; group 1 (τοστ/toast) fails, group 2 'κουλούρι' is a
    substring -> SEM-B 1, SEM-W 1/2. Al-en-02 'Souvlaki!' -> group 1's English answer 'souvlaki' is a
    substring -> 1, 2/2. Al-en-04 'Πεπόνι' -> groups 1-2 fail, group 3 'πεπόνι' -> 1, 1/2. The other
    457 answerable questions (460 by the official filter) have no response -> 0. English run: only
    English answers, so only 'Souvlaki!' matches."""
    data = json.loads((shared_data / "blend/data/annotations/Greece_data.json").read_text(encoding="utf-8"))
    valid = sum(1 for v in data.values() if not (v["idks"]["no-answer"] + v["idks"]["not-applicable"] >= 3
                                                 or v["idks"]["idk"] >= 5 or len(v["annotations"]) == 0))
    assert valid == 460
    path = tmp_path / "greece.jsonl"
    path.write_text("".join(json.dumps({"id": i, "language": "el", "response": r, "model": "hand"}, ensure_ascii=False) + "\n"
                            for i, r in [("Al-en-01", "Κουλούρι."), ("Al-en-02", "Souvlaki!"), ("Al-en-04", "Πεπόνι")]),
                    encoding="utf-8")
    common = ["--task", "blend", "--languages", "el", "--data-dir", str(shared_data / "blend"), "--responses", str(path),
              "--json", "--bootstrap", "0", "--lid", "none", "--workspace", str(tmp_path / "ws")]
    res = _cli_eval(common)
    assert res.exit_code == 0, res.output
    rows = {r["metric"]: r for r in json.loads(res.stdout)["rows"] if r["subset"] == "all"}
    assert rows["sem_b"]["value"] == pytest.approx(3 / valid) and rows["sem_b"]["n"] == valid
    assert rows["sem_w"]["value"] == pytest.approx((0.5 + 1 + 0.5) / valid)
    res = _cli_eval([*common, "--conditions", "lit=en"])
    assert res.exit_code == 0, res.output
    rows = {r["metric"]: r for r in json.loads(res.stdout)["rows"] if r["subset"] == "all"}
    assert rows["sem_b"]["value"] == pytest.approx(1 / valid)
