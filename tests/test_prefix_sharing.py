"""Shared-prefix log-likelihoods: requests with identical context ids run their context once.

Every shared result is checked against the plain path, one request at a time, on tiny models of
several architectures (Gemma-3's 8-token sliding window is shorter than these sequences), both
padding sides, mixed group sizes and small budgets that split contexts and choices over passes.
"""

from __future__ import annotations

import logging

import pytest

from babelscope.engine.requests import LoglikelihoodRequest
from babelscope.models import load_model
from tiny_models import CAUSAL_ARCHS, tiny_causal_lm

CTX_A = "All human beings are born free and equal in dignity and rights. They are endowed with"
CTX_B = "Tous les êtres humains naissent libres et égaux en dignité et en droits."
CTX_C = "Watu wote wamezaliwa huru, hadhi na haki zao ni sawa."
REQUESTS = [
    # four choices of different lengths, one of them a single token
    *(LoglikelihoodRequest(CTX_A, x) for x in
      (" reason and conscience", " x", " brotherhood. Alle Menschen sind frei", " rights")),
    # two choices; the context's trailing space moves to each continuation
    LoglikelihoodRequest(CTX_B + " ", "Alle Menschen"),
    LoglikelihoodRequest(CTX_B + " ", "人人生而自由"),
    # a context on its own
    LoglikelihoodRequest(CTX_C, " They are endowed with reason."),
    # empty contexts: scored from the prefix token, as the plain path does
    LoglikelihoodRequest("", "Todos los seres humanos"),
    LoglikelihoodRequest("", "x"),
    # a second group of four, interleaved with the rest
    *(LoglikelihoodRequest(CTX_C + " Tous", x) for x in (" les", " êtres humains", "?", " 0123456789")),
    LoglikelihoodRequest(CTX_A, " reason"),  # joins the first group out of order
]


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    root = tmp_path_factory.mktemp("tiny")
    return {a: tiny_causal_lm(a, root) for a in CAUSAL_ARCHS}


def _one_at_a_time(folder, requests):
    plain = load_model(f"hf:{folder}", prefix_sharing=False)
    return [plain.loglikelihood([r])[0] for r in requests]


def _assert_same(got, want):
    assert len(got) == len(want)
    for g, w in zip(got, want):
        assert g.n_tokens == w.n_tokens
        assert g.is_greedy == w.is_greedy
        assert g.token_logprobs == pytest.approx(w.token_logprobs, abs=1e-4)
        assert g.logprob == pytest.approx(w.logprob, abs=1e-4)


@pytest.mark.parametrize("arch", CAUSAL_ARCHS)
@pytest.mark.parametrize("side", ["right", "left"])
def test_shared_prefix_matches_one_at_a_time(folders, arch, side):
    # small budgets: several context batches, and each context's choices over several passes
    model = load_model(f"hf:{folders[arch]}", batch_size=3, max_batch_tokens=64, padding_side=side)
    got = model.loglikelihood(REQUESTS)
    assert model._share_ok is True
    _assert_same(got, _one_at_a_time(folders[arch], REQUESTS))


@pytest.mark.parametrize("arch", ["llama", "gemma3"])
def test_shared_prefix_with_default_budgets(folders, arch):
    model = load_model(f"hf:{folders[arch]}")
    _assert_same(model.loglikelihood(REQUESTS), _one_at_a_time(folders[arch], REQUESTS))


def _expected_body_tokens(model, requests):
    """Tokens through the body when each distinct shared context runs once."""
    pairs = [model._encode_pair(r.context, r.continuation) for r in requests]
    counts: dict[tuple, int] = {}
    for ctx, _ in pairs:
        counts[tuple(ctx)] = counts.get(tuple(ctx), 0) + 1
    total, seen = 0, set()
    for ctx, cont in pairs:
        if counts[tuple(ctx)] > 1:
            if tuple(ctx) not in seen:
                seen.add(tuple(ctx))
                total += len(ctx)
            total += len(cont) - 1
        else:
            total += len(ctx) + len(cont) - 1
    return total


