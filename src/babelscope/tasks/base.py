"""What a benchmark task is: languages, a loader, a prompt builder and a scorer.

A task never calls a model. It turns dataset rows into :class:`Item` values (a context plus
either the continuations to score or the stop sequences to generate with); the evaluation
sends the items' requests through the engine and hands the responses back to the task's
scorer. Keeping tasks as pure data transformers is what lets the engine dedup, batch, cache
and resume without any task knowing.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Sequence

from ..errors import BabelscopeError, ConfigError
from ..languages import Language
from ..registry import Registry


class TaskError(BabelscopeError):
    """A task that does not exist, a language it lacks, or a malformed dataset row."""


#: Item kinds: score fixed continuations, or generate free text and extract an answer.
MULTIPLE_CHOICE = "multiple_choice"
GENERATE = "generate"


#: Values of the script condition: the items as published, or romanised with uroman.
SCRIPTS = ("native", "latin")


@dataclass(frozen=True)
class Condition:
    """How a prompt is built: literal language, demonstrations (how many, which language), script.

    ``literals`` is "native" (question/answer words, connectors in the target language), "en",
    or "default": the task's published prompt (lm-evaluation-harness's, for comparability);
    ``demos`` is "same" (demonstrations from the target language) or a language tag: the
    source S of the demonstrations, so conditions over several S and evaluations over several
    targets T give the S x T transfer matrix. ``shots=None`` means the task's own default
    (what published numbers use; see :meth:`Task.shots_for` for named demo languages).
    ``script`` is "native" or "latin" (items romanised with uroman: see romanize.py).
    """

    literals: str = "default"
    shots: int | None = None
    demos: str = "same"
    script: str = "native"

    @property
    def name(self) -> str:
        shots = "default" if self.shots is None else str(self.shots)
        base = f"lit={self.literals}|shots={shots}|demos={self.demos}"
        return base if self.script == "native" else f"{base}|script={self.script}"

    def is_default(self) -> bool:
        return self == Condition()

    def demo_language(self) -> Language | None:
        """The demonstrations' language when the condition names one (None for "same")."""
        return None if self.demos == "same" else Language.parse(self.demos)


@dataclass(frozen=True)
class Item:
    """One benchmark question, ready to become engine requests.

    For multiple choice, ``continuations`` are scored after ``context`` and ``target`` is the
    gold index; ``choice_texts`` are the bare options (their UTF-8 length normalises
    acc_norm). For generation, ``target`` is the reference answer(s) and ``stop`` ends
    generation. ``subsets`` names the slices the item counts in besides "all" (Global-MMLU's
    CS/CA/unannotated, a subject).
    """

    id: str
    kind: str
    context: str
    target: Any
    continuations: tuple[str, ...] = ()
    choice_texts: tuple[str, ...] = ()
    stop: tuple[str, ...] = ()
    max_tokens: int = 256
    subsets: tuple[str, ...] = ()
    meta: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)


