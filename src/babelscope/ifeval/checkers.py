"""The 25 IFEval-style instruction checkers that Multi-IF uses, made multilingual.

Each checker is a plain function ``(response, kwargs, context) -> bool``; its instruction id
and kwargs schema live in :data:`INSTRUCTIONS`, which validates a dataset row before any work
starts (an unknown id or kwargs that do not fit raise :class:`InstructionError`).

Semantics follow IFEval (Zhou et al. 2023) as Multi-IF runs it, with these multilingual
changes: sentences and words are counted in any script (:mod:`.text`); forbidden words and
first words in scripts without spaces match as substrings/prefixes; "no commas" also forbids
the CJK, enumeration and Arabic commas; quotation accepts the quote pairs of more languages;
the language checks use babelscope's language identification (``context.lid``), and the
"english_*" case checks expect the conversation's language rather than always English.
"""

from __future__ import annotations

import json
import random
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable

from ..errors import BabelscopeError
from ..languages import same_macrolanguage
from .text import count_sentences, count_words, splits_no_space


class InstructionError(BabelscopeError):
    """An instruction id that is not known, or kwargs that do not fit it."""


@dataclass
class CheckContext:
    """What some checkers need beyond the response: the expected language and an identifier."""

    language: str = "en"
    lid: Any = None
    #: The item being checked (e.g. "key#turn1") and the run's seed: together they fix the
    #: draws that the published checkers make at random (see :meth:`rng`).
    item: str = ""
    seed: int = 0
    #: Draws planned for the whole run in the order the authors' code makes them (IFEval's:
    #: :func:`babelscope.ifeval.official.plan_draws`), keyed by (item, instruction index,
    #: pass); :func:`babelscope.ifeval.scoring.follow` sets which instruction and pass is being
    #: checked, and a checker that drew says so in ``drew`` (its loose pass then draws again).
    draws: dict = field(default_factory=dict)
    index: int = 0
    phase: str = "strict"
    drew: bool = False

    def rng(self, *tag: Any) -> random.Random:
        """A random generator fixed by (seed, item, tag): the same draw for the same item on
        every run and in the strict and loose passes, independent of scoring order."""
        return random.Random("|".join(map(str, (self.seed, self.item, *tag))))

    def detect(self, text: str) -> str:
        """Top label of ``text`` (no confidence floor: IFEval trusts the detector's best guess)."""
        from ..lid import get_identifier

        lid = self.lid or get_identifier()
        self.lid = lid
        return lid.identify(" ".join(text.split())).label

    def is_language(self, text: str, language: str) -> bool:
        if not text.strip():
            return True  # IFEval: undetectable text counts as following
        label = self.detect(text)  # sets self.lid to the default identifier if none was given
        # A dialect label (ary, arz) passes for its macrolanguage (ar): prompts name the latter.
        return self.lid.accepts(label, language) or same_macrolanguage(label, language)


Checker = Callable[[str, dict, CheckContext], bool]
RELATIONS = ("less than", "at least")


@dataclass(frozen=True)
class Instruction:
    """An instruction id, its checker and its kwargs schema (name -> accepted types)."""

    id: str
    check: Checker
    required: dict[str, tuple[type, ...]] = field(default_factory=dict)
    optional: dict[str, tuple[type, ...]] = field(default_factory=dict)
    #: The words its relation kwargs may take (M-IFEval's Spanish ids say "al menos"...).
    relations: tuple[str, ...] = RELATIONS
    #: Kwargs it does not know are ignored, not refused (M-IFEval's Japanese checkers take **kwargs).
    ignores_extra: bool = False


def _compare(actual: int, relation: str, threshold: int) -> bool:
    return actual < threshold if relation == "less than" else actual >= threshold


# -- keywords ------------------------------------------------------------------------------------

def keywords_existence(r: str, kw: dict, ctx: CheckContext) -> bool:
    return all(re.search(re.escape(k), r, flags=re.IGNORECASE) for k in kw["keywords"])


