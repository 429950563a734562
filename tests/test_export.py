"""Exports: CSV, JSON and Parquet read back equal to the store's rows."""

from __future__ import annotations

import csv
import json

import pyarrow.parquet as pq
import pytest

from babelscope.errors import BabelscopeError, ConfigError
from babelscope.export import ROW_COLUMNS, export_rows, export_run, infer_format, items_path
from babelscope.languages import Language
from babelscope.results import ResultRow
from babelscope.store import Store

FLOATS = ("value", "ci_low", "ci_high")


@pytest.fixture
def filled(tmp_path):
    store = Store(tmp_path / "results.sqlite")
    rid = store.start_run("run --x", "model:m|babelscope:0.1.0", {"model": "m"})
    rows = []
    for i, code in enumerate(["en", "swh_Latn", "zho_Hans", "am"]):
        lang = Language.parse(code)
        rows.append(ResultRow("tokenizers", "premium", lang, 1 / 3 + i, variant="o200k", corpus_code=code, n=12,
                              extra={"layer": i, "note": 'quote " comma , newline\nend'}))
        rows.append(ResultRow("tokenizers", "byte_fallback_rate", lang, None, variant="o200k", corpus_code=code,
                              extra={"reason": "no byte fallback"}))
    rows.append(ResultRow("xcopa", "acc", Language.parse("sw"), 0.625, kind="task", n=8, ci_low=0.5, ci_high=0.75,
                          extra={"shape": {"a": [1, 2]}}))
    store.add_results(rid, rows, items=[("xcopa", "sw", "0", {"target": 1, "logliks": [-1.5, -0.25]}),
                                        ("xcopa", "sw", "1", {"target": 0, "logliks": [-0.5, -2.0]})])
    yield store, rid
    store.close()


def _expected(store, rid):
    rows = store.results(rid)
    for r in rows:
        assert r.pop("tag") == r["language"]
    return rows


def _norm_csv(row: dict[str, str], expected: dict) -> dict:
    """Turn CSV strings back into the types the store returned, guided by the expected row."""
    out = {}
    for k, text in row.items():
        want = expected.get(k)
        if text == "" and (want is None or want == ""):
            out[k] = want
        elif isinstance(want, bool):
            out[k] = text == "True"
        elif isinstance(want, int):
            out[k] = int(text)
        elif isinstance(want, float):
            out[k] = float(text)
        elif isinstance(want, (dict, list)):
            out[k] = json.loads(text)
        else:
            out[k] = text
    return out


def test_export_rows_are_store_rows_without_tag(filled):
    store, rid = filled
    assert export_rows(store, rid) == _expected(store, rid)


def test_csv_round_trip(filled, tmp_path):
    store, rid = filled
    path = export_run(store, rid, "csv", tmp_path / "out" / "rows.csv")
    expected = _expected(store, rid)
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        header = reader.fieldnames
        got = list(reader)
    assert header[: len(ROW_COLUMNS)] == list(ROW_COLUMNS)
    assert sorted(header[len(ROW_COLUMNS):]) == header[len(ROW_COLUMNS):]
    assert len(got) == len(expected)
    for g, e in zip(got, expected):
        norm = _norm_csv(g, e)
        assert {k: v for k, v in norm.items() if v is not None and v != ""} == {
            k: v for k, v in e.items() if v is not None and v != ""}
    # floats are written exactly, not rounded
    assert float(got[0]["value"]) == expected[0]["value"] == 1 / 3


def test_json_round_trip_with_items(filled, tmp_path):
    store, rid = filled
    path = export_run(store, rid, "json", tmp_path / "rows.json", items=True)
    doc = json.loads(path.read_text(encoding="utf-8"))
    expected = _expected(store, rid)
    assert doc["run"]["run_id"] == rid and doc["run"]["signature"] == "model:m|babelscope:0.1.0"
    # every row carries every column (missing ones as null) and equals the store row otherwise
    for g, e in zip(doc["rows"], expected, strict=True):
        assert {k: v for k, v in g.items() if v is not None} == {k: v for k, v in e.items() if v is not None}
    assert [it["logliks"] for it in doc["items"]] == [[-1.5, -0.25], [-0.5, -2.0]]
    assert all(it["run_id"] == rid for it in doc["items"])


def test_parquet_round_trip_keeps_types_and_signature(filled, tmp_path):
    store, rid = filled
    path = export_run(store, rid, None, tmp_path / "rows.parquet", items=True)
    table = pq.read_table(path)
    meta = {k.decode(): v.decode() for k, v in table.schema.metadata.items()}
    assert meta["babelscope.signature"] == "model:m|babelscope:0.1.0" and meta["babelscope.run_id"] == rid
    assert str(table.schema.field("value").type) == "double"
    assert str(table.schema.field("n").type) == "int64"
    assert str(table.schema.field("layer").type) == "int64"
    got = table.to_pylist()
    expected = _expected(store, rid)
    for g, e in zip(got, expected, strict=True):
        if "shape" in e:
            assert json.loads(g.pop("shape")) == e.pop("shape")  # nested extras become JSON text
        assert {k: v for k, v in g.items() if v is not None} == {k: v for k, v in e.items() if v is not None}
    items = pq.read_table(items_path(path, "parquet")).to_pylist()
    assert [(i["item_id"], i["target"]) for i in items] == [("0", 1), ("1", 0)]


def test_stdout_export(filled, capsys):
    store, rid = filled
    export_run(store, "latest", "json", "-")
    doc = json.loads(capsys.readouterr().out)
    assert len(doc["rows"]) == len(store.results(rid))
    with pytest.raises(ConfigError, match="Parquet"):
        export_run(store, rid, "parquet", "-")


def test_format_inference_and_errors(filled, tmp_path):
    store, _ = filled
    assert infer_format("a/b.CSV") == "csv" and infer_format("x.pq") == "parquet"
    assert infer_format("x.txt", "JSON") == "json"
    with pytest.raises(ConfigError, match=r"x\.txt"):
        infer_format("x.txt")
    with pytest.raises(ConfigError, match="'xlsx'"):
        infer_format("x.csv", "xlsx")
    with pytest.raises(BabelscopeError, match="no run 'nope'"):
        export_run(store, "nope", "csv", tmp_path / "x.csv")
    assert not (tmp_path / "x.csv").exists()
