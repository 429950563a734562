"""The results store: runs, rows, items, artifacts, run lookup and all-or-nothing writes."""

from __future__ import annotations

import sqlite3

import pytest

from babelscope.errors import BabelscopeError
from babelscope.languages import Language
from babelscope.results import ResultRow
from babelscope.store import Store


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "ws" / "results.sqlite")
    yield s
    s.close()


def _rows(n: int = 3) -> list[ResultRow]:
    langs = [Language.parse(x) for x in ("en", "sw", "hi", "ar", "ru")[:n]]
    return [ResultRow("tokenizers", "premium", lang, 1.0 + i / 4, variant="tok", corpus_code=f"c{i}", n=10)
            for i, lang in enumerate(langs)]


def test_rows_round_trip_with_language_fields_and_extra(store):
    rid = store.start_run("run", "sig", {"model": "m"})
    sw = Language.parse("swh_Latn")
    rows = [
        ResultRow("tokenizers", "premium", sw, 1.5, variant="gpt", corpus_code="swh_Latn", n=7,
                  ci_low=1.4, ci_high=1.6, extra={"layer": 3, "reason": "why"}),
        ResultRow("tokenizers", "unk_rate", sw, float("nan"), variant="gpt"),
    ]
    store.add_results(rid, rows)
    got = store.results(rid)
    assert len(got) == 2
    a, b = got
    assert (a["name"], a["metric"], a["variant"], a["value"], a["ci_low"], a["ci_high"], a["n"]) == (
        "tokenizers", "premium", "gpt", 1.5, 1.4, 1.6, 7)
    assert a["language"] == a["tag"] == sw.tag
    assert (a["iso639_3"], a["script"], a["family"]) == (sw.iso639_3, sw.script, sw.family)
    assert a["corpus_code"] == "swh_Latn"
    assert a["language_name"] == sw.name  # kept (it travels in extra)
    assert a["layer"] == 3 and a["reason"] == "why"
    assert b["value"] is None and b["n"] is None  # NaN is stored as missing
    assert store.results(rid, name="other") == []


def test_items_and_artifacts(store):
    rid = store.start_run("run", "sig", {})
    store.add_results(rid, _rows(1), items=[("tokenizers", "en", "a1.p1", {"tokens": 5})],
                      artifacts={"hist": [1, 2, 3]})
    assert store.items(rid) == [{"name": "tokenizers", "language": "en", "item_id": "a1.p1", "tokens": 5}]
    assert store.artifacts(rid) == {"hist": [1, 2, 3]}


def test_failure_inside_add_results_leaves_no_partial_rows(store):
    rid = store.start_run("run", "sig", {})
    store.add_results(rid, _rows(2))

    def items():
        yield ("tokenizers", "en", "1", {"x": 1})
        raise RuntimeError("interrupted half-way")

    with pytest.raises(RuntimeError):
        store.add_results(rid, _rows(3), items=items(), artifacts={"a": 1})
    assert len(store.results(rid)) == 2  # the first call's rows only
    assert store.items(rid) == []
    assert store.artifacts(rid) == {}
    # and the connection still works for the next write
    store.add_results(rid, _rows(1))
    assert len(store.results(rid)) == 3


def test_rows_survive_reopening_the_file(tmp_path):
    path = tmp_path / "results.sqlite"
    s = Store(path)
    rid = s.start_run("run", "sig", {"k": [1, 2]})
    s.add_results(rid, _rows(3))
    s.finish_run(rid, signature="sig2")
    s.close()
    s2 = Store(path)
    info = s2.run(rid)
    assert info.status == "finished" and info.signature == "sig2" and info.config == {"k": [1, 2]}
    assert info.finished is not None and info.finished >= info.created
    assert [r["value"] for r in s2.results(rid)] == [1.0, 1.25, 1.5]
    s2.close()


def test_run_lookup_by_id_prefix_and_latest(store):
    a = store.start_run("run", "s", {})
    b = store.start_run("run", "s", {})
    store._db.execute("UPDATE runs SET created = created - 10 WHERE run_id = ?", (a,))
    store._db.commit()
    assert store.run(a).run_id == a
    assert store.run("latest").run_id == b
    assert [r.run_id for r in store.runs()] == [b, a]
    unique = next(n for n in range(1, len(a) + 1) if not b.startswith(a[:n]))
    assert store.run(a[:unique]).run_id == a
    common = 0
    while a[common] == b[common]:
        common += 1
    if common:
        with pytest.raises(BabelscopeError, match="ambiguous"):
            store.run(a[:common])
    with pytest.raises(BabelscopeError, match="no run 'zzz'"):
        store.run("zzz")
    # SQL wildcards in a typed prefix are literal characters, not patterns
    with pytest.raises(BabelscopeError, match="no run"):
        store.run("%")
    with pytest.raises(BabelscopeError, match="no run"):
        store.run("_" * len(a))
    with pytest.raises(BabelscopeError, match="empty run id"):
        store.run("")


def test_latest_on_an_empty_store_is_a_user_error(store):
    with pytest.raises(BabelscopeError, match="no runs yet"):
        store.run("latest")


def test_result_counts(store):
    a = store.start_run("run", "s", {})
    b = store.start_run("run", "s", {})
    store.add_results(a, _rows(3))
    store.add_results(b, _rows(1))
    assert store.result_counts() == {a: 3, b: 1}


def test_store_uses_wal(store):
    mode = sqlite3.connect(str(store.path)).execute("PRAGMA journal_mode").fetchone()[0]
    assert mode.lower() == "wal"
