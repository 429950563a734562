"""Calibration of alignment against measured scores: statistics checked against the standard
library's independent implementations, CSV / store inputs, and the labelling of estimates."""

from __future__ import annotations

import math
import statistics

import numpy as np
import pytest

from babelscope.analyses.calibration import (
    bootstrap_correlations, calibrate, fit_line, load_measured, pearson, rankdata, read_scores_csv,
    scores_from_run, spearman,
)
from babelscope.errors import BabelscopeError, ConfigError
from babelscope.languages import Language
from babelscope.results import ResultRow
from babelscope.store import Store

X = [0.12, 0.55, 0.31, 0.90, 0.47, 0.05, 0.66]
Y = [0.30, 0.52, 0.41, 0.71, 0.40, 0.26, 0.69]


def test_pearson_matches_statistics():
    assert pearson(np.array(X), np.array(Y)) == pytest.approx(statistics.correlation(X, Y), abs=1e-12)


def test_spearman_without_ties_matches_classic_formula():
    rx, ry = rankdata(X), rankdata(Y)
    n = len(X)
    d2 = float(((rx - ry) ** 2).sum())
    assert spearman(np.array(X), np.array(Y)) == pytest.approx(1 - 6 * d2 / (n * (n * n - 1)), abs=1e-12)


def test_rankdata_averages_ties():
    assert rankdata(np.array([3.0, 1.0, 3.0, 2.0, 3.0])).tolist() == [4.0, 1.0, 4.0, 2.0, 4.0]
    # Spearman with ties = Pearson of the mean ranks (worked by hand: ranks [1,2.5,2.5,4] vs [1,2,3,4]).
    r = statistics.correlation([1, 2.5, 2.5, 4], [1, 2, 3, 4])
    assert spearman(np.array([1, 2, 2, 5]), np.array([0.1, 0.2, 0.3, 0.4])) == pytest.approx(r)


def test_constant_side_has_no_correlation():
    assert math.isnan(pearson(np.array([1.0, 1.0, 1.0]), np.array([1.0, 2.0, 3.0])))


def test_fit_line_matches_statistics_regression():
    slope, intercept = statistics.linear_regression(X, Y)
    a, b = fit_line(np.array(X), np.array(Y))
    assert (a, b) == (pytest.approx(slope), pytest.approx(intercept))
    (prop_slope, _) = statistics.linear_regression(X, Y, proportional=True)
    a0, b0 = fit_line(np.array(X), np.array(Y), intercept=False)
    assert a0 == pytest.approx(prop_slope) and b0 == 0.0


def test_bootstrap_interval_brackets_and_is_reproducible():
    x, y = np.array(X), np.array(Y)
    p1, s1 = bootstrap_correlations(x, y, n_boot=500, seed=7)
    p2, s2 = bootstrap_correlations(x, y, n_boot=500, seed=7)
    assert p1 == p2 and s1 == s2
    assert p1.ci_low <= p1.r <= p1.ci_high <= 1.0
    assert s1.ci_low <= s1.r <= s1.ci_high
    # Exactly linear data: every non-degenerate resample has r = 1.
    lin, _ = bootstrap_correlations(x, 2 * x + 1, n_boot=300, seed=1)
    assert lin.r == pytest.approx(1.0) and lin.ci_low == pytest.approx(1.0)
    assert 0 < lin.n_boot <= 300


def _langs(*tags):
    return [Language.parse(t) for t in tags]


def test_calibrate_fits_shared_languages_and_labels_estimates():
    de, fr, sw, yo, hi = _langs("de", "fr", "sw", "yo", "hi")
    alignment = {de: 0.9, fr: 0.8, sw: 0.3, yo: 0.1, hi: 0.5}
    measured = {de: 0.7, fr: 0.65, sw: 0.4, Language.parse("ja"): 0.6}
    cal = calibrate(alignment, measured, source="t.csv", n_boot=200)
    a, b = statistics.linear_regression([0.9, 0.8, 0.3], [0.7, 0.65, 0.4])
    assert cal.slope == pytest.approx(a) and cal.intercept == pytest.approx(b)
    assert [p.language.tag for p in cal.estimates] == ["yo", "hi"]
    est = {p.language.tag: p.predicted for p in cal.estimates}
    assert est["yo"] == pytest.approx(a * 0.1 + b)
    d = cal.to_dict()
    assert all(e["kind"] == "estimate" for e in d["estimates"])
    assert all(m["kind"] == "measured" for m in d["measured"])
    assert d["measured_without_alignment"] == ["ja"]
    assert "only 3 languages" in d["note"]  # so few languages: the output says the CIs are unreliable
    out = cal.to_output()
    assert {r.language.tag for r in out.rows} == {"yo", "hi"}
    assert all(r.extra["estimate"] is True for r in out.rows)


