"""Chart details: CI whiskers, the chance line, the pivot's bar, the grouped premium chart,
the heatmap legend, and escaping in the page template.

Positions are checked against the chart's own linear scale: a value v sits at
LABEL_W + plot_w * v / axis_top, so ratios of distances from the axis origin must equal
ratios of values (computed here by hand from the numbers given).
"""

from __future__ import annotations

import re

import pytest

from babelscope.report.chance import chance_level
from babelscope.report.charts import LABEL_W, Bar, colour_legend, grouped_hbar_chart, hbar_chart


def _floats(pattern: str, text: str) -> list[float]:
    return [float(x) for x in re.findall(pattern, text)]


def test_whisker_spans_the_ci_on_the_bars_scale():
    svg = hbar_chart([Bar("sw", 0.6, ci_low=0.45, ci_high=0.75), Bar("en", 0.8, highlight=True)],
                     lambda v: f"{v:.2f}", chance=0.5)
    bar_w = _floats(r'<rect class="bar[^"]*" x="[\d.]+" y="[\d.]+" width="([\d.]+)"', svg)
    whisker = re.search(r'<g class="whisker"><line x1="([\d.]+)" y1="[\d.]+" x2="([\d.]+)"', svg)
    lo, hi = float(whisker.group(1)) - LABEL_W, float(whisker.group(2)) - LABEL_W
    assert lo / bar_w[0] == pytest.approx(0.45 / 0.6, rel=1e-2)
    assert hi / bar_w[0] == pytest.approx(0.75 / 0.6, rel=1e-2)
    assert bar_w[1] / bar_w[0] == pytest.approx(0.8 / 0.6, rel=1e-2)
    chance_x = _floats(r'<line class="chance" x1="([\d.]+)"', svg)[0] - LABEL_W
    assert chance_x / bar_w[0] == pytest.approx(0.5 / 0.6, rel=1e-2)
    assert "chance 0.50" in svg
    assert svg.count('class="bar pivot"') == 1 and 'class="label pivot"' in svg
    assert "95% CI 0.45 to 0.75" in svg  # in the bar's tooltip
    assert 'viewBox="0 0 ' in svg


def test_grouped_chart_shares_one_axis():
    values = {("sw", "a"): 2.0, ("sw", "b"): 1.0, ("hi", "a"): 4.0, ("hi", "b"): None}
    svg = grouped_hbar_chart(["sw", "hi"], ["a", "b"], values, lambda v: f"{v:.1f}", reference=1.0,
                             reference_label="parity")
    widths = _floats(r'<rect x="[\d.]+" y="[\d.]+" width="([\d.]+)" height="9"', svg)
    assert len(widths) == 3  # the missing value draws a dash, not a bar
    assert widths[0] / widths[1] == pytest.approx(2.0, rel=1e-2)   # sw a / sw b
    assert widths[2] / widths[1] == pytest.approx(4.0, rel=1e-2)   # hi a / sw b: same axis
    assert svg.count('class="legend-item"') == 2 and "parity" in svg


def test_heatmap_legend_and_escaping():
    svg = colour_legend(0.0, 1.0, lambda f: f"rgb({int(255 * f)},0,0)", label="<b>x</b>")
    assert svg.count("<rect") == 10 and "&lt;b&gt;x&lt;/b&gt;" in svg and "<b>" not in svg
    bad = grouped_hbar_chart(["<script>"], ['"onerror='], {("<script>", '"onerror='): 1.0}, str)
    assert "<script>" not in bad and 'onerror="' not in bad


@pytest.mark.parametrize("rows, metric, want", [
    ([{"name": "xcopa"}], "acc", 0.5),             # 2 choices
    ([{"name": "belebele"}], "acc_norm", 0.25),    # 4 choices
    ([{"name": "mgsm"}], "exact_match", None),     # generation: no guessing baseline
    ([{"name": "xcopa", "chance": 0.2}], "acc", 0.2),
    ([{"name": "m3exam", "chance": 0.25}, {"name": "m3exam", "chance": 0.2}], "acc", None),
])
def test_chance_level(rows, metric, want):
    assert chance_level(rows, metric) == want


def test_alignment_table_has_each_column_once_and_chart_rounds_like_the_table(tmp_path):
    """Rows shaped as analyses/alignment.py writes them (mean/max repeat their value as an
    extra, pooling/pivot/precision ride on every row)."""
    from babelscope.languages import Language
    from babelscope.report import render_report
    from babelscope.results import ResultRow
    from babelscope.store import Store

    from report_html import parse_report, table_by_caption

    common = {"pooling": "weighted_mean", "pivot": "en", "precision": "float32"}
    rows = []
    for i, tag in enumerate(["en", "sw", "hi"]):
        lang = Language.parse(tag)
        mean, best = 0.123456 + i / 10, 0.654321 - i / 10
        rows.append(ResultRow("alignment", "mean", lang, mean, n=50, extra={"mean": mean, **common}))
        rows.append(ResultRow("alignment", "max", lang, best, n=50, extra={"max": best, "best_layer": 3, **common}))
    store = Store(tmp_path / "r.sqlite")
    rid = store.start_run("align", "s", {"analyses": ["alignment"]})
    store.add_results(rid, rows)
    html = render_report(store, rid)
    store.close()
    table = table_by_caption(parse_report(html), "Per language (over layers); pooling weighted_mean, pivot en, precision float32")
    heads = [h.text for h in table.head]
    assert heads.count("mean") == 1 and heads.count("max") == 1
    assert not {"pooling", "pivot", "precision"} & set(heads)
    shown = {r["Language"].text: r["mean"].text for r in table.records()}
    chart = re.search(r'<svg[^>]*aria-label="Mean alignment over layers".*?</svg>', html, flags=re.S).group(0)
    values = re.findall(r'<text class="value"[^>]*>([^<]+)</text>', chart)
    assert sorted(values) == sorted(shown.values())  # the same rounding in chart and table
