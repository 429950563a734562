"""The self-contained HTML report of a run (read from the store only).

A later analysis adds its own view with ``register_section(name, renderer)``; anything without
one is drawn as per-language tables, so new results always show up.
"""

from __future__ import annotations

from .html import default_report_path, render_report, write_report
from .sections import SectionContext, register_section, render_generic

__all__ = [
    "write_report", "render_report", "default_report_path",
    "register_section", "SectionContext", "render_generic",
]