@pytest.mark.parametrize("side", ["right", "left"])
def test_sharing_runs_each_context_once(folders, side):
    model = load_model(f"hf:{folders['llama']}", batch_size=4, padding_side=side)
    model.loglikelihood(REQUESTS[:2])  # first use runs the one-off checks
    model.body_tokens = 0
    model.loglikelihood(REQUESTS)
    shared = model.body_tokens
    assert shared == _expected_body_tokens(model, REQUESTS)

    model.prefix_sharing = False
    model.body_tokens = 0
    model.loglikelihood(REQUESTS)
    plain = model.body_tokens
    assert plain == sum(len(c) + len(x) - 1 for c, x in
                        (model._encode_pair(r.context, r.continuation) for r in REQUESTS))
    assert shared < plain * 0.6  # the 4-choice contexts dominate


def test_single_token_choices_need_no_continuation_pass(folders):
    model = load_model(f"hf:{folders['qwen3']}")
    words = [" x", " and", " the", " a", " in", " reason", " y", " 0", "."]
    reqs = [LoglikelihoodRequest(CTX_A, w) for w in words if len(model._encode_pair(CTX_A, w)[1]) == 1][:4]
    assert len(reqs) >= 3
    model.loglikelihood(reqs)
    model.body_tokens = 0
    got = model.loglikelihood(reqs)
    assert all(r.n_tokens == 1 for r in got)
    assert model.body_tokens == len(model._encode_pair(CTX_A, " x")[0])
    _assert_same(got, _one_at_a_time(folders["qwen3"], reqs))


def test_truncated_requests_use_plain_path(folders):
    model = load_model(f"hf:{folders['gpt2']}", max_length=24)
    reqs = [LoglikelihoodRequest(CTX_A, x) for x in (" reason and conscience", " x", " rights")]
    reqs += [LoglikelihoodRequest("Watu", x) for x in (" wote", " wamezaliwa")]
    assert len(model._encode_pair(CTX_A, "")[0]) > 24
    got = model.loglikelihood(reqs)
    plain = load_model(f"hf:{folders['gpt2']}", max_length=24, prefix_sharing=False)
    _assert_same(got, [plain.loglikelihood([r])[0] for r in reqs])


def test_falls_back_without_fast_head(folders):
    model = load_model(f"hf:{folders['llama']}")
    model._fast_head = False  # as if body + head did not reproduce the model's logits
    model.body_tokens = 0
    got = model.loglikelihood(REQUESTS)
    assert model._share_ok is False
    assert model.body_tokens == sum(len(c) + len(x) - 1 for c, x in
                                    (model._encode_pair(r.context, r.continuation) for r in REQUESTS))
    _assert_same(got, _one_at_a_time(folders["llama"], REQUESTS))


def test_falls_back_when_the_check_fails(folders, monkeypatch, caplog):
    model = load_model(f"hf:{folders['qwen2']}")

    def broken(groups):
        raise RuntimeError("this architecture cannot resume from a cache")

    monkeypatch.setattr(model, "_score_shared", broken)
    with caplog.at_level(logging.WARNING, logger="babelscope.models"):
        got = model.loglikelihood(REQUESTS)
    assert model._share_ok is False
    assert "prefix sharing unavailable" in caplog.text
    _assert_same(got, _one_at_a_time(folders["qwen2"], REQUESTS))


def test_check_rejects_wrong_shared_scores(folders, monkeypatch):
    model = load_model(f"hf:{folders['llama']}")
    real = model._score_shared

    def off_by_one(groups):
        return [[([x + 1.0 for x in lp], g) for lp, g in res] for res in real(groups)]

    monkeypatch.setattr(model, "_score_shared", off_by_one)
    model.loglikelihood(REQUESTS)
    assert model._share_ok is False
