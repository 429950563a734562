"""Instruction following (IFEval-style checkers), multilingual: used by Multi-IF."""

from .checkers import INSTRUCTIONS, CheckContext, InstructionError, check, validate
from .scoring import FollowResult, follow, loose_variants
from .text import count_sentences, count_words, split_sentences

__all__ = [
    "INSTRUCTIONS", "CheckContext", "FollowResult", "InstructionError", "check", "count_sentences",
    "count_words", "follow", "loose_variants", "split_sentences", "validate",
]
