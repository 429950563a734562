"""Check a trimmed model against its original on held-out target-language text.

Trimming claims that, restricted to the kept tokens, nothing changed. Each check tests one
part of that claim on the *saved* folder (reloaded with plain ``AutoTokenizer`` and the
model's own class), so a bug in saving shows up as a failed check, not as a silent surprise:

1. ``token_ids``: the trimmed tokenizer's ids, mapped back, equal the original ids on every
   text unit the kept vocabulary covers (units outside it are counted, and must still
   decode to the same text through byte fallback or UNK).
2. ``logits``: for kept tokens, the trimmed model's logits equal the original's.
3. ``generation``: greedy generation is identical to the original's restricted to the kept
   vocabulary (the trimmed model cannot emit anything else); how often the *unrestricted*
   original agrees too is reported as ``identical_unrestricted``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch

LOGITS_TOLERANCE = 1e-4


def chunk_texts(texts: Sequence[str], words: int = 6) -> list[str]:
    """Short units of the held-out text (a few words each, inner ones with their leading space).

    A whole paragraph is rarely covered by a trimmed vocabulary; short units are, and each one
    is tokenised as it would be inside the text for tokenizers that split on spaces.
    """
    out = []
    for text in texts:
        for line in text.splitlines():
            parts = line.split()
            for i in range(0, len(parts), words):
                unit = " ".join(parts[i:i + words])
                out.append(unit if i == 0 else " " + unit)
    return out


def check_token_ids(orig_tok: Any, new_tok: Any, kept_ids: np.ndarray, texts: Sequence[str]) -> dict:
    """Check (1) on whole texts and on short units of them."""
    kept = set(kept_ids.tolist())
    result: dict[str, Any] = {"units": 0, "covered": 0, "exact": 0, "mismatches": [], "outside": 0,
                              "outside_decodes_same": 0}
    for unit in list(texts) + chunk_texts(texts):
        if not unit.strip():
            continue
        result["units"] += 1
        orig = orig_tok(unit, add_special_tokens=False)["input_ids"]
        new = new_tok(unit, add_special_tokens=False)["input_ids"]
        back = kept_ids[np.asarray(new, dtype=np.int64)].tolist() if new else []
        if all(i in kept for i in orig):
            result["covered"] += 1
            if back == orig:
                result["exact"] += 1
            elif len(result["mismatches"]) < 5:
                result["mismatches"].append({"text": unit, "original": orig, "trimmed_mapped_back": back})
        else:
            result["outside"] += 1
            if new_tok.decode(new) == orig_tok.decode(orig):
                result["outside_decodes_same"] += 1
    result["passed"] = result["covered"] > 0 and result["exact"] == result["covered"]
    return result


def covered_windows(orig_tok: Any, texts: Sequence[str], kept_ids: np.ndarray, n: int,
                    min_len: int = 8, max_len: int = 64) -> list[list[int]]:
    """Up to ``n`` original-id windows made only of kept ids, one per text, longest run first.

    The model checks compare the two models on the *same* input, so the input must be
    expressible in the trimmed vocabulary; a leading special token (BOS) is kept in front of a
    run that starts later in the text.
    """
    kept = set(kept_ids.tolist())
    special = set(getattr(orig_tok, "all_special_ids", []) or [])
    out = []
    for text in texts:
        ids = orig_tok(text)["input_ids"]
        lead = [ids[0]] if ids and ids[0] in special and ids[0] in kept else []
        body = ids[len(lead):]
        best: list[int] = []
        run: list[int] = []
        for i in body + [-1]:
            if i in kept:
                run.append(i)
                continue
            if len(run) > len(best):
                best = run
            run = []
        window = (lead + best)[:max_len]
        if len(window) >= min_len:
            out.append(window)
        if len(out) >= n:
            break
    return out


def check_logits(orig_model: Any, new_model: Any, kind: str, kept_ids: np.ndarray,
                 mapping: dict[int, int], windows: Sequence[list[int]]) -> dict:
    """Check (2): the same input (original ids, mapped) gives the same logits on kept tokens."""
    index = torch.as_tensor(kept_ids, dtype=torch.long)
    worst = 0.0
    n_texts = n_tokens = 0
    compared = "logits"
    for ids in windows:
        o_ids = torch.tensor([ids])
        n_ids = torch.tensor([[mapping[i] for i in ids]])
        with torch.no_grad():
            if kind == "encoder-decoder":
                start = orig_model.config.decoder_start_token_id
                start = 0 if start is None else start
                o_dec = torch.tensor([[start] + ids[:-1]])
                n_dec = torch.tensor([[mapping[start]] + [mapping[i] for i in ids[:-1]]])
                o = orig_model(input_ids=o_ids, decoder_input_ids=o_dec)
                n = new_model(input_ids=n_ids, decoder_input_ids=n_dec)
            else:
                o = orig_model(input_ids=o_ids)
                n = new_model(input_ids=n_ids)
        if getattr(o, "logits", None) is not None:
            diff = (o.logits.float()[..., index] - n.logits.float()).abs().max().item()
        else:
            compared = "last_hidden_state"
            diff = (o.last_hidden_state.float() - n.last_hidden_state.float()).abs().max().item()
        worst = max(worst, diff)
        n_texts += 1
        n_tokens += len(ids)
    return {"compared": compared, "texts": n_texts, "tokens": n_tokens, "max_abs_diff": worst,
            "tolerance": LOGITS_TOLERANCE, "passed": n_texts > 0 and worst <= LOGITS_TOLERANCE}


class _KeepOnly:
    """A logits processor masking every id outside the kept vocabulary (for the original model)."""

    def __init__(self, kept_ids: np.ndarray, vocab_size: int):
        self.mask = torch.ones(vocab_size, dtype=torch.bool)
        self.mask[torch.as_tensor(kept_ids, dtype=torch.long)] = False

    def __call__(self, input_ids: torch.Tensor, scores: torch.Tensor) -> torch.Tensor:
        return scores.masked_fill(self.mask[: scores.shape[-1]].to(scores.device), float("-inf"))


def check_generation(orig_model: Any, new_model: Any, kind: str, orig_tok: Any, new_tok: Any,
                     kept_ids: np.ndarray, mapping: dict[int, int], windows: Sequence[list[int]],
                     prompt_tokens: int = 12, new_tokens: int = 16) -> dict:
    """Check (3): greedy continuations of the trimmed and the (restricted) original model agree."""
    if kind == "encoder":
        return {"applicable": False, "reason": "encoder-only model: no generation", "passed": True}
    from transformers import LogitsProcessorList

    kept = set(kept_ids.tolist())
    vocab = orig_model.get_input_embeddings().num_embeddings
    restrict = LogitsProcessorList([_KeepOnly(kept_ids, vocab)])
    rows = []
    for window in windows:
        ids = list(window[:prompt_tokens])
        o_ids = torch.tensor([ids])
        n_ids = torch.tensor([[mapping[i] for i in ids]])
        common = {"max_new_tokens": new_tokens, "do_sample": False, "num_beams": 1,
                  "attention_mask": torch.ones_like(o_ids)}
        cut = 0 if kind == "encoder-decoder" else len(ids)
        with torch.no_grad():
            o_u = orig_model.generate(o_ids, **common)[0, cut:].tolist()
            # Greedy steps that pick kept tokens pick the same under the restriction: rerun only if
            # the unrestricted original left the kept vocabulary.
            o_r = o_u if set(o_u) <= kept else \
                orig_model.generate(o_ids, logits_processor=restrict, **common)[0, cut:].tolist()
            n = new_model.generate(n_ids, **common)[0, cut:].tolist()
        back = kept_ids[np.asarray(n, dtype=np.int64)].tolist() if n else []
        rows.append({
            "prompt": orig_tok.decode(ids, skip_special_tokens=True),
            "continuation": new_tok.decode(n, skip_special_tokens=True),
            "identical": back == o_r,
            "identical_unrestricted": back == o_u,
        })
    n_same = sum(r["identical"] for r in rows)
    return {
        "applicable": True, "prompts": len(rows), "new_tokens": new_tokens,
        "identical": n_same, "identical_unrestricted": sum(r["identical_unrestricted"] for r in rows),
        "examples": rows[:6], "passed": bool(rows) and n_same == len(rows),
    }
