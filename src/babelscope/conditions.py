"""Parse a ``--conditions`` spec into the cartesian product of prompt conditions.

``lit=native,en;shots=0,5;demos=same,en,sw;script=native,latin``. ``demos`` takes "same" or
any language (the source of the demonstrations: listing several languages over several
``--languages`` gives the S x T transfer matrix); ``script=latin`` romanises the items with
uroman. What each axis means for a prompt lives in :mod:`babelscope.tasks.base`.
"""

from __future__ import annotations

from .errors import BabelscopeError, ConfigError
from .tasks.base import SCRIPTS, Condition

EXAMPLE = "'lit=native,en;shots=0,5;demos=same,en;script=native,latin'"
ALIASES = {"literals": "lit", "instructions": "lit", "lit": "lit", "shots": "shots", "demos": "demos",
           "script": "script"}


def demo_language(value: str) -> str:
    """"same" stays; any other value must name a language and becomes its canonical tag."""
    if value.lower() == "same":
        return "same"
    from .languages import Language

    try:
        return Language.parse(value).tag
    except BabelscopeError as e:
        raise ConfigError(f"--conditions: demos={value!r}: {e}") from None


def parse_conditions(spec: str | None) -> list[Condition]:
    """``lit=native,en;shots=0,5;demos=same,en`` -> the cartesian product of conditions.

    Axes left out keep their default (the task's published literals, the task's default shots, same-language
    demonstrations, the native script); no spec at all means the single default condition.
    """
    if not spec or not spec.strip():
        return [Condition()]
    axes: dict[str, list[str]] = {"lit": ["default"], "shots": ["default"], "demos": ["same"], "script": ["native"]}
    for part in spec.split(";"):
        if not part.strip():
            continue
        key, eq, values = part.partition("=")
        key = ALIASES.get(key.strip().lower())
        vals = [v.strip() for v in values.split(",") if v.strip()]
        if not eq or key is None or not vals:
            raise ConfigError(f"--conditions: cannot read {part.strip()!r}; write e.g. {EXAMPLE}")
        if key == "demos":
            vals = list(dict.fromkeys(demo_language(v) for v in vals))
        if key == "script":
            vals = [v.lower() for v in vals]
            bad = [v for v in vals if v not in SCRIPTS]
            if bad:
                raise ConfigError(f"--conditions: script must be one of {', '.join(SCRIPTS)}, not {bad[0]!r}")
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
                for script in axes["script"]:
                    c = Condition(literals=lit, shots=n, demos=demos, script=script)
                    if c not in out:
                        out.append(c)
    return out
