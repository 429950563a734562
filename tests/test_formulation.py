"""formulation=generate for every multiple-choice task: prompts in the benchmark's label style,
answers read with the benchmark's extraction, extraction failures reported per language.

Expected prompt strings are the published templates filled by hand; expected scores follow
the extraction rules traced in test_extraction.py."""

from __future__ import annotations

import json

import pytest

from babelscope.errors import ConfigError
from babelscope.evaluation import parse_conditions, rows_for
from babelscope.tasks.base import Condition, DataSource, get_task

GEN = Condition(formulation="generate")


def _jsonl(path, rows):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


def test_global_mmlu_simple_evals_prompt_and_patterns(tmp_path):
    _jsonl(tmp_path / "sw" / "test.jsonl", [
        {"sample_id": "astronomy/test/0", "subject": "astronomy", "question": "Jua ni nini?", "option_a": "Nyota",
         "option_b": "Sayari", "option_c": "Mwezi", "option_d": "Kimondo", "answer": "A", "cultural_sensitivity_label": "CA"}])
    t = get_task("global_mmlu")
    it = t.items("sw", DataSource(tmp_path), GEN)[0]
    assert it.context.endswith("Jua ni nini?\n\nA) Nyota\nB) Sayari\nC) Mwezi\nD) Kimondo")
    assert it.context.startswith("Answer the following multiple choice question.")
    assert it.subsets == ("CA",)
    assert t.score(it, "Jibu: A", "sw")["acc"] == 1.0          # 'Jibu\s*:' then A
    assert t.score(it, "**Answer: B**", "sw")["acc"] == 0.0
    assert t.score(it, "Nyota", "sw")["extraction_failure"] == 1.0


def test_belebele_and_xcopa_generate(tmp_path):
    _jsonl(tmp_path / "swh_Latn.jsonl", [
        {"flores_passage": "Mvua ilinyesha.", "question": "Nini kilitokea?", "mc_answer1": "Jua", "mc_answer2": "Mvua",
         "mc_answer3": "Theluji", "mc_answer4": "Upepo", "correct_answer_num": "2", "link": "x", "question_number": 1}])
    b = get_task("belebele")
    it = b.items("swh_Latn", DataSource(tmp_path), GEN)[0]
    assert "###\nPassage:\nMvua ilinyesha.\n###\nQuery:\nNini kilitokea?\n###\nChoices:\n(A) Jua\n(B) Mvua" in it.context
    assert b.score(it, "(B)", "swh_Latn")["acc"] == 1.0
    _jsonl(tmp_path / "data" / "sw" / "test.sw.jsonl", [
        {"premise": "Mtoto alilia.", "choice1": "Alianguka.", "choice2": "Alicheka.", "question": "cause", "label": 0, "idx": 1}])
    x = get_task("xcopa")
    it = x.items("sw", DataSource(tmp_path), GEN)[0]
    assert it.context.endswith("\nA) alianguka.\nB) alicheka.\nJibu:")
    assert x.score(it, "Jibu: A", "sw")["acc"] == 1.0 and x.score(it, "sijui", "sw")["extraction_failure"] == 1.0


def test_formulation_axis_and_rows(shared_data):
    conds = parse_conditions("shots=0;form=loglik,generate")
    assert [c.formulation for c in conds] == ["loglik", "generate"]
    assert conds[1].name == "lit=default|shots=0|demos=same|form=generate" and conds[0].name == "lit=default|shots=0|demos=same"
    with pytest.raises(ConfigError, match="--formulation"):
        get_task("tumlu").check_condition(Condition(formulation="cloze"))
    with pytest.raises(ConfigError, match="no generative formulation"):
        get_task("udhr_continuation").check_condition(GEN)
    # rows of a generated TUMLU slice report acc and the extraction-failure rate
    from babelscope.evaluation import plan

    s = plan([get_task("tumlu")], ["az"], DataSource(shared_data / "tumlu"), [Condition(formulation="generate", shots=0)], 4)[0]
    s.scores = [s.task.score(it, r, s.code) for it, r in zip(s.items, ["Cavab: A)", "?", "?", "?"])]
    rows = {(r.metric, r.variant): r.value for r in rows_for([s], None, n_boot=0).rows}
    assert rows[("extraction_failure", "lit=default|shots=0|demos=same|form=generate")] == 0.75


def test_tumlu_subject_macro_with_the_papers_exclusions():
    """Mean of per-subject accuracies, logic / world history / ... left out (closed form)."""
    from babelscope.tasks.tumlu import subject_macro

    subjects = ["Biology"] * 4 + ["History"] * 2 + ["logic"] * 3 + ["world-history"] * 1 + ["Computer_Science"] * 2
    scores = [1, 1, 1, 0] + [0, 1] + [0, 0, 0] + [0] + [1, 1]
    # biology 3/4, history 1/2; excluded subjects ignored -> (0.75 + 0.5) / 2
    assert subject_macro(subjects, scores) == pytest.approx(0.625)
    # the pooled mean over all items would be 7/12: a different number
    assert sum(scores) / len(scores) != pytest.approx(0.625)
    t = get_task("tumlu")
    from babelscope.tasks.base import MULTIPLE_CHOICE, Item

    items = [Item(id=str(i), kind=MULTIPLE_CHOICE, context="", target=0, meta={"subject": s}) for i, s in enumerate(subjects)]
    assert t.corpus_scores(items, [{"acc": float(x)} for x in scores]) == {"acc_subject_macro": pytest.approx(0.625)}


def test_m3exam_shown_order_with_labels(tmp_path):
    """A system that shuffled M3Exam's options shows them relabelled: '(1)' then names the option shown
    first. eval.py's reading of '(1) Roma' is '1'; read against the shown order that is 'Roma' (gold)."""
    rows = [{"question_text": "Capital of Italy?", "options": ["(1) Paris", "(2) Roma", "(3) Oslo", "(4) Bern"],
             "answer_text": "2", "need_image": "no", "level": "low", "subject_category": "social-science"}]
    (tmp_path / "text-question").mkdir()
    (tmp_path / "text-question" / "italian-questions-test.json").write_text(json.dumps(rows), encoding="utf-8")
    t = get_task("m3exam")
    it = t.items("italian", DataSource(tmp_path), GEN)[0]
    assert it.subsets == ("level:low",) and "Scienze sociali" in it.context
    shown = ["(1) Roma", "(2) Paris", "(3) Oslo", "(4) Bern"]
    assert t.score_generated(it, "(1) Roma", "italian", shown=shown)["acc"] == 1.0
    assert t.score_generated(it, "(1) Roma", "italian")["acc"] == 0.0  # dataset order: (1) is Paris


def test_tumlu_completion_answers_read_on_the_answer_line(shared_data):
    """A completion model continues 'Cavab:' with ' B': the authors' reader finds nothing in ' B'
    (acc_strict 0, traced in test_extraction), the answer line 'Cavab: B' reads B (acc)."""
    from babelscope.evaluation import plan

    s = plan([get_task("tumlu")], ["az"], DataSource(shared_data / "tumlu"), [Condition(formulation="generate", shots=0)], 1)[0]
    it = s.items[0]
    gold = it.meta["gold_label"]
    sc = s.task.score(it, f" {gold}", s.code)
    assert it.context.endswith("\n\nCavab:")
    assert sc["acc"] == 1.0 and sc["acc_strict"] == 0.0 and sc["extracted_strict"] is None
    sc = s.task.score(it, f"{gold}) yes", s.code)  # a restated answer: both readers agree
    assert sc["acc"] == sc["acc_strict"] == 1.0
