"""User-facing errors.

Anything a user can fix (a bad tag, a missing file, a misaligned corpus, an option that does
not fit) is raised as a :class:`BabelscopeError`; the CLI turns it into a clear message and exit
code 2. Everything else is a bug and keeps its traceback.
"""

from __future__ import annotations


class BabelscopeError(Exception):
    """An error caused by the user's input, reported without a traceback (CLI exit 2)."""

    exit_code = 2


class LanguageError(BabelscopeError, ValueError):
    """A language tag or name that cannot be resolved (or resolves ambiguously)."""

    def __init__(self, message: str, suggestions: list[str] | None = None):
        self.suggestions = list(suggestions or [])
        if self.suggestions:
            message = f"{message}; did you mean: {', '.join(self.suggestions)}?"
        super().__init__(message)


class CorpusError(BabelscopeError):
    """A corpus that is missing, malformed or misaligned."""


class ModelError(BabelscopeError):
    """A model spec that cannot be loaded, or a capability the backend lacks."""


class ConfigError(BabelscopeError):
    """An option or combination of options that does not make sense."""


class StoreError(BabelscopeError):
    """A results store or cache that cannot be read or written (damaged, read-only, missing)."""
