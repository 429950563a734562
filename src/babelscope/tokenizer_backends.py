"""Tokenizer backends behind one small interface: encode, batch, decode, and UNK accounting.

Each wraps a library (tokenizers, tiktoken, mistral_common's Tekken, sentencepiece,
transformers) so the premium analysis can ask every tokenizer the same questions: how many
tokens, how many were UNK and which characters they swallowed, how many were byte-fallback
pieces (``<0xE3>``). Byte-level tokenizers (tiktoken, Tekken, GPT-2-style BPE) cannot
produce UNK. Loading from spec strings lives in :mod:`babelscope.tokenizer_specs`.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Sequence

_BYTE_PIECE = re.compile(r"^<0x[0-9A-Fa-f]{2}>$")

#: Below this many usable cores, batch encoders' thread pools cost more than they save
#: (measured: 2 busy cores, FLORES sentences, batched 0.4-0.8x the speed of a plain loop).
MIN_CORES_FOR_BATCH = 4


@lru_cache(maxsize=1)
def usable_cores() -> int:
    import os

    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _batch_pays() -> bool:
    return usable_cores() >= MIN_CORES_FOR_BATCH


@dataclass
class TokenCounts:
    """Per-text token counts plus how many tokens were UNK / byte fallback, for a batch."""

    tokens: list[int] = field(default_factory=list)
    unk_tokens: int = 0
    unk_chars: int = 0
    byte_fallback: int = 0


class SpecTokenizer:
    """Base class: subclasses implement encode/encode_batch/decode/vocab_size.

    ``byte_level``: every input is representable (no UNK possible). ``has_byte_fallback``:
    characters outside the vocabulary become ``<0x..>`` byte tokens, which we count.
    """

    name: str = ""
    byte_level: bool = False
    has_byte_fallback: bool = False
    source: Path | None = None

    def encode(self, text: str) -> list[int]:
        raise NotImplementedError

    def encode_batch(self, texts: Sequence[str]) -> list[list[int]]:
        return [self.encode(t) for t in texts]

    def decode(self, ids: Sequence[int]) -> str:
        raise NotImplementedError

    @property
    def vocab_size(self) -> int:
        raise NotImplementedError

    def count(self, texts: Sequence[str]) -> TokenCounts:
        """Token counts of ``texts`` (batched) with UNK and byte-fallback tallies."""
        batch = self.encode_batch(list(texts))
        out = TokenCounts(tokens=[len(ids) for ids in batch])
        fallback = self.byte_fallback_ids()
        if fallback:
            out.byte_fallback = sum(1 for ids in batch for i in ids if i in fallback)
        return out

    def byte_fallback_ids(self) -> frozenset[int]:
        return frozenset()

    @property
    def fingerprint(self) -> str:
        """Hash of the tokenizer's source file: part of a run's signature."""
        return _file_hash(str(self.source)) if self.source else "?"

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name} vocab={self.vocab_size}>"


@lru_cache(maxsize=32)
def _file_hash(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()[:16]


class HFTokenizer(SpecTokenizer):
    """A Hugging Face ``tokenizers.Tokenizer`` (tokenizer.json): batched in Rust."""

    def __init__(self, tok: Any, name: str, source: Path | None = None):
        self.tok = tok
        self.name = name
        self.source = source
        model = tok.model
        unk = getattr(model, "unk_token", None)
        self.unk_id: int | None = tok.token_to_id(unk) if unk else None
        self.byte_level = "ByteLevel(" in repr(tok.pre_tokenizer) or (
            self.unk_id is None and "ByteLevel(" in repr(tok.decoder)
        )
        if self.byte_level:
            self.unk_id = None
        self.has_byte_fallback = bool(getattr(model, "byte_fallback", False))
        self._fallback = frozenset(
            i for b in range(256) if (i := tok.token_to_id(f"<0x{b:02X}>")) is not None
        ) if self.has_byte_fallback else frozenset()

    def encode(self, text: str) -> list[int]:
        return self.tok.encode(text, add_special_tokens=False).ids

    def encode_batch(self, texts: Sequence[str]) -> list[list[int]]:
        if not _batch_pays():
            return [self.tok.encode(t, add_special_tokens=False).ids for t in texts]
        fast = getattr(self.tok, "encode_batch_fast", self.tok.encode_batch)
        return [e.ids for e in fast(list(texts), add_special_tokens=False)]

    def decode(self, ids: Sequence[int]) -> str:
        return self.tok.decode(list(ids), skip_special_tokens=False)

    @property
    def vocab_size(self) -> int:
        return self.tok.get_vocab_size(with_added_tokens=True)

    def byte_fallback_ids(self) -> frozenset[int]:
        return self._fallback

    def count(self, texts: Sequence[str]) -> TokenCounts:
        if self.unk_id is None:
            return super().count(texts)
        # Offsets (slower path) only when UNK is possible: they give the characters it hid.
        if _batch_pays():
            encs = self.tok.encode_batch(list(texts), add_special_tokens=False)
        else:
            encs = [self.tok.encode(t, add_special_tokens=False) for t in texts]
        out = TokenCounts(tokens=[len(e.ids) for e in encs])
        unk = self.unk_id
        for e in encs:
            ids = e.ids
            if unk in ids:
                hits = [(s, t) for (s, t), i in zip(e.offsets, ids) if i == unk]
                out.unk_tokens += len(hits)
                out.unk_chars += sum(t - s for s, t in hits)
            if self._fallback:
                out.byte_fallback += sum(1 for i in ids if i in self._fallback)
        return out


class TiktokenTokenizer(SpecTokenizer):
    """A ``tiktoken.Encoding``; special-token text is encoded as ordinary text."""

    byte_level = True

    def __init__(self, enc: Any, name: str, source: Path | None = None):
        self.enc = enc
        self.name = name
        self.source = source

    def encode(self, text: str) -> list[int]:
        return self.enc.encode_ordinary(text)

    def encode_batch(self, texts: Sequence[str]) -> list[list[int]]:
        if not _batch_pays():
            return [self.enc.encode_ordinary(t) for t in texts]
        return self.enc.encode_ordinary_batch(list(texts), num_threads=min(8, usable_cores()))

    def decode(self, ids: Sequence[int]) -> str:
        return self.enc.decode(list(ids))

    @property
    def vocab_size(self) -> int:
        return self.enc.n_vocab


class TekkenTokenizer(SpecTokenizer):
    """mistral_common's Tekkenizer (tiktoken inside; ids shifted past its special tokens)."""

    byte_level = True

    def __init__(self, tk: Any, name: str, source: Path | None = None):
        self.tk = tk
        self.name = name
        self.source = source
        inner = getattr(tk, "_model", None)
        self._inner = inner if hasattr(inner, "encode_ordinary_batch") else None

    def encode(self, text: str) -> list[int]:
        return self.tk.encode(text, bos=False, eos=False)

    def encode_batch(self, texts: Sequence[str]) -> list[list[int]]:
        if self._inner is None:
            return super().encode_batch(texts)
        shift = self.tk.num_special_tokens
        if _batch_pays():
            batch = self._inner.encode_ordinary_batch(list(texts), num_threads=min(8, usable_cores()))
        else:
            batch = [self._inner.encode_ordinary(t) for t in texts]
        return [[i + shift for i in ids] for ids in batch]

    def decode(self, ids: Sequence[int]) -> str:
        return self.tk.decode(list(ids))

    @property
    def vocab_size(self) -> int:
        return self.tk.n_words