def keywords_frequency(r: str, kw: dict, ctx: CheckContext) -> bool:
    n = len(re.findall(re.escape(kw["keyword"].strip()), r, flags=re.IGNORECASE))
    return _compare(n, kw["relation"], kw["frequency"])


def forbidden_words(r: str, kw: dict, ctx: CheckContext) -> bool:
    for word in kw["forbidden_words"]:
        pattern = re.escape(word) if splits_no_space(word) else r"\b" + re.escape(word) + r"\b"
        if re.search(pattern, r, flags=re.IGNORECASE):
            return False
    return True


def letter_frequency(r: str, kw: dict, ctx: CheckContext) -> bool:
    n = Counter(r.lower())[kw["letter"].strip().lower()]
    return _compare(n, kw["let_relation"], kw["let_frequency"])


# -- language and length ---------------------------------------------------------------------------

def response_language(r: str, kw: dict, ctx: CheckContext) -> bool:
    return ctx.is_language(r, kw["language"])


def number_sentences(r: str, kw: dict, ctx: CheckContext) -> bool:
    return _compare(count_sentences(r), kw["relation"], kw["num_sentences"])


def number_words(r: str, kw: dict, ctx: CheckContext) -> bool:
    return _compare(count_words(r), kw["relation"], kw["num_words"])


def number_paragraphs(r: str, kw: dict, ctx: CheckContext) -> bool:
    """Paragraphs separated by the markdown divider ***; an empty one inside fails."""
    parts = re.split(r"\s?\*\*\*\s?", r)
    n = len(parts)
    for i, p in enumerate(parts):
        if not p.strip():
            if i in (0, len(parts) - 1):
                n -= 1
            else:
                return False
    return n == kw["num_paragraphs"]


def nth_paragraph_first_word(r: str, kw: dict, ctx: CheckContext) -> bool:
    """Paragraphs separated by a blank line; paragraph n must start with the given word."""
    parts = r.split("\n\n")
    n = sum(1 for p in parts if p.strip())
    nth = kw["nth_paragraph"]
    if nth > n or nth < 1:
        return False
    para = parts[nth - 1].strip()
    if not para:
        return False
    want = kw["first_word"].strip().lower()
    head = para.lstrip("'\"“‘「『«").lower()
    if splits_no_space(want):
        first_ok = head.startswith(want)
    else:
        word = head.split()[0] if head.split() else ""
        first = ""
        for ch in word:
            if ch in ".,?!'\"，。？！、：:;；»”’":
                break
            first += ch
        first_ok = first == want
    return n == kw["num_paragraphs"] and first_ok


# -- detectable content and format -------------------------------------------------------------------

def number_placeholders(r: str, kw: dict, ctx: CheckContext) -> bool:
    return len(re.findall(r"\[.*?\]", r)) >= kw["num_placeholders"]


def postscript(r: str, kw: dict, ctx: CheckContext) -> bool:
    marker = kw["postscript_marker"].strip()
    low = r.lower()
    if marker == "P.P.S":
        pattern = r"\s*p\.\s?p\.\s?s.*$"
    elif marker == "P.S.":
        pattern = r"\s*p\.\s?s\..*$"
    else:
        pattern = r"\s*" + re.escape(marker.lower()) + r".*$"
    return bool(re.findall(pattern, low, flags=re.MULTILINE))


def number_bullet_lists(r: str, kw: dict, ctx: CheckContext) -> bool:
    stars = re.findall(r"^\s*\*[^\*].*$", r, flags=re.MULTILINE)
    dashes = re.findall(r"^\s*-.*$", r, flags=re.MULTILINE)
    return len(stars) + len(dashes) == kw["num_bullets"]


CONSTRAINED_OPTIONS = ("My answer is yes.", "My answer is no.", "My answer is maybe.")


def constrained_response(r: str, kw: dict, ctx: CheckContext) -> bool:
    value = r.strip()
    return any(option in value for option in CONSTRAINED_OPTIONS)


