"""M-IFEval (Dussolle et al. 2025): instruction checkers localized for es, fr and ja (variant
``m-ifeval``), keyed like its data by language-prefixed ids (``es:keywords:existence``).

English (``en:``) ids use IFEval's official semantics: M-IFEval's en_instructions.py is
IFEval's instructions.py. The other languages follow M-IFEval's code as lm-evaluation-harness
ships it (:mod:`.es`, :mod:`.fr`, :mod:`.ja`); the tools it calls (langdetect, NLTK punkt,
janome, ja_sentence_segmenter) are the same packages, and spaCy where installed (:mod:`.tokens`).
"""

from __future__ import annotations

from ..checkers import Instruction
from ..official import INSTRUCTIONS as _OFFICIAL
from . import es, fr, ja


def _english() -> dict[str, Instruction]:
    return {f"en:{iid}": Instruction(f"en:{iid}", spec.check, spec.required, spec.optional)
            for iid, spec in _OFFICIAL.items()}


INSTRUCTIONS: dict[str, Instruction] = {**_english(), **es.registry(), **fr.registry(), **ja.registry()}

__all__ = ["INSTRUCTIONS"]
