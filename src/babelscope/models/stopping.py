"""Where generation stops: per-row token budgets and stop strings.

``model.generate`` runs a batch until every row is done, so each row's own ``max_tokens`` and
stop strings are checked while it runs, and the text is cut at the first stop string after.
"""

from __future__ import annotations

from typing import Any, Sequence

from ..request_types import GenerationRequest


class StopCriteria:
    """transformers stopping criteria: a row is done at its own max_tokens or once a stop string appears."""

    def __init__(self, hf_tokenizer: Any, prompt_len: int, reqs: Sequence[GenerationRequest]):
        self.hf_tokenizer = hf_tokenizer
        self.prompt_len = prompt_len
        self.reqs = list(reqs)

    def __call__(self, input_ids, scores, **kwargs):
        import torch

        n = input_ids.shape[1] - self.prompt_len
        done = []
        for row, r in enumerate(self.reqs):
            if n >= r.max_tokens:
                done.append(True)
            elif r.stop:
                text = self.hf_tokenizer.decode(input_ids[row, self.prompt_len:].tolist(), skip_special_tokens=True)
                done.append(any(s in text for s in r.stop if s))
            else:
                done.append(False)
        return torch.tensor(done, dtype=torch.bool, device=input_ids.device)


def cut_at_stop(text: str, stops: Sequence[str]) -> str:
    """``text`` up to the earliest occurrence of any (non-empty) stop string."""
    cut = len(text)
    for s in stops:
        if s:
            j = text.find(s)
            if j >= 0:
                cut = min(cut, j)
    return text[:cut]
