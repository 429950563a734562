"""The surprisal section leads with bits per parallel segment relative to the pivot."""

from __future__ import annotations

import pytest

from babelscope.languages import Language
from babelscope.report import render_report
from babelscope.results import ResultRow
from babelscope.store import Store

from report_html import parse_report, table_by_caption

# Russian below English per byte (Cyrillic: 2 bytes a letter), above it per segment
VALUES = {"en": (0.712, 1.0), "ru": (0.575, 1.18)}


def test_ratio_is_the_headline_and_bpb_is_labelled(tmp_path):
    store = Store(tmp_path / "results.sqlite")
    rid = store.start_run("run", "sig", {"pivot": "en", "analyses": ["bits_per_byte"]})
    rows = []
    for code, (bpb, ratio) in VALUES.items():
        lang = Language.parse(code)
        rows.append(ResultRow("bits_per_byte", "bits_per_byte", lang, bpb, n=10))
        rows.append(ResultRow("bits_per_byte", "bits_per_segment_ratio", lang, ratio, n=10))
    store.add_results(rid, rows)
    store.finish_run(rid)
    text = render_report(store, rid)
    assert text.index("Bits per parallel segment, ratio to pivot") < text.index("Bits per byte by language")
    assert "not across scripts" in text
    table = table_by_caption(parse_report(text), "Per language")
    recs = {r["Language"].text: r for r in table.records()}
    assert float(recs["ru"]["bits_per_segment_ratio"].attrs["data-value"]) == pytest.approx(1.18)
    assert list(recs["ru"].keys()).index("bits_per_segment_ratio") < list(recs["ru"].keys()).index("bits_per_byte")
    store.close()
