"""A naive MEXA, written the way the authors' published code works, to check babelscope against.

Semantics taken from the paper's code (cisnlp/MEXA: embed_extractor.py, compute_mexa.py), not
its text: one sentence per forward pass through the full causal LM (output head included), the
tokenizer's default special tokens, no padding; per layer the position-weighted mean
sum_t t*h_t / sum_t t (or the last token's state), stored as float16; cosines in float64 one
pair at a time; a sentence counts when its diagonal cosine is strictly greater than every other
entry in its row and its column. Deliberately slow and simple: it is the yardstick, not a tool.
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np
import torch


def naive_embeddings(model, tokenizer, sentences: Sequence[str], pooling: str = "weighted_mean",
                     store_dtype=np.float16) -> np.ndarray:
    """(n, layers + 1, d) sentence embeddings, one forward pass per sentence.

    ``store_dtype`` float16 reproduces the authors' storage; float32 keeps full precision.
    """
    out = []
    model.eval()
    for text in sentences:
        enc = tokenizer(text, return_tensors="pt")
        with torch.no_grad():
            states = model(**enc, output_hidden_states=True).hidden_states
        mask = enc["attention_mask"][0]
        per_layer = []
        for h in states:
            h = h[0]  # (T, d)
            if pooling == "weighted_mean":
                acc = torch.zeros(h.shape[-1], dtype=h.dtype)
                total = 0.0
                for t in range(h.shape[0]):  # position t+1 weighs t+1
                    w = float((t + 1) * mask[t])
                    acc = acc + w * h[t]
                    total += w
                emb = acc / total
            elif pooling == "last":
                emb = h[int(mask.sum()) - 1]
            elif pooling == "mean":
                emb = h[mask.bool()].mean(dim=0)
            else:
                raise ValueError(pooling)
            per_layer.append(emb.float().numpy().astype(store_dtype))
        out.append(np.stack(per_layer))
    return np.stack(out)


def naive_cosine(a: np.ndarray, b: np.ndarray) -> float:
    """One pair in float64, as scipy's cosine does for the authors (numpy dot, no Python sum:
    the yardstick should not be slower than theirs)."""
    a = a.astype(np.float64)
    b = b.astype(np.float64)
    den = math.sqrt(float(a @ a)) * math.sqrt(float(b @ b))
    return float(a @ b) / den if den else math.nan


def naive_mexa(matrix: np.ndarray) -> float:
    """Share of i whose C[i, i] beats every other entry of row i and of column i (strictly)."""
    n = len(matrix)
    count = 0
    for i in range(n):
        d = matrix[i][i]
        row_others = [matrix[i][j] for j in range(n) if j != i]
        col_others = [matrix[j][i] for j in range(n) if j != i]
        if all(d > v for v in row_others) and all(d > v for v in col_others):
            count += 1
    return count / n


def naive_scores(pivot_emb: np.ndarray, lang_emb: np.ndarray) -> list[float]:
    """Per-layer MEXA of one language against the pivot, cosine pair by cosine pair."""
    n, n_layers, _ = pivot_emb.shape
    scores = []
    for layer in range(n_layers):
        m = np.zeros((n, n))
        for i in range(n):
            for j in range(n):
                m[i, j] = naive_cosine(pivot_emb[i, layer], lang_emb[j, layer])
        scores.append(naive_mexa(m))
    return scores
