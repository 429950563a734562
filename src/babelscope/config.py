"""Run configuration and the run signature.

A RunConfig is everything that decides a run's numbers; it is stored with the run. The
signature is the compact, human-readable subset that says whether two runs are comparable
(in the spirit of sacrebleu's signatures).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field, field_validator

from . import __version__
from .errors import ConfigError

#: The default run's languages: well- and poorly-resourced, 13 scripts, 11 families.
DEFAULT_LANGUAGES: list[str] = [
    "en", "de", "fr", "es", "ru", "uk", "el", "tr", "ar", "fa", "he", "hi",
    "bn", "ta", "th", "vi", "id", "zh-Hans", "ja", "ko", "sw", "yo", "ha", "am",
]

#: Analyses a plain `babelscope run` performs, in order (cheap first).
DEFAULT_ANALYSES: list[str] = ["tokenizers", "bits_per_byte", "alignment"]


class RunConfig(BaseModel):
    """What a `babelscope run` does. Defaults reproduce the embedded default run."""

    model: str = "default"
    corpus: str = "udhr"
    split: str | None = None
    languages: list[str] = Field(default_factory=lambda: list(DEFAULT_LANGUAGES))
    pivot: str = "en"
    analyses: list[str] = Field(default_factory=lambda: list(DEFAULT_ANALYSES))
    tokenizers: list[str] | None = None
    max_segments: int | None = None
    batch_size: int = 16
    device: str | None = None
    dtype: str | None = None

    @field_validator("languages")
    @classmethod
    def _non_empty(cls, v: list[str]) -> list[str]:
        if not v:
            raise ConfigError("--languages: give at least one language")
        return v

    @field_validator("analyses")
    @classmethod
    def _known_analyses(cls, v: list[str]) -> list[str]:
        from .analyses.registry import ANALYSES

        unknown = [a for a in v if a not in ANALYSES]
        if unknown:
            raise ConfigError(
                f"--analyses: unknown analysis {', '.join(unknown)}; available: {', '.join(ANALYSES)}"
            )
        return v


def signature(parts: dict[str, Any]) -> str:
    """``key:value|key:value`` in a fixed order, babelscope's version last."""
    items = [f"{k}:{v}" for k, v in parts.items() if v not in (None, "")]
    items.append(f"babelscope:{__version__}")
    return "|".join(items)
