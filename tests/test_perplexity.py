"""Bits per byte on a tiny model, checked against NLLs computed straight from the model."""

from __future__ import annotations

import math

import pytest
import torch

from babelscope.corpora.base import ParallelCorpus
from babelscope.engine.executor import Engine
from babelscope.analyses.perplexity import run_bits_per_byte
from babelscope.errors import CorpusError
from babelscope.languages import Language
from babelscope.models import load_model
from naive_bootstrap import naive_indices, naive_interval
from tiny_models import tiny_causal_lm

SEGS = {
    "en": {"1": "All human beings are born free and equal in dignity and rights.",
           "2": "Everyone has the right to life, liberty and security of person.",
           "3": "No one shall be held in slavery or servitude."},
    "fr": {"1": "Tous les êtres humains naissent libres et égaux en dignité et en droits.",
           "2": "Tout individu a droit à la vie, à la liberté et à la sûreté de sa personne.",
           "3": "Nul ne sera tenu en esclavage ni en servitude."},
    "zh": {"1": "人人生而自由，在尊严和权利上一律平等。",
           "3": "任何人不得使为奴隶或奴役。"},  # segment 2 missing
}


@pytest.fixture(scope="module")
def corpus():
    return ParallelCorpus("test-udhr", "1", SEGS, {c: Language.parse(c) for c in SEGS})


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    return load_model(f"hf:{tiny_causal_lm('qwen3', tmp_path_factory.mktemp('m'))}")


def _nll_bits(model, text):
    hfm, tok = model.model, model.tokenizer.hf
    seq = [tok.eos_token_id] + tok.encode(text, add_special_tokens=False)  # qwen: no BOS, EOS prefix
    with torch.no_grad():
        logp = torch.log_softmax(hfm(torch.tensor([seq[:-1]])).logits[0].double(), -1)
    return -sum(float(logp[i, seq[i + 1]]) for i in range(len(seq) - 1)) / math.log(2), len(seq) - 1


def _rows(out):
    return {(r.language.tag, r.metric): r for r in out.rows}


def test_bits_per_byte_over_shared_segments(model, corpus):
    out = run_bits_per_byte(Engine(model), corpus, ["en", "fr", "zh"], pivot="en")
    rows = _rows(out)
    shared = ["1", "3"]
    expected = {}
    for code in ("en", "fr", "zh"):
        bits = toks = nbytes = 0
        for i in shared:
            b, t = _nll_bits(model, SEGS[code][i])
            bits, toks, nbytes = bits + b, toks + t, nbytes + len(SEGS[code][i].encode("utf-8"))
        expected[code] = bits / nbytes
        tag = Language.parse(code).tag
        r = rows[(tag, "bits_per_byte")]
        assert r.value == pytest.approx(bits / nbytes, rel=1e-5)
        assert r.n == 2 and r.corpus_code == code
        assert r.ci_low <= r.value <= r.ci_high
        assert rows[(tag, "tokens")].value == toks
        assert rows[(tag, "bytes")].value == nbytes
        assert rows[(tag, "bits_per_token")].value == pytest.approx(bits / toks, rel=1e-5)
    for code in ("fr", "zh"):
        ratio = rows[(Language.parse(code).tag, "bits_per_byte_ratio")]
        assert ratio.value == pytest.approx(expected[code] / expected["en"], rel=1e-5)
        assert ratio.extra["pivot"] == "en"
    assert rows[("en", "bits_per_byte_ratio")].value == pytest.approx(1.0)
    items = [i for i in out.items if i[1] == Language.parse("zh").tag]
    assert [i[2] for i in items] == shared
    assert sum(i[3]["bytes"] for i in items) == rows[(Language.parse("zh").tag, "bytes")].value


def test_max_segments_and_pivot_added(model, corpus):
    out = run_bits_per_byte(Engine(model), corpus, ["fr"], pivot="en", max_segments=1)
    rows = _rows(out)
    assert rows[("fr", "bits_per_byte")].n == 1
    assert ("en", "bits_per_byte") in rows  # pivot scored even if not asked for
    b, _ = _nll_bits(model, SEGS["fr"]["1"])
    assert rows[("fr", "bits_per_byte")].value == pytest.approx(b / len(SEGS["fr"]["1"].encode()), rel=1e-5)


def test_errors_name_the_problem(model, corpus):
    with pytest.raises(CorpusError, match="sw"):
        run_bits_per_byte(Engine(model), corpus, ["en", "sw"])
    disjoint = ParallelCorpus("d", "1", {"en": {"1": "a"}, "fr": {"2": "b"}},
                              {"en": Language.parse("en"), "fr": Language.parse("fr")})
    with pytest.raises(CorpusError, match="share no segments"):
        run_bits_per_byte(Engine(model), disjoint, ["en", "fr"])


def test_bits_per_byte_cis_equal_naive_paired_loop(model, corpus):
    """Both intervals against a plain loop over the same seeded segment indices (drawn one at a
    time), with bits and bytes read from the per-segment records: bits per byte is a ratio of
    sums, and the ratio to the pivot resamples the SAME segments for language and pivot."""
    from babelscope.analyses.perplexity import BOOTSTRAP_SAMPLES, BOOTSTRAP_SEED

    out = run_bits_per_byte(Engine(model), corpus, ["en", "fr"], pivot="en")
    rows = _rows(out)
    seg = {(lang, sid): rec for _, lang, sid, rec in out.items}
    ids = ["1", "2", "3"]
    draws = naive_indices(3, BOOTSTRAP_SAMPLES, BOOTSTRAP_SEED)

    def bpb(lang, idx):
        return sum(seg[(lang, ids[i])]["bits"] for i in idx) / sum(seg[(lang, ids[i])]["bytes"] for i in idx)

    fr = rows[("fr", "bits_per_byte")]
    assert (fr.ci_low, fr.ci_high) == pytest.approx(naive_interval([bpb("fr", d) for d in draws]), rel=1e-12), \
        "bits_per_byte CI"
    ratio = rows[("fr", "bits_per_byte_ratio")]
    assert (ratio.ci_low, ratio.ci_high) == pytest.approx(
        naive_interval([bpb("fr", d) / bpb("en", d) for d in draws]), rel=1e-12), "bits_per_byte_ratio CI (paired)"


def test_bits_per_parallel_segment_and_ratio(model, corpus):
    """Closed forms over the shared segments: total bits / segments, total bits / pivot's total bits,
    bits / characters; NLLs computed straight from the model."""
    out = run_bits_per_byte(Engine(model), corpus, ["en", "zh"], pivot="en")
    rows = _rows(out)
    shared = ["1", "3"]
    total = {c: sum(_nll_bits(model, SEGS[c][i])[0] for i in shared) for c in ("en", "zh")}
    zh = Language.parse("zh").tag
    assert rows[(zh, "bits_per_segment")].value == pytest.approx(total["zh"] / 2, rel=1e-5)
    assert rows[(zh, "bits_per_segment_ratio")].value == pytest.approx(total["zh"] / total["en"], rel=1e-5)
    assert rows[(zh, "bits_per_segment_ratio")].ci_low <= rows[(zh, "bits_per_segment_ratio")].value
    assert rows[("en", "bits_per_segment_ratio")].value == pytest.approx(1.0)
    nchars = sum(len(SEGS["zh"][i]) for i in shared)
    assert rows[(zh, "chars")].value == nchars
    assert rows[(zh, "bits_per_char")].value == pytest.approx(total["zh"] / nchars, rel=1e-5)
