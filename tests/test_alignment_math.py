"""MEXA's math from embeddings: vectorised cosines and the strict mutual-nearest-neighbour rule,
checked against the naive pair-by-pair reference (tests/mexa_reference.py) and hand examples."""

from __future__ import annotations

import numpy as np
import pytest

from babelscope.analyses.alignment import (
    AlignmentResult, compute_alignment, cosine_matrices, mexa_scores, mutual_nn_hits, select_segments,
)
from babelscope.corpora.base import ParallelCorpus
from babelscope.errors import BabelscopeError, ConfigError, CorpusError, ModelError
from babelscope.languages import Language
from mexa_reference import naive_cosine, naive_mexa, naive_scores


def test_cosine_matrices_match_pairwise_reference():
    rng = np.random.default_rng(1)
    p, o = rng.normal(size=(7, 3, 16)), rng.normal(size=(7, 3, 16))
    c = cosine_matrices(p, o)
    assert c.shape == (3, 7, 7)
    for layer in range(3):
        for i in range(7):
            for j in range(7):
                assert c[layer, i, j] == pytest.approx(naive_cosine(p[i, layer], o[j, layer]), abs=1e-12)


def test_mutual_nn_hand_example_is_strict_in_rows_and_columns():
    c = np.array([
        [0.9, 0.1, 0.2, 0.0],   # 0: best in row and column -> hit
        [0.3, 0.5, 0.6, 0.0],   # 1: row has 0.6 > 0.5 -> miss
        [0.1, 0.2, 0.7, 0.1],   # 2: row fine, but column has 0.6 < 0.7 -> hit
        [0.0, 0.0, 0.8, 0.8],   # 3: a tie with column 2's entry: strict rule -> miss
    ])
    # Column 2 = [0.2, 0.6, 0.7, 0.8]: 0.8 > 0.7, so 2 misses too (beaten in its column).
    assert mutual_nn_hits(c).tolist() == [True, False, False, False]
    assert naive_mexa(c) == 0.25


def test_column_rule_matters():
    # Row-wise every diagonal wins, but sentence 1's translation is closer to pivot 0.
    c = np.array([[0.9, 0.95], [0.1, 0.97]])
    assert mutual_nn_hits(c).tolist() == [False, True]


@pytest.mark.parametrize("seed", range(5))
def test_hits_equal_naive_on_random_matrices_with_ties(seed):
    rng = np.random.default_rng(seed)
    # Small integers force many exact ties, where strictness decides.
    mats = rng.integers(0, 4, size=(6, 9, 9)).astype(float)
    got = mutual_nn_hits(mats).mean(axis=-1)
    assert got.tolist() == [naive_mexa(m) for m in mats]


def test_mexa_scores_equal_naive_reference_per_layer():
    rng = np.random.default_rng(3)
    base = rng.normal(size=(12, 4, 8))
    # Noise grows with the layer, so the scores differ from layer to layer.
    other = base + rng.normal(size=base.shape) * np.array([0.1, 0.8, 1.5, 3.0])[None, :, None]
    got = mexa_scores(base, other)
    want = naive_scores(base, other)
    assert got.tolist() == want
    assert got[0] == 1.0 and len(set(want)) > 1


def test_permuted_translations_score_zero():
    rng = np.random.default_rng(4)
    e = rng.normal(size=(5, 2, 6))
    assert mexa_scores(e, e).tolist() == [1.0, 1.0]
    assert mexa_scores(e, e[[1, 2, 3, 4, 0]]).tolist() == [0.0, 0.0]


def test_zero_embedding_never_counts():
    e = np.eye(3)[:, None, :].repeat(2, axis=1)
    z = e.copy()
    z[1] = 0.0
    assert mexa_scores(e, z).tolist() == [pytest.approx(2 / 3)] * 2


def _corpus(texts: dict[str, dict[str, str]]) -> ParallelCorpus:
    return ParallelCorpus("toy", "1", texts, {c: Language.parse(c) for c in texts})


def test_select_segments_uses_same_first_ids_for_all():
    c = _corpus({
        "eng_Latn": {str(i): f"e{i}" for i in range(6)},
        "deu_Latn": {str(i): f"d{i}" for i in range(6)},
        "swh_Latn": {str(i): f"s{i}" for i in range(6) if i != 1},
    })
    pivot_code, langs, codes, ids = select_segments(c, ["de", "Swahili", "en"], "en", 3)
    assert pivot_code == "eng_Latn"
    assert [lang.tag for lang in langs] == ["de", "sw"]  # the pivot is not scored against itself
    assert codes == ["deu_Latn", "swh_Latn"]
    assert ids == ["0", "2", "3"]


