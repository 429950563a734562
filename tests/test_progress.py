"""Progress: per-batch ticks from the Engine, measured rates, a real ETA, lines on a non-TTY.

A fake clock makes the expected numbers exact: with 20 of 80 requests cached and 30 more done
10 s later, the rate is 30 / 10 = 3 req/s and the remaining 30 take 10 s.
"""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from babelscope.cli.progress import ProgressDisplay, fmt_seconds, human_label, loading
from babelscope.engine.executor import Engine
from babelscope.engine.requests import RollingLoglikelihoodRequest, RollingResult
from babelscope.models.base import Capability
from babelscope.progress_stage import stage


class Clock:
    def __init__(self):
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


def _display(clock, tty=False):
    buf = io.StringIO()
    return ProgressDisplay(Console(file=buf, force_terminal=False, width=200), clock=clock, tty=tty), buf


def test_rate_and_eta_exclude_cached_answers():
    clock = Clock()
    d, buf = _display(clock)
    d("rolling", 20, 80)          # 20 answered from the cache at the start
    clock.t += 10
    d("rolling", 50, 80, tokens=600)
    u = d.units["bits per byte"]
    assert u.rate() == pytest.approx(3.0)          # 30 computed in 10 s
    assert u.eta() == pytest.approx(10.0)          # 30 left at 3 per second
    assert u.token_rate() == pytest.approx(60.0)
    clock.t += 10
    d("rolling", 80, 80, tokens=600)
    assert buf.getvalue().strip() == "bits per byte: 80/80 done in 20 s, 20 from cache (3.0 req/s, 60.0 tok/s)"


def test_one_line_per_unit_on_a_non_tty_and_labels():
    clock = Clock()
    d, buf = _display(clock)
    with stage("bits per byte", "sw"):
        d("rolling", 0, 4)
        clock.t += 2
        d("rolling", 4, 4)
    d("hidden_states", 0, 2)
    d("hidden_states", 2, 2)
    d("generate", 0, 0)  # nothing asked: no line
    d("tokenizers", 1, 3)  # not the Engine: its first report is work, not cache
    assert d.units["tokenizing"].base_done == 0
    d.stop()
    lines = buf.getvalue().strip().splitlines()
    assert lines[0] == "bits per byte: sw: 4/4 done in 2 s (2.0 req/s)"
    assert lines[1].startswith("alignment: layer pass: 2/2 done")
    assert lines[2] == "tokenizing: stopped at 1/3"
    assert len(lines) == 3


def test_labels_and_times():
    assert human_label("bits_per_byte:sw") == "bits per byte: sw"
    assert human_label("some_new_thing") == "some new thing"
    assert [fmt_seconds(x) for x in (None, 5, 65, 3725)] == ["?", "5 s", "1m 05s", "1h 02m"]


def test_tty_bar_shows_rate_and_eta():
    clock = Clock()
    buf = io.StringIO()
    d = ProgressDisplay(Console(file=buf, force_terminal=True, width=160), clock=clock, tty=True)
    d.start()
    d("loglikelihood", 0, 100)
    clock.t += 5
    d("loglikelihood", 50, 100)
    task = d.bars.tasks[0]
    assert task.description == "scoring answer choices"
    assert task.fields["rate"] == "10.0 req/s" and task.fields["eta"] == "ETA 5 s"
    d.stop()


def test_loading_prints_before_and_after_on_a_non_tty(monkeypatch):
    from babelscope.cli.app import state

    monkeypatch.setitem(state, "quiet", False)  # another test in this worker may have run with --quiet
    clock = Clock()
    buf = io.StringIO()
    with loading("model tiny", out=Console(file=buf, force_terminal=False), clock=clock):
        clock.t += 3
    assert buf.getvalue().splitlines() == ["loading model tiny ...", "loaded model tiny in 3 s"]


class FakeModel:
    """Scores a text as its length; records the size of each call."""

    name = "fake"
    signature = "fake"
    capabilities = frozenset({Capability.LOGLIKELIHOOD})

    def __init__(self):
        self.calls: list[int] = []

    def loglikelihood_rolling(self, reqs):
        self.calls.append(len(reqs))
        return [RollingResult(float(len(r.text)), len(r.text)) for r in reqs]


def test_engine_ticks_every_model_batch_with_tokens():
    ticks = []

    class Recorder:
        accepts_tokens = True

        def __call__(self, kind, done, total, tokens=None):
            ticks.append((done, total, tokens))

    m = FakeModel()
    texts = [f"text number {i}" for i in range(20)]
    Engine(m, batch_size=64, progress=Recorder(), progress_every=8).loglikelihood_rolling(
        [RollingLoglikelihoodRequest(t) for t in texts])
    assert m.calls == [8, 8, 4]  # the model sees batches of 8, not one call of 20
    assert [t[0] for t in ticks] == [0, 8, 16, 20]
    assert sum(t[2] or 0 for t in ticks) == sum(len(t) for t in texts)  # n_tokens = len here
    plain = []
    Engine(FakeModel(), batch_size=64, progress=lambda k, d, t: plain.append(d)).loglikelihood_rolling(
        [RollingLoglikelihoodRequest(t) for t in texts])
    assert plain == [0, 20]  # default: unchanged, and a 3-argument callback still works


def test_session_loading_message_becomes_a_line_with_its_time():
    clock = Clock()
    d, buf = _display(clock)
    d("loading default", 0, 0)       # what Session.model reports before load_model
    clock.t += 7
    d("loglikelihood", 0, 2)
    d("loglikelihood", 2, 2)
    lines = buf.getvalue().splitlines()
    assert lines[:2] == ["loading default ...", "loaded default in 7 s"]
    assert lines[2].startswith("scoring answer choices: 2/2 done")
