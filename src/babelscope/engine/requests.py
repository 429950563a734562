"""The request and result types, as the analyses and tasks import them.

They live in the leaf module ``babelscope.request_types``, so that models/ can use them
without importing the engine (the engine imports models/, never the other way round).
"""

from ..request_types import (
    GenerationRequest,
    HiddenStatesRequest,
    LoglikelihoodRequest,
    LoglikelihoodResult,
    RollingLoglikelihoodRequest,
    RollingResult,
)

__all__ = [
    "GenerationRequest",
    "HiddenStatesRequest",
    "LoglikelihoodRequest",
    "LoglikelihoodResult",
    "RollingLoglikelihoodRequest",
    "RollingResult",
]
