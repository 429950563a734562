"""One signature format for every run: ``key:value|key:value|...|babelscope:VERSION``.

As sacrebleu's signatures do for BLEU, a signature says in one line what decides a number:
the model and its weights hash, the tokenizer, the data and its revision, the prompt
template, the conditions, the language identifier, the bootstrap count and babelscope's own
version. Two numbers are comparable only when their signatures agree. Each unit of a study
contributes its parts; the run's signature merges them, listing every distinct value of a
key once, in order. A ``differs`` part says where babelscope deliberately departs from a
reference implementation, so such numbers are never mistaken for the reference's.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .version import __version__

#: The order keys are printed in (others follow in the order they were added).
ORDER = ("model", "tokenizer", "corpus", "data", "tasks", "template", "formulation", "conditions", "limit",
         "pivot", "langs", "lid", "checkers", "boot", "differs")


class Signature:
    """Ordered ``key -> value`` parts; empty values are left out, the version is added last."""

    def __init__(self, parts: Mapping[str, Any] | None = None):
        self.parts: dict[str, list[str]] = {}
        for k, v in (parts or {}).items():
            self.add(k, v)

    def add(self, key: str, value: Any) -> "Signature":
        """Add ``value`` under ``key``; a key seen before keeps each distinct value once."""
        if value is None or value == "" or value == []:
            return self
        values = value if isinstance(value, (list, tuple)) else [value]
        have = self.parts.setdefault(key, [])
        for v in values:
            s = str(v).replace("|", "/")  # a value never breaks the format
            if s not in have:
                have.append(s)
        return self

    def merge(self, others: Iterable["Signature"]) -> "Signature":
        for o in others:
            for k, vs in o.parts.items():
                self.add(k, vs)
        return self

    def __str__(self) -> str:
        keys = [k for k in ORDER if k in self.parts] + [k for k in self.parts if k not in ORDER]
        items = [f"{k}:{','.join(self.parts[k])}" for k in keys]
        items.append(f"babelscope:{__version__}")
        return "|".join(items)

    @classmethod
    def parse(cls, text: str) -> "Signature":
        """Read a signature back (for comparing two runs' signatures key by key)."""
        sig = cls()
        for item in text.split("|"):
            key, _, value = item.partition(":")
            if key and key != "babelscope":
                sig.parts[key] = value.split(",") if value else []
        return sig


def signature(parts: Mapping[str, Any]) -> str:
    """``key:value|key:value`` from ``parts``, babelscope's version last."""
    return str(Signature(parts))
