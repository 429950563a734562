"""bf16 and fp16: padding, prefix sharing and the blocked head against the plain full-logits path.

Error model (the tolerances below follow from it; none is tuned to pass):

* Unit roundoff u: 2**-8 for bfloat16 (8 significant bits), 2**-11 for float16.
* Blocked head. Each logit is one dot product of low-precision vectors, accumulated and then
  rounded once to the low format, so any two computations of the same logit (whole rows or a
  block of the vocabulary) differ by at most two roundings: |d logit| <= 2 * (u/2) * |logit|
  <= u * M, with M the row's largest |logit|. log-sum-exp is 1-Lipschitz in the max norm, so
  a target log-prob moves by at most |d logit_t| + max |d logit| <= 2 u M. The running
  log-sum-exp itself is float32 (error ~ V * 2**-24 * M, negligible; 1e-5 added for it).
* Whole forward passes (padding, prefix sharing). A low-precision pass rounds at every layer,
  and how rounding errors grow through a network has no useful closed bound, so the bound is
  measured: E = the largest |log-prob error| of the plain path (one request at a time, the
  model's own full logits, low precision) against the same model in float64, over every token
  the test scores. A batched, padded or prefix-shared pass evaluates the same function in the
  same format with other shapes and summation orders, i.e. another rounding of the same exact
  values. We require its own worst error against float64 to stay within 2 E (another draw of
  the same rounding process, allowed twice the plain path's worst case), and then the
  triangle inequality gives |other - plain| <= 2 E + E = 3 E.
  E itself is checked against an a-priori ceiling, 2 * n_layers * sqrt(hidden) * u * (1 +
  |log-prob|), so a broken low-precision path cannot widen its own tolerance unnoticed; and
  3 E must stay below the median change a real bug makes (each token's log-prob read one
  position early), or the comparison could not tell that bug from rounding.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest
import torch

from babelscope.engine.requests import LoglikelihoodRequest
from babelscope.models import load_model
from tiny_models import tiny_causal_lm

UNIT_ROUNDOFF = {"bfloat16": 2.0 ** -8, "float16": 2.0 ** -11}


def _fp16_works() -> bool:
    try:
        a = torch.ones(4, 4, dtype=torch.float16)
        return bool(torch.isfinite(torch.nn.functional.linear(a, a)).all())
    except RuntimeError:
        return False


DTYPES = ["bfloat16", pytest.param("float16", marks=pytest.mark.skipif(
    not _fp16_works(), reason="this CPU build has no float16 matmul"))]

REQUESTS = [
    LoglikelihoodRequest("All human beings are born free and equal in dignity", " and rights."),
    LoglikelihoodRequest("All human beings are born free and equal in dignity", " x"),
    LoglikelihoodRequest("All human beings are born free and equal in dignity", " brotherhood. Alle Menschen"),
    LoglikelihoodRequest("Tous les êtres humains", " naissent libres et égaux"),
    LoglikelihoodRequest("Watu wote wamezaliwa huru,", " hadhi na haki zao ni sawa."),
    LoglikelihoodRequest("人人生而自由，", "在尊严和权利上一律平等。"),
]


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    root = tmp_path_factory.mktemp("tiny-lp")
    return {a: tiny_causal_lm(a, root) for a in ("llama", "gemma3")}


def _plain(model, r, hfm, shift: int = 0):
    """lm-eval's recipe, one request, the model's own full logits (in ``hfm``'s precision).
    ``shift=-1`` reads each token's log-prob one position early: a plausible indexing bug."""
    tok = model.tokenizer.hf
    ctx = tok.encode(r.context)
    cont = tok.encode(r.context + r.continuation)[len(ctx):]
    full = ctx + cont
    with torch.no_grad():
        logits = hfm(torch.tensor([full[:-1]])).logits[0].double()
    logp = torch.log_softmax(logits, -1)
    return [float(logp[len(ctx) - 1 + k + shift, t]) for k, t in enumerate(cont)]


def _bounds(model, dtype):
    """(plain low-precision log-probs, float64 log-probs, E) per the error model above."""
    exact_model = copy.deepcopy(model.model).double()
    plain = [_plain(model, r, model.model) for r in REQUESTS]
    exact = [_plain(model, r, exact_model) for r in REQUESTS]
    p, e = np.concatenate(plain), np.concatenate(exact)
    err = float(np.max(np.abs(p - e)))
    cfg = model.model.config.get_text_config()
    ceiling = 2 * cfg.num_hidden_layers * np.sqrt(cfg.hidden_size) * UNIT_ROUNDOFF[dtype] * (1 + np.abs(e))
    assert np.all(np.abs(p - e) <= ceiling), f"{dtype} plain path error exceeds the a-priori ceiling"
    shifted = np.concatenate([_plain(model, r, exact_model, shift=-1) for r in REQUESTS])
    assert 3 * err < float(np.median(np.abs(shifted - e))), \
        f"{dtype}: tolerance {3 * err} would not catch a one-position shift on most tokens"
    return plain, exact, err


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("arch", ["llama", "gemma3"])
@pytest.mark.parametrize("side", ["right", "left"])
def test_padded_batches_match_plain_path_within_rounding(folders, arch, dtype, side):
    model = load_model(f"hf:{folders[arch]}", device="cpu", dtype=dtype, batch_size=4,
                       padding_side=side, prefix_sharing=False)
    assert next(model.model.parameters()).dtype == getattr(torch, dtype)
    plain, exact, err = _bounds(model, dtype)
    got = model.loglikelihood(REQUESTS)
    for g, p, e in zip(got, plain, exact):
        assert len(g.token_logprobs) == len(p)
        got_lp = np.array(g.token_logprobs)
        assert np.max(np.abs(got_lp - e)) <= 2 * err, f"{dtype} padded log-probs vs float64"
        assert np.max(np.abs(got_lp - p)) <= 3 * err, f"{dtype} padded log-probs vs plain"


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("arch", ["llama", "gemma3"])
def test_prefix_sharing_matches_plain_path_within_rounding(folders, arch, dtype):
    model = load_model(f"hf:{folders[arch]}", device="cpu", dtype=dtype, batch_size=3, max_batch_tokens=64)
    plain, exact, err = _bounds(model, dtype)
    got = model.loglikelihood(REQUESTS)
    assert model._share_ok is True, f"{dtype}: prefix sharing was not used, so it was not tested"
    for g, p, e in zip(got, plain, exact):
        assert len(g.token_logprobs) == len(p)
        got_lp = np.array(g.token_logprobs)
        assert np.max(np.abs(got_lp - e)) <= 2 * err, f"{dtype} prefix-shared log-probs vs float64"
        assert np.max(np.abs(got_lp - p)) <= 3 * err, f"{dtype} prefix-shared log-probs vs plain"


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("arch", ["gemma3", "gpt2"])
def test_blocked_head_matches_full_logits_within_two_roundings(tmp_path, arch, dtype, monkeypatch):
    import babelscope.models.head as headmod

    model = load_model(f"hf:{tiny_causal_lm(arch, tmp_path)}", device="cpu", dtype=dtype)
    monkeypatch.setattr(headmod, "HEAD_CHUNK_ELEMENTS", 7 * 37)
    monkeypatch.setattr(headmod, "MIN_VOCAB_BLOCK", 37)  # 400-token vocab -> 11 blocks, 7 rows a group
    torch.manual_seed(3)
    W = model.model.get_output_embeddings().weight
    h = (torch.randn(23, W.shape[1]) * 3).to(W.dtype)
    tgt = torch.randint(0, W.shape[0], (23,))
    with torch.inference_mode():
        full = headmod.logits(model.model, h).double()  # the plain path: whole rows, low-precision logits
        lp, _ = headmod.target_logprobs(model.model, h, tgt)
    ref = torch.log_softmax(full, -1).gather(1, tgt[:, None])[:, 0]
    tol = 2 * UNIT_ROUNDOFF[dtype] * full.abs().max(-1).values + 1e-5
    diff = (lp.double() - ref).abs()
    assert bool((diff <= tol).all()), f"{dtype} blocked head: max excess {float((diff - tol).max())}"
