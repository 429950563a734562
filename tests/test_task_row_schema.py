"""Malformed benchmark rows: a TaskError naming task, language, file, row and field.

Each case writes one bad row in the task's published file layout; the expected message parts
(file name, 1-based row number, field name) are known from what the test wrote.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from babelscope.tasks.base import Condition, DataSource, TaskError, get_task
from babelscope.tasks.schema import OPTION, TEXT, Spec, check_row

GOOD_XCOPA = {"premise": "Il ragazzo cadde.", "choice1": "Era scivolato.", "choice2": "Rise.",
              "question": "cause", "label": 0}


def _xcopa(tmp_path: Path, bad: dict) -> DataSource:
    d = tmp_path / "data" / "it"
    d.mkdir(parents=True)
    rows = [GOOD_XCOPA, {**GOOD_XCOPA, **bad}]
    (d / "test.it.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return DataSource(tmp_path)


@pytest.mark.parametrize("bad, field, problem", [
    ({"choice1": ""}, "choice1", "is empty"),           # was IndexError at xcopa.py:28
    ({"choice2": "   "}, "choice2", "is empty"),
    ({"choice1": ["a", "b"]}, "choice1", "must be text, not a list"),
    ({"premise": None}, "premise", "is missing"),
    ({"question": "why"}, "question", "expected one of cause, effect"),
    ({"label": 2}, "label", "expected one of 0, 1"),
    ({"label": "x"}, "label", "must be an integer"),
    ({"label": True}, "label", "must be an integer"),
])
def test_xcopa_bad_rows_name_file_row_and_field(tmp_path, bad, field, problem):
    with pytest.raises(TaskError) as e:
        get_task("xcopa").items("it", _xcopa(tmp_path, bad), Condition())
    msg = str(e.value)
    assert "test.it.jsonl row 2" in msg and f"field {field!r}" in msg and problem in msg
    assert "language it" in msg


def test_xcopa_label_as_text_digit_is_fine(tmp_path):
    items = get_task("xcopa").items("it", _xcopa(tmp_path, {"label": "1"}), Condition())
    assert items[1].target == 1


def test_tumlu_choices_must_be_a_list(tmp_path):
    d = tmp_path / "azerbaijani" / "test"
    d.mkdir(parents=True)
    rows = [{"question": "q?", "choices": ["a", "b", "c"], "answer": "A"},
            {"question": "q?", "choices": "abc", "answer": "A"}]
    (d / "Math.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    with pytest.raises(TaskError, match=r"Math.jsonl row 2: field 'choices' must be a list of texts, not text"):
        get_task("tumlu").items("azerbaijani", DataSource(tmp_path), Condition())


def test_mgsm_empty_question(tmp_path):
    (tmp_path / "mgsm_de.tsv").write_text("Wie viel?\t3\n\t4\n", encoding="utf-8")
    with pytest.raises(TaskError, match=r"mgsm_de.tsv row 2: field 'question' is empty"):
        get_task("mgsm").items("de", DataSource(tmp_path), Condition())


def test_blend_question_without_annotations_list(tmp_path):
    root = tmp_path / "data"
    (root / "annotations").mkdir(parents=True)
    (root / "prompts").mkdir()
    (root / "prompts" / "UK_prompts.csv").write_text("id,English,Translation\ninst-4,Q: {q} A:,Q: {q} A:\n",
                                                      encoding="utf-8")
    data = {"Al-en-01": {"en_question": "What?", "annotations": "none", "idks": {}}}
    (root / "annotations" / "UK_data.json").write_text(json.dumps(data), encoding="utf-8")
    t = get_task("blend")
    with pytest.raises(TaskError, match=r"UK_data.json question 'Al-en-01' \(#1\): field 'annotations' must be a list"):
        t.items("UK", DataSource(tmp_path), Condition())


def test_check_row_rules_against_hand_written_cases():
    where = {"_where": "task 't', language x, f.jsonl row 5"}
    check_row({**where, "a": "x", "b": 3, "c": ["p", ""]},
              {"a": TEXT, "b": TEXT, "c": Spec("text_list", allow_empty=True), "d": OPTION.__class__("text", required=False)})
    with pytest.raises(TaskError, match=r"f.jsonl row 5: field 'c' has 1 entries; needs at least 2"):
        check_row({**where, "c": ["p"]}, {"c": Spec("text_list", min_items=2)})
    with pytest.raises(TaskError, match=r"field 'c' entry 2 is empty"):
        check_row({**where, "c": ["p", " "]}, {"c": Spec("text_list")})
    with pytest.raises(TaskError, match=r"field 'o' must be an object, not a list"):
        check_row({**where, "o": []}, {"o": Spec("mapping")})
    check_row({**where, "o": ""}, {"o": OPTION})  # a blank lettered option is allowed
