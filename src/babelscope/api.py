"""The Python API: ``babelscope.evaluate(...)`` and ``babelscope.run("study.toml")``.

For notebook users, what ``lm_eval.simple_evaluate`` is for lm-evaluation-harness: one call
that runs a study and returns its rows. Both build a Study and hand it to the same pipeline
the CLI uses, so a notebook result and a CLI result of the same study are the same rows (and
the second one is answered from the request cache).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from .pipeline import StudyResult, dry_run, run_study
from .study import Study, build_study, load_study


@dataclass
class Result:
    """A study's outcome: ``rows`` (one dict per result row), ``run_id``, ``report()``."""

    study_result: StudyResult

    @property
    def run_id(self) -> str:
        return self.study_result.run_id

    @property
    def rows(self) -> list[dict[str, Any]]:
        return self.study_result.rows

    @property
    def requests(self) -> dict[str, int] | None:
        return self.study_result.requests

    @property
    def signature(self) -> str:
        return self.study_result.signature

    @property
    def units(self) -> list[dict[str, Any]]:
        return [o.record() for o in self.study_result.outcomes]

    def to_pandas(self) -> Any:
        """The rows as a pandas DataFrame (pandas must be installed)."""
        try:
            import pandas as pd
        except ImportError as e:
            raise ImportError("Result.to_pandas() needs pandas: pip install pandas") from e
        return pd.DataFrame(self.rows)

    def report(self, path: str | Path | None = None) -> Path:
        """Write the self-contained HTML report of this run (to ``path``, or the workspace)."""
        from .runs import report_run

        return report_run(self.run_id, path, self.study_result.workspace)

    def __repr__(self) -> str:
        return f"Result(run_id={self.run_id!r}, rows={len(self.rows)})"


def evaluate(
    models: Sequence[str] | str = ("default",),
    tasks: Sequence[str] | str = (),
    languages: Sequence[str] | str | None = None,
    *,
    analyses: Sequence[str] | str = (),
    data_dir: str | Path | None = None,
    limit: int | None = None,
    conditions: str | None = None,
    split: str | None = None,
    pivot: str = "en",
    workspace: str | Path | None = None,
    report: bool = False,
    **study: Any,
) -> Result:
    """Evaluate models on tasks (and analyses) per language; returns a :class:`Result`.

    ``data_dir``, ``limit``, ``conditions`` and ``split`` apply to every task; pass a
    ``tasks`` dict (name -> options) for per-task options. Other keyword arguments are
    Study fields (``bootstrap``, ``lid``, ``batch_size``, ``corpus``, ...).
    """
    task_opts: dict[str, Any] = {}
    if isinstance(tasks, dict):
        task_opts = {k: dict(v or {}) for k, v in tasks.items()}
    else:
        names = [tasks] if isinstance(tasks, str) else list(tasks)
        common = {"data_dir": str(data_dir) if data_dir else None, "limit": limit, "conditions": conditions,
                  "split": split}
        task_opts = {n: {k: v for k, v in common.items() if v is not None} for n in names}
    values: dict[str, Any] = {
        "models": [models] if isinstance(models, str) else list(models),
        "tasks": task_opts,
        "analyses": [analyses] if isinstance(analyses, str) else list(analyses),
        "pivot": pivot,
        "workspace": str(workspace) if workspace is not None else None,
        "report": report,
        **study,
    }
    if languages is not None:
        values["languages"] = [languages] if isinstance(languages, str) else list(languages)
    elif task_opts and not values["analyses"]:
        values["languages"] = ["*"]  # every language each task has
    return Result(run_study(build_study(values, where="evaluate()")))


def run(study: Any, **overrides: Any) -> Result:
    """Run a study file (TOML/YAML), a Study, a dict of study values, or a v0.1 RunConfig."""
    from .config import RunConfig

    if isinstance(study, RunConfig):
        from .runner import study_from_config

        study = study_from_config(study, overrides.pop("workspace", None))
    if isinstance(study, (str, Path)):
        s = load_study(study, **overrides)
    elif isinstance(study, dict):
        s = build_study({**study, **{k: v for k, v in overrides.items() if v is not None}})
    else:
        s = study.model_copy(update={k: v for k, v in overrides.items() if v is not None}) if overrides else study
    return Result(run_study(s))


def plan(study: str | Path | Study | dict[str, Any]) -> dict[str, Any]:
    """The plan of a study (units, languages, estimated requests per model), nothing loaded."""
    if isinstance(study, (str, Path)):
        s = load_study(study)
    elif isinstance(study, dict):
        s = build_study(study)
    else:
        s = study
    return dry_run(s)
