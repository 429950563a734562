"""Language cards: one page per language, from identity to a rule-based diagnosis."""

from .build import build_card  # noqa: F401
