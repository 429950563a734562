"""What every analysis returns, so the runner can store and report it uniformly."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..results import ResultRow


@dataclass
class AnalysisOutput:
    """Rows (per language), optional per-item records and free-form artifacts (for the report).

    ``items`` are (analysis name, language tag, item id, data) tuples; ``artifacts`` maps a
    name to JSON-serialisable data (a matrix, a histogram) that the report may draw.
    """

    rows: list[ResultRow] = field(default_factory=list)
    items: list[tuple[str, str, str, dict[str, Any]]] = field(default_factory=list)
    artifacts: dict[str, Any] = field(default_factory=dict)
    #: The analysis's own result object (an AlignmentResult, a FidelityReport, ...) for the
    #: command that asked for it to print; never stored, never sent between processes.
    payload: Any = field(default=None, repr=False, compare=False)

    def extend(self, other: "AnalysisOutput") -> None:
        self.rows.extend(other.rows)
        self.items.extend(other.items)
        self.artifacts.update(other.artifacts)
