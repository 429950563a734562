"""Option checks and command-line spellings shared by every command.

Two mechanisms, both applied before any command body runs, so a bad value fails before a
model loads:

* Typer callbacks (:func:`at_least`, :data:`POSITIVE`, :data:`NON_NEGATIVE`): pass one as
  ``callback=`` of a ``typer.Option``; a value out of range becomes click's usage error (exit 2,
  naming the option), e.g. ``typer.Option(16, "--batch-size", callback=POSITIVE)``.
* :func:`normalize_argv`: rewrites the raw argument list before Typer parses it: a bare
  ``babelscope`` asks for help, ``--quiet``/``--verbose`` typed after the subcommand move in
  front of it, ``eval --list`` becomes ``tasks``, and lm-evaluation-harness spellings
  (``--tasks``, ``--num_fewshot N``) become babelscope's (``--task``, ``--conditions shots=N``).
  Hook: in ``cli/app.py:main()``, ``sys.argv[1:] = normalize_argv(sys.argv[1:])`` before ``app()``.
"""

from __future__ import annotations

from typing import Any, Callable, Optional, Sequence

import typer

from ..errors import ConfigError

#: Options of the root callback (they take no value), accepted anywhere on the line.
GLOBAL_FLAGS = ("--quiet", "-q", "--verbose", "-v")

#: lm-evaluation-harness spelling -> babelscope spelling, per command.
ALIASES: dict[str, dict[str, str]] = {
    "eval": {"--tasks": "--task", "--batch_size": "--batch-size"},
}


def at_least(minimum: int, *, allow_none: bool = True) -> Callable[[Any, Any, Optional[int]], Optional[int]]:
    """A Typer callback refusing integers below ``minimum`` (None passes when ``allow_none``)."""

    def check(ctx: Any, param: Any, value: Optional[int]) -> Optional[int]:
        if value is None:
            if allow_none:
                return value
            raise typer.BadParameter("a value is required")
        if isinstance(value, (list, tuple)):
            for v in value:
                check(ctx, param, v)
            return value
        if value < minimum:
            raise typer.BadParameter(f"must be at least {minimum}, not {value}")
        return value

    return check


#: For counts that must be >= 1: batch sizes, limits, max segments, max tokens.
POSITIVE = at_least(1)
#: For counts where 0 means "none": bootstrap resamples, shots.
NON_NEGATIVE = at_least(0)


def in_range(low: float, high: float) -> Callable[[Any, Any, Optional[float]], Optional[float]]:
    """A Typer callback for a number in the closed interval [low, high] (None passes)."""

    def check(ctx: Any, param: Any, value: Optional[float]) -> Optional[float]:
        if value is not None and not (low <= value <= high):
            raise typer.BadParameter(f"must be between {low:g} and {high:g}, not {value:g}")
        return value

    return check


def normalize_argv(argv: Sequence[str]) -> list[str]:
    """The argument list (without the program name) as babelscope's parser expects it."""
    args = list(argv)
    if not args:
        return ["--help"]
    command_at = next((i for i, a in enumerate(args) if not a.startswith("-")), None)
    if command_at is None:
        return args
    head, command, rest = args[:command_at], args[command_at], args[command_at + 1:]
    # Global flags after the subcommand (before a literal "--") move in front of it.
    stop = rest.index("--") if "--" in rest else len(rest)
    hoisted = [a for a in rest[:stop] if a in GLOBAL_FLAGS]
    rest = [a for a in rest[:stop] if a not in GLOBAL_FLAGS] + rest[stop:]
    head = head + [h for h in hoisted if h not in head]
    if command == "eval":
        if "--list" in rest[:stop]:
            return head + ["tasks"] + (["--json"] if "--json" in rest else [])
        rest = _lm_eval_spellings(rest)
    return head + [command] + rest


def _lm_eval_spellings(rest: list[str]) -> list[str]:
    aliases = ALIASES["eval"]
    out: list[str] = []
    shots: str | None = None
    i = 0
    while i < len(rest):
        a = rest[i]
        if a == "--":
            out.extend(rest[i:])
            break
        name, eq, value = a.partition("=")
        if name == "--num_fewshot":
            if not eq:
                if i + 1 >= len(rest):
                    raise ConfigError("--num_fewshot needs a number (e.g. --num_fewshot 5)")
                value = rest[i + 1]
                i += 1
            if not value.strip().isdigit():
                raise ConfigError(f"--num_fewshot must be a whole number >= 0, not {value!r}")
            shots = str(int(value))
        elif name in aliases:
            out.append(aliases[name] + (f"={value}" if eq else ""))
        else:
            out.append(a)
        i += 1
    if shots is not None:
        if any(x == "--conditions" or x.startswith("--conditions=") for x in out):
            raise ConfigError("give either --num_fewshot or --conditions (shots=N inside it), not both")
        out += ["--conditions", f"shots={shots}"]
    return out
