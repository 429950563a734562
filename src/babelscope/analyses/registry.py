"""The analyses a run can perform, registered lazily as "module:function" strings.

Importing an analysis pulls in its dependencies (torch, LID models, ...), so start-up only
imports the ones a run asks for. Each entry's function takes a RunContext and returns an
AnalysisOutput.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from typing import Callable


@dataclass(frozen=True)
class AnalysisEntry:
    name: str
    target: str
    needs_model: bool
    help: str

    def load(self) -> Callable:
        module, _, func = self.target.partition(":")
        return getattr(import_module(module), func)


ANALYSES: dict[str, AnalysisEntry] = {
    e.name: e
    for e in [
        AnalysisEntry(
            "tokenizers", "babelscope.runner:analysis_tokenizers", False,
            "tokenizer premium, byte premium, fertility, UNK/byte-fallback rates",
        ),
        AnalysisEntry(
            "bits_per_byte", "babelscope.runner:analysis_bits_per_byte", True,
            "the model's bits per UTF-8 byte on parallel text",
        ),
        AnalysisEntry(
            "alignment", "babelscope.analyses.alignment:analysis_alignment", True,
            "MEXA cross-lingual alignment of hidden states with the pivot, per layer",
        ),
    ]
}
