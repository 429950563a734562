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


@dataclass(frozen=True)
class Condition:
    """How a prompt is built: literal language, number of demonstrations and their language.

    ``literals`` is "native" (question/answer words, connectors in the target language), "en",
    or "default": the task's published prompt (lm-evaluation-harness's, for comparability);
    ``demos`` is "same" (demonstrations from the target language) or "en". ``shots=None``
    means the task's own default (what published numbers use).
    """

    literals: str = "default"
    shots: int | None = None
    demos: str = "same"

    @property
    def name(self) -> str:
        shots = "default" if self.shots is None else str(self.shots)
        return f"lit={self.literals}|shots={shots}|demos={self.demos}"

    def is_default(self) -> bool:
        return self == Condition()


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
    derived: ClassVar[bool] = False
    #: What "lit=default" means for this task: the literals its published prompt uses.
    default_literals: ClassVar[str] = "native"
    default_shots: ClassVar[int] = 0

    def literals_for(self, cond: Condition) -> str:
        return self.default_literals if cond.literals == "default" else cond.literals

    def shots_for(self, cond: Condition) -> int:
        return self.default_shots if cond.shots is None else cond.shots

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
        if cond.demos not in ("same", "en"):
            raise ConfigError(f"--conditions: demos must be 'same' or 'en', not {cond.demos!r}")
        if cond.literals == "en" and not self.supports_literals_en:
            raise ConfigError(f"task {self.name!r} has no English-literal variant (condition {cond.name})")
        if cond.shots and not self.supports_shots:
            raise ConfigError(f"task {self.name!r} has no demonstrations to draw (condition {cond.name})")
        if cond.shots and cond.demos == "en" and not self.supports_demos_en:
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
