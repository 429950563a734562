"""Run configuration: the v0.1 `babelscope run` options and the default languages and analyses.

A RunConfig is what `babelscope run` took before studies existed; it still builds one
(:func:`babelscope.runner.run`). Signatures live in :mod:`babelscope.signature`.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field, field_validator

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


def signature(parts: dict[str, Any]) -> str:
    """Kept for v0.1 callers: see :func:`babelscope.signature.signature`."""
    from .signature import signature as _signature

    return _signature(parts)
