"""BLI retrieval math against naive references written here (Python loops over words, the
definitions of Conneau et al. 2018 as printed) and closed forms (a known rotation)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from babelscope.probes import retrieval
from babelscope.probes.homographs import levenshtein, normalised_distance
from babelscope.probes.latent_language import crossover_layer
from babelscope.probes.retrieval import csls_matrix, normalize, precision_at, procrustes, top_k


def _unit(a):
    return a / np.linalg.norm(a, axis=1, keepdims=True)


def naive_csls(X, Y, k):
    """CSLS(x, y) = 2cos(x, y) - r_T(x) - r_S(y), one pair at a time."""
    def cos(a, b):
        return float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)))

    r_t = [sum(sorted((cos(x, y) for y in Y), reverse=True)[:k]) / k for x in X]
    r_s = [sum(sorted((cos(y, x) for x in X), reverse=True)[:k]) / k for y in Y]
    return np.array([[2 * cos(x, y) - r_t[i] - r_s[j] for j, y in enumerate(Y)] for i, x in enumerate(X)])


def test_csls_matches_naive_definition():
    rng = np.random.default_rng(0)
    X, Y = _unit(rng.normal(size=(13, 6))), _unit(rng.normal(size=(17, 6)))
    np.testing.assert_allclose(csls_matrix(X, Y, X, k=3), naive_csls(X, Y, 3), atol=1e-5)


@pytest.mark.parametrize("method", ["nn", "csls"])
def test_top_k_blockwise_equals_naive_ranking(monkeypatch, method):
    monkeypatch.setattr(retrieval, "BLOCK", 4)  # several blocks on a small input
    rng = np.random.default_rng(1)
    X, Y = _unit(rng.normal(size=(11, 5))), _unit(rng.normal(size=(19, 5)))
    got = top_k(X, Y, 5, method, sources=X, csls_k=3)
    scores = X @ Y.T if method == "nn" else naive_csls(X, Y, 3)
    want = np.argsort(-scores, axis=1, kind="stable")[:, :5]
    np.testing.assert_array_equal(got, want)


def test_procrustes_recovers_a_rotation():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(50, 8))
    Q, _ = np.linalg.qr(rng.normal(size=(8, 8)))
    W = procrustes(X, X @ Q)
    np.testing.assert_allclose(W, Q, atol=1e-4)
    np.testing.assert_allclose(W @ W.T, np.eye(8), atol=1e-5)


def test_normalize_units_and_centres():
    x = normalize(np.array([[3.0, 4.0], [1.0, 0.0], [0.0, 2.0]]))
    np.testing.assert_allclose(np.linalg.norm(x, axis=1), 1.0, atol=1e-6)


def test_precision_at_counts_any_gold():
    ranked = np.array([[3, 1, 2], [0, 2, 1]])
    p = precision_at(ranked, [{1}, {5, 1}], [1, 2, 3])
    assert p[1].tolist() == [0.0, 0.0] and p[2].tolist() == [1.0, 0.0] and p[3].tolist() == [1.0, 1.0]


def test_edit_distance_by_hand():
    assert levenshtein("kitten", "sitting") == 3  # the textbook example
    assert levenshtein("", "abc") == 3
    assert math.isclose(normalised_distance("Hôtel", "hotel"), 0.0)  # case and accents ignored
    assert math.isclose(normalised_distance("Haus", "house"), 2 / 5)


def test_crossover_layer():
    # target stays above English from layer 3 on
    assert crossover_layer(np.array([.1, .2, .1, .5, .6]), np.array([.2, .3, .4, .2, .1])) == 3
    # above at layer 1 but falls back: the crossover is the last one
    assert crossover_layer(np.array([.1, .5, .1, .5]), np.array([.2, .3, .4, .2])) == 3
    assert crossover_layer(np.array([.1, .1]), np.array([.2, .3])) is None
