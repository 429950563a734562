"""Language cards: contents from a store written here, rule-based diagnosis, CLI and report.

The store rows are made up here with values chosen to sit on known sides of the diagnosis
thresholds, so each finding's rule and sentence is predictable by hand.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from babelscope.card import build_card
from babelscope.card.diagnosis import diagnose
from babelscope.languages import Language
from babelscope.results import ResultRow
from babelscope.store import Store


def _store(path: Path) -> tuple[Store, str]:
    store = Store(path / "results.sqlite")
    run_id = store.start_run("run", "sig", {"pivot": "en"})
    yo, en, fr = Language.parse("yo"), Language.parse("en"), Language.parse("fr")
    rows = [
        ResultRow("tokenizers", "premium", yo, 2.5, variant="gemma3"),
        ResultRow("tokenizers", "premium", yo, 3.0, variant="llama3"),
        ResultRow("alignment", "score", yo, 0.2, variant="layer0"),
        ResultRow("alignment", "score", yo, 0.3, variant="layer9"),
        ResultRow("<b>xcopa</b>", "acc", yo, 0.40, kind="task", extra={"gap_to_pivot": -0.3, "subset": "all",
                                                                       "condition": "c"}),
        ResultRow("<b>xcopa</b>", "acc", fr, 0.68, kind="task", extra={"gap_to_pivot": -0.02, "subset": "all",
                                                                       "condition": "c"}),
        ResultRow("<b>xcopa</b>", "acc", en, 0.70, kind="task", extra={"gap_to_pivot": 0.0, "subset": "all",
                                                                       "condition": "c"}),
    ]
    store.add_results(run_id, rows)
    store.finish_run(run_id)
    return store, run_id


def test_card_reads_the_store_and_diagnoses_by_rule(tmp_path):
    store, run_id = _store(tmp_path)
    card = build_card("yo", store=store, measure=False, lid=False, pool=[Language.parse(t) for t in ("en", "fr", "ig", "ha")])
    store.close()
    assert card["language"]["iso639_3"] == "yor" and card["language"]["family"] == "Atlantic-Congo"
    assert card["tokenizer_premiums"] == {"gemma3": 2.5, "llama3": 3.0}
    assert card["alignment_by_layer"] == {0: 0.2, 9: 0.3}
    assert any(t["task"] == "udhr_continuation" and t["items"] > 0 for t in card["tasks"])
    assert card["corpora"][0]["corpus"] == "udhr"
    # Nearest languages come from the pool, sorted by distance; Igbo is Yoruba's closest kin here.
    assert card["nearest"]["genetic"][0]["language"] == "ig"
    rules = [f["rule"] for f in card["diagnosis"]["findings"]]
    assert rules == ["premium_high_all", "alignment_low_all", "task_gap", "closest_well_served"]
    summary = card["diagnosis"]["summary"]
    assert "high tokenizer premium on all 2 tokenizers (2.50-3.00x the pivot)" in summary
    assert "alignment low from layer 0 on (best 0.30 at layer 9)" in summary
    assert "accuracy 30 points below the pivot" in summary
    # fr is within 5 points of the pivot, en is the pivot: the nearer one (featural) is named.
    from babelscope.transfer.uriel import language_distances

    nearer = min(("en", "fr"), key=lambda t: language_distances("yo", t)["featural"])
    assert f"closest well-served language: {nearer}" in summary


@pytest.mark.parametrize("card,rule", [
    ({"tokenizer_premiums": {"a": 1.1, "b": 1.0}}, "premium_low_all"),
    ({"tokenizer_premiums": {"a": 1.6, "b": 1.3}}, "premium_high_some"),
    ({"alignment_by_layer": {0: 0.3, 5: 0.7}}, "alignment_late"),
    ({"alignment_by_layer": {0: 0.6}}, "alignment_ok"),
    ({"typology": {"in_uriel": True, "has_measured_features": False}}, "typology_unmeasured"),
    ({"script_effect": {"xcopa": 0.08}}, "script_effect"),
])
def test_each_rule_fires_on_its_side_of_the_threshold(card, rule):
    assert [f["rule"] for f in diagnose(card)["findings"]] == [rule]


def test_nothing_stored_says_so():
    assert diagnose({})["summary"] == "no stored measurements to diagnose yet"


def test_cli_card_json_and_bad_tag(tmp_path):
    store, _ = _store(tmp_path)
    store.close()
    env_args = ["--workspace", str(tmp_path)]
    from babelscope.workspace import STORE_FILE

    assert STORE_FILE == "results.sqlite"  # _store wrote the workspace's store file
    p = subprocess.run([sys.executable, "-m", "babelscope", "card", "yo", "--json", "--no-measure", *env_args],
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr[-2000:]
    card = json.loads(p.stdout)
    assert card["language"]["tag"] == "yo" and card["diagnosis"]["findings"]
    assert set(card["nearest"]) == {"syntactic", "phonological", "inventory", "genetic", "geographic", "featural"}
    p = subprocess.run([sys.executable, "-m", "babelscope", "card", "qqx"], capture_output=True, text=True, timeout=120)
    assert p.returncode == 2 and "qqx" in p.stderr


def test_report_has_a_card_per_language_and_escapes_store_text(tmp_path):
    """The pipeline stores the run's cards (card.run_cards) before it writes the report; the report
    draws them from the store."""
    from babelscope.card.run_cards import run_cards
    from babelscope.report.html import render_report

    store, run_id = _store(tmp_path)
    store.add_results(run_id, [], (), {"language_cards": run_cards(store, run_id, "en")})
    html = render_report(store, run_id)
    store.close()
    assert "Language cards" in html
    for tag in ("yo", "fr", "en"):
        assert f'id="card-{tag}"' in html
    assert "<b>xcopa</b>" not in html and "&lt;b&gt;xcopa&lt;/b&gt;" in html
