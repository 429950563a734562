"""The report's alignment section: heatmap cells, bars, calibration scatter, escaping."""

from __future__ import annotations

import re

import numpy as np

from babelscope.analyses.alignment import AlignmentResult
from babelscope.analyses.calibration import calibrate
from babelscope.languages import Language
from babelscope.report.alignment import heatmap
from babelscope.report.html import render_report
from babelscope.store import Store


def _result() -> AlignmentResult:
    langs = [Language.parse(t) for t in ("de", "sw", "yo", "hi")]
    scores = np.array([[0.2, 0.9, 0.8], [0.1, 0.5, 0.4], [0.0, 0.2, 0.1], [0.1, 0.6, 0.7]])
    return AlignmentResult(Language.parse("en"), "eng_Latn", langs, ["deu_Latn", "swh_Latn", "yor_Latn", "hin_Deva"],
                           [str(i) for i in range(10)], "weighted_mean", scores, "flores200:devtest")


def test_report_draws_heatmap_bars_and_calibration(tmp_path):
    res = _result()
    measured = {Language.parse("de"): 0.8, Language.parse("sw"): 0.5, Language.parse("hi"): 0.6}
    cal = calibrate(res.aggregate("mean"), measured, source="scores.csv", n_boot=100)
    out = res.to_output()
    out.extend(cal.to_output())
    store = Store(tmp_path / "r.sqlite")
    run_id = store.start_run("align", "sig", {"pivot": "en"})
    store.add_results(run_id, out.rows, out.items, out.artifacts)
    store.finish_run(run_id)
    html = render_report(store, run_id)
    assert "Cross-lingual alignment (MEXA)" in html
    cells = re.findall(r"<title>([^<]*), layer (\d+): ([0-9.]+)</title>", html)
    assert len(cells) == 4 * 3
    assert ("German (de)", "1", "0.900") in cells
    assert "Mean alignment over layers" in html and "Best layer" in html
    assert "Measured score vs alignment" in html
    assert "yo (est.)" in html  # Yoruba has alignment only: drawn as an estimate
    assert "ESTIMATES, not measurements" in html  # its own section says so too
    assert "custom view of this section failed" not in html


def test_heatmap_escapes_labels():
    svg = heatmap({"languages": ["x"], "language_names": ['<script>alert("x")</script>'],
                   "layers": [0, 1], "scores": [[0.5, None]]})
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert "no value" in svg
