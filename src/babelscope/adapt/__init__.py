"""Adapting a model to its target languages: vocabulary trimming (``trim``)."""

from __future__ import annotations

from .trim import RECORD_FILE, resolve_model_path, trim

__all__ = ["RECORD_FILE", "resolve_model_path", "trim"]
