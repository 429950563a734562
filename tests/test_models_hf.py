"""HFModel on tiny random models of several architectures.

Every batched, padded, head-at-selected-positions result is checked against a straightforward
computation: one text at a time, full logits from the model's own forward pass.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from babelscope.engine.requests import GenerationRequest, LoglikelihoodRequest, RollingLoglikelihoodRequest
from babelscope.errors import ConfigError, ModelError
from babelscope.models import Capability, load_model
from babelscope.models.base import require
from tiny_models import CAUSAL_ARCHS, ENCODER_ARCHS, tiny_causal_lm, tiny_encoder

TEXTS = [
    "All human beings are born free and equal in dignity and rights.",
    "Tous les êtres humains naissent libres.",
    "人人生而自由",
    "Watu wote wamezaliwa huru, hadhi na haki zao ni sawa. They are endowed with reason.",
    "x",
]
LL_PAIRS = [
    ("The quick brown fox", " jumps over the lazy dog."),
    ("Alle Menschen sind frei ", "und gleich"),  # trailing space moves to the continuation
    ("", "Todos los seres humanos"),  # empty context: scored from the prefix token
    ("人人生而自由，", "在尊严和权利上一律平等。"),
    ("Watu wote", " wamezaliwa"),
]


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    root = tmp_path_factory.mktemp("tiny")
    out = {a: tiny_causal_lm(a, root) for a in CAUSAL_ARCHS}
    out.update({a: tiny_encoder(a, root) for a in ENCODER_ARCHS})
    return out


def _hf(model):
    return model.model, model.tokenizer.hf


# -- loglikelihood --------------------------------------------------------------------------
def _reference_ll(model, context, continuation):
    """lm-eval's recipe, one request at a time, with the model's full logits."""
    hfm, tok = _hf(model)
    n = len(context) - len(context.rstrip())
    if n:
        context, continuation = context[:-n], context[-n:] + continuation
    if context == "":
        prefix = tok.bos_token_id if tok.bos_token_id is not None else tok.eos_token_id
        ctx, cont = [prefix], tok.encode(continuation, add_special_tokens=False)
    else:
        whole = tok.encode(context + continuation)  # default special tokens: BOS where the model wants it
        ctx = tok.encode(context)
        cont = whole[len(ctx):]
    full = ctx + cont
    with torch.no_grad():
        logits = hfm(torch.tensor([full[:-1]])).logits[0].double()
    logp = torch.log_softmax(logits, -1)
    lp = [float(logp[len(ctx) - 1 + k, t]) for k, t in enumerate(cont)]
    greedy = all(int(logits[len(ctx) - 1 + k].argmax()) == t for k, t in enumerate(cont))
    return lp, greedy


@pytest.mark.parametrize("arch", CAUSAL_ARCHS)
@pytest.mark.parametrize("side", ["right", "left"])
def test_loglikelihood_matches_one_at_a_time(folders, arch, side):
    model = load_model(f"hf:{folders[arch]}", batch_size=3, padding_side=side)
    got = model.loglikelihood([LoglikelihoodRequest(c, x) for c, x in LL_PAIRS])
    for (c, x), res in zip(LL_PAIRS, got):
        lp, greedy = _reference_ll(model, c, x)
        assert res.n_tokens == len(lp) > 0
        assert res.token_logprobs == pytest.approx(lp, abs=1e-4)
        assert res.logprob == pytest.approx(sum(lp), abs=1e-4)
        assert res.is_greedy == greedy


def test_loglikelihood_greedy_flag_true_for_models_own_argmax(folders):
    """is_greedy is True for the model's own argmax continuation and False for a lower-ranked
    one. A continuation only tests the flag if its text re-tokenises to that one token after
    the context, so contexts (prefixes of the training sentences) and the top-k tokens are
    searched for such tokens; the test fails loudly if the search finds none."""
    from tiny_models import TRAINING_TEXT

    model = load_model(f"hf:{folders['llama']}")
    hfm, tok = _hf(model)
    greedy = other = None
    contexts = [t[:k] for t in TRAINING_TEXT for k in range(3, len(t), 3)]
    for ctx in contexts:
        ids = tok.encode(ctx)
        with torch.no_grad():
            ranked = hfm(torch.tensor([ids])).logits[0, -1].argsort(descending=True)[:10].tolist()
        for rank, t in enumerate(ranked):
            cont = tok.decode([t])
            if not cont or tok.encode(ctx + cont)[len(ids):] != [t] or not tok.encode(ctx)[:len(ids)] == ids:
                continue
            if rank == 0 and greedy is None:
                greedy = (ctx, cont)
            elif rank > 0 and other is None:
                other = (ctx, cont)
        if greedy and other:
            break
    if greedy is None or other is None:
        pytest.fail(f"no context among {len(contexts)} has a round-tripping argmax and runner-up token")
    res = model.loglikelihood([LoglikelihoodRequest(*greedy), LoglikelihoodRequest(*other)])
    assert res[0].is_greedy is True, f"argmax continuation {greedy!r} not flagged greedy"
    assert res[1].is_greedy is False, f"lower-ranked continuation {other!r} flagged greedy"


def test_bos_policy_follows_tokenizer(folders):
    assert load_model(f"hf:{folders['gemma3']}").tokenizer.adds_bos
    assert load_model(f"hf:{folders['llama']}").tokenizer.adds_bos
    assert not load_model(f"hf:{folders['qwen3']}").tokenizer.adds_bos
    assert not load_model(f"hf:{folders['gpt2']}").tokenizer.adds_bos


# -- rolling --------------------------------------------------------------------------------
def _prefix(tok):
    return tok.bos_token_id if tok.bos_token_id is not None else tok.eos_token_id


def _token_lp(hfm, context, target):
    with torch.no_grad():
        logits = hfm(torch.tensor([context])).logits[0, -1].double()
    return float(torch.log_softmax(logits, -1)[target])


@pytest.mark.parametrize("arch", CAUSAL_ARCHS)
@pytest.mark.parametrize("side", ["right", "left"])
def test_rolling_short_texts_equal_one_full_pass(folders, arch, side):
    model = load_model(f"hf:{folders[arch]}", batch_size=2, padding_side=side)
    hfm, tok = _hf(model)
    got = model.loglikelihood_rolling([RollingLoglikelihoodRequest(t) for t in TEXTS])
    for text, res in zip(TEXTS, got):
        seq = [_prefix(tok)] + tok.encode(text, add_special_tokens=False)
        with torch.no_grad():
            logp = torch.log_softmax(hfm(torch.tensor([seq[:-1]])).logits[0].double(), -1)
        nll = -sum(float(logp[i, seq[i + 1]]) for i in range(len(seq) - 1))
        assert res.n_tokens == len(seq) - 1
        assert res.nll == pytest.approx(nll, abs=1e-4)


@pytest.mark.parametrize("arch", ["gemma3", "gpt2"])
def test_rolling_stride_one_gives_every_token_full_window(folders, arch):
    """With stride 1, token i is predicted from exactly the L tokens before it."""
    L = 6
    model = load_model(f"hf:{folders[arch]}", max_length=L, rolling_stride=1, batch_size=4)
    hfm, tok = _hf(model)
    text = TEXTS[3]
    seq = [_prefix(tok)] + tok.encode(text, add_special_tokens=False)
    assert len(seq) > 3 * L
    expected = -sum(_token_lp(hfm, seq[max(0, i - L):i], seq[i]) for i in range(1, len(seq)))
    (res,) = model.loglikelihood_rolling([RollingLoglikelihoodRequest(text)])
    assert res.n_tokens == len(seq) - 1
    assert res.nll == pytest.approx(expected, abs=1e-4)


@pytest.mark.parametrize("arch", ["llama", "qwen2"])
def test_rolling_disjoint_windows_cover_every_token_once(folders, arch):
    """Default stride = window (lm-eval): window w predicts tokens [1+wL, 1+(w+1)L) from up to
    L tokens of input ending just before its last target."""
    L = 7
    model = load_model(f"hf:{folders[arch]}", max_length=L, batch_size=8, max_batch_tokens=20)
    hfm, tok = _hf(model)
    text = TEXTS[3] + " " + TEXTS[0]
    seq = [_prefix(tok)] + tok.encode(text, add_special_tokens=False)
    expected = 0.0
    for a in range(1, len(seq), L):
        b = min(len(seq), a + L)
        for i in range(a, b):
            expected -= _token_lp(hfm, seq[max(0, b - 1 - L):i], seq[i])
    (res,) = model.loglikelihood_rolling([RollingLoglikelihoodRequest(text)])
    assert res.n_tokens == len(seq) - 1
    assert res.nll == pytest.approx(expected, abs=1e-4)


# -- hidden states --------------------------------------------------------------------------
def _reference_pool(model, text, pooling):
    hfm, tok = _hf(model)
    body = hfm if not model.causal else hfm.base_model
    ids = tok.encode(text)  # special tokens as the tokenizer adds them by default
    with torch.no_grad():
        hs = body(input_ids=torch.tensor([ids]), output_hidden_states=True).hidden_states
    h = np.stack([x[0].double().numpy() for x in hs])  # (L+1, T, d)
    T = len(ids)
    if pooling == "last":
        return h[:, -1]
    w = np.ones(T) if pooling == "mean" else np.arange(1, T + 1, dtype=float)
    return (h * w[None, :, None]).sum(1) / w.sum()


@pytest.mark.parametrize("arch", CAUSAL_ARCHS + ENCODER_ARCHS)
@pytest.mark.parametrize("side", ["right", "left"])
def test_hidden_states_match_one_at_a_time(folders, arch, side):
    model = load_model(f"hf:{folders[arch]}", batch_size=3, padding_side=side)
    for pooling in ("weighted_mean", "mean", "last"):
        got = model.hidden_states(TEXTS, pooling=pooling)
        assert got.shape == (len(TEXTS), model.n_layers + 1, model.hidden_size)
        assert got.dtype == np.float32
        for i, text in enumerate(TEXTS):
            np.testing.assert_allclose(got[i], _reference_pool(model, text, pooling), atol=1e-4, rtol=1e-4)


def test_hidden_states_rejects_unknown_pooling(folders):
    model = load_model(f"hf:{folders['bert']}")
    with pytest.raises(ConfigError, match="pooling"):
        model.hidden_states(["a"], pooling="max")


# -- generation -----------------------------------------------------------------------------
PROMPTS = ["The quick brown fox", "Tous les êtres", "人人生而", "Alle Menschen sind frei und gleich an Würde"]


@pytest.mark.parametrize("arch", CAUSAL_ARCHS)
def test_greedy_generation_equals_hf_generate(folders, arch):
    model = load_model(f"hf:{folders[arch]}", batch_size=3)
    hfm, tok = _hf(model)
    got = model.generate([GenerationRequest(p, max_tokens=8) for p in PROMPTS])
    for p, text in zip(PROMPTS, got):
        ids = tok.encode(p) if model.tokenizer.adds_bos else tok.encode(p, add_special_tokens=False)
        with torch.no_grad():
            out = hfm.generate(torch.tensor([ids]), attention_mask=torch.ones(1, len(ids), dtype=torch.long),
                               max_new_tokens=8, do_sample=False, pad_token_id=model.tokenizer.pad_token_id)
        assert text == tok.decode(out[0, len(ids):], skip_special_tokens=True)


def test_generation_stops_at_stop_sequence_and_max_tokens(folders):
    model = load_model(f"hf:{folders['llama']}")
    (full,) = model.generate([GenerationRequest(PROMPTS[0], max_tokens=12)])
    assert len(full) >= 4
    stop = full[2:4]
    (cut,) = model.generate([GenerationRequest(PROMPTS[0], max_tokens=12, stop=(stop, "\x00never"))])
    assert cut == full[: full.find(stop)]
    (short,) = model.generate([GenerationRequest(PROMPTS[0], max_tokens=3)])
    hfm, tok = _hf(model)
    # reference: three greedy steps by hand (argmax of the model's own logits), decoded
    ids = tok.encode(PROMPTS[0])
    new: list[int] = []
    with torch.no_grad():
        for _ in range(3):
            nxt = int(hfm(torch.tensor([ids + new])).logits[0, -1].argmax())
            new.append(nxt)
            if nxt == tok.eos_token_id:
                break
    assert tok.eos_token_id not in new, "precondition: the first three greedy tokens are not EOS"
    assert short == tok.decode(new, skip_special_tokens=True), "max_tokens=3 must give exactly 3 tokens"
    assert full.startswith(short) and len(full) > len(short)


def test_chat_messages_use_template_or_plain_fallback(folders):
    templ = load_model(f"hf:{folders['qwen2']}")
    msgs = (("system", "Be brief."), ("user", "Hello"))
    ids = templ._render_prompt(GenerationRequest(messages=msgs, max_tokens=4))
    expected = templ.tokenizer.hf.apply_chat_template(
        [{"role": r, "content": c} for r, c in msgs], tokenize=False, add_generation_prompt=True)
    assert templ.tokenizer.decode(ids) == expected
    assert expected.endswith("<|im_start|>assistant\n")
    plain = load_model(f"hf:{folders['llama']}")
    ids = plain._render_prompt(GenerationRequest(messages=msgs, max_tokens=4))
    assert ids[0] == plain.tokenizer.bos_token_id
    assert plain.tokenizer.decode(ids[1:]) == "System: Be brief.\n\nUser: Hello\n\nAssistant:"


# -- capabilities, signature ----------------------------------------------------------------
def test_encoder_declares_what_it_cannot_do(folders):
    model = load_model(f"hf:{folders['xlm-roberta']}")
    assert model.capabilities == {Capability.TOKENIZER, Capability.HIDDEN_STATES}
    with pytest.raises(ModelError, match="loglikelihood"):
        require(model, Capability.LOGLIKELIHOOD)
    with pytest.raises(ModelError, match="generate"):
        model.generate([GenerationRequest("a")])


def test_signature_tracks_weights_and_tokenizer(folders, tmp_path):
    a1 = load_model(f"hf:{folders['llama']}").signature
    a2 = load_model(f"hf:{folders['llama']}").signature
    assert a1 == a2
    other = tiny_causal_lm("llama", tmp_path / "seed1", seed=1)
    b = load_model(f"hf:{other}").signature
    assert b.split("|tok:")[1] == a1.split("|tok:")[1]  # same tokenizer
    assert b.split("|w:")[1].split("|")[0] != a1.split("|w:")[1].split("|")[0]  # other weights
    smaller = tiny_causal_lm("llama", tmp_path / "v300", vocab_size=300)
    assert load_model(f"hf:{smaller}").signature.split("|tok:")[1] != a1.split("|tok:")[1]


def test_tokenizer_protocol(folders):
    tok = load_model(f"hf:{folders['gemma3']}").tokenizer
    ids = tok.encode("Hello world")
    assert ids and tok.bos_token_id not in ids
    assert tok.decode(ids) == "Hello world"
    assert tok.vocab_size == len(tok.hf)
    assert isinstance(tok.vocab_size, int) and tok.vocab_size > 256  # byte-level BPE: 256 bytes + merges


@pytest.mark.parametrize("arch", ["gemma3", "gpt2"])
def test_vocabulary_blocked_head_equals_full_log_softmax(folders, arch, monkeypatch):
    """Rolling scores use the head in vocabulary blocks with a running log-sum-exp; force many
    uneven blocks and rows groups and compare with log_softmax over whole rows (fp64)."""
    import babelscope.models.head as head

    model = load_model(f"hf:{folders[arch]}", device="cpu", dtype="float32")
    monkeypatch.setattr(head, "HEAD_CHUNK_ELEMENTS", 7 * 37)
    monkeypatch.setattr(head, "MIN_VOCAB_BLOCK", 37)  # 400-token vocab -> 11 blocks, 7 rows a group
    torch.manual_seed(3)
    d = model.model.get_output_embeddings().weight.shape[1]
    h = torch.randn(23, d) * 3
    h[5] = h[4]  # equal rows give equal answers
    V = model.model.get_output_embeddings().weight.shape[0]
    tgt = torch.randint(0, V, (23,))
    with torch.inference_mode():
        full = head.logits(model.model, h).double()
        tgt[0] = int(full[0].argmax())  # at least one greedy hit
        lp, greedy = head.target_logprobs(model.model, h, tgt)
    ref = torch.log_softmax(full, -1).gather(1, tgt[:, None])[:, 0]
    assert lp.double().tolist() == pytest.approx(ref.tolist(), abs=1e-5)
    assert greedy.tolist() == (full.argmax(-1) == tgt).tolist() and bool(greedy[0])
