"""Model-side probe access (models/hf_probes.py) on tiny random models.

Expected values are computed by hand with plain transformers: one prompt at a time, the
model's own forward pass with ``output_hidden_states``, the final norm module and lm_head
applied to the whole sequence, the last position picked, softmax taken.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from babelscope.errors import ModelError
from babelscope.models import load_model
from babelscope.models.hf_probes import (
    input_word_vectors,
    logit_lens,
    require_probe_access,
    word_span_states,
)
from tiny_models import tiny_causal_lm, tiny_encoder

PROMPTS = ["Français: chat - Deutsch: Katze\nFrançais: chien - Deutsch:",
           "Watu wote wamezaliwa huru",
           "x"]


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    root = tmp_path_factory.mktemp("tiny-probes")
    return {a: tiny_causal_lm(a, root) for a in ("llama", "gemma3", "gpt2")}


def _by_hand(model, text, targets):
    hf = model.model
    ids = model.tok.encode(text)
    if model.tok.adds_bos:
        ids = [model.tok.bos_token_id] + ids
    with torch.no_grad():
        hs = hf(input_ids=torch.tensor([ids]), output_hidden_states=True).hidden_states
        norm = hf.model.norm if hasattr(hf, "model") else hf.transformer.ln_f
        out = []
        for layer, h in enumerate(hs):
            x = h if layer == len(hs) - 1 else norm(h)
            logits = hf.lm_head(x)[0, -1].float()
            cap = getattr(hf.config, "final_logit_softcapping", None)
            if cap:
                logits = torch.tanh(logits / cap) * cap
            out.append(torch.softmax(logits, -1)[targets].numpy())
        # the last layer of the lens is the model's own next-token distribution
        own = torch.softmax(hf(input_ids=torch.tensor([ids])).logits[0, -1].float(), -1)[targets].numpy()
    return np.array(out), own


@pytest.mark.parametrize("arch", ["llama", "gemma3", "gpt2"])
@pytest.mark.parametrize("side", ["right", "left"])
def test_logit_lens_matches_hand_computation(folders, arch, side):
    model = load_model(f"hf:{folders[arch]}", device="cpu", dtype="float32", batch_size=2, padding_side=side)
    targets = [[5, 17], [3, 40], [7, 8]]
    got = logit_lens(model, PROMPTS, targets)
    assert got.shape == (3, model.n_layers + 1, 2)
    for i, text in enumerate(PROMPTS):
        want, own = _by_hand(model, text, targets[i])
        np.testing.assert_allclose(got[i], want, rtol=1e-4, atol=1e-7)
        np.testing.assert_allclose(got[i, -1], own, rtol=1e-4, atol=1e-7)


def test_word_span_states_equal_mean_over_the_words_tokens(folders):
    model = load_model(f"hf:{folders['llama']}", device="cpu", dtype="float32", batch_size=3)
    words = ["humains", "Menschen", "x"]
    # A quote ends the prefix: byte-level BPE never merges it with the letters after it, so the
    # word's tokens are exactly those after the prefix's.
    got = word_span_states(model, 'The word "', words, '".', layers=[0, 2])
    for i, w in enumerate(words):
        pre = [model.tok.bos_token_id] + model.tok.encode('The word "')
        full = [model.tok.bos_token_id] + model.tok.encode('The word "' + w + '".')
        n_word = len(model.tok.encode(w))
        with torch.no_grad():
            hs = model.model(input_ids=torch.tensor([full]), output_hidden_states=True).hidden_states
        for k, layer in enumerate([0, 2]):
            want = hs[layer][0, len(pre): len(pre) + n_word].mean(0).numpy()
            np.testing.assert_allclose(got[i, k], want, rtol=1e-4, atol=1e-5)


def test_input_word_vectors_are_mean_input_embeddings(folders):
    model = load_model(f"hf:{folders['gpt2']}", device="cpu", dtype="float32")
    vecs, counts = input_word_vectors(model, ["dignity", "Würde", "人人"])
    W = model.model.get_input_embeddings().weight.detach().numpy()
    for i, w in enumerate(["dignity", "Würde", "人人"]):
        ids = model.tok.encode(" " + w)
        assert counts[i] == len(ids)
        np.testing.assert_allclose(vecs[i], W[ids].mean(0), rtol=1e-5, atol=1e-6)


def test_probe_access_refuses_encoders(tmp_path):
    model = load_model(f"hf:{tiny_encoder('bert', tmp_path)}", device="cpu")
    with pytest.raises(ModelError, match="causal"):
        require_probe_access(model, "latent-language")
    with pytest.raises(ModelError, match="Hugging Face"):
        require_probe_access(object(), "latent-language")
