"""Storing a probe's output as a run in the workspace store, like every other command."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..analyses.base import AnalysisOutput


def probe_signature(model: Any, probe: str, dictionary: str, config: dict[str, Any]) -> str:
    """Model signature + probe + dictionary + the options that change its numbers."""
    from ..config import signature

    opts = ",".join(f"{k}={v}" for k, v in sorted(config.items()) if k not in ("model", "dictionary"))
    return signature({"model": getattr(model, "signature", getattr(model, "name", "?")), "probe": probe,
                      "dictionary": dictionary, "options": opts})


def store_probe_run(workspace: str | Path | None, command: str, sig: str, config: dict[str, Any],
                    output: AnalysisOutput) -> str:
    """One run holding the probe's rows, items and artifacts; returns its id."""
    from ..workspace import open_store

    store = open_store(workspace)
    try:
        run_id = store.start_run(command, sig, config)
        store.add_results(run_id, output.rows, output.items, output.artifacts)
        store.finish_run(run_id)
    finally:
        store.close()
    return run_id
