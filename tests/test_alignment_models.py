"""Batched alignment on real (tiny, random-weight) models equals the naive one-sentence-per-pass
reference: embeddings within 1e-4 relative, identical MEXA scores, whatever the padding side."""

from __future__ import annotations

import json

import numpy as np
import pytest

from babelscope.analyses.alignment import compute_alignment, run_alignment
from babelscope.corpora.base import ParallelCorpus
from babelscope.languages import Language
from mexa_reference import naive_embeddings, naive_scores
from tiny_models import tiny_causal_lm, tiny_encoder

pytestmark = pytest.mark.xdist_group("alignment_models")

# Parallel sentences of very different lengths, so batches pad a lot.
SENTENCES = {
    "eng_Latn": ["All human beings are born free.", "Hello.", "They are endowed with reason and conscience and should act.",
                 "The quick brown fox jumps over the lazy dog again and again.", "Rights.", "One two three four"],
    "deu_Latn": ["Alle Menschen sind frei geboren.", "Hallo.", "Sie sind mit Vernunft und Gewissen begabt.",
                 "Der schnelle braune Fuchs springt immer wieder über den faulen Hund.", "Rechte.", "Eins zwei drei vier"],
    "swh_Latn": ["Watu wote wamezaliwa huru.", "Habari.", "Wamejaliwa akili na dhamiri.",
                 "Mbweha mwepesi wa kahawia anaruka juu ya mbwa mvivu tena na tena.", "Haki.", "Moja mbili tatu nne"],
}


def _corpus() -> ParallelCorpus:
    texts = {c: {str(i): s for i, s in enumerate(v)} for c, v in SENTENCES.items()}
    return ParallelCorpus("toy", "1", texts, {c: Language.parse(c) for c in texts})


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    root = tmp_path_factory.mktemp("tiny")
    out = {arch: tiny_causal_lm(arch, root) for arch in ("llama", "gemma3", "qwen2", "gpt2")}
    out["bert"] = tiny_encoder("bert", root)
    out["xlm-roberta"] = tiny_encoder("xlm-roberta", root)
    return out


def _hf_pair(folder):
    """The raw transformers model + tokenizer, loaded the authors' way (full model, head included)."""
    import torch
    from transformers import AutoConfig, AutoModel, AutoModelForCausalLM, AutoTokenizer

    from babelscope.models.loading import is_causal

    cfg = AutoConfig.from_pretrained(folder)
    cls = AutoModelForCausalLM if is_causal(cfg) else AutoModel
    return cls.from_pretrained(folder, dtype=torch.float32).eval(), AutoTokenizer.from_pretrained(folder)


def _rel_err(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.max(np.abs(a - b)) / max(1e-12, float(np.max(np.abs(b)))))


CASES = [
    ("llama", "weighted_mean", "right"), ("llama", "last", "left"),
    ("gemma3", "weighted_mean", "left"), ("gemma3", "last", "right"),
    ("qwen2", "weighted_mean", "right"), ("gpt2", "weighted_mean", "left"),
    ("bert", "mean", "right"), ("xlm-roberta", "mean", "left"),
]


@pytest.mark.parametrize("arch, pooling, side", CASES)
def test_batched_alignment_equals_naive_reference(folders, arch, pooling, side):
    from babelscope.models import load_model

    model = load_model(f"hf:{folders[arch]}", device="cpu", batch_size=4, padding_side=side)
    ref_model, ref_tok = _hf_pair(folders[arch])
    corpus = _corpus()
    result = compute_alignment(model, corpus, ["de", "sw"], "en", n_sentences=6, pooling=pooling,
                               precision="float32")
    as_authors = compute_alignment(model, corpus, ["de", "sw"], "en", n_sentences=6, pooling=pooling)
    texts = [t for code in ("eng_Latn", "deu_Latn", "swh_Latn") for t in SENTENCES[code]]
    batched = model.hidden_states(texts, pooling=pooling)
    naive = naive_embeddings(ref_model, ref_tok, texts, pooling, store_dtype=np.float32)
    assert batched.shape == naive.shape == (18, 3, 32)
    assert _rel_err(batched, naive) < 1e-4
    piv = naive[:6]
    want = np.array([naive_scores(piv, naive[6:12]), naive_scores(piv, naive[12:])])
    assert result.scores.tolist() == want.tolist()
    # The default rounds embeddings to float16 before the cosines, as the authors store them.
    half = naive.astype(np.float16)
    want16 = np.array([naive_scores(half[:6], half[6:12]), naive_scores(half[:6], half[12:])])
    assert as_authors.scores.tolist() == want16.tolist() and as_authors.precision == "float16"
    assert result.codes == ["deu_Latn", "swh_Latn"] and result.n == 6


