"""Running units: one analysis unit, or the task units of one model as one execution.

What a scheduler calls per unit - the single-process pipeline and a Ray worker alike - and
how a finished unit is stored (one transaction, never twice).
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from typing import Any, Sequence

from .analyses.base import AnalysisOutput
from .plan import Unit
from .session import Session, UnitContext
from .signature import Signature


@dataclass
class UnitOutcome:
    """What running (or skipping) one unit gave."""

    unit: Unit
    output: AnalysisOutput | None = None
    status: str = "done"  # done | skipped (stored by an earlier, interrupted run of this study)
    requests: dict[str, int] | None = None
    seconds: float = 0.0
    signature: str = ""

    def record(self) -> dict[str, Any]:
        """The unit's record in the store (and in ``--json``)."""
        return {**self.unit.to_dict(), "status": self.status, "requests": self.requests,
                "seconds": round(self.seconds, 3), "signature": self.signature,
                "rows": len(self.output.rows) if self.output else None}


def run_unit(unit: Unit, session: Session) -> UnitOutcome:
    """Run one analysis unit in ``session``."""
    from .analyses.registry import ANALYSES

    t0 = time.perf_counter()
    before = _stats(session, unit)
    ctx = UnitContext(unit, session)
    output: AnalysisOutput = ANALYSES.entry(unit.name).load()(ctx)
    sig = Signature()
    if unit.model_json is not None:
        sig.add("model", ctx.model.signature)
    opts = unit.options
    if unit.name in ("tokenizers", "bits_per_byte", "alignment"):
        corpus = ctx.corpus()
        sig.add("corpus", f"{corpus.name}@{corpus.version}").add("pivot", unit.pivot).add(
            "langs", len(ctx.all_languages))
    if unit.name in ("latent_language", "bli", "homographs", "word_similarity"):
        sig.add("data", opts.get("dictionary")).add("boot", opts.get("bootstrap"))
        sig.add("probe", ",".join(f"{k}={v}" for k, v in sorted(opts.items()) if k not in ("dictionary", "bootstrap")))
    if unit.name in ("fidelity", "multi_if"):
        from .lid import get_identifier

        sig.add("data", opts.get("completions") or opts.get("lcb_data") or opts.get("data"))
        checkers = None
        if unit.name == "multi_if":  # its payload is a dict naming the variant resolved from the data
            checkers = (output.payload or {}).get("checkers") or opts.get("checkers") or "babelscope"
        if checkers not in (None, "babelscope"):  # the published checkers ask langdetect
            from .ifeval.nlp import langdetect_version

            sig.add("lid", langdetect_version())
        else:
            sig.add("lid", get_identifier(opts.get("lid") or "py3langid").version)
        if unit.name == "multi_if":
            sig.add("checkers", checkers).add("boot", opts.get("bootstrap"))
            if checkers == "ifeval":  # the seed the authors' random letter draw is emulated from
                from .ifeval.official import DRAW_SEED

                sig.add("draws", f"random.seed({DRAW_SEED})")
            if checkers == "babelscope":  # babelscope's own multilingual rewrite of the IFEval checkers
                sig.add("differs", "ifeval-checkers:babelscope-multilingual")
    return UnitOutcome(unit, output, "done", _delta(before, _stats(session, unit)), time.perf_counter() - t0,
                       str(sig))


def run_task_units(units: Sequence[Unit], session: Session, prepared: dict[str, Any] | None = None) -> list[UnitOutcome]:
    """Run task units of ONE model as one execution: all their requests go to the engine
    together (dedup, length-sorting, prefix sharing and batching across tasks and languages);
    then each unit is scored on its own slices."""
    from .evaluation import execute, finish_unit, plan_unit, unit_signature_parts

    models = {u.model_json for u in units}
    if len(models) != 1:
        raise ValueError("run_task_units takes the task units of one model")
    model_json = units[0].model_json
    if model_json is None:
        return [score_stored_responses(u, (prepared or {}).get(u.id)) for u in units]
    t0 = time.perf_counter()
    slices = {u.id: (prepared or {}).get(u.id) or plan_unit(u) for u in units}
    engine = session.engine(model_json)
    before = asdict(engine.stats)
    execute([s for u in units for s in slices[u.id]], engine)
    requests = _delta(before, asdict(engine.stats))
    seconds = time.perf_counter() - t0
    outcomes = []
    from .accounting import usage_rows

    for u in units:
        output = finish_unit(u, slices[u.id])
        output.rows.extend(usage_rows(slices[u.id], engine.model))  # billed tokens, for API backends
        sig = Signature({"model": engine.signature, **unit_signature_parts(u, slices[u.id])})
        # The execution is shared: each unit reports the requests of the whole execution.
        outcomes.append(UnitOutcome(u, output, "done", dict(requests, shared_by=len(units)), seconds, str(sig)))
    return outcomes


def store_outcome(session: Session, run_id: str, outcome: UnitOutcome, first_model: str | None = None) -> bool:
    """Store one unit's rows, items and record in one transaction (False: it was there already).

    Every row and item carries the model it came from; artifacts of models after the study's
    first get an ``@model`` suffix, so one model's tables never overwrite another's.
    """
    out = outcome.output or AnalysisOutput()
    u = outcome.unit
    for row in out.rows:
        row.extra.setdefault("model", u.model)
        row.extra.setdefault("unit", u.id)
    items = [(n, t, i, {**d, "model": u.model}) for n, t, i, d in out.items]
    artifacts = out.artifacts
    if u.model and first_model and u.model != first_model:
        artifacts = {f"{k}@{u.model}": v for k, v in artifacts.items()}
    from .errors import StoreError

    try:
        return session.store.add_unit(run_id, outcome.record(), out.rows, items, artifacts)
    except StoreError as e:  # the work is done: keep it in a recovery file, say where
        from .recovery import write_recovery

        path = write_recovery(run_id, out.rows, items, artifacts, workspace=session.workspace,
                              command=f"unit {u.label}", signature=outcome.signature, error=e)
        raise StoreError(f"{e}; the unit's rows are saved in {path} (babelscope doctor --import {path})") from e


def _stats(session: Session, unit: Unit) -> dict[str, int]:
    if unit.model_json is None or session._engine is None or session._model_key != unit.model_json:
        return {"requested": 0, "unique": 0, "cached": 0, "computed": 0}
    return asdict(session._engine.stats)


def _delta(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {k: after.get(k, 0) - before.get(k, 0) for k in ("requested", "unique", "cached", "computed")}


def score_stored_responses(unit: Unit, slices: Any = None) -> UnitOutcome:
    """A task unit answered by a file of stored outputs (``responses``): no model, no requests.

    Each item is read from the row with its id (or its question text), the benchmark's own
    extraction applied; an item without a row counts as an extraction failure.
    """
    from .evaluation import finish_unit, plan_unit, unit_signature_parts
    from .tasks.responses import read_responses, score_responses

    t0 = time.perf_counter()
    slices = slices or plan_unit(unit)
    langs = [x for x in unit.languages if x != "*"]
    rows = read_responses(unit.options["responses"], default_language=langs[0] if len(langs) == 1 else None)
    counts = score_responses(slices, rows)
    output = finish_unit(unit, slices)
    output.artifacts["responses"] = {"file": unit.options["responses"], **counts,
                                     "models": sorted({r.model for r in rows if r.model})}
    sig = Signature({"model": unit.model, **unit_signature_parts(unit, slices)})
    return UnitOutcome(unit, output, "done", None, time.perf_counter() - t0, str(sig))
