"""The real default model (Gemma-3-270M) through the latent-language probe, checked by hand.

The hand computation uses plain transformers on the first prompt: all hidden states, Gemma's
final norm and output head over the whole sequence, Gemma's final-logit soft-capping, the last
position, softmax. The lens's last layer must also equal the model's own next-token
probabilities. Run under ``flock /tmp/bs-heavy.lock`` (it loads the 1.1 GB model).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from babelscope.models import load_model
from babelscope.probes.latent_language import build_prompts, run_latent_language

pytestmark = pytest.mark.e2e


def test_default_model_logit_lens_by_hand(shared_data: Path):
    folder = shared_data / "freedict"
    if not (folder / "freedict-fra-eng.index").exists():
        pytest.skip("no FreeDict files in the shared data")
    spec = f"freedict:{folder}"
    model = load_model("default", device="cpu", dtype="float32")
    out = run_latent_language(model, spec, "fr", ["de"], n_prompts=6, n_shots=3, n_boot=100)
    p = build_prompts(model, spec, "fr", "de", 6, 3)
    first = next(d for _, _, item_id, d in out.items if item_id.endswith(":0"))
    hf = model.model
    ids = [model.tok.bos_token_id] + model.tok.encode(p.texts[0])
    cap = hf.config.get_text_config().final_logit_softcapping
    with torch.no_grad():
        hs = hf(input_ids=torch.tensor([ids]), output_hidden_states=True).hidden_states
        want = []
        for layer, h in enumerate(hs):
            x = h if layer == len(hs) - 1 else hf.model.norm(h)
            logits = hf.lm_head(x)[0, -1].float()
            if cap:
                logits = torch.tanh(logits / cap) * cap
            want.append(torch.softmax(logits, -1)[[p.target_tokens[0], p.english_tokens[0]]].numpy())
        own = torch.softmax(hf(input_ids=torch.tensor([ids])).logits[0, -1].float(), -1)
    want = np.array(want)
    assert len(hs) == 19
    np.testing.assert_allclose(first["p_target"], want[:, 0], rtol=1e-3, atol=1e-7)
    np.testing.assert_allclose(first["p_english"], want[:, 1], rtol=1e-3, atol=1e-7)
    assert first["p_target"][-1] == pytest.approx(float(own[p.target_tokens[0]]), rel=1e-3, abs=1e-7)
    rows = {r.metric for r in out.rows}
    assert {"p_target", "p_english", "crossover_layer", "p_target_final"} <= rows
