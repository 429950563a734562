"""A study: the models, languages, analyses and tasks one run compares, as plain data.

A study is what a user writes down (a TOML or YAML file, or keyword arguments to
``babelscope.evaluate``) and what every CLI command builds for itself; the pipeline turns it
into a plan of units. It is validated here, before anything loads: an unknown analysis or
task, an empty language list or a bad option is a ConfigError (exit 2) that names the key.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .config import DEFAULT_ANALYSES, DEFAULT_LANGUAGES
from .errors import ConfigError


class ModelConfig(BaseModel):
    """One model of a study: a spec plus how to load it (device, dtype, batch size)."""

    model_config = ConfigDict(extra="forbid")

    spec: str = "default"
    device: str | None = None
    dtype: str | None = None
    batch_size: int | None = Field(default=None, ge=1)
    #: Extra keyword arguments for the backend (e.g. concurrency for an API backend).
    options: dict[str, Any] = Field(default_factory=dict)

    def load_kwargs(self, default_batch: int) -> dict[str, Any]:
        return {"device": self.device, "dtype": self.dtype, "batch_size": self.batch_size or default_batch,
                **self.options}

    def key(self) -> str:
        """What decides this model's numbers (the spec and how it is loaded), as canonical JSON."""
        return json.dumps({"spec": self.spec, "device": self.device, "dtype": self.dtype, **self.options},
                          sort_keys=True, default=str)


class TaskConfig(BaseModel):
    """One benchmark task of a study (a ``[tasks.NAME]`` table)."""

    model_config = ConfigDict(extra="forbid")

    languages: list[str] | None = None
    data_dir: str | None = None
    split: str | None = None
    limit: int | None = Field(default=None, ge=1)
    #: "sample": a seeded sample stratified by subject, the same items in every language;
    #: "head": the first N (tasks/sampling.py).
    limit_mode: str = "sample"
    #: A condition matrix spec ('lit=native,en;form=loglik,generate'), or condition names.
    conditions: str | list[str] | None = None
    sources: list[str] | None = None
    #: Score these stored outputs (JSONL/CSV) instead of running a model (tasks/responses.py).
    responses: str | None = None

    @field_validator("limit_mode")
    @classmethod
    def _limit_mode(cls, v: str) -> str:
        if v not in ("sample", "head"):
            raise ConfigError(f"limit_mode must be 'sample' or 'head', not {v!r}")
        return v


class AnalysisConfig(BaseModel):
    """Options of one analysis (an ``[analyses.NAME]`` table); which keys apply depends on it.

    tokenizers: ``tokenizers``, ``join``; bits_per_byte: ``max_segments``; alignment:
    ``sentences``, ``pooling``, ``precision``, ``against``, ``against_aggregate``,
    ``intercept``; fidelity: ``completions`` or ``lcb_data`` (+ ``sources``, ``limit``,
    ``max_tokens``, ``threshold``, ``english_words``); multi_if: ``data``, ``responses``,
    ``limit``, ``turns``, ``max_tokens``.
    """

    model_config = ConfigDict(extra="allow")

    languages: list[str] | None = None
    corpus: str | None = None
    split: str | None = None


