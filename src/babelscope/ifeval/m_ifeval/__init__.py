"""M-IFEval (Dussolle et al. 2025): instruction checkers localized for es, fr and ja (variant
``m-ifeval``), keyed like its data by language-prefixed ids (``es:keywords:existence``).

English (``en:``) ids use IFEval's official semantics: M-IFEval's en_instructions.py is
IFEval's instructions.py. The other languages follow M-IFEval's code as lm-evaluation-harness
ships it (:mod:`.es`, :mod:`.fr`, :mod:`.ja`); the tools it calls (langdetect, NLTK punkt,
janome, ja_sentence_segmenter) are the same packages, and spaCy where installed (:mod:`.tokens`).
Where that copy and M-IFEval's own repository differ (Spanish number_sentences strips list
markers and sends non-Spanish text to a multilingual splitter), the repository wins: the test
tests/test_ifeval_m_ifeval_reference.py holds every checker here to the verdicts M-IFEval's
code gives on a sample of its released GPT-4o responses, item by item.
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
