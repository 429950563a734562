"""Engine + RequestCache on a real tiny model: order, dedup, caching, resume after a crash."""

from __future__ import annotations

import sqlite3

import numpy as np
import pytest

from babelscope.engine.cache import RequestCache
from babelscope.engine.executor import Engine
from babelscope.engine.requests import GenerationRequest, LoglikelihoodRequest, RollingLoglikelihoodRequest
from babelscope.errors import ModelError
from babelscope.models import load_model
from tiny_models import tiny_causal_lm, tiny_encoder

TEXTS = ["All human beings are born free.", "人人生而自由", "Watu wote wamezaliwa huru, hadhi na haki zao ni sawa.",
         "Tous les êtres humains", "x", "Alle Menschen sind frei und gleich an Würde und Rechten geboren."]


class Counting:
    """A real model that records how many texts it was asked to score (for resume checks)."""

    def __init__(self, model, fail_after: int | None = None):
        self.inner, self.calls, self.seen, self.fail_after = model, 0, [], fail_after
        self.name, self.capabilities = model.name, model.capabilities

    @property
    def signature(self):
        return self.inner.signature

    def loglikelihood_rolling(self, reqs):
        if self.fail_after is not None and self.calls >= self.fail_after:
            raise KeyboardInterrupt("killed")
        self.calls += 1
        self.seen.extend(r.text for r in reqs)
        return self.inner.loglikelihood_rolling(reqs)


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    return load_model(f"hf:{tiny_causal_lm('gemma3', tmp_path_factory.mktemp('m'))}")


def test_results_in_request_order_and_deduplicated(model):
    reqs = [RollingLoglikelihoodRequest(t) for t in TEXTS + TEXTS[::-1]]
    counting = Counting(model)
    got = Engine(counting, batch_size=2).loglikelihood_rolling(reqs)
    direct = {t: r for t, r in zip(TEXTS, model.loglikelihood_rolling([RollingLoglikelihoodRequest(t) for t in TEXTS]))}
    for r, g in zip(reqs, got):
        assert g.n_tokens == direct[r.text].n_tokens
        assert g.nll == pytest.approx(direct[r.text].nll, abs=1e-5)
    assert sorted(counting.seen) == sorted(TEXTS)  # each distinct text scored once


def test_interrupted_run_resumes_without_recomputing(model, tmp_path):
    db = tmp_path / "cache.sqlite"
    reqs = [RollingLoglikelihoodRequest(t) for t in TEXTS]
    crashing = Counting(model, fail_after=2)
    with pytest.raises(KeyboardInterrupt):
        Engine(crashing, cache=db, batch_size=2).loglikelihood_rolling(reqs)
    assert len(crashing.seen) == 4
    assert RequestCache(db).count(model.signature) == 4  # both finished batches were committed
    rerun = Counting(model)
    engine = Engine(rerun, cache=db, batch_size=2)
    got = engine.loglikelihood_rolling(reqs)
    assert sorted(rerun.seen) == sorted(set(TEXTS) - set(crashing.seen))
    assert engine.stats.cached == 4 and engine.stats.computed == 2
    third = Counting(model)
    again = Engine(third, cache=db).loglikelihood_rolling(reqs)
    assert third.seen == [] and again == got  # answered wholly from cache, bit-identical


def test_cache_is_keyed_by_model_signature(model, tmp_path):
    db = tmp_path / "c.sqlite"
    Engine(model, cache=db).loglikelihood_rolling([RollingLoglikelihoodRequest("abc")])
    other = load_model(f"hf:{tiny_causal_lm('gemma3', tmp_path / 'o', seed=3)}")
    assert other.signature != model.signature
    assert RequestCache(db).get_many(other.signature, [RollingLoglikelihoodRequest("abc").key()]) == {}
    with sqlite3.connect(db) as con:
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_loglikelihood_generation_and_hidden_states_roundtrip_through_cache(model, tmp_path):
    db = tmp_path / "c.sqlite"
    ll = [LoglikelihoodRequest("Tous les", " êtres"), LoglikelihoodRequest("a", "b")]
    gen = [GenerationRequest("Tous les", max_tokens=5), GenerationRequest("x", max_tokens=3, stop=("e",))]
    first = Engine(model, cache=db)
    a, b, c = first.loglikelihood(ll), first.generate(gen), first.hidden_states(TEXTS[:3], pooling="mean")
    second = Engine(model, cache=db)
    assert second.loglikelihood(ll) == a
    assert [x.token_logprobs for x in second.loglikelihood(ll)] == [x.token_logprobs for x in a]
    assert second.generate(gen) == b
    h = second.hidden_states(TEXTS[:3], pooling="mean")
    assert second.stats.computed == 0
    np.testing.assert_array_equal(h, c)
    np.testing.assert_allclose(c, model.hidden_states(TEXTS[:3], pooling="mean"), atol=1e-6)
    # another pooling is another request
    assert not np.allclose(second.hidden_states(TEXTS[:3], pooling="last"), c)


def test_progress_reports_and_capability_checked_up_front(model, tmp_path):
    ticks = []
    Engine(model, batch_size=2, progress=lambda k, d, t: ticks.append((k, d, t))).loglikelihood_rolling(
        [RollingLoglikelihoodRequest(t) for t in TEXTS])
    assert ticks[0] == ("rolling", 0, 6) and ticks[-1] == ("rolling", 6, 6)
    enc = load_model(f"hf:{tiny_encoder('bert', tmp_path)}")
    with pytest.raises(ModelError, match="loglikelihood"):
        Engine(enc).loglikelihood_rolling([RollingLoglikelihoodRequest("a")])


def test_choices_of_one_context_stay_in_one_chunk(model):
    """The model can only share a context it sees with all its choices: chunks keep them together."""
    chunks: list[list[str]] = []

    class Recording(Counting):
        def loglikelihood(self, reqs):
            chunks.append([r.context for r in reqs])
            return self.inner.loglikelihood(reqs)

    contexts = ["Premise one is here, and it is long", "Two", "A third context, medium"]
    reqs = [LoglikelihoodRequest(c, f" option {k}") for k in range(3) for c in contexts]  # interleaved
    got = Engine(Recording(model), batch_size=2).loglikelihood(reqs)
    ref = model.loglikelihood(reqs)  # batched differently: equal up to float32 rounding
    assert [g.logprob for g in got] == pytest.approx([r.logprob for r in ref], abs=1e-4)
    assert sorted(len(c) for c in chunks) == [3, 3, 3]  # batch_size 2 is stretched to whole groups
    assert all(len(set(c)) == 1 for c in chunks)
    assert [c[0] for c in chunks] == sorted(contexts, key=len, reverse=True)  # longest first
