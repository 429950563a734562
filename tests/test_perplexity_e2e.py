"""The real embedded default model (Gemma-3-270M): load it and score a few UDHR sentences."""

from __future__ import annotations

import math

import pytest
import torch

from babelscope.analyses.perplexity import run_bits_per_byte
from babelscope.corpora.base import ParallelCorpus
from babelscope.engine.executor import Engine
from babelscope.languages import Language
from babelscope.models import load_model

pytestmark = pytest.mark.e2e

SEGS = {
    "en": {"1": "All human beings are born free and equal in dignity and rights. They are endowed with reason "
                "and conscience and should act towards one another in a spirit of brotherhood.",
           "3": "Everyone has the right to life, liberty and security of person."},
    "de": {"1": "Alle Menschen sind frei und gleich an Würde und Rechten geboren. Sie sind mit Vernunft und "
                "Gewissen begabt und sollen einander im Geist der Brüderlichkeit begegnen.",
           "3": "Jeder hat das Recht auf Leben, Freiheit und Sicherheit der Person."},
    "sw": {"1": "Watu wote wamezaliwa huru, hadhi na haki zao ni sawa. Wote wamejaliwa akili na dhamiri, "
                "hivyo yapasa watendeane kindugu.",
           "3": "Kila mtu anayo haki ya kuishi, haki ya uhuru na haki ya kuwa salama."},
}


def test_default_model_bits_per_byte():
    model = load_model("default")
    assert model.name == "gemma-3-270m" and model.n_layers == 18 and model.tokenizer.adds_bos
    corpus = ParallelCorpus("udhr-sample", "1", SEGS, {c: Language.parse(c) for c in SEGS})
    out = run_bits_per_byte(Engine(model), corpus, ["en", "de", "sw"], pivot="en")
    bpb = {r.language.tag: r.value for r in out.rows if r.metric == "bits_per_byte"}
    assert all(0.1 < v < 3.0 for v in bpb.values()), bpb
    assert bpb["en"] < bpb["sw"]  # a 270M model knows English far better than Swahili
    # one segment, the naive way: full logits at every position
    tok = model.tokenizer.hf
    text = SEGS["sw"]["3"]
    ids = tok.encode(text)  # BOS + text
    assert ids[0] == tok.bos_token_id
    with torch.no_grad():
        logp = torch.log_softmax(model.model(torch.tensor([ids[:-1]])).logits[0].double(), -1)
    naive = -sum(float(logp[i, ids[i + 1]]) for i in range(len(ids) - 1)) / math.log(2)
    item = next(i for i in out.items if i[1] == "sw" and i[2] == "3")
    assert item[3]["bits"] == pytest.approx(naive, rel=1e-4)
