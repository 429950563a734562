"""Named checker variants: one set of instruction semantics per run, named in its signature.

The same instruction id means slightly different things in IFEval's code, M-IFEval's
localized code, Multi-IF's code and babelscope's multilingual rewrite, and the differences
move scores by points. A run therefore picks one variant by name and records it; numbers
from different variants are never silently compared.

- ``ifeval``: the authors' semantics of IFEval's 25 English instructions (:mod:`.official`).
- ``m-ifeval``: M-IFEval's localized instructions for es, fr and ja, and its English ones
  (:mod:`.m_ifeval`).
- ``multi-if``: Multi-IF's published rules (:mod:`.multi_if_rules`).
- ``babelscope``: babelscope's own multilingual rewrite (:mod:`.checkers`), for languages and
  data no published variant covers. It reproduces no published number.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from ..errors import ConfigError
from .checkers import INSTRUCTIONS as BABELSCOPE_INSTRUCTIONS
from .checkers import CheckContext, Instruction, validate

DEFAULT = "babelscope"
#: Pick, per data layout, the variant its authors publish: see :func:`published_for`.
AUTO = "auto"
#: Data layout (result-row name) -> the checker variant its authors' code implements.
PUBLISHED = {"ifeval": "ifeval", "m_ifeval": "m-ifeval", "multi_if": "multi-if"}


@dataclass(frozen=True)
class CheckerVariant:
    """A named registry of instruction checkers and where its semantics come from."""

    name: str
    about: str
    load: Callable[[], dict[str, Instruction]]
    require: Callable[[], None] = lambda: None
    #: The random draws its authors' evaluation makes over a whole run, in their order
    #: (items as (item, instruction ids, kwargs), seed) -> CheckContext.draws; None: none planned.
    plan: Callable[[Sequence[tuple[str, Sequence[str], Sequence[dict]]], int], dict] | None = None

    @property
    def instructions(self) -> dict[str, Instruction]:
        return _loaded(self)

    def plan_draws(self, items: Sequence[tuple[str, Sequence[str], Sequence[dict]]], seed: int = 0) -> dict:
        return self.plan(items, seed) if self.plan is not None else {}

    def validate(self, instruction_id: str, kwargs: dict[str, Any] | None, where: str = "") -> dict[str, Any]:
        return validate(instruction_id, kwargs, where, registry=self.instructions, registry_name=self.name)


def _official() -> dict[str, Instruction]:
    from .official import INSTRUCTIONS

    return INSTRUCTIONS


def _plan_official(items: Sequence[tuple[str, Sequence[str], Sequence[dict]]], seed: int) -> dict:
    from .official import plan_draws

    return plan_draws(items, seed)


def _m_ifeval() -> dict[str, Instruction]:
    from .m_ifeval import INSTRUCTIONS

    return INSTRUCTIONS


def _multi_if() -> dict[str, Instruction]:
    from .multi_if_rules import INSTRUCTIONS

    return INSTRUCTIONS


def _require_nlp() -> None:
    from .nlp import require

    require()


def _require_multi_if() -> None:
    from .nlp import require

    require("pythainlp", "pycrfsuite", "emoji")


def _require_japanese() -> None:
    from .nlp import require

    require("janome", "ja_sentence_segmenter")


VARIANTS: dict[str, CheckerVariant] = {v.name: v for v in (
    CheckerVariant("ifeval", "IFEval (Zhou et al. 2023) as google-research's instruction_following_eval "
                   "checks it: langdetect (seeded), NLTK punkt, its regex rules and random letter draw (seeded)",
                   _official, _require_nlp, _plan_official),
    CheckerVariant("m-ifeval", "M-IFEval (Dussolle et al. 2025): localized es/fr/ja instructions and "
                   "formats, its English ones", _m_ifeval, _require_japanese),
    CheckerVariant("multi-if", "Multi-IF (He et al. 2024): IFEval's checkers with its per-language "
                   "sentence and word counting", _multi_if, _require_multi_if),
    CheckerVariant("babelscope", "babelscope's multilingual rewrite of IFEval's 25 (script-aware "
                   "sentences and words, the run's LID); reproduces no published number",
                   lambda: BABELSCOPE_INSTRUCTIONS),
)}


@cache
def _loaded(variant: CheckerVariant) -> dict[str, Instruction]:
    """The variant's own registry, loaded once (a caller's variant too, not the one registered
    under its name)."""
    try:
        return variant.load()
    except ImportError as e:
        raise ConfigError(f"checkers {variant.name!r} are not available: {e}") from e


def published_for(benchmark: str) -> str:
    """The variant whose semantics the authors of ``benchmark``'s data publish."""
    return PUBLISHED.get(benchmark, DEFAULT)


def get_variant(name: str | CheckerVariant | None) -> CheckerVariant:
    """The variant called ``name``; ConfigError naming the choices, or the missing package,
    before any scoring starts."""
    if isinstance(name, CheckerVariant):
        return name
    key = (name or DEFAULT).strip().lower()
    if key == AUTO:
        raise ConfigError("checkers 'auto' is resolved from the data: load the conversations first "
                          "(tasks.multi_if.resolve_checkers)")
    variant = VARIANTS.get(key)
    if variant is None:
        raise ConfigError(f"unknown checkers {name!r} (choose one of: {', '.join(VARIANTS)}, {AUTO})")
    variant.require()
    _loaded(variant)  # a variant that cannot load fails here, before any data is read
    return variant


def check(instruction_id: str, response: str, kwargs: dict[str, Any], context: CheckContext | None = None,
          checkers: Any = None) -> bool:
    """Whether ``response`` follows one instruction (kwargs already validated), by the named
    checker variant (default: babelscope's rewrite)."""
    registry = BABELSCOPE_INSTRUCTIONS if checkers is None else get_variant(checkers).instructions
    return bool(registry[instruction_id].check(response, kwargs, context or CheckContext()))
