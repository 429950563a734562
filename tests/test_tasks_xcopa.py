"""XCOPA prompts as lm-evaluation-harness builds them, loaders, and bad-input errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from babelscope.errors import BabelscopeError
from babelscope.tasks.base import Condition, DataSource, TaskError, get_task


def _write(tmp_path: Path, code: str, rows: list[dict], split: str = "test") -> Path:
    d = tmp_path / "data" / code
    d.mkdir(parents=True, exist_ok=True)
    (d / f"{split}.{code}.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return tmp_path


ROWS = [
    {"premise": "Il ragazzo cadde.", "choice1": "Era scivolato.", "choice2": "Rise.", "question": "cause", "label": 0, "idx": 7},
    {"premise": "  Piovve tutto il giorno. ", "choice1": "Le strade erano bagnate.", "choice2": "Il sole splendeva.", "question": "effect", "label": 0, "idx": 8},
]


def test_prompt_matches_lm_eval_rules(tmp_path):
    t = get_task("xcopa")
    items = t.items("it", DataSource(_write(tmp_path, "it", ROWS)), Condition())
    # premise stripped, final character dropped, a space, the Italian connector
    assert items[0].context == "Il ragazzo cadde perché"
    assert items[0].continuations == (" era scivolato.", " rise.")
    assert items[1].context == "Piovve tutto il giorno quindi"
    assert items[1].continuations == (" le strade erano bagnate.", " il sole splendeva.")
    assert [i.target for i in items] == [0, 0]
    assert [i.id for i in items] == ["7", "8"]


def test_real_sample_swahili_connectors(shared_data):
    t = get_task("xcopa")
    src = DataSource(shared_data / "xcopa")
    items = t.items("sw", src, Condition())
    raw = [json.loads(x) for x in (shared_data / "xcopa/data/sw/test.sw.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(items) == len(raw) == 500
    for item, row in zip(items[:50], raw[:50]):
        conn = "kwa sababu" if row["question"] == "cause" else "kwa hiyo"
        assert item.context == row["premise"].strip()[:-1] + " " + conn
        assert item.continuations[row["label"]] == " " + row[f"choice{row['label'] + 1}"][0].lower() + row[f"choice{row['label'] + 1}"][1:]


def test_english_literals_and_few_shot(tmp_path):
    t = get_task("xcopa")
    src = DataSource(_write(_write(tmp_path, "it", ROWS), "it", ROWS[:1], split="val"))
    items = t.items("it", src, Condition(literals="en", shots=1))
    assert items[1].context == "Il ragazzo cadde because era scivolato.\n\nPiovve tutto il giorno therefore"


def test_language_not_in_task_lists_languages():
    with pytest.raises(TaskError) as e:
        get_task("xcopa").code_for("de")
    assert "German" in str(e.value) and "sw (Swahili)" in str(e.value)


def test_missing_field_names_task_language_file_row(tmp_path):
    bad = [ROWS[0], {"premise": "X.", "choice1": "A.", "question": "cause", "label": 1}]
    d = _write(tmp_path, "sw", bad)
    with pytest.raises(BabelscopeError) as e:
        get_task("xcopa").items("sw", DataSource(d), Condition())
    msg = str(e.value)
    assert "'xcopa'" in msg and "language sw" in msg and "test.sw.jsonl row 2" in msg and "choice2" in msg


def test_missing_file_names_paths(tmp_path):
    with pytest.raises(TaskError, match="test.qu.jsonl"):
        get_task("xcopa").items("qu", DataSource(tmp_path), Condition())


def test_unknown_task_suggests_closest():
    with pytest.raises(TaskError, match="did you mean: xcopa"):
        get_task("xcopaa")
    with pytest.raises(TaskError, match="global_mmlu"):
        get_task("globalmmlu")
