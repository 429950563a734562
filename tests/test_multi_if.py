"""Multi-IF: data loading, the multi-turn loop with a scripted model, scoring and the CLI."""

from __future__ import annotations

import csv
import json
import subprocess
import sys

import numpy as np
import pytest

from babelscope.errors import CorpusError
from babelscope.ifeval import InstructionError
from babelscope.tasks import multi_if as mi


def _row(key, language, turns):
    row = {"key": key, "language": language, "turns": "", "responses": "", "turn_index": "0"}
    for k in range(1, 4):
        if k <= len(turns):
            prompt, ids, kws = turns[k - 1]
            row[f"turn_{k}_prompt"] = json.dumps({"role": "user", "content": prompt})
            row[f"turn_{k}_instruction_id_list"] = json.dumps(ids)
            row[f"turn_{k}_kwargs"] = json.dumps([json.dumps(k_) for k_ in kws])
        else:
            row[f"turn_{k}_prompt"] = row[f"turn_{k}_instruction_id_list"] = row[f"turn_{k}_kwargs"] = ""
    return row


def _write(path, rows):
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    return path


NC, END = "punctuation:no_comma", "startend:end_checker"
ROWS = [
    _row("c1", "English", [
        ("Write a story. No commas.", [NC], [{}]),
        ("End with 'The end.'", [NC, END], [{}, {"end_phrase": "The end."}]),
        ("Now add a title.", [NC, END, "detectable_format:title"], [{}, {"end_phrase": "The end."}, {}]),
    ]),
    _row("c2", "Hindi", [
        ("कहानी लिखो। अल्पविराम नहीं।", [NC], [{}]),
        ("'समाप्त।' पर खत्म करो", [NC, END], [{}, {"end_phrase": "समाप्त।"}]),
    ]),
]


class ScriptedModel:
    """Answers from a table keyed by (first user prompt, turn); records every request."""

    def __init__(self, answers):
        self.answers = answers
        self.requests = []

    def generate(self, requests):
        self.requests.append(list(requests))
        out = []
        for r in requests:
            first, turn = r.messages[0][1], sum(1 for role, _ in r.messages if role == "user")
            out.append(self.answers[(first, turn)])
        return out


ANSWERS = {
    ("Write a story. No commas.", 1): "Once upon a time a cat slept.",                  # NC ok
    ("Write a story. No commas.", 2): "Once, a cat slept. The end.",                   # NC fails, END ok
    ("Write a story. No commas.", 3): "<<Cat>>\nA cat slept. The end.",                 # all ok
    ("कहानी लिखो। अल्पविराम नहीं।", 1): "एक बिल्ली सो गई।",                                  # NC ok
    ("कहानी लिखो। अल्पविराम नहीं।", 2): "Sure:\nएक बिल्ली सो गई। समाप्त।\n**",                 # END only loose
}


def test_loading_parses_cumulative_turns(tmp_path):
    convs = mi.load_conversations(_write(tmp_path / "d.csv", ROWS))
    assert [c.key for c in convs] == ["c1", "c2"] and [len(c.turns) for c in convs] == [3, 2]
    assert convs[0].turns[1].instruction_ids == (NC, END)
    assert convs[0].turns[1].kwargs == ({}, {"end_phrase": "The end."})
    assert convs[1].lang.tag == "hi"
    assert [c.key for c in mi.load_conversations(tmp_path / "d.csv", languages=["hi"])] == ["c2"]


def test_bad_rows_are_named(tmp_path):
    bad = _row("k9", "English", [("p", ["keywords:nope"], [{}])])
    with pytest.raises(InstructionError, match=r"d\.csv: row 2 \(k9\) turn 1: unknown instruction id 'keywords:nope'"):
        mi.load_conversations(_write(tmp_path / "d.csv", [bad]))
    bad = _row("k8", "English", [("p", [END], [{"phrase": "x"}])])
    with pytest.raises(InstructionError, match=r"row 2 \(k8\) turn 1: startend:end_checker does not take kwargs phrase"):
        mi.load_conversations(_write(tmp_path / "e.csv", [bad]))
    bad = _row("k7", "English", [("p", [NC, END], [{}])])
    with pytest.raises(CorpusError, match="2 instruction ids but 1 kwargs"):
        mi.load_conversations(_write(tmp_path / "f.csv", [bad]))


def test_multi_turn_loop_feeds_back_the_models_own_answers(tmp_path):
    convs = mi.load_conversations(_write(tmp_path / "d.csv", ROWS))
    model = ScriptedModel(ANSWERS)
    responses = mi.generate_responses(convs, model, max_tokens=64)
    assert [len(batch) for batch in model.requests] == [2, 2, 1]      # c2 stops after turn 2
    turn3 = model.requests[2][0]
    assert turn3.max_tokens == 64
    assert turn3.messages == (
        ("user", "Write a story. No commas."), ("assistant", ANSWERS[("Write a story. No commas.", 1)]),
        ("user", "End with 'The end.'"), ("assistant", ANSWERS[("Write a story. No commas.", 2)]),
        ("user", "Now add a title."),
    )
    assert responses[("c2", 2)] == ANSWERS[("कहानी लिखो। अल्पविराम नहीं।", 2)]


