"""Instruction following (IFEval-style checkers), multilingual: used by Multi-IF.

Several checker variants (:mod:`.variants`): the published semantics of IFEval, M-IFEval and
Multi-IF, and babelscope's own multilingual rewrite; a run names the one it uses.
"""

from .checkers import INSTRUCTIONS, CheckContext, InstructionError, validate
from .scoring import FollowResult, follow, loose_variants
from .text import count_sentences, count_words, split_sentences
from .variants import DEFAULT as DEFAULT_CHECKERS
from .variants import VARIANTS as CHECKER_VARIANTS
from .variants import CheckerVariant, check, get_variant

__all__ = [
    "CHECKER_VARIANTS", "DEFAULT_CHECKERS", "INSTRUCTIONS", "CheckContext", "CheckerVariant", "FollowResult",
    "InstructionError", "check", "count_sentences", "count_words", "follow", "get_variant", "loose_variants",
    "split_sentences", "validate",
]
