"""The pipeline: a study's plan, checked, executed unit by unit, stored, reported.

Order of work, so that nothing slow starts before every cheap check has passed:

1. build the plan (units; nothing opened);
2. preflight every unit: corpora opened and languages checked, task items loaded, stored
   outputs read - every user error of the whole study surfaces here, with exit 2;
3. record the run (status ``running``) - or reopen an unfinished run of the same study, whose
   finished units are then skipped: a killed run is resumed by running it again;
4. per model (one loaded at a time): its analysis units, then all its task units as ONE
   execution, so the engine batches and shares prefixes across tasks and languages; each
   unit's rows, items and record are stored in one transaction as soon as it is done;
5. mark the run finished (or failed / interrupted) and write the report.

Units are independent and idempotent, so another scheduler (a Ray cluster) can run the same
plan: :func:`run_unit` and :func:`run_task_units` are what it calls per unit.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

from .execute import UnitOutcome, run_task_units, run_unit, store_outcome
from .plan import ANALYSIS, TASK, Plan, Unit, build_plan
from .session import Session, UnitContext
from .signature import Signature
from .study import Study

log = logging.getLogger("babelscope.pipeline")


@dataclass
class StudyResult:
    """A finished study: its run id, plan, per-unit outcomes and request statistics."""

    run_id: str
    plan: Plan
    outcomes: list[UnitOutcome]
    seconds: float
    report: Path | None = None
    requests: dict[str, int] | None = None
    signature: str = ""
    workspace: Path | None = None
    resumed: bool = False
    #: The rows as stored (every unit of the run, including ones an earlier attempt stored).
    rows: list[dict[str, Any]] = field(default_factory=list)
    #: The run's artifacts as stored (units' tables merged).
    artifacts: dict[str, Any] = field(default_factory=dict)
    #: How the units ran: scheduler (local / ray), model loads, workers.
    scheduling: dict[str, Any] = field(default_factory=dict)

    def outcome(self, name: str) -> UnitOutcome | None:
        return next((o for o in self.outcomes if o.unit.name == name), None)


# -- the one entry point ------------------------------------------------------------------------------


def run_study(
    study: Study,
    *,
    session: Session | None = None,
    command: str = "run",
    progress: Callable[[str, int, int], None] | None = None,
    write_report: bool | None = None,
    resume: bool = True,
    persist: bool = True,
    config: dict[str, Any] | None = None,
    ray: str | None = None,
    unit_timeout: float | None = None,
) -> StudyResult:
    """Run ``study`` end to end and return its result (rows, run id, report path).

    ``ray`` spreads the units over a Ray cluster: ``"local"`` starts one, ``"auto"`` joins
    $RAY_ADDRESS, anything else is the cluster's address (see distributed.py). Without it
    nothing imports Ray.
    """
    t0 = time.perf_counter()
    plan = build_plan(study)
    own = session is None
    if session is None:
        session = Session(study.workspace, persist=persist, progress=progress)
    status = "failed"
    run_id = ""
    try:
        if persist:  # an unwritable results folder fails here, naming the path, before any work
            from .workspace import check_writable, workspace_outputs

            check_writable(workspace_outputs(session.workspace))
        prepared = preflight(plan, session)
        store = session.store
        resumed = False
        prior = store.resumable_run(command, plan.study_hash) if resume and persist else None
        if prior is not None:
            run_id, resumed = prior.run_id, True
            store.reopen_run(run_id)
            log.info("resuming run %s (%d units stored)", run_id, len(store.unit_ids(run_id)))
        else:
            labels = [study.model_label(m) for m in study.models]
            run_config = {"model": ", ".join(labels), "models": labels, "corpus": study.corpus, "split": study.split,
                          "languages": list(study.languages), "pivot": study.pivot,
                          "analyses": list(study.analyses), "tasks": list(study.tasks),
                          **(config or {}), "study": study.model_dump(mode="json"), "study_hash": plan.study_hash,
                          "plan": [u.to_dict() for u in plan.units]}
            run_id = store.start_run(command, f"study:{plan.study_hash}", run_config)
        done_ids = store.unit_ids(run_id)
        scheduling: dict[str, Any] = {"scheduler": "local"}
        if ray is not None:
            from .distributed import DEFAULT_UNIT_TIMEOUT, run_on_ray

            outcomes, facts = run_on_ray(plan, session, run_id, done_ids, store_outcome, address=ray,
                                         unit_timeout=unit_timeout or DEFAULT_UNIT_TIMEOUT)
            scheduling = {"scheduler": "ray", **facts}
        else:
            outcomes = execute_plan(plan, session, run_id, done_ids, prepared)
            scheduling["model_loads"] = session.model_loads
        sig = Signature().merge(Signature.parse(o.signature) for o in outcomes if o.signature)
        status = "finished"
        store.finish_run(run_id, status, signature=str(sig))
    except KeyboardInterrupt:
        status = "interrupted"
        raise
    finally:
        if status != "finished" and run_id and session._store is not None:
            session.store.finish_run(run_id, status)
        if own and status != "finished":
            session.close()
    try:
        report = None
        if write_report if write_report is not None else (study.report and persist):
            from .report import write_report as _write

            _store_cards(session.store, run_id, study.pivot)
            report = _write(session.store, run_id)
        rows = session.store.results(run_id)
        totals = _total_requests(outcomes)
        return StudyResult(run_id, plan, outcomes, time.perf_counter() - t0, report, totals, str(sig),
                           session.workspace, resumed, rows, session.store.artifacts(run_id), scheduling)
    finally:
        if own:
            session.close()


# -- the steps ------------------------------------------------------------------------------------------


def preflight(plan: Plan, session: Session) -> dict[str, Any]:
    """Check every unit's inputs without loading a model; returns prepared task slices by unit id."""
    from .analyses.registry import ANALYSES
    from .evaluation import plan_unit
    from .registry import Entry

    prepared: dict[str, Any] = {}
    for u in plan.units:
        if u.kind == TASK:
            prepared[u.id] = plan_unit(u)
            continue
        entry: Entry = ANALYSES.entry(u.name)
        check = entry.options.get("preflight")
        if check:
            Entry(u.name, check).load()(UnitContext(u, session))
    return prepared


