"""Evaluate the original and the trimmed model on the same task items; report the difference.

Checks (1)-(3) prove the trimmed model computes the same logits for kept tokens, but a
benchmark scores log-probabilities normalised over the vocabulary, and the trimmed softmax
runs over fewer tokens: the per-language score difference is what a user actually wants to
know before shipping the smaller model.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

from ..languages import Language


def eval_difference(original: Path, trimmed: Path, tasks: Sequence[str], languages: Sequence[Language],
                    data_dir: Path | None = None, limit: int | None = None, n_boot: int = 0,
                    device: str | None = None) -> list[dict[str, Any]]:
    """One record per (task, language, metric, variant): the original's score, the trimmed
    model's, and trimmed - original. Languages a task does not have are skipped."""
    from ..engine.executor import Engine
    from ..evaluation import evaluate
    from ..models import load_model
    from ..tasks.base import DataSource, TaskError, get_task

    def has(task: Any, lang: Language) -> bool:
        try:
            task.code_for(lang)
            return True
        except TaskError:
            return False

    task_objs = [get_task(t) for t in tasks]
    source = DataSource(data_dir=Path(data_dir) if data_dir else None)
    scores: dict[str, dict[tuple, float]] = {}
    for label, folder in (("original", original), ("trimmed", trimmed)):
        model = load_model(f"hf:{folder}", device=device, dtype="float32")
        engine = Engine(model, cache=None)
        per: dict[tuple, float] = {}
        for task in task_objs:
            langs = [lang for lang in languages if has(task, lang)]
            if not langs:
                continue
            out = evaluate(engine, [task], langs, source, limit=limit, pivot=None, n_boot=n_boot)
            for r in out.rows:
                per[(r.name, r.language.tag, r.metric, r.variant)] = (r.value, r.n)
        scores[label] = per
    records = []
    for key in sorted(scores["original"]):
        if key not in scores["trimmed"]:
            continue
        (a, n), (b, _) = scores["original"][key], scores["trimmed"][key]
        task, lang, metric, variant = key
        records.append({"task": task, "language": lang, "metric": metric, "variant": variant, "n": n,
                        "original": a, "trimmed": b,
                        "difference": None if a is None or b is None else b - a})
    return records