def test_run_alignment_rows_carry_layer_and_score(folders):
    from babelscope.models import load_model

    model = load_model(f"hf:{folders['gemma3']}", device="cpu")
    out = run_alignment(model, _corpus(), ["swh_Latn"], "eng_Latn", n_sentences=4)
    rows = [r.to_dict() for r in out.rows]
    layers = [(r["layer"], r["score"]) for r in rows if r["metric"] == "score"]
    assert [layer for layer, _ in layers] == [0, 1, 2]
    means = [r for r in rows if r["metric"] == "mean"]
    assert len(means) == 1 and means[0]["corpus_code"] == "swh_Latn" and means[0]["language"] == "sw"
    assert means[0]["mean"] == pytest.approx(np.mean([s for _, s in layers]))
    assert out.artifacts["alignment_matrix"]["languages"] == ["sw"]


def _write_files_corpus(tmp_path):
    d = tmp_path / "par"
    d.mkdir()
    for code, sents in SENTENCES.items():
        (d / f"{code}.txt").write_text("\n".join(sents) + "\n", encoding="utf-8")
    return d


def test_cli_align_json_and_calibration(folders, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from babelscope.cli import app

    d = _write_files_corpus(tmp_path)
    (d / "yor_Latn.txt").write_text("\n".join(s[::-1] for s in SENTENCES["eng_Latn"]) + "\n", encoding="utf-8")
    csv = tmp_path / "scores.csv"
    csv.write_text("language,score\nde,0.8\nsw,0.4\nyo,0.2\n", encoding="utf-8")
    monkeypatch.setenv("BABELSCOPE_WORKSPACE", str(tmp_path / "ws"))
    res = CliRunner().invoke(app, [
        "align", "--model", f"hf:{folders['llama']}", "--corpus", f"files:{d}", "--sentences", "5",
        "--languages", "deu_Latn,swh_Latn,yor_Latn", "--pivot", "eng_Latn", "--against", str(csv), "--json",
    ])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert {r["corpus_code"] for r in data["rows"]} == {"deu_Latn", "swh_Latn", "yor_Latn"}
    assert {"corpus_code", "layer", "score"} <= set(data["rows"][0])
    assert [x["language"] for x in data["languages"]] == ["de", "sw", "yo"]
    assert data["n_sentences"] == 5 and data["run_id"]
    cal = data["calibration"]
    assert cal["fit"]["n_languages"] == 3 and cal["estimates"] == []
    from babelscope.store import Store

    store = Store(tmp_path / "ws" / "results.sqlite")
    stored = store.results(data["run_id"], "alignment")
    assert len([r for r in stored if r["metric"] == "score"]) == 3 * 3
    assert "alignment_calibration" in store.artifacts(data["run_id"])


@pytest.mark.parametrize("args, match", [
    (["--languages", "hin_Deva"], "hi"),
    (["--languages", "deu_Latn", "--sentences", "1"], "--sentences"),
    (["--languages", "deu_Latn", "--pooling", "cls"], "--pooling"),
    (["--languages", "deu_Latn", "--against", "nope.csv"], "nope.csv"),
])
def test_cli_bad_input_exits_2_naming_it(tmp_path, monkeypatch, capsys, args, match):
    """Through the real entry point (main: BabelscopeError -> exit 2), before any model loads."""
    import sys

    from babelscope.cli import main

    d = _write_files_corpus(tmp_path)
    monkeypatch.setenv("BABELSCOPE_WORKSPACE", str(tmp_path / "ws"))
    monkeypatch.setattr(sys, "argv", ["babelscope", "align", "--model", str(tmp_path / "no-such-model"),
                                      "--corpus", f"files:{d}", "--pivot", "eng_Latn", *args])
    with pytest.raises(SystemExit) as exc:
        main()
    assert exc.value.code == 2
    assert match in capsys.readouterr().err


def test_alignment_unit_uses_engine_and_its_cache(folders, tmp_path):
    """The alignment unit of a study goes through the session's engine: running the same unit
    again (in a new session over the same workspace) is answered from the request cache."""
    from babelscope.pipeline import run_unit
    from babelscope.plan import build_plan
    from babelscope.session import Session
    from babelscope.study import build_study

    d = _write_files_corpus(tmp_path)
    study = build_study({"models": [{"spec": f"hf:{folders['qwen2']}", "device": "cpu"}],
                         "languages": ["deu_Latn", "swh_Latn"], "pivot": "eng_Latn", "corpus": f"files:{d}",
                         "max_segments": 5, "analyses": ["alignment"]})
    (unit,) = build_plan(study).units
    with Session(tmp_path / "ws") as session:
        first = run_unit(unit, session)
        assert first.requests["computed"] == 15  # 3 languages x 5 sentences, each embedded once
    with Session(tmp_path / "ws") as session:
        again = run_unit(unit, session)
        assert again.requests["computed"] == 0  # answered from the request cache
        assert again.requests["cached"] == 15
    assert [r.value for r in again.output.rows] == [r.value for r in first.output.rows]
    assert {r.n for r in first.output.rows} == {5}
