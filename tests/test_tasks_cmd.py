"""`babelscope tasks`: every registered task, with the fields a user chooses by."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from babelscope.cli import app
from babelscope.tasks.base import TASKS
from babelscope.tasks.catalog import SOURCES


def test_tasks_json_lists_every_task():
    res = CliRunner().invoke(app, ["tasks", "--json"])
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)
    assert [r["name"] for r in rows] == list(TASKS)
    by = {r["name"]: r for r in rows}
    # XCOPA's 11 languages as the dataset publishes them (Ponti et al. 2020)
    assert sorted(by["xcopa"]["dataset_codes"]) == sorted("et ht id it qu sw ta th tr vi zh".split())
    assert by["xcopa"]["licence"] == "CC BY 4.0" and by["xcopa"]["kind"] == "multiple_choice"
    assert by["mgsm"]["kind"] == "generate" and by["mgsm"]["n_languages"] == 11
    for r in rows:
        assert r["measures"] and r["source"] and r["licence"] and r["metrics"]
        assert r["n_languages"] == len(r["languages"])


def test_every_task_has_a_source_entry():
    assert set(SOURCES) == set(TASKS)


def test_tasks_table_fits_80_columns():
    res = CliRunner().invoke(app, ["tasks"], env={"COLUMNS": "80"}, terminal_width=80)
    assert res.exit_code == 0
    assert max(len(line) for line in res.output.splitlines()) <= 80
    assert "xcopa" in res.output and "udhr_continuation" in res.output