def test_bad_input_names_what_is_wrong():
    c = _corpus({
        "eng_Latn": {"a": "x", "b": "y", "c": "z"},
        "deu_Latn": {"a": "x", "b": "y"},
        "yor_Latn": {"c": "z", "q": "w"},
    })
    with pytest.raises(CorpusError, match="yo"):
        select_segments(c, ["yor_Latn"], "en", 100)  # one shared id only
    with pytest.raises(CorpusError, match="hi"):
        select_segments(c, ["hin_Deva"], "en", 100)  # not in the corpus
    with pytest.raises(CorpusError, match="deu_Latn, yor_Latn"):
        # Each shares >= 2? deu shares 2, yor 1 -> the per-language check names yor first.
        select_segments(_corpus({"eng_Latn": {"a": "", "b": "", "c": ""}, "deu_Latn": {"a": "", "b": ""},
                                 "yor_Latn": {"b": "", "c": ""}}), ["de", "yo"], "en", 100)
    with pytest.raises(ConfigError, match="--sentences"):
        select_segments(c, ["de"], "en", 1)
    with pytest.raises(ConfigError, match="besides the pivot"):
        select_segments(c, ["en"], "en", 10)
    assert issubclass(CorpusError, BabelscopeError)


def test_backend_without_hidden_states_fails_up_front():
    class TokenizerOnly:
        name = "tok-only"

    c = _corpus({"eng_Latn": {"a": "x", "b": "y"}, "deu_Latn": {"a": "x", "b": "y"}})
    with pytest.raises(ModelError, match="tok-only"):
        compute_alignment(TokenizerOnly(), c, ["de"], "en")
    with pytest.raises(ConfigError, match="--pooling"):
        compute_alignment(TokenizerOnly(), c, ["de"], "en", pooling="cls")


def test_result_rows_and_aggregates():
    scores = np.array([[0.1, 0.5, 0.3], [0.0, 0.2, 0.4]])
    r = AlignmentResult(Language.parse("en"), "eng_Latn", [Language.parse("de"), Language.parse("yo")],
                        ["deu_Latn", "yor_Latn"], ["1", "2", "3", "4", "5"], "weighted_mean", scores, "toy")
    out = r.to_output()
    layer_rows = [x.to_dict() for x in out.rows if x.metric == "score"]
    assert [(d["language"], d["corpus_code"], d["layer"], d["score"]) for d in layer_rows[:3]] == [
        ("de", "deu_Latn", 0, 0.1), ("de", "deu_Latn", 1, 0.5), ("de", "deu_Latn", 2, 0.3)]
    agg = {(x.language.tag, x.metric): x.value for x in out.rows if x.metric in ("mean", "max")}
    assert agg[("de", "mean")] == pytest.approx(0.3) and agg[("de", "max")] == 0.5
    assert agg[("yo", "mean")] == pytest.approx(0.2) and agg[("yo", "max")] == 0.4
    j = r.to_json()
    assert j["languages"][1]["best_layer"] == 2 and j["n_sentences"] == 5
    assert out.artifacts["alignment_matrix"]["scores"] == scores.tolist()


def test_declared_capabilities_are_checked_before_work():
    from babelscope.models.base import Capability

    class NoStates:
        name = "api-model"
        capabilities = frozenset({Capability.TOKENIZER, Capability.GENERATE})

        def hidden_states(self, texts, pooling="weighted_mean"):  # pragma: no cover - must not run
            raise AssertionError("called before the capability check")

    c = _corpus({"eng_Latn": {"a": "x", "b": "y"}, "deu_Latn": {"a": "x", "b": "y"}})
    with pytest.raises(ModelError, match="hidden_states"):
        compute_alignment(NoStates(), c, ["de"], "en")


def test_sentences_are_stripped_like_the_authors_lines():
    seen: list[str] = []

    class Recorder:
        name = "recorder"

        def hidden_states(self, texts, pooling="weighted_mean"):
            seen.extend(texts)
            rng = np.random.default_rng(0)
            return rng.normal(size=(len(texts), 2, 4))

    c = _corpus({"eng_Latn": {"a": " Hello. ", "b": "World\u3000"}, "deu_Latn": {"a": "Hallo.\t", "b": "\xa0Welt"}})
    compute_alignment(Recorder(), c, ["de"], "en")
    assert seen == ["Hello.", "World", "Hallo.", "Welt"]