class Task:
    """Base class for tasks. Subclasses set the class attributes and implement ``items``.

    ``languages`` maps the dataset's own language code to a language spelling that
    :meth:`Language.parse` resolves; ``metrics`` are the per-item score keys the evaluation
    aggregates (the first one is the headline metric).
    """

    name: ClassVar[str] = ""
    kind: ClassVar[str] = MULTIPLE_CHOICE
    description: ClassVar[str] = ""
    languages: ClassVar[dict[str, str]] = {}
    metrics: ClassVar[tuple[str, ...]] = ("acc", "acc_norm")
    #: Conditions a task can honour besides the default; others raise a ConfigError.
    supports_literals_en: ClassVar[bool] = True
    supports_shots: ClassVar[bool] = True
    supports_demos_en: ClassVar[bool] = True
    #: Whether demonstrations may come from any language the task has (transfer matrices).
    supports_demos_any: ClassVar[bool] = False
    derived: ClassVar[bool] = False
    #: What "lit=default" means for this task: the literals its published prompt uses.
    default_literals: ClassVar[str] = "native"
    default_shots: ClassVar[int] = 0
    #: Shots when a condition names a demo language but leaves shots at default and the
    #: task's own default is zero-shot: naming a demo language asks for demonstrations.
    default_demo_shots: ClassVar[int] = 3

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Every task's ``items`` honours the script condition, in this one place.

        The task builds its items in the native script (it is handed the condition with
        ``script="native"``, so a subclass calling ``super().items`` does not romanise twice)
        and the wrapper romanises the finished items when the condition asks for Latin.
        """
        super().__init_subclass__(**kwargs)
        if "items" in cls.__dict__ and not getattr(cls.__dict__["items"], "_script_aware", False):
            cls.items = _script_aware(cls.__dict__["items"])  # type: ignore[method-assign]

    def literals_for(self, cond: Condition) -> str:
        return self.default_literals if cond.literals == "default" else cond.literals

    def shots_for(self, cond: Condition) -> int:
        if cond.shots is not None:
            return cond.shots
        if cond.demos != "same" and self.default_shots == 0 and self.supports_shots:
            return self.default_demo_shots
        return self.default_shots

    def demo_code(self, code: str, cond: Condition) -> str:
        """The dataset code the demonstrations of ``cond`` are drawn from, for target ``code``."""
        return code if cond.demos == "same" else self.code_for(cond.demos)

    def language_codes(self) -> dict[str, Language]:
        """Dataset code -> resolved Language, for every language the task has."""
        return {code: Language.parse(spelling) for code, spelling in self.languages.items()}

    def code_for(self, language: Language | str) -> str:
        """The dataset's code for ``language``; TaskError listing the task's languages if absent."""
        if isinstance(language, str) and language in self.languages:
            return language
        lang = Language.parse(language)
        codes = self.language_codes()
        for code, have in codes.items():
            if have == lang:
                return code
        for code, have in codes.items():
            if have.iso639_3 == lang.iso639_3 and have.script == lang.script:
                return code
        for code, have in codes.items():
            if have.iso639_3 == lang.iso639_3:
                return code
        raise TaskError(
            f"task {self.name!r} has no language {lang.tag} ({lang.name}); it has: "
            + ", ".join(f"{c} ({codes[c].name})" for c in codes)
        )

    def check_condition(self, cond: Condition) -> None:
        """ConfigError up front when the task cannot build prompts under ``cond``."""
        if cond.literals not in ("default", "native", "en"):
            raise ConfigError(f"--conditions: lit must be 'default', 'native' or 'en', not {cond.literals!r}")
        if cond.script not in SCRIPTS:
            raise ConfigError(f"--conditions: script must be one of {', '.join(SCRIPTS)}, not {cond.script!r}")
        if cond.demos not in ("same", "en") and not self.supports_demos_any:
            raise ConfigError(
                f"task {self.name!r} draws demonstrations only from the same language or English, "
                f"not {cond.demos!r} (condition {cond.name})"
            )
        if cond.demos not in ("same", "en") and self.shots_for(cond):
            try:
                self.code_for(cond.demos)
            except TaskError as e:
                raise ConfigError(f"--conditions: demos={cond.demos}: {e}") from None
        if cond.literals == "en" and not self.supports_literals_en:
            raise ConfigError(f"task {self.name!r} has no English-literal variant (condition {cond.name})")
        if cond.shots and not self.supports_shots:
            raise ConfigError(f"task {self.name!r} has no demonstrations to draw (condition {cond.name})")
        if self.shots_for(cond) and cond.demos == "en" and not self.supports_demos_en:
            raise ConfigError(f"task {self.name!r} has no English demonstrations (condition {cond.name})")

    def items(self, code: str, source: "DataSource", condition: Condition) -> list[Item]:
        """All items of one language under one condition, in dataset order."""
        raise NotImplementedError

    def score(self, item: Item, response: Any, code: str) -> dict[str, Any]:
        """Per-item scores from the response (log-likelihoods or generated text)."""
        from ..metrics.accuracy import score_multiple_choice

        if self.kind == MULTIPLE_CHOICE:
            return score_multiple_choice(response, item.target, item.choice_texts)
        raise NotImplementedError


def _script_aware(items_fn: Any) -> Any:
    import functools
    from dataclasses import replace

    @functools.wraps(items_fn)
    def items(self: Task, code: str, source: "DataSource", condition: Condition) -> list[Item]:
        if condition.script == "native":
            return items_fn(self, code, source, condition)
        native = items_fn(self, code, source, replace(condition, script="native"))
        from ..romanize import romanize_items

        lang = self.language_codes().get(code) or Language.parse(code)
        if lang.script == "Latn":
            return native  # already Latin: uroman would only strip diacritics (Yoruba's tones)
        return romanize_items(native, lang.iso639_3)

    items._script_aware = True  # type: ignore[attr-defined]
    return items


@dataclass(frozen=True)
class DataSource:
    """Where a task reads its data: a local folder (always works) or the hub (online only)."""

    data_dir: Path | None = None
    split: str | None = None

    def require_dir(self, task: str) -> Path:
        if self.data_dir is None:
            raise TaskError(f"task {task!r}: no --data-dir given and the hub is not reachable")
        if not self.data_dir.is_dir():
            raise TaskError(f"task {task!r}: --data-dir {self.data_dir} is not a folder")
        return self.data_dir


# -- registry ---------------------------------------------------------------------------------

#: Lazy "module:Class" entries: importing a task pulls in its loader only when it is asked for.
#: Plugins add tasks through the ``babelscope.tasks`` entry-point group.
TASKS = Registry("tasks", {
    "xcopa": "babelscope.tasks.xcopa:XCOPA",
    "global_mmlu": "babelscope.tasks.global_mmlu:GlobalMMLU",
    "global_mmlu_lite": "babelscope.tasks.global_mmlu:GlobalMMLULite",
    "belebele": "babelscope.tasks.belebele:Belebele",
    "mgsm": "babelscope.tasks.mgsm:MGSM",
    "tumlu": "babelscope.tasks.tumlu:TUMLU",
    "m3exam": "babelscope.tasks.m3exam:M3Exam",
    "blend": "babelscope.tasks.blend:BLEnD",
    "flores_translation": "babelscope.tasks.flores_translation:FloresTranslation",
    "udhr_continuation": "babelscope.tasks.udhr_continuation:UDHRContinuation",
}, what="task", normalise=lambda s: s.strip().lower().replace("-", "_"))


def task_names() -> list[str]:
    return list(TASKS)


def get_task(name: str) -> Task:
    """A task instance by name; unknown names raise TaskError with the closest names."""
    key = name.strip().lower().replace("-", "_")
    entry = TASKS.get(key)
    if entry is None:
        close = difflib.get_close_matches(key, list(TASKS), n=3, cutoff=0.5)
        hint = f"; did you mean: {', '.join(close)}?" if close else ""
        raise TaskError(f"unknown task {name!r}{hint} (available: {', '.join(TASKS)})")
    return entry.load()()


def get_tasks(names: Sequence[str]) -> list[Task]:
    return [get_task(n) for n in names]
