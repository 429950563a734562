"""A study's plan: an explicit list of independent, idempotent units of work.

A unit is (model, analysis or task, language set, condition) plus the options that decide its
numbers, and its id is a hash of exactly that. Units are plain frozen data (strings and
tuples), so they pickle and travel to another process or machine unchanged; running one twice
computes nothing new (the request cache answers its model requests) and writes no row twice
(the store keeps one record per unit and run). The plan is what a scheduler - this process,
or a Ray cluster - walks through.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from .study import Study

#: Unit kinds: a corpus/analysis unit, or one benchmark task under one condition.
ANALYSIS = "analysis"
TASK = "task"


@dataclass(frozen=True)
class Unit:
    """One unit of work. ``options_json`` holds every option that decides its numbers."""

    kind: str
    name: str
    model: str | None  # the model's label in rows (None: model-free)
    model_json: str | None  # ModelConfig as canonical JSON (how to load it), None: model-free
    languages: tuple[str, ...]
    pivot: str
    condition: str = ""
    options_json: str = "{}"
    id: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        if not self.id:
            object.__setattr__(self, "id", unit_id(self))

    @property
    def options(self) -> dict[str, Any]:
        return json.loads(self.options_json)

    @property
    def model_config(self) -> dict[str, Any] | None:
        return json.loads(self.model_json) if self.model_json else None

    @property
    def needs_model(self) -> bool:
        return self.model_json is not None

    @property
    def label(self) -> str:
        """For progress lines and errors: ``xcopa [lit=...] on default``."""
        cond = f" [{self.condition}]" if self.condition else ""
        return f"{self.name}{cond}" + (f" on {self.model}" if self.model else "")

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "name": self.name, "model": self.model,
                "languages": list(self.languages), "pivot": self.pivot, "condition": self.condition,
                "options": self.options}


def unit_id(u: Unit) -> str:
    """A deterministic id from everything that decides the unit's numbers."""
    model = json.loads(u.model_json) if u.model_json else None
    if model:
        model.pop("batch_size", None)  # how requests are batched does not decide the numbers
    payload = json.dumps([u.kind, u.name, model, list(u.languages), u.pivot, u.condition,
                          json.loads(u.options_json)], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


def _canon(d: dict[str, Any]) -> str:
    return json.dumps({k: v for k, v in d.items() if v is not None}, sort_keys=True, ensure_ascii=False, default=str)


@dataclass(frozen=True)
class Plan:
    """The units of a study in execution order, and the study they came from."""

    units: tuple[Unit, ...]
    study_hash: str

    def groups(self) -> list[tuple[str | None, list[Unit]]]:
        """Units by model, model-free ones first: one model is loaded at a time, and all task
        units of one model run as one execution (batching and prefix sharing across tasks)."""
        order: dict[str | None, list[Unit]] = {None: []}
        for u in self.units:
            order.setdefault(u.model_json, []).append(u)
        return [(k, v) for k, v in order.items() if v]

    def to_dict(self) -> dict[str, Any]:
        return {"study": self.study_hash, "units": [u.to_dict() for u in self.units]}


#: Study-level values an analysis takes as its defaults (only those that decide its numbers,
#: so that a unit's id changes exactly when its numbers can).
_STUDY_LEVEL: dict[str, tuple[str, ...]] = {
    "tokenizers": ("corpus", "split", "tokenizers", "bootstrap"),
    "bits_per_byte": ("corpus", "split", "max_segments"),
    "alignment": ("corpus", "split", "max_segments"),
    "fidelity": ("lid",),
    "multi_if": ("lid", "bootstrap"),
    **{probe: ("bootstrap",) for probe in ("latent_language", "bli", "homographs", "word_similarity")},
}


def build_plan(study: Study) -> Plan:
    """The units of ``study``. Cheap: nothing is opened or loaded here.

    Corpus analyses get the study's languages (the pivot is added by the analysis, which
    compares against it); a task gets the study's languages unless its table names its own,
    and one unit per condition of its ``conditions`` matrix.
    """
    from .analyses.registry import ANALYSES
    from .conditions import parse_conditions

    units: list[Unit] = []
    langs = tuple(study.languages)
    for name, cfg in study.analyses.items():
        entry = ANALYSES.entry(name)
        opts = cfg.model_dump(exclude_none=True)
        for key in _STUDY_LEVEL.get(name, ("corpus", "split", "max_segments", "lid", "bootstrap")):
            if opts.get(key) is None and getattr(study, key, None) is not None:
                opts[key] = getattr(study, key)
        if name == "tokenizers":  # the models' own tokenizers join the named ones
            opts["model_tokenizers"] = [m.spec for m in study.models if m.spec != "default"]
        unit_langs = tuple(opts.pop("languages", None) or langs)
        needs_model = _needs_model(name, entry.needs_model, opts)
        models = study.models if needs_model else [None]
        for m in models:
            units.append(Unit(ANALYSIS, name, study.model_label(m) if m else None,
                              _model_json(study, m) if m else None, unit_langs, study.pivot, "", _canon(opts)))
    for name, tcfg in study.tasks.items():
        opts = tcfg.model_dump(exclude_none=True)
        task_langs = tuple(opts.pop("languages", None) or ())
        conds = parse_conditions(opts.pop("conditions", None))
        opts["lid"] = study.lid
        opts["bootstrap"] = study.bootstrap
        opts["languages_from"] = "task" if task_langs else "study"
        for m in study.models:
            for cond in conds:
                o = dict(opts, condition=_condition_dict(cond))
                units.append(Unit(TASK, name, study.model_label(m), _model_json(study, m), task_langs or langs, study.pivot,
                                  "" if cond.is_default() else cond.name, _canon(o)))
    study_hash = hashlib.sha256(
        json.dumps(sorted(u.id for u in units)).encode()).hexdigest()[:16]
    return Plan(tuple(units), study_hash)


def _model_json(study: Study, m: Any) -> str:
    """How to load the model: its own settings, else the study's."""
    return json.dumps({"spec": m.spec, "device": m.device or study.device, "dtype": m.dtype or study.dtype,
                       "batch_size": m.batch_size or study.batch_size, "options": m.options},
                      sort_keys=True, default=str)


def _needs_model(name: str, default: bool, opts: dict[str, Any]) -> bool:
    """Whether this analysis, with these options, runs a model (scoring stored outputs does not)."""
    if name == "fidelity":
        return not opts.get("completions")
    if name == "multi_if":
        return not opts.get("responses")
    return default


def _condition_dict(cond: Any) -> dict[str, Any]:
    from dataclasses import asdict

    return asdict(cond)
