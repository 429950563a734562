"""Run a study's units on a Ray cluster: same plan, same rows, one store.

The plan's units are independent and idempotent (plan.py), so spreading them is scheduling,
not a second pipeline:

- **Who runs what.** Model-free units (tokenizer premium, scoring stored outputs) are plain
  Ray tasks. Units that need a model go to an actor that holds that model: one actor per
  model, loaded once and reused for every unit of that model, so a 20-language study loads a
  model once per worker, not once per unit. All task units of one model go to the actor in
  one call, as one execution (batching and prefix sharing across tasks, as in one process).
- **One writer.** Workers never open the results store. Each unit's outcome (rows, items,
  artifacts) travels back to the driver, which writes it in one transaction, unit by unit,
  as results arrive - exactly what the single-process pipeline does.
- **The request cache.** A worker reads the workspace's request cache when it can see the
  workspace (a local cluster, or a workspace on a volume shared by the nodes), and keeps the
  answers it computes in memory; they travel back with the unit's result, and the driver
  writes them to the workspace cache before the unit's rows. So the cache has one writer
  too (SQLite stays consistent however many workers there are), and a unit that already ran
  computes nothing on a rerun, whichever worker gets it. A worker that cannot see the
  workspace works without the cache (and says so); the answers it computes still reach it.
- **Faults.** A worker that dies mid-unit is restarted by Ray and the unit is retried
  (``max_restarts`` / ``max_task_retries``); since the driver writes a unit only once (the
  store keeps one record per unit and run), a retried unit never duplicates rows. A driver
  that dies is restarted by running the study again: it resumes the run and skips the units
  already stored. No run hangs: if no unit finishes within the unit timeout, the run fails
  with an error naming the units still out.
"""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path
from typing import Any, Callable, Sequence

from .errors import BabelscopeError, ConfigError
from .plan import TASK, Plan, Unit

log = logging.getLogger("babelscope.distributed")

#: How long the driver waits for *some* unit to finish before it gives up (seconds).
DEFAULT_UNIT_TIMEOUT = 3600.0
#: Ray's own retries for a unit whose worker died.
RETRIES = 3


class CarryCache:
    """A worker's request cache: reads the workspace cache, keeps new answers to carry back."""

    def __init__(self, path: str | None):
        self._reader: Any = None
        if path and Path(path).exists():
            from .engine.cache import RequestCache

            self._reader = RequestCache(path)
        elif path:
            log.warning("request cache %s is not visible on this worker; units here compute every answer", path)
        self._new: dict[tuple[str, str], tuple[str, bytes]] = {}

    def get_many(self, model: str, keys: Any) -> dict[str, bytes]:
        keys = list(keys)
        out = {k: self._new[(model, k)][1] for k in keys if (model, k) in self._new}
        rest = [k for k in keys if k not in out]
        if rest and self._reader is not None:
            out.update(self._reader.get_many(model, rest))
        return out

    def put_many(self, model: str, kind: str, values: dict[str, bytes]) -> None:
        for k, v in values.items():
            self._new[(model, k)] = (kind, v)

    def drain(self) -> list[tuple[str, str, str, bytes]]:
        """The answers computed since the last drain, as (model, kind, key, value)."""
        out = [(m, kind, k, v) for (m, k), (kind, v) in self._new.items()]
        self._new.clear()
        return out

    def close(self) -> None:
        if self._reader is not None:
            self._reader.close()


class UnitWorker:
    """The body of a Ray actor (or task): one Session, one model at a time, no store."""

    def __init__(self, workspace: str, cache_path: str | None):
        from .session import Session

        self.cache = CarryCache(cache_path)
        self.session = Session(workspace, persist=False, request_cache=self.cache)

    def pid(self) -> int:
        return os.getpid()

    def run(self, units: Sequence[Unit]) -> tuple[list[Any], list[tuple[str, str, str, bytes]], int, int]:
        """Run analysis units one by one, or task units of one model as one execution."""
        from .execute import run_task_units, run_unit

        if units and units[0].kind == TASK:
            outcomes = run_task_units(units, self.session)
        else:
            outcomes = [run_unit(u, self.session) for u in units]
        for o in outcomes:
            if o.output is not None:
                o.output.payload = None  # the command's printable object stays on the worker
        return outcomes, self.cache.drain(), self.session.model_loads, os.getpid()


def _run_free(workspace: str, units: Sequence[Unit]) -> Any:
    """A model-free unit as a plain Ray task."""
    return UnitWorker(workspace, None).run(units)


def connect(address: str | None, temp_dir: str | None = None, num_cpus: int | None = None) -> bool:
    """Join a cluster (``auto``: $RAY_ADDRESS, or an address) or start a local one (``local``/None).

    Returns True when this call started the cluster (the caller shuts it down).
    """
    try:
        import ray
    except ImportError as e:
        raise ConfigError("--ray needs Ray: pip install 'babelscope[ray]'") from e
    if ray.is_initialized():
        return False
    if address in (None, "", "local"):
        kwargs: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False, "configure_logging": False}
        if temp_dir:
            kwargs["_temp_dir"] = temp_dir
        if num_cpus:
            kwargs["num_cpus"] = num_cpus
        ray.init(**kwargs)
        return True
    try:
        ray.init(address=address, log_to_driver=False, configure_logging=False)
    except Exception as e:  # noqa: BLE001 - ray raises ConnectionError, RuntimeError, ...
        raise ConfigError(f"--ray {address}: cannot connect to a Ray cluster there ({type(e).__name__}: {e})") from e
    return False


