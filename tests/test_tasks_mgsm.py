"""MGSM: loader on the real TSV, prompts from the exemplars, number extraction in any script."""

from __future__ import annotations

import pytest

from babelscope.tasks.base import Condition, DataSource, TaskError, get_task
from babelscope.tasks.numbers import extract_answer, fold_digits, numbers_in


@pytest.mark.parametrize("text,phrases,expected", [
    ("The answer is 1,000.", ("The answer is",), 1000),
    ("উত্তর হল ১১।", ("উত্তর হল",), 11),                      # Bengali digits
    ("الجواب ٣٬٤٥٦", (), 3456),                              # Arabic-Indic + Arabic thousands sep
    ("उत्तर १२३ है", (), 123),                                # Devanagari
    ("答案是 １２。", ("答案是",), 12),                         # full-width
    ("Die Antwort ist 1.234", ("Die Antwort ist",), 1234),   # dot as thousands separator
    ("2,5 kg", (), 2.5),                                     # decimal comma
    ("Jibu ni 42. Kisha tuliongeza 7", ("Jibu ni",), 42),   # number after the answer word wins
    ("first 3 then 18", (), 18),                             # else the last number
    ("no number here", (), None),
])
def test_extract_answer(text, phrases, expected):
    got = extract_answer(text, phrases)
    assert got == (None if expected is None else float(expected))


def test_fold_digits_every_nd_digit():
    import unicodedata
    zeros = [c for c in map(chr, range(0x10000)) if unicodedata.category(c) == "Nd" and unicodedata.decimal(c) == 0]
    for z in zeros:
        nine = chr(ord(z) + 9)
        assert fold_digits(z + nine) == "09"
    assert numbers_in("٫") == []


def test_mgsm_real_rows_and_thousands(shared_data):
    t = get_task("mgsm")
    src = DataSource(shared_data / "mgsm")
    items = t.items("en", src, Condition())
    assert len(items) == 250
    assert items[145].target == 4000.0  # row 146: "4,000" with a thousands comma
    assert items[0].context.startswith("Question: Janet")
    assert items[0].context.endswith("\nStep-by-Step Answer:")
    bn = t.items("bn", src, Condition(shots=2))
    assert bn[0].context.startswith("প্রশ্ন: রজারের 5টি টেনিস বল আছে।")
    assert bn[0].context.count("ধাপে ধাপে উত্তর:") == 3
    assert bn[0].stop == ("\n\n", "প্রশ্ন:")
    en_demos = t.items("bn", src, Condition(shots=1, demos="en"))
    assert en_demos[0].context.startswith("Question: Roger has 5 tennis balls.")


def test_mgsm_scoring(shared_data):
    t = get_task("mgsm")
    item = t.items("bn", DataSource(shared_data / "mgsm"), Condition())[0]
    gold = int(item.target)
    bengali = "".join("০১২৩৪৫৬৭৮৯"[int(d)] for d in str(gold))
    assert t.score(item, f"... উত্তর হল {bengali}।", "bn")["exact_match"] == 1.0
    s = t.score(item, "I do not know", "bn")
    assert s["exact_match"] == 0.0 and s["extraction_failure"] == 1.0


def test_mgsm_bad_row(tmp_path):
    (tmp_path / "mgsm_sw.tsv").write_text("q1\t5\nq2 without answer\n", encoding="utf-8")
    with pytest.raises(TaskError, match=r"mgsm_sw.tsv row 2: expected 2"):
        get_task("mgsm").items("sw", DataSource(tmp_path), Condition())
