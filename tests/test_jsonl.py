"""The shared JSON-lines reader: objects with their line numbers; faults named by each caller."""

from __future__ import annotations

import pytest

from babelscope.errors import CorpusError
from babelscope.jsonl import iter_jsonl
from babelscope.tasks.base import TaskError
from babelscope.tasks.data import read_rows


def _fail(n, e):
    return ValueError(f"line {n}: {'bad JSON' if e else 'not an object'}")


def test_objects_with_line_numbers_blank_lines_skipped(tmp_path):
    f = tmp_path / "a.jsonl"
    f.write_text('{"a": 1}\n\n  \n{"a": "ü"}\n', encoding="utf-8")
    assert list(iter_jsonl(f, _fail)) == [(1, {"a": 1}), (4, {"a": "ü"})]


@pytest.mark.parametrize("bad, what", [("{oops", "bad JSON"), ("[1, 2]", "not an object")])
def test_faults_are_built_by_the_caller(tmp_path, bad, what):
    f = tmp_path / "a.jsonl"
    f.write_text('{"a": 1}\n' + bad + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match=f"line 2: {what}"):
        list(iter_jsonl(f, _fail))


def test_task_rows_name_task_language_file_and_row(tmp_path):
    f = tmp_path / "test.sw.jsonl"
    f.write_text('{"premise": "x"}\n"just a string"\n', encoding="utf-8")
    with pytest.raises(TaskError, match=r"task 'xcopa', language sw: .*test.sw.jsonl row 2: not a JSON object"):
        read_rows(f, "xcopa", "sw")
    f.write_text('{"premise": "x"}\n{"premise": \n', encoding="utf-8")
    with pytest.raises(TaskError, match=r"row 2: invalid JSON"):
        read_rows(f, "xcopa", "sw")
    f.write_text('{"premise": "x"}\n', encoding="utf-8")
    assert read_rows(f, "xcopa", "sw") == [{"premise": "x", "_where": f"task 'xcopa', language sw, {f} row 1"}]


def test_multi_if_rows_name_the_line(tmp_path):
    from babelscope.tasks.multi_if import _read_rows

    f = tmp_path / "m.jsonl"
    f.write_text('{"key": 1}\n7\n', encoding="utf-8")
    with pytest.raises(CorpusError, match="line 2 is not a JSON object"):
        _read_rows(f)