class SentencePieceTokenizer(SpecTokenizer):
    """A SentencePiece ``.model`` (batched, multithreaded in C++)."""

    def __init__(self, sp: Any, name: str, source: Path | None = None):
        self.sp = sp
        self.name = name
        self.source = source
        self.unk_id = sp.unk_id()
        self._fallback = frozenset(i for i in range(sp.get_piece_size()) if sp.is_byte(i))
        self.has_byte_fallback = bool(self._fallback)

    def encode(self, text: str) -> list[int]:
        return self.sp.encode(text, out_type=int)

    def encode_batch(self, texts: Sequence[str]) -> list[list[int]]:
        return self.sp.encode(list(texts), out_type=int)

    def decode(self, ids: Sequence[int]) -> str:
        return self.sp.decode(list(ids))

    @property
    def vocab_size(self) -> int:
        return self.sp.get_piece_size()

    def byte_fallback_ids(self) -> frozenset[int]:
        return self._fallback

    def count(self, texts: Sequence[str]) -> TokenCounts:
        batch = self.encode_batch(texts)
        out = TokenCounts(tokens=[len(ids) for ids in batch])
        for text, ids in zip(texts, batch):
            out.byte_fallback += sum(1 for i in ids if i in self._fallback)
            if self.unk_id >= 0 and self.unk_id in ids:
                # The proto's pieces carry the original surface text each UNK replaced.
                pieces = self.sp.encode(text, out_type="immutable_proto").pieces
                hits = [p for p in pieces if p.id == self.unk_id]
                out.unk_tokens += len(hits)
                out.unk_chars += sum(len(p.surface) for p in hits)
        return out


class TransformersTokenizer(SpecTokenizer):
    """A (slow) transformers tokenizer without a Rust backend: one text at a time."""

    def __init__(self, tok: Any, name: str):
        self.tok = tok
        self.name = name
        self.unk_id = getattr(tok, "unk_token_id", None)
        vocab = tok.get_vocab()
        self._fallback = frozenset(i for t, i in vocab.items() if _BYTE_PIECE.match(t))
        self.has_byte_fallback = bool(self._fallback)

    def encode(self, text: str) -> list[int]:
        return list(self.tok.encode(text, add_special_tokens=False))

    def decode(self, ids: Sequence[int]) -> str:
        return self.tok.decode(list(ids))

    @property
    def vocab_size(self) -> int:
        return len(self.tok)

    def byte_fallback_ids(self) -> frozenset[int]:
        return self._fallback

    def count(self, texts: Sequence[str]) -> TokenCounts:
        batch = self.encode_batch(texts)
        out = TokenCounts(tokens=[len(ids) for ids in batch])
        out.byte_fallback = sum(1 for ids in batch for i in ids if i in self._fallback)
        if self.unk_id is not None:
            # No offsets here: each UNK is counted as one character (a lower bound).
            out.unk_tokens = sum(ids.count(self.unk_id) for ids in batch)
            out.unk_chars = out.unk_tokens
        return out


def from_transformers(tok: Any, name: str) -> SpecTokenizer:
    """Wrap a transformers tokenizer (a model's own), using its Rust backend when it has one."""
    backend = getattr(tok, "backend_tokenizer", None) or getattr(tok, "_tokenizer", None)
    try:
        import tokenizers

        if isinstance(backend, tokenizers.Tokenizer):
            return HFTokenizer(backend, name)
    except ImportError:  # pragma: no cover - tokenizers ships with transformers
        pass
    return TransformersTokenizer(tok, name)