def number_highlighted_sections(r: str, kw: dict, ctx: CheckContext) -> bool:
    n = sum(1 for h in re.findall(r"\*[^\n\*]*\*", r) if h.strip("*").strip())
    n += sum(1 for h in re.findall(r"\*\*[^\n\*]*\*\*", r) if h[2:-2].strip())
    return n >= kw["num_highlights"]


def multiple_sections(r: str, kw: dict, ctx: CheckContext) -> bool:
    splitter = kw["section_spliter"].strip()
    sections = re.split(r"\s?" + re.escape(splitter) + r"\s?\d+\s?", r)
    return len(sections) - 1 >= kw["num_sections"]


def json_format(r: str, kw: dict, ctx: CheckContext) -> bool:
    value = r.strip()
    for fence in ("```json", "```Json", "```JSON", "```"):
        if value.startswith(fence):
            value = value[len(fence):]
            break
    value = value.removesuffix("```").strip()
    try:
        json.loads(value)
    except ValueError:
        return False
    return True


def title(r: str, kw: dict, ctx: CheckContext) -> bool:
    return any(t.lstrip("<").rstrip(">").strip() for t in re.findall(r"<<[^\n]+>>", r))


# -- combinations, start/end, case, punctuation --------------------------------------------------------

def two_responses(r: str, kw: dict, ctx: CheckContext) -> bool:
    parts = r.split("******")
    valid = []
    for i, p in enumerate(parts):
        if not p.strip():
            if i not in (0, len(parts) - 1):
                return False
        else:
            valid.append(p)
    return len(valid) == 2 and valid[0].strip() != valid[1].strip()


def repeat_prompt(r: str, kw: dict, ctx: CheckContext) -> bool:
    return r.strip().lower().startswith(kw["prompt_to_repeat"].strip().lower())


def end_checker(r: str, kw: dict, ctx: CheckContext) -> bool:
    return r.strip().strip('"').lower().endswith(kw["end_phrase"].strip().lower())


def capital_word_frequency(r: str, kw: dict, ctx: CheckContext) -> bool:
    words = re.findall(r"\w+(?:[-'’]\w+)*", r)
    n = sum(1 for w in words if w.isupper())
    return _compare(n, kw["capital_relation"], kw["capital_frequency"])


def english_capital(r: str, kw: dict, ctx: CheckContext) -> bool:
    return r.isupper() and ctx.is_language(r, ctx.language or "en")


def english_lowercase(r: str, kw: dict, ctx: CheckContext) -> bool:
    return r.islower() and ctx.is_language(r, ctx.language or "en")


COMMAS = ",，、،﹐"


def no_comma(r: str, kw: dict, ctx: CheckContext) -> bool:
    return not any(c in r for c in COMMAS)


QUOTE_PAIRS = (('"', '"'), ("“", "”"), ("「", "」"), ("『", "』"), ("«", "»"), ("„", "“"), ("„", "”"))


def quotation(r: str, kw: dict, ctx: CheckContext) -> bool:
    v = r.strip()
    return len(v) > 1 and any(v.startswith(a) and v.endswith(b) for a, b in QUOTE_PAIRS)


# -- the registry -----------------------------------------------------------------------------------

_INT = (int,)
_STR = (str,)
_LIST = (list, tuple)


def _spec(iid: str, fn: Checker, **required: tuple[type, ...]) -> Instruction:
    return Instruction(iid, fn, dict(required))