def model_resources(model_json: str) -> dict[str, Any]:
    """What an actor for this model asks Ray for: one CPU, a GPU for CUDA models, and memory
    for the weights where they can be sized (a local folder: its files, plus a quarter)."""
    import json

    cfg = json.loads(model_json)
    res: dict[str, Any] = {"num_cpus": 1}
    device = str(cfg.get("device") or "")
    if device.startswith("cuda"):
        res["num_gpus"] = 1
    spec = str(cfg.get("spec") or "")
    folder = Path(spec[3:] if spec.startswith("hf:") else spec).expanduser()
    if folder.is_dir():
        size = sum(p.stat().st_size for p in folder.glob("*.safetensors")) or sum(
            p.stat().st_size for p in folder.glob("*.bin"))
        if size:
            res["memory"] = int(size * 1.25)
    return res


def run_on_ray(
    plan: Plan,
    session: Any,
    run_id: str,
    done_ids: set[str],
    store_outcome: Callable[..., bool],
    *,
    address: str | None = None,
    unit_timeout: float = DEFAULT_UNIT_TIMEOUT,
    temp_dir: str | None = None,
    num_cpus: int | None = None,
) -> tuple[list[Any], dict[str, Any]]:
    """Run the plan's units that the run does not hold yet on Ray; store each as it arrives.

    Returns the outcomes and scheduling facts (workers used, model loads, seconds per unit).
    """
    import ray

    from .execute import UnitOutcome

    started = connect(address, temp_dir, num_cpus)
    t0 = time.perf_counter()
    workspace = str(session.workspace)
    cache_path = str(session.workspace / "request_cache.sqlite") if session.persist else None
    if cache_path:
        session.request_cache  # noqa: B018 - create the file so workers can read it
    first_model = next((u.model for u in plan.units if u.model), None)
    outcomes: list[Any] = [UnitOutcome(u, status="skipped", requests={"requested": 0, "unique": 0, "cached": 0,
                                                                       "computed": 0})
                           for u in plan.units if u.id in done_ids]
    actors: dict[str, Any] = {}
    pending: dict[Any, list[Unit]] = {}
    facts: dict[str, Any] = {"model_loads": 0, "workers": set(), "units": 0}
    progress = session.progress
    total = sum(1 for u in plan.units if u.id not in done_ids)
    done = 0
    try:
        worker_cls = ray.remote(max_restarts=RETRIES, max_task_retries=RETRIES)(UnitWorker)
        free = ray.remote(num_cpus=1, max_retries=RETRIES)(_run_free)
        for model_json, units in plan.groups():
            todo = [u for u in units if u.id not in done_ids]
            if not todo:
                continue
            if model_json is None:
                for u in todo:
                    pending[free.remote(workspace, [u])] = [u]
                continue
            actor = actors.get(model_json)
            if actor is None:
                actor = actors[model_json] = worker_cls.options(**model_resources(model_json)).remote(workspace, cache_path)
            for u in [u for u in todo if u.kind != TASK]:
                pending[actor.run.remote([u])] = [u]
            tasks = [u for u in todo if u.kind == TASK]
            if tasks:
                pending[actor.run.remote(tasks)] = tasks
        if progress:
            progress(f"units on Ray ({len(actors)} model workers)", 0, total)
        while pending:
            ready, _ = ray.wait(list(pending), num_returns=1, timeout=unit_timeout)
            if not ready:
                out = ", ".join(u.label for us in pending.values() for u in us)
                raise BabelscopeError(f"no unit finished within {unit_timeout:.0f} s on the Ray cluster; "
                                      f"still out: {out}")
            ref = ready[0]
            units = pending.pop(ref)
            try:
                unit_outcomes, entries, loads, pid = ray.get(ref)
            except Exception as e:  # noqa: BLE001 - RayTaskError wraps the worker's exception
                cause = getattr(e, "cause", None)
                names = ", ".join(u.label for u in units)
                if isinstance(cause, BabelscopeError):  # the user's input, found on the worker
                    raise BabelscopeError(f"unit {names}: {cause}") from None
                raise BabelscopeError(f"unit {names} failed on the Ray cluster after {RETRIES} retries: "
                                      f"{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}") from e
            facts["workers"].add(pid)
            facts["model_loads"] = facts.get("model_loads", 0)
            facts.setdefault("loads_by_worker", {})[pid] = loads
            if entries and session.request_cache is not None:
                _write_cache(session.request_cache, entries)
            for o in unit_outcomes:
                store_outcome(session, run_id, o, first_model)
                outcomes.append(o)
                done += 1
                if progress:
                    progress(f"units on Ray ({len(actors)} model workers)", done, total)
    finally:
        for a in actors.values():
            try:
                ray.kill(a)
            except Exception:  # noqa: BLE001 - an actor that is already gone
                pass
        if started:
            ray.shutdown()
    facts["model_loads"] = sum(facts.pop("loads_by_worker", {}).values())
    facts["workers"] = len(facts["workers"])
    facts["units"] = done
    facts["seconds"] = round(time.perf_counter() - t0, 3)
    order = {u.id: i for i, u in enumerate(plan.units)}
    return sorted(outcomes, key=lambda o: order[o.unit.id]), facts


def _write_cache(cache: Any, entries: list[tuple[str, str, str, bytes]]) -> None:
    groups: dict[tuple[str, str], dict[str, bytes]] = {}
    for model, kind, key, value in entries:
        groups.setdefault((model, kind), {})[key] = value
    for (model, kind), values in groups.items():
        cache.put_many(model, kind, values)
