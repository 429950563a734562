"""The report draws a demos=S x T evaluation as a heatmap with CIs and the fit as scatters."""

from __future__ import annotations

import re

from babelscope.languages import Language
from babelscope.report.html import render_report
from babelscope.results import ResultRow
from babelscope.store import Store

LANGS = ["en", "de", "sw", "yo"]


def test_transfer_section_heatmap_cells_carry_value_and_ci(tmp_path):
    store = Store(tmp_path / "r.sqlite")
    rid = store.start_run("eval", "sig", {"pivot": "en"})
    rows = []
    for i, s in enumerate(LANGS):
        for j, t in enumerate(LANGS):
            v = 0.25 + 0.05 * i + 0.1 * j
            cond = f"lit=default|shots=1|demos={s}"
            rows.append(ResultRow("udhr_<i>continuation</i>", "acc", Language.parse(t), v, variant=cond, kind="task",
                                  n=10, ci_low=v - 0.1, ci_high=v + 0.1,
                                  extra={"task": "udhr", "subset": "all", "condition": cond}))
    store.add_results(rid, rows)
    html = render_report(store, rid)
    store.close()
    svg = re.search(r'<svg[^>]*aria-label="transfer matrix".*?</svg>', html, flags=re.S).group(0)
    tips = re.findall(r"<rect[^>]*><title>([^<]*)</title>", svg)
    assert len(tips) == 16
    # demos sw (i=2) -> test yo (j=3): 0.25 + 0.10 + 0.30 = 0.65, CI 0.55-0.75, n=10
    assert "demos sw -&gt; test yo: 0.650, 95% CI 0.550-0.750, n=10" in tips
    assert "Does typology predict this matrix?" in html and html.count('vs transfer"') == 7
    assert "<i>continuation</i>" not in html  # task name escaped everywhere