INSTRUCTIONS: dict[str, Instruction] = {i.id: i for i in (
    _spec("keywords:existence", keywords_existence, keywords=_LIST),
    _spec("keywords:frequency", keywords_frequency, keyword=_STR, frequency=_INT, relation=_STR),
    _spec("keywords:forbidden_words", forbidden_words, forbidden_words=_LIST),
    _spec("keywords:letter_frequency", letter_frequency, letter=_STR, let_frequency=_INT, let_relation=_STR),
    _spec("language:response_language", response_language, language=_STR),
    _spec("length_constraints:number_sentences", number_sentences, num_sentences=_INT, relation=_STR),
    _spec("length_constraints:number_paragraphs", number_paragraphs, num_paragraphs=_INT),
    _spec("length_constraints:number_words", number_words, num_words=_INT, relation=_STR),
    _spec("length_constraints:nth_paragraph_first_word", nth_paragraph_first_word,
          num_paragraphs=_INT, nth_paragraph=_INT, first_word=_STR),
    _spec("detectable_content:number_placeholders", number_placeholders, num_placeholders=_INT),
    _spec("detectable_content:postscript", postscript, postscript_marker=_STR),
    _spec("detectable_format:number_bullet_lists", number_bullet_lists, num_bullets=_INT),
    _spec("detectable_format:constrained_response", constrained_response),
    _spec("detectable_format:number_highlighted_sections", number_highlighted_sections, num_highlights=_INT),
    _spec("detectable_format:multiple_sections", multiple_sections, section_spliter=_STR, num_sections=_INT),
    _spec("detectable_format:json_format", json_format),
    _spec("detectable_format:title", title),
    _spec("combination:two_responses", two_responses),
    _spec("combination:repeat_prompt", repeat_prompt, prompt_to_repeat=_STR),
    _spec("startend:end_checker", end_checker, end_phrase=_STR),
    _spec("change_case:capital_word_frequency", capital_word_frequency,
          capital_frequency=_INT, capital_relation=_STR),
    _spec("change_case:english_capital", english_capital),
    _spec("change_case:english_lowercase", english_lowercase),
    _spec("punctuation:no_comma", no_comma),
    _spec("startend:quotation", quotation),
)}

_RELATION_KEYS = ("relation", "let_relation", "capital_relation")


def validate(instruction_id: str, kwargs: dict[str, Any] | None, where: str = "",
             registry: dict[str, Instruction] | None = None, registry_name: str = "") -> dict[str, Any]:
    """Clean kwargs for ``instruction_id`` (None values dropped, floats that are ints made ints).

    ``registry`` is a checker variant's instructions (default: babelscope's own).
    InstructionError naming ``where`` (file, row, turn), the id and the offending kwarg.
    """
    at = f"{where}: " if where else ""
    registry = INSTRUCTIONS if registry is None else registry
    spec = registry.get(instruction_id)
    if spec is None:
        among = f" of the {registry_name} checkers" if registry_name else ""
        raise InstructionError(f"{at}unknown instruction id {instruction_id!r}{among} "
                               f"(known: {', '.join(sorted(registry))})")
    if kwargs is not None and not isinstance(kwargs, dict):
        raise InstructionError(f"{at}kwargs of {instruction_id} must be a JSON object, got {kwargs!r}")
    clean = {k: v for k, v in (kwargs or {}).items() if v is not None}
    extra = sorted(set(clean) - set(spec.required) - set(spec.optional))
    if extra and spec.ignores_extra:
        clean = {k: v for k, v in clean.items() if k not in extra}
    elif extra:
        expected = ", ".join(spec.required) or "none"
        raise InstructionError(f"{at}{instruction_id} does not take kwargs {', '.join(extra)} (expected: {expected})")
    missing = [k for k in spec.required if k not in clean]
    if missing:
        raise InstructionError(f"{at}{instruction_id} needs kwargs {', '.join(missing)}")
    for k, v in clean.items():
        types = {**spec.required, **spec.optional}[k]
        if isinstance(v, float) and v.is_integer() and types == _INT:
            clean[k] = v = int(v)
        if not isinstance(v, types) or (types == _INT and isinstance(v, bool)):
            raise InstructionError(f"{at}{instruction_id}: kwarg {k}={v!r} should be {types[0].__name__}")
        if k in _RELATION_KEYS and v not in spec.relations:
            raise InstructionError(f"{at}{instruction_id}: {k}={v!r} should be one of {', '.join(spec.relations)}")
    return clean


def check(instruction_id: str, response: str, kwargs: dict[str, Any], context: CheckContext | None = None) -> bool:
    """Whether ``response`` follows one instruction (kwargs already validated), by babelscope's
    rewrite; :func:`babelscope.ifeval.variants.check` takes a checker variant."""
    return bool(INSTRUCTIONS[instruction_id].check(response, kwargs, context or CheckContext()))
