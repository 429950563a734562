"""A Hugging Face tokenizer seen through babelscope's small Tokenizer protocol.

Analyses count tokens of plain text, so ``encode`` never adds special tokens; the backend
asks separately whether the model expects a BOS token (``adds_bos``), because that decides how
log-likelihood contexts and rolling windows start.
"""

from __future__ import annotations

import hashlib
import json
from functools import cached_property
from typing import Any, Sequence


class HFTokenizer:
    """Wraps a transformers tokenizer; ``name`` is the model name it came with."""

    def __init__(self, tok: Any, name: str):
        self.hf = tok
        self.name = name

    def encode(self, text: str) -> list[int]:
        return list(self.hf.encode(text, add_special_tokens=False))

    def encode_batch(self, texts: Sequence[str]) -> list[list[int]]:
        if not texts:
            return []
        return [list(x) for x in self.hf(list(texts), add_special_tokens=False)["input_ids"]]

    def encode_with_specials(self, texts: Sequence[str]) -> list[list[int]]:
        """Token ids with whatever special tokens the tokenizer adds by default ([CLS], BOS...)."""
        if not texts:
            return []
        return [list(x) for x in self.hf(list(texts), add_special_tokens=True)["input_ids"]]

    def decode(self, ids: Sequence[int]) -> str:
        return self.hf.decode(list(ids), skip_special_tokens=False)

    @property
    def vocab_size(self) -> int:
        return len(self.hf)

    @property
    def bos_token_id(self) -> int | None:
        return self.hf.bos_token_id

    @property
    def eos_token_id(self) -> int | None:
        return self.hf.eos_token_id

    @property
    def pad_token_id(self) -> int:
        """The id used for padding (never attended to, so any valid id would do)."""
        for t in (self.hf.pad_token_id, self.hf.eos_token_id, self.hf.bos_token_id):
            if t is not None:
                return int(t)
        return 0

    @cached_property
    def adds_bos(self) -> bool:
        """Whether the tokenizer puts BOS in front by default (Gemma, Llama do; GPT-2, Qwen do not)."""
        bos = self.hf.bos_token_id
        if bos is None:
            return False
        ids = self.hf.encode("a", add_special_tokens=True)
        return bool(ids) and ids[0] == bos

    @property
    def chat_template(self) -> str | None:
        return getattr(self.hf, "chat_template", None) or None

    @cached_property
    def fingerprint(self) -> str:
        """A hash of the full vocabulary, special tokens and chat template (12 hex digits).

        Hashing what the tokenizer *does* (its vocab and specials) rather than its files makes
        the same tokenizer hash alike whether it came from a hub cache, a folder or a GGUF.
        """
        h = hashlib.sha256()
        vocab = self.hf.get_vocab()
        for tok, i in sorted(vocab.items(), key=lambda kv: kv[1]):
            h.update(f"{i}\t{tok}\n".encode("utf-8", "surrogatepass"))
        specials = {k: str(v) for k, v in sorted(self.hf.special_tokens_map.items())}
        h.update(json.dumps(specials, sort_keys=True).encode())
        h.update(str(self.adds_bos).encode())
        h.update((self.chat_template or "").encode("utf-8"))
        backend = getattr(self.hf, "backend_tokenizer", None) or getattr(self.hf, "_tokenizer", None)
        if backend is not None:
            try:
                spec = json.loads(backend.to_str())
                for k in ("normalizer", "pre_tokenizer", "post_processor"):
                    h.update(json.dumps(spec.get(k), sort_keys=True).encode())
            except Exception:  # noqa: BLE001 - a fingerprint must never break loading
                pass
        return h.hexdigest()[:12]
