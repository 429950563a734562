"""Multi-IF (He et al. 2024), IFEval and M-IFEval: multi-turn, multilingual instruction following.

The work lives in :mod:`.instruct` (data layouts, the multi-turn loop, stored responses,
scoring); this module keeps the names ``babelscope multi-if`` and older callers import.

Scores per turn and language: prompt-level (all instructions followed) and instruction-level
accuracy, strict and loose, and their mean ("overall"), with 95% bootstrap CIs over
conversations, each computed by one named checker variant (:mod:`babelscope.ifeval.variants`).
"""

from __future__ import annotations

from .instruct.data import (
    IFEVAL, M_IFEVAL, MAX_TURNS, MULTI_IF, Conversation, Turn, _json_list, _message_content, _read_rows,
    load_conversations, parse_ifeval_row, parse_row, resolve_checkers,
)
from .instruct.generate import Generator, generate_responses, turn_messages
from .instruct.responses import Responses, read_responses
from .instruct.scoring import METRICS, TurnScores, bootstrap_ci, item_records, result_rows, score

__all__ = [
    "IFEVAL", "M_IFEVAL", "MAX_TURNS", "METRICS", "MULTI_IF", "Conversation", "Generator", "Responses", "Turn",
    "TurnScores", "bootstrap_ci", "generate_responses", "item_records", "load_conversations", "parse_ifeval_row",
    "parse_row", "read_responses", "resolve_checkers", "result_rows", "score", "turn_messages",
]
_PRIVATE_REEXPORTS = (_json_list, _message_content, _read_rows)  # imported by tests and older callers
