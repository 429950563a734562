"""The same study in one process and on a local 2-worker Ray cluster: wall time, Ray's
overhead per unit, model loads.

On 2 cores no speed-up is expected (the workers share the cores the single process had).
The figures to read are the overhead per unit and that model loads equal the number of
model workers, not the number of units. Each run starts with an empty request cache, so
both compute every model answer.

    .venv/bin/python bench/bench_ray.py [--model default] [--xcopa ../shared/data/xcopa]
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from pathlib import Path


def study(model: str, workspace: Path, xcopa: Path):
    from babelscope.study import build_study

    return build_study({
        "models": [model], "languages": ["it", "sw", "tr"], "analyses": ["tokenizers", "bits_per_byte"],
        "tokenizers": ["tiktoken:cl100k_base"], "max_segments": 4,
        "tasks": {"xcopa": {"data_dir": str(xcopa), "limit": 20}, "udhr_continuation": {"limit": 5}},
        "workspace": str(workspace), "report": False,
    })


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="default")
    ap.add_argument("--xcopa", default=str(Path(__file__).resolve().parents[2] / "shared" / "data" / "xcopa"))
    args = ap.parse_args()
    import ray

    from babelscope.pipeline import run_study

    root = Path(tempfile.mkdtemp(prefix="bsbench"))
    try:
        t = time.perf_counter()
        single = run_study(study(args.model, root / "single", Path(args.xcopa)))
        t_single = time.perf_counter() - t

        t = time.perf_counter()
        ray.init(num_cpus=2, include_dashboard=False, _temp_dir=str(root / "ray"), log_to_driver=False)
        t_start = time.perf_counter() - t
        t = time.perf_counter()
        sharded = run_study(study(args.model, root / "ray-ws", Path(args.xcopa)), ray="auto")
        t_ray = time.perf_counter() - t
        ray.shutdown()
    finally:
        shutil.rmtree(root, ignore_errors=True)

    units = len(single.plan.units)
    same = {(r["model"], r["name"], r["metric"], r["variant"], r["language"]): r["value"] for r in single.rows} == \
           {(r["model"], r["name"], r["metric"], r["variant"], r["language"]): r["value"] for r in sharded.rows}
    print(json.dumps({
        "units": units, "model_units": sum(1 for u in single.plan.units if u.model),
        "single_process_s": round(t_single, 1), "ray_cluster_start_s": round(t_start, 1),
        "ray_s": round(t_ray, 1), "ratio_ray_over_single": round(t_ray / t_single, 2),
        "ray_overhead_per_unit_s": round((t_ray - t_single) / units, 2),
        "model_loads_single": single.scheduling["model_loads"], "model_loads_ray": sharded.scheduling["model_loads"],
        "ray_workers_used": sharded.scheduling["workers"], "same_rows": same,
        "requests_computed": [single.requests["computed"], sharded.requests["computed"]],
    }, indent=1))


if __name__ == "__main__":
    main()
