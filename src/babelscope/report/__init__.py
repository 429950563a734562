"""The self-contained HTML report of a run (read from the store only).

A later analysis adds its own view with ``register_section(name, renderer)`` (or, for names it
cannot list up front, ``register_fallback(matcher, renderer)``); anything without one is drawn
as per-language tables, so new results always show up.
"""

from __future__ import annotations

from .html import default_report_path, render_report, write_report
from .sections import SectionContext, register_fallback, register_section, render_generic

__all__ = [
    "write_report", "render_report", "default_report_path",
    "register_section", "register_fallback", "SectionContext", "render_generic",
]