def execute_plan(plan: Plan, session: Session, run_id: str, done_ids: set[str],
                 prepared: dict[str, Any]) -> list[UnitOutcome]:
    """Run the plan's units that this run does not hold yet, one model at a time, storing each."""
    outcomes: list[UnitOutcome] = []
    first_model = next((u.model for u in plan.units if u.model), None)
    for model_json, units in plan.groups():
        todo = [u for u in units if u.id not in done_ids]
        outcomes.extend(UnitOutcome(u, status="skipped", requests={"requested": 0, "unique": 0, "cached": 0,
                                                                    "computed": 0})
                        for u in units if u.id in done_ids)
        if not todo:
            continue
        if model_json is not None:
            _require(session, model_json, todo, prepared)
        for u in [u for u in todo if u.kind == ANALYSIS]:
            out = run_unit(u, session)
            store_outcome(session, run_id, out, first_model)
            outcomes.append(out)
        tasks = [u for u in todo if u.kind == TASK]
        if tasks:
            for out in run_task_units(tasks, session, prepared):
                store_outcome(session, run_id, out, first_model)
                outcomes.append(out)
    order = {u.id: i for i, u in enumerate(plan.units)}
    return sorted(outcomes, key=lambda o: order[o.unit.id])


# -- helpers ---------------------------------------------------------------------------------------------


def _require(session: Session, model_json: str, units: Sequence[Unit], prepared: dict[str, Any]) -> None:
    """A backend that lacks a capability these units need says so before any of them runs.

    By item kind: a multiple-choice task under ``form=generate`` needs generation, not
    log-likelihoods (how chat APIs run Global-MMLU or TUMLU)."""
    from .analyses.registry import ANALYSES
    from .models.base import Capability, require
    from .tasks.base import GENERATE

    needed: set[Capability] = set()
    for u in units:
        if u.kind == TASK:
            kinds = {it.kind for s in prepared.get(u.id) or [] for it in s.items[:1]}
            needed.update(Capability.GENERATE if k == GENERATE else Capability.LOGLIKELIHOOD for k in kinds)
        else:
            needed.update(Capability(c) for c in ANALYSES.entry(u.name).capabilities)
    require(session.model(model_json), *sorted(needed, key=lambda c: c.value))


def _total_requests(outcomes: Sequence[UnitOutcome]) -> dict[str, int] | None:
    """Request statistics of this invocation (a shared task execution counted once)."""
    total = {"requested": 0, "unique": 0, "cached": 0, "computed": 0}
    seen: set[tuple[Any, ...]] = set()
    any_model = False
    for o in outcomes:
        if not o.requests or o.unit.model_json is None:
            continue
        any_model = True
        key = (o.unit.model_json, o.seconds) if o.requests.get("shared_by") else (o.unit.id,)
        if key in seen:
            continue
        seen.add(key)
        for k in total:
            total[k] += o.requests.get(k, 0)
    return total if any_model else None


def _store_cards(store: Any, run_id: str, pivot: str) -> None:
    """The run's language cards as an artifact for the report (a summary: never fails the run)."""
    from .card.run_cards import run_cards

    try:
        cards = run_cards(store, run_id, pivot)
    except Exception:  # noqa: BLE001 - the cards summarise; the rows are what the run is for
        log.exception("language cards failed")
        return
    store.add_results(run_id, [], (), {"language_cards": cards})


def dry_run(study: Study) -> dict[str, Any]:
    """The plan without loading a model: units, languages and estimated requests per model."""
    from .evaluation import plan_unit
    from .plan import build_plan

    plan = build_plan(study)
    per_model: dict[str, dict[str, Any]] = {}
    units = []
    for u in plan.units:
        est: int | None = None
        n_langs = len({*u.languages, u.pivot})
        if u.kind == TASK:
            est = sum(len(it.continuations) if it.continuations else 1 for s in plan_unit(u) for it in s.items)
        elif u.name == "bits_per_byte":
            est = n_langs * int(u.options.get("max_segments") or 10)
        elif u.name == "alignment":
            est = n_langs * int(u.options.get("sentences") or u.options.get("max_segments") or 100)
        d = {**u.to_dict(), "estimated_requests": est}
        units.append(d)
        if u.model:
            m = per_model.setdefault(u.model, {"units": 0, "estimated_requests": 0})
            m["units"] += 1
            m["estimated_requests"] += est or 0
    return {"study": plan.study_hash, "units": units, "models": per_model,
            "languages": list(study.languages), "pivot": study.pivot}
