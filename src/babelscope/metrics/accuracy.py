"""Multiple-choice scoring: accuracy and byte-length-normalised accuracy.

acc picks the choice with the highest summed log-likelihood. acc_norm divides by the choice's
length in UTF-8 *bytes*, not characters: a character-normalised score favours scripts that
pack more meaning per character differently across languages, which would bias exactly the
cross-language comparison babelscope exists for (lm-evaluation-harness divides by characters,
so its acc_norm differs from ours outside ASCII; acc is identical).
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np


def _value(r: Any) -> float:
    return float(getattr(r, "logprob", r))


def argmax_first(values: Sequence[float]) -> int:
    """Index of the largest value, ties broken towards the first (as numpy.argmax does)."""
    return int(np.argmax(np.asarray(values, dtype=np.float64)))


def score_multiple_choice(results: Sequence[Any], gold: int, choice_texts: Sequence[str]) -> dict[str, Any]:
    """acc / acc_norm for one item from its per-choice log-likelihoods (floats or results)."""
    lls = [_value(r) for r in results]
    if len(lls) != len(choice_texts):
        raise ValueError(f"{len(lls)} log-likelihoods for {len(choice_texts)} choices")
    nbytes = [max(1, len(c.encode("utf-8"))) for c in choice_texts]
    pred = argmax_first(lls)
    pred_norm = argmax_first([ll / b for ll, b in zip(lls, nbytes)])
    return {
        "logliks": lls,
        "pred": pred,
        "pred_norm": pred_norm,
        "acc": float(pred == gold),
        "acc_norm": float(pred_norm == gold),
    }
