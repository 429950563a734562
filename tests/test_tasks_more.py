"""TUMLU, M3Exam, BLEnD, FLORES translation and the derived UDHR task: loaders and scoring."""

from __future__ import annotations

import json

import pytest

from babelscope.tasks.base import Condition, DataSource, TaskError, get_task
from babelscope.tasks.blend import keep_question
from babelscope.tasks.m3exam import strip_label
from babelscope.tasks.tumlu import answer_letter


def test_tumlu_real_layout_five_shot_from_same_subject(shared_data):
    t = get_task("tumlu")
    code = t.code_for("uz-Cyrl")
    assert code == "uzbek-cyrillic" and t.code_for("az") == "azerbaijani"
    src = DataSource(shared_data / "tumlu")
    items = t.items(code, src, Condition())
    first_test = json.loads((shared_data / "tumlu/data/uzbek-cyrillic/test/Biology.jsonl").read_text(encoding="utf-8").splitlines()[0])
    dev = [json.loads(x) for x in (shared_data / "tumlu/data/uzbek-cyrillic/dev/Biology.jsonl").read_text(encoding="utf-8").splitlines()]
    # the authors' FEW_SHOT_PROMPTS layout: native question/answer words, "A)" labels, blank line
    demo0 = "Савол: " + dev[0]["question"] + "\n" + "\n".join(f"{L}) {c}" for L, c in zip("ABCD", dev[0]["choices"])) + "\n\nЖавоб: " + dev[0]["answer"]
    assert items[0].context.startswith(demo0 + "\n\n")
    assert items[0].context.count("\n\nЖавоб:") == 6  # 5 demonstrations + the question
    assert items[0].context.endswith("Савол: " + first_test["question"] + "\n" + "\n".join(f"{L}) {c}" for L, c in zip("ABCD", first_test["choices"])) + "\n\nЖавоб:")
    assert items[0].target == "ABCD".index(first_test["answer"])
    zero = t.items(code, src, Condition(shots=0))
    assert zero[0].context.count("Жавоб:") == 1
    en = t.items(code, src, Condition(literals="en", shots=0))
    assert en[0].context.startswith("Question: ") and en[0].context.endswith("\n\nAnswer:")


def test_tumlu_cyrillic_lookalike_answers():
    assert answer_letter("В") == "B" and answer_letter(" (С) ") == "C" and answer_letter("a") == "A"
    assert answer_letter("Z") is None and answer_letter("") is None


def test_m3exam_text_only_and_labels(tmp_path):
    rows = [
        {"question_text": "Capital of Italy?", "options": ["(1) Paris", "(2) Roma", "(3) Oslo", "(4) Bern"], "answer_text": "2", "need_image": "no", "background_description": []},
        {"question_text": "Look at the picture", "options": ["(1) a", "(2) b"], "answer_text": "1", "need_image": "yes"},
        {"question_text": "Mji mkuu?", "options": ["A. Nairobi", "B. Dodoma"], "answer_text": "B", "need_image": "no"},
    ]
    (tmp_path / "text-question").mkdir()
    (tmp_path / "text-question" / "swahili-questions-test.json").write_text(json.dumps(rows), encoding="utf-8")
    t = get_task("m3exam")
    assert t.code_for("sw") == "swahili"
    items = t.items("swahili", DataSource(tmp_path), Condition())
    assert len(items) == 2  # the image question is dropped
    assert items[0].context == "Capital of Italy?\nA. Paris\nB. Roma\nC. Oslo\nD. Bern\nAnswer:" and items[0].target == 1
    gen = t.items("swahili", DataSource(tmp_path), Condition(formulation="generate"))
    # main.py's zero-shot prompt: hint + instruction, blank line, background '', question, options as given, answer word
    assert gen[0].context.endswith("\n\n\nCapital of Italy?\n(1) Paris\n(2) Roma\n(3) Oslo\n(4) Bern\nJibu:")
    assert gen[0].context.startswith("Yafuatayo ni maswali ya chaguo nyingi kuhusu Kiswahili.")
    assert t.score(gen[0], "(2) Roma", "swahili")["acc"] == 1.0  # eval.py: '(' -> second char '2' == '2'
    assert t.score(gen[0], "Roma", "swahili") == {"response": "Roma", "extracted": None, "acc": 0.0, "extraction_failure": 1.0}
    assert t.score(gen[1], "B", "swahili")["acc"] == 1.0
    assert items[1].continuations == (" A", " B") and items[1].target == 1
    assert strip_label("ก. ปารีส") == "ปารีส"
    rows[0]["answer_text"] = "7"
    (tmp_path / "text-question" / "swahili-questions-test.json").write_text(json.dumps(rows), encoding="utf-8")
    with pytest.raises(TaskError, match="row 1: answer_text '7'"):
        t.items("swahili", DataSource(tmp_path), Condition())