def test_scores_per_turn_and_language_by_hand(tmp_path):
    convs = mi.load_conversations(_write(tmp_path / "d.csv", ROWS))
    responses = mi.generate_responses(convs, ScriptedModel(ANSWERS))
    groups = {(g.turn, g.language): g.values() for g in mi.score(convs, responses)}
    assert set(groups) == {(1, "en"), (2, "en"), (3, "en"), (1, "hi"), (2, "hi")}
    assert groups[(1, "en")] == {"prompt_strict": 1.0, "inst_strict": 1.0, "prompt_loose": 1.0,
                                 "inst_loose": 1.0, "overall": 1.0}
    # en turn 2: NC fails, END passes -> prompt 0, instructions 1/2 (strict and loose alike)
    assert groups[(2, "en")]["prompt_strict"] == 0.0 and groups[(2, "en")]["inst_strict"] == 0.5
    assert groups[(2, "en")]["overall"] == pytest.approx((0 + 0.5 + 0 + 0.5) / 4)
    assert groups[(3, "en")]["prompt_strict"] == 1.0
    # hi turn 2: strict fails END (trailing "**"), loose passes with the last line removed
    hi2 = groups[(2, "hi")]
    assert (hi2["prompt_strict"], hi2["inst_strict"], hi2["prompt_loose"], hi2["inst_loose"]) == (0.0, 0.5, 1.0, 1.0)


def test_bootstrap_ci_brackets_the_estimate():
    from babelscope.ifeval import FollowResult

    g = mi.TurnScores(1, "en", [FollowResult(("x",), (i % 3 == 0,), (i % 2 == 0,)) for i in range(60)],
                      [str(i) for i in range(60)])
    ci = mi.bootstrap_ci(g, n_boot=4000, seed=1)
    v = g.values()
    for m in ("prompt_strict", "inst_loose", "overall"):
        lo, hi = ci[m]
        assert lo <= v[m] <= hi and hi - lo < 0.4
    # Closed form: prompt_strict is a mean of 60 0/1 values with p_hat = 1/3, so its bootstrap
    # distribution is exactly Binomial(60, 1/3)/60, whose 2.5% and 97.5% quantiles are 13/60
    # and 27/60 (computed below from the binomial pmf). With B = 4000 the percentile bounds are
    # at them (nearest lattice point); a 90% interval would be 14/60..26/60 (alpha for alpha/2).
    from math import comb

    cdf = np.cumsum([comb(60, k) * (1 / 3) ** k * (2 / 3) ** (60 - k) for k in range(61)])
    q_lo, q_hi = int(np.searchsorted(cdf, 0.025)), int(np.searchsorted(cdf, 0.975))
    assert (q_lo, q_hi) == (13, 27)
    assert ci["prompt_strict"][0] == pytest.approx(q_lo / 60, abs=0.5 / 60), "Multi-IF prompt_strict CI"
    assert ci["prompt_strict"][1] == pytest.approx(q_hi / 60, abs=0.5 / 60), "Multi-IF prompt_strict CI"
    # the exact pin against a naive loop is in test_statistics_reference.py


def test_stored_responses_and_cli(tmp_path):
    data = _write(tmp_path / "d.csv", ROWS)
    # Multi-IF output style: one row per (conversation, turn), chat in 'turns'
    out = [{"key": "c1", "turns": json.dumps([{"role": "user", "content": "x"}]), "responses": "a, b"},
           {"key": "c1", "turns": json.dumps([{"role": "user", "content": "x"}, {"role": "assistant", "content": "y"},
                                               {"role": "user", "content": "z"}]), "responses": "done, The end."}]
    resp = _write(tmp_path / "r.csv", out)
    answers = mi.read_responses(resp)
    assert answers == {("c1", 1): "a, b", ("c1", 2): "done, The end."}
    (tmp_path / "r0.jsonl").write_text('{"key": "c2", "turn_index": 0, "response": "ठीक है"}\n', encoding="utf-8")
    assert mi.read_responses(tmp_path / "r0.jsonl") == {("c2", 1): "ठीक है"}

    p = subprocess.run([sys.executable, "-m", "babelscope", "multi-if", "--data", str(data), "--responses", str(resp),
                        "--lid", "script", "--bootstrap", "50", "--json"], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    rows = json.loads(p.stdout)["rows"]
    got = {(r["variant"], r["metric"]): r["value"] for r in rows}
    assert got[("turn1", "prompt_strict")] == 0.0 and got[("turn2", "inst_strict")] == 0.5
    assert all(r["language"] == "en" for r in rows) and all(r["ci_low"] is not None for r in rows)

    bad = _write(tmp_path / "bad.csv", [_row("k1", "English", [("p", ["nope:id"], [{}])])])
    p = subprocess.run([sys.executable, "-m", "babelscope", "multi-if", "--data", str(bad), "--responses", str(resp)],
                       capture_output=True, text=True)
    assert p.returncode == 2 and "nope:id" in p.stderr and "bad.csv" in p.stderr


def test_the_published_english_file_loads(shared_data):
    convs = mi.load_conversations(shared_data / "multi_if" / "data" / "multiIF_20241018_english.csv")
    assert len(convs) == 909
    assert sum(len(c.turns) == 2 for c in convs) == 13
    # cumulative instruction lists: every turn extends the previous one
    for c in convs:
        for a, b in zip(c.turns, c.turns[1:]):
            assert b.instruction_ids[: len(a.instruction_ids)] == a.instruction_ids
