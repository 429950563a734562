"""`babelscope.runner.run`: the v0.1 entry point, now a study of one model.

A RunConfig (model, corpus, languages, analyses) is turned into a Study and run by the
pipeline, so the default run, `babelscope run` with flags, a study file and the Python API
all take the same path.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from .config import RunConfig

#: A progress callback: (description, done, total). The CLI draws it with rich.
Progress = Callable[[str, int, int], None]


@dataclass
class RunResult:
    run_id: str
    report: Path | None
    rows: int
    seconds: float
    #: Model requests asked / answered from the request cache / computed (None: no model work).
    requests: dict[str, int] | None = None


def study_from_config(config: RunConfig, workspace: str | Path | None = None) -> Any:
    """The Study a RunConfig means."""
    from .study import build_study

    return build_study({
        "models": [{"spec": config.model, "device": config.device, "dtype": config.dtype,
                    "batch_size": config.batch_size}],
        "languages": list(config.languages), "pivot": config.pivot, "corpus": config.corpus,
        "split": config.split, "analyses": list(config.analyses), "tokenizers": config.tokenizers,
        "max_segments": config.max_segments, "batch_size": config.batch_size,
        "workspace": str(workspace) if workspace is not None else None,
    }, where="run")


def run(
    config: RunConfig,
    workspace: str | Path | None = None,
    progress: Progress | None = None,
    write_report: bool = True,
) -> RunResult:
    """Run the configured analyses end to end and return the run id and report path."""
    from .pipeline import run_study

    res = run_study(study_from_config(config, workspace), progress=progress, write_report=write_report)
    return RunResult(res.run_id, res.report, len(res.rows), res.seconds, res.requests)