class Study(BaseModel):
    """Everything that decides a study's numbers. Defaults reproduce the embedded default run."""

    model_config = ConfigDict(extra="forbid")

    models: list[ModelConfig] = Field(default_factory=lambda: [ModelConfig()])
    languages: list[str] = Field(default_factory=lambda: list(DEFAULT_LANGUAGES))
    pivot: str = "en"
    corpus: str = "udhr"
    split: str | None = None
    analyses: dict[str, AnalysisConfig] = Field(default_factory=lambda: {a: AnalysisConfig() for a in DEFAULT_ANALYSES})
    tasks: dict[str, TaskConfig] = Field(default_factory=dict)
    tokenizers: list[str] | None = None
    max_segments: int | None = Field(default=None, ge=1)
    batch_size: int = Field(default=16, ge=1)
    device: str | None = None
    dtype: str | None = None
    lid: str = "py3langid"
    bootstrap: int = Field(default=1000, ge=0)
    seed: int = 0
    workspace: str | None = None
    report: bool = True

    # -- friendly shapes: a model or analysis may be a bare string ------------------------------
    @model_validator(mode="before")
    @classmethod
    def _tasks_only(cls, values: Any) -> Any:
        """A study that names tasks but no analyses runs just its tasks (the default analyses
        are for the default run, not something to add to a benchmark study)."""
        if isinstance(values, dict) and values.get("tasks") and "analyses" not in values:
            values = {**values, "analyses": {}}
        return values

    @field_validator("models", mode="before")
    @classmethod
    def _models(cls, v: Any) -> Any:
        if isinstance(v, (str, dict)):
            v = [v]
        return [{"spec": m} if isinstance(m, str) else m for m in v or []]

    @field_validator("analyses", "tasks", mode="before")
    @classmethod
    def _named_tables(cls, v: Any) -> Any:
        """``"a,b"``, ``["a", "b"]`` or ``{a: {...}, b: None}``: each name with its (possibly empty) options."""
        if v is None:
            return {}
        if isinstance(v, str):
            v = [p.strip() for p in v.split(",") if p.strip()]
        if isinstance(v, (list, tuple)):
            return {name: {} for name in v}
        return {k: (c if c is not None else {}) for k, c in v.items()} if isinstance(v, dict) else v

    @field_validator("languages", mode="before")
    @classmethod
    def _langs(cls, v: Any) -> Any:
        if isinstance(v, str):
            v = [p.strip() for p in v.split(",") if p.strip()]
        return v

    @model_validator(mode="after")
    def _check(self) -> "Study":
        from .analyses.registry import ANALYSES
        from .tasks.base import TASKS

        if not self.models:
            raise ConfigError("models: give at least one model spec")
        if not self.languages:
            raise ConfigError("languages: give at least one language")
        if not self.analyses and not self.tasks:
            raise ConfigError("the study names no analysis and no task")
        for name in self.analyses:
            ANALYSES.entry(name)  # ConfigError with the closest names
        for name in self.tasks:
            if name not in TASKS:
                TASKS.entry(name)
        specs = [m.key() for m in self.models]
        if len(set(specs)) != len(specs):
            raise ConfigError("models: the same model is listed twice")
        return self

    def model_label(self, m: ModelConfig) -> str:
        """How rows name a model: its spec, or spec#dtype when one spec appears with several dtypes."""
        same = [x for x in self.models if x.spec == m.spec]
        return m.spec if len(same) == 1 else f"{m.spec}#{m.dtype or m.device or self.models.index(m)}"


def build_study(values: dict[str, Any], where: str = "study") -> Study:
    """A Study from a dict; pydantic's errors become one ConfigError naming the keys at fault."""
    try:
        return Study.model_validate(values)
    except ValidationError as e:
        parts = []
        for err in e.errors():
            loc = ".".join(str(p) for p in err["loc"]) or "(top level)"
            msg = err["msg"]
            if err.get("type") == "extra_forbidden":
                msg = "unknown key"
            parts.append(f"{loc}: {msg}")
        raise ConfigError(f"{where}: " + "; ".join(parts)) from None
    # issue 14 (bad-input suite): validators' own errors and wrong-shaped values (tasks = 0)
    # name the study file too, instead of a bare message or a traceback
    except ConfigError as e:
        if str(e).startswith(where):
            raise
        raise ConfigError(f"{where}: {e}") from None
    except (TypeError, AttributeError) as e:
        raise ConfigError(f"{where}: a value has the wrong type ({e})") from None


def read_study_file(path: str | Path) -> dict[str, Any]:
    """The raw values of a TOML (``.toml``) or YAML (``.yaml``/``.yml``) study file.

    Relative paths in it are read from the current folder, as the same values given as CLI
    flags would be, so a study file and its command line mean the same thing.
    """
    p = Path(path).expanduser()
    if not p.is_file():
        raise ConfigError(f"study file {p} does not exist")
    try:  # issue 14 (bad-input suite): a binary or non-UTF-8 file is a user error, not a traceback
        text = p.read_text(encoding="utf-8")
    except (UnicodeDecodeError, OSError) as e:
        raise ConfigError(f"study file {p}: cannot read it as UTF-8 text ({e})") from e
    suffix = p.suffix.lower()
    try:
        if suffix == ".toml":
            import tomllib

            data = tomllib.loads(text)
        elif suffix in (".yaml", ".yml"):
            try:
                import yaml
            except ImportError as e:
                raise ConfigError(f"study file {p}: YAML needs PyYAML (pip install pyyaml)") from e
            data = yaml.safe_load(text) or {}
        else:
            raise ConfigError(f"study file {p}: use a .toml, .yaml or .yml file")
    except ConfigError:
        raise
    except Exception as e:  # noqa: BLE001 - tomllib and yaml raise their own error types
        raise ConfigError(f"study file {p}: cannot parse it: {e}") from e
    if not isinstance(data, dict):
        raise ConfigError(f"study file {p}: the top level must be a table of keys")
    return data


def load_study(path: str | Path, **overrides: Any) -> Study:
    """Read a study file; keyword arguments that are not None override the file's values."""
    data = read_study_file(path)
    data.update({k: v for k, v in overrides.items() if v is not None})
    return build_study(data, where=f"study file {path}")