def test_blend_keep_question_filter():
    assert keep_question({"idk": 4, "no-answer": 1, "not-applicable": 1})
    assert not keep_question({"idk": 0, "no-answer": 2, "not-applicable": 1})
    assert not keep_question({"idk": 5})


def test_blend_real_files(shared_data):
    t = get_task("blend")
    assert t.code_for("el") == "Greece"
    src = DataSource(shared_data / "blend")
    items = t.items("Greece", src, Condition())
    data = json.loads((shared_data / "blend/data/annotations/Greece_data.json").read_text(encoding="utf-8"))
    # the official soft_exact_match skips: no-answer + not-applicable >= 3, idk >= 5, or no annotations
    kept = [k for k, v in data.items() if not (v["idks"]["no-answer"] + v["idks"]["not-applicable"] >= 3
                                               or v["idks"]["idk"] >= 5 or len(v["annotations"]) == 0)]
    assert [i.id for i in items] == kept and 0 < len(kept) < len(data)
    assert items[0].context.startswith("Διάβασε την ακόλουθη ερώτηση") and data[kept[0]]["question"] in items[0].context
    en = t.items("Greece", src, Condition(literals="en"))
    assert en[0].context == f"Read the following question and provide a single answer without any explanations.\n\nQuestion: {data[kept[0]]['en_question']}\nAnswer:"


def test_flores_translation_items_and_chrf(shared_data):
    t = get_task("flores_translation")
    code = t.code_for("sw")
    items = t.items(code, DataSource(shared_data / "flores200"), Condition())
    eng = (shared_data / "flores200/flores200_dataset/devtest/eng_Latn.devtest").read_text(encoding="utf-8").splitlines()
    swh = (shared_data / "flores200/flores200_dataset/devtest/swh_Latn.devtest").read_text(encoding="utf-8").splitlines()
    assert len(items) == len(eng) == 1012
    assert items[0].context == f"English: {eng[0]}\nSwahili:" and items[0].target == swh[0]
    perfect = t.score(items[0], " " + swh[0], code)["chrf"]
    assert perfect == pytest.approx(100.0)
    assert t.score(items[0], "xyz", code)["chrf"] < 10


def test_udhr_continuation_options(tmp_path):
    t = get_task("udhr_continuation")
    code = t.code_for("sw")
    items = t.items(code, DataSource(), Condition())
    assert len(items) == 30 and t.derived
    for it in items:
        assert len(set(it.continuations)) == 4 and 0 <= it.target < 4
        assert all(c.startswith(" ") for c in it.continuations)
        assert len(it.choice_texts[it.target].split()) <= 10
    # the gold option is the text that follows the context in the article
    from babelscope.corpora.udhr import open_udhr
    from babelscope.languages import Language
    from babelscope.tasks.udhr_continuation import articles
    corpus = open_udhr(None, [Language.parse("sw")])
    art = articles(corpus.texts[corpus.code_for(Language.parse("sw"))])
    assert (items[0].context + items[0].continuations[items[0].target]) in art[0]
    assert sum(it.target == 0 for it in items) < 30  # gold position varies


def test_flores_translation_reports_corpus_chrf(shared_data):
    """Rows carry sacrebleu's corpus-level chrF++ (summed statistics), not only the sentence mean."""
    import sacrebleu

    from babelscope.evaluation import evaluate

    swh = (shared_data / "flores200/flores200_dataset/devtest/swh_Latn.devtest").read_text(encoding="utf-8").splitlines()
    hyps = {f"English: {e}": (s if i % 3 else s.split(" ")[0])  # every third answer is one word
            for i, (e, s) in enumerate(zip((shared_data / "flores200/flores200_dataset/devtest/eng_Latn.devtest")
                                           .read_text(encoding="utf-8").splitlines()[:9], swh[:9]))}

    class Runner:
        def generate(self, requests):
            return [next(v for k, v in hyps.items() if r.context.startswith(k)) for r in requests]

    out = evaluate(Runner(), [get_task("flores_translation")], ["sw"], DataSource(shared_data / "flores200"),
                   limit=9, n_boot=0, limit_mode="head")
    rows = {r.metric: r for r in out.rows}
    expected = sacrebleu.corpus_chrf(list(hyps.values()), [swh[:9]], word_order=2).score
    assert rows["chrf_corpus"].value == pytest.approx(expected) and rows["chrf_corpus"].n == 9
    assert rows["chrf"].value != pytest.approx(expected)  # the sentence mean is a different number
