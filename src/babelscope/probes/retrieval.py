"""Word retrieval for bilingual lexicon induction: nearest neighbour, CSLS, Procrustes.

All of it is matrix work in blocks of rows, never a Python loop over words:

- cosine nearest neighbour: rank target words by cos(x, y);
- CSLS (Conneau et al. 2018, "Word translation without parallel data"):
  ``CSLS(x, y) = 2 cos(x, y) - r_T(x) - r_S(y)``, where ``r_T(x)`` is the mean cosine of x with
  its k nearest target words and ``r_S(y)`` the mean cosine of y with its k nearest source
  words (k = 10 as in the paper). It penalises "hub" words near everything;
- orthogonal Procrustes (Schönemann 1966; Mikolov et al. 2013; Smith et al. 2017): the
  rotation W minimising ||X W - Y|| over seed pairs is U V^T for U S V^T = svd(X^T Y).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

#: Rows of the query block: bounds the (block x targets) score matrix in memory.
BLOCK = 1024


def normalize(x: np.ndarray) -> np.ndarray:
    """Unit length, centred, unit length again (the "renorm,center,renorm" of MUSE/VecMap);
    a zero row stays zero."""
    x = np.asarray(x, dtype=np.float32)

    def unit(a: np.ndarray) -> np.ndarray:
        n = np.linalg.norm(a, axis=1, keepdims=True)
        return a / np.where(n == 0, 1.0, n)

    x = unit(x)
    return unit(x - x.mean(axis=0, keepdims=True))


def procrustes(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The orthogonal W minimising ||x W - y||_F (rows of x and y are seed pairs)."""
    u, _, vt = np.linalg.svd(np.asarray(x, np.float64).T @ np.asarray(y, np.float64))
    return (u @ vt).astype(np.float32)


def mean_topk_cos(a: np.ndarray, b: np.ndarray, k: int) -> np.ndarray:
    """For each row of ``a``, the mean of its k largest cosines with the rows of ``b``
    (rows already unit length)."""
    k = max(1, min(k, b.shape[0]))
    out = np.empty(a.shape[0], dtype=np.float32)
    for s in range(0, a.shape[0], BLOCK):
        sims = a[s: s + BLOCK] @ b.T
        out[s: s + BLOCK] = np.partition(sims, sims.shape[1] - k, axis=1)[:, -k:].mean(axis=1)
    return out


def csls_matrix(queries: np.ndarray, targets: np.ndarray, sources: np.ndarray, k: int = 10) -> np.ndarray:
    """Full CSLS scores (queries x targets); for tests and small inputs."""
    r_t = mean_topk_cos(queries, targets, k)
    r_s = mean_topk_cos(targets, sources, k)
    return 2 * (queries @ targets.T) - r_t[:, None] - r_s[None, :]


def top_k(queries: np.ndarray, targets: np.ndarray, k: int, method: str = "nn",
          sources: np.ndarray | None = None, csls_k: int = 10) -> np.ndarray:
    """Indices of the k best targets per query, best first: (n_queries, k).

    ``method`` is "nn" (cosine) or "csls" (needs ``sources``, the whole source space).
    Rows must be unit length. r_T(x) is constant along a query's row, so it does not change
    the ranking and is left out here (csls_matrix has it).
    """
    if method not in ("nn", "csls"):
        raise ValueError(f"unknown retrieval {method!r}")
    k = min(k, targets.shape[0])
    penalty = None
    if method == "csls":
        if sources is None:
            raise ValueError("CSLS needs the source space")
        penalty = mean_topk_cos(targets, sources, csls_k)
    out = np.empty((queries.shape[0], k), dtype=np.int64)
    for s in range(0, queries.shape[0], BLOCK):
        sc = queries[s: s + BLOCK] @ targets.T
        if penalty is not None:
            sc = 2 * sc - penalty[None, :]
        part = np.argpartition(-sc, k - 1, axis=1)[:, :k]
        order = np.argsort(-np.take_along_axis(sc, part, axis=1), axis=1, kind="stable")
        out[s: s + BLOCK] = np.take_along_axis(part, order, axis=1)
    return out


def precision_at(ranked: np.ndarray, gold: Sequence[set[int]], ks: Sequence[int]) -> dict[int, np.ndarray]:
    """Per query and k: 1.0 if any gold target is among its top k, else 0.0."""
    return {k: np.array([1.0 if gold[i] & set(ranked[i, :k].tolist()) else 0.0 for i in range(len(gold))])
            for k in ks}
