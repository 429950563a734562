"""Prompt conditions from their short spec: ``lit=native,en;shots=0,5;demos=same,en``.

A condition matrix is how a study asks "does the prompt's language, or the demonstrations'
language, move the score?"; each condition becomes its own unit of the plan.
"""

from __future__ import annotations

from .errors import ConfigError
from .tasks.base import Condition


def parse_conditions(spec: str | None) -> list[Condition]:
    """``lit=native,en;shots=0,5;demos=same,en`` -> the cartesian product of conditions.

    Axes left out keep their default (the task's published literals, the task's default shots, same-language
    demonstrations); no spec at all means the single default condition.
    """
    if not spec or not spec.strip():
        return [Condition()]
    axes: dict[str, list[str]] = {"lit": ["default"], "shots": ["default"], "demos": ["same"]}
    aliases = {"literals": "lit", "instructions": "lit", "lit": "lit", "shots": "shots", "demos": "demos"}
    for part in spec.split(";"):
        if not part.strip():
            continue
        key, eq, values = part.partition("=")
        key = aliases.get(key.strip().lower())
        vals = [v.strip() for v in values.split(",") if v.strip()]
        if not eq or key is None or not vals:
            raise ConfigError(
                f"--conditions: cannot read {part.strip()!r}; write e.g. 'lit=native,en;shots=0,5;demos=same,en'"
            )
        axes[key] = vals
    out: list[Condition] = []
    for lit in axes["lit"]:
        for shots in axes["shots"]:
            if shots != "default" and not shots.isdigit():
                raise ConfigError(f"--conditions: shots must be a number or 'default', not {shots!r}")
            for demos in axes["demos"]:
                n = None if shots == "default" else int(shots)
                if n == 0 and demos != axes["demos"][0]:
                    continue  # zero-shot has no demonstrations: one condition, not one per demo language
                c = Condition(literals=lit, shots=n, demos=demos)
                if c not in out:
                    out.append(c)
    return out