def test_calibrate_needs_three_shared_languages():
    de, fr, sw = _langs("de", "fr", "sw")
    with pytest.raises(ConfigError, match=r"only 2 language.*de, fr"):
        calibrate({de: 0.9, fr: 0.8, sw: 0.1}, {de: 0.5, fr: 0.4}, source="x")


def test_read_csv_with_and_without_header(tmp_path):
    p = tmp_path / "s.csv"
    p.write_text("model,lang,accuracy\nm,swh_Latn,0.41\nm,German,0.8\n", encoding="utf-8")
    got = read_scores_csv(p)
    assert got == {Language.parse("sw"): 0.41, Language.parse("de"): 0.8}
    q = tmp_path / "plain.csv"
    q.write_text("yo,0.25\nhi, 0.5\n\n", encoding="utf-8")
    assert read_scores_csv(q) == {Language.parse("yo"): 0.25, Language.parse("hi"): 0.5}


@pytest.mark.parametrize("body, match", [
    ("language,score\nde,0.5\nfr,high\n", r"s\.csv:3: score 'high'"),
    ("language,score\nde,0.5\nxx-notalang,0.2\n", r"s\.csv:3"),
    ("language,score\nsw,0.5\nswh_Latn,0.2\n", r"s\.csv:3: swh_Latn is the same language \(sw\) as line 2"),
    ("lang_name,result\nde,0.5\n", r"s\.csv:1: header .* no language column"),
    ("", r"empty"),
])
def test_read_csv_errors_name_file_and_line(tmp_path, body, match):
    p = tmp_path / "s.csv"
    p.write_text(body, encoding="utf-8")
    with pytest.raises(BabelscopeError, match=match):
        read_scores_csv(p)


def _store_with_task(tmp_path):
    store = Store(tmp_path / "results.sqlite")
    run_id = store.start_run("run", "sig", {})
    rows = []
    for tag, acc, f1 in (("de", 0.7, 0.6), ("sw", 0.4, 0.3), ("yo", 0.3, 0.2)):
        lang = Language.parse(tag)
        rows.append(ResultRow("belebele", "acc", lang, acc, kind="task"))
        rows.append(ResultRow("belebele", "f1", lang, f1, kind="task"))
        rows.append(ResultRow("xnli", "macro", lang, f1 / 2, kind="task"))
    store.add_results(run_id, rows)
    store.finish_run(run_id)
    return store, run_id


def test_scores_from_run_picks_and_explains(tmp_path):
    store, run_id = _store_with_task(tmp_path)
    got, desc = scores_from_run(store, f"{run_id}:belebele")
    assert got == {Language.parse("de"): 0.7, Language.parse("sw"): 0.4, Language.parse("yo"): 0.3}
    assert "belebele:acc" in desc
    got, _ = scores_from_run(store, "latest:belebele:f1")
    assert got[Language.parse("sw")] == 0.3
    got, _ = scores_from_run(store, f"{run_id[:10]}:xnli")
    assert got[Language.parse("de")] == pytest.approx(0.3)
    with pytest.raises(BabelscopeError, match=r"no per-language scores named 'mmlu'"):
        scores_from_run(store, f"{run_id}:mmlu")
    # Without a name: acc is preferred over the others.
    got, desc = scores_from_run(store, run_id)
    assert "belebele:acc" in desc
    store.close()


def test_load_measured_reads_store_of_workspace(tmp_path):
    store, run_id = _store_with_task(tmp_path)
    store.close()
    got, desc = load_measured(f"{run_id}:belebele:acc", workspace=tmp_path)
    assert len(got) == 3 and run_id in desc
    with pytest.raises(BabelscopeError, match="no file"):
        load_measured(str(tmp_path / "missing.csv"))
