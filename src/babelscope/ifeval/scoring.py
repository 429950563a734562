"""Strict and loose instruction following of one response (IFEval's two readings).

Strict: the response as given. Loose: a response also passes if some variant passes, the
variants being the response with its first line, its last line, or both removed, each with
and without every '*' (models often wrap answers in a greeting line or markdown emphasis).
An empty response (or variant) never passes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

from .checkers import CheckContext
from .variants import CheckerVariant, get_variant


def loose_variants(response: str) -> list[str]:
    lines = response.split("\n")
    first = "\n".join(lines[1:]).strip()
    last = "\n".join(lines[:-1]).strip()
    both = "\n".join(lines[1:-1]).strip()
    base = [response, first, last, both]
    return base + [v.replace("*", "") for v in base]


@dataclass(frozen=True)
class FollowResult:
    """Per-instruction strict and loose verdicts of one response."""

    instruction_ids: tuple[str, ...]
    strict: tuple[bool, ...]
    loose: tuple[bool, ...]

    @property
    def prompt_strict(self) -> bool:
        return all(self.strict)

    @property
    def prompt_loose(self) -> bool:
        return all(self.loose)


def follow(
    response: str,
    instruction_ids: Sequence[str],
    kwargs: Sequence[dict[str, Any]],
    context: CheckContext | None = None,
    checkers: "str | CheckerVariant | None" = None,
) -> FollowResult:
    """Check every instruction on ``response``, strictly and loosely, with the named checker
    variant (default: babelscope's rewrite; see :mod:`.variants`)."""
    ctx = context or CheckContext()
    registry = get_variant(checkers).instructions
    variants = loose_variants(response)
    strict, loose = [], []
    for i, (iid, kw) in enumerate(zip(instruction_ids, kwargs)):
        fn = registry[iid].check
        ctx.index, ctx.phase, ctx.drew = i, "strict", False
        s = bool(response.strip()) and bool(fn(response, kw, ctx))
        strict.append(s)
        # A checker that drew at random draws again for the loose pass, as IFEval's code builds
        # each instruction anew per pass; then the strict verdict says nothing about the loose one.
        drew, ctx.phase = ctx.drew, "loose"
        loose.append((s and not drew) or any(bool(v.strip()) and bool(fn(v, kw, ctx)) for v in variants[0 if drew else 1:]))
    return FollowResult(tuple(instruction_ids), tuple(strict), tuple(loose))
