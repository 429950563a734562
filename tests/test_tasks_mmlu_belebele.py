"""Global-MMLU (CS/CA/unannotated subsets) and Belebele loaders and prompts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from babelscope.tasks.base import Condition, DataSource, TaskError, get_task
from babelscope.tasks.literals import LiteralError, literal, QUESTION


def _mmlu_row(i: int, label: str, answer: str = "B") -> dict:
    return {"sample_id": f"s/{i}", "subject": "x", "question": f" Q{i}? ", "option_a": "a", "option_b": "b",
            "option_c": "c", "option_d": "d", "answer": answer, "cultural_sensitivity_label": label,
            "is_annotated": label != "-"}


def _jsonl(path: Path, rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


def test_global_mmlu_default_prompt_and_subsets(tmp_path):
    _jsonl(tmp_path / "sw" / "test.jsonl", [_mmlu_row(0, "CS", "C"), _mmlu_row(1, "CA"), _mmlu_row(2, "-")])
    items = get_task("global_mmlu").items("sw", DataSource(tmp_path), Condition())
    assert items[0].context == "Q0?\nA. a\nB. b\nC. c\nD. d\nAnswer:"
    assert items[0].continuations == (" A", " B", " C", " D")
    assert [i.target for i in items] == [2, 1, 1]
    assert [i.subsets for i in items] == [("CS",), ("CA",), ("unannotated",)]


def test_global_mmlu_native_literals_and_english_demos(tmp_path):
    _jsonl(tmp_path / "ar" / "test.jsonl", [_mmlu_row(0, "CS")])
    _jsonl(tmp_path / "en" / "dev.jsonl", [_mmlu_row(9, "-", "D")])
    items = get_task("global_mmlu").items("ar", DataSource(tmp_path), Condition(literals="native", shots=1, demos="en"))
    demo = "Q9?\nA. a\nB. b\nC. c\nD. d\nAnswer: D\n\n"
    assert items[0].context == demo + "Q0?\nأ. a\nب. b\nج. c\nد. d\nإجابة:"
    assert items[0].continuations == (" أ", " ب", " ج", " د")


def test_global_mmlu_real_sample_layout(shared_data):
    src = DataSource(shared_data / "global_mmlu_sample", split="dev")
    items = get_task("global_mmlu").items("en", src, Condition())
    assert len(items) == 285
    assert items[0].context.startswith("Find all c in Z_3 such that Z_3[x]/(x^2 + c) is a field.\nA. 0\n")
    assert items[0].target == 1 and items[0].subsets == ("unannotated",)


def test_global_mmlu_bad_answer_names_row(tmp_path):
    _jsonl(tmp_path / "de" / "test.jsonl", [_mmlu_row(0, "CS"), _mmlu_row(1, "CA", answer="E")])
    with pytest.raises(TaskError, match=r"de.test.jsonl row 2: answer 'E'"):
        get_task("global_mmlu").items("de", DataSource(tmp_path), Condition())


def _bele_row(i: int) -> dict:
    return {"link": "l", "question_number": i, "flores_passage": "Passage text.", "question": "Why? ",
            "mc_answer1": "w", "mc_answer2": "x", "mc_answer3": "y", "mc_answer4": "z",
            "correct_answer_num": "3", "dialect": "swh_Latn"}


def test_belebele_prompt_and_demos_skip_self(tmp_path):
    _jsonl(tmp_path / "swh_Latn.jsonl", [_bele_row(1), _bele_row(2)])
    t = get_task("belebele")
    assert t.code_for("sw") == "swh_Latn" and t.code_for("ar") == "arb_Arab"
    items = t.items("swh_Latn", DataSource(tmp_path), Condition())
    body = "P: Passage text.\nQ: Why?\nA: w\nB: x\nC: y\nD: z\nAnswer:"
    assert items[0].context == body and items[0].target == 2 and items[0].id == "l#1"
    shot = t.items("swh_Latn", DataSource(tmp_path), Condition(shots=1))
    assert shot[0].context == body + " C\n\n" + body  # the demo is the *other* item
    native = t.items("swh_Latn", DataSource(tmp_path), Condition(literals="native"))
    assert native[0].context == "Kifungu: Passage text.\nSwali: Why?\nA: w\nB: x\nC: y\nD: z\nJibu:"


def test_missing_literal_names_the_file():
    with pytest.raises(LiteralError, match=r"literals\.py"):
        literal(QUESTION, "QUESTION", "gd")  # Scottish Gaelic is not in the table
