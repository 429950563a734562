"""TUMLU (Isbarov et al. 2025): school-exam questions in Turkic languages and script variants.

Data: ``data/<language>/{dev,test}/<Subject>.jsonl`` (question, choices, answer letter,
subject). Default is 5-shot with demonstrations from the dev file of the same subject, as the
authors evaluate, in the authors' prompt: the language's own question and answer words and
"A)" labels ("Sual: ...\nA) ...\n\nCavab: A"). Gold letters are read tolerantly: a Cyrillic
"А"/"В"/"С" typed for the Latin letter (common in Cyrillic-script files) counts as that
letter. A generated response is read with the authors' pattern set (extraction.tumlu_letter).
The authors read the output of chat models, which restate the answer ("Cavab: B" or "B) ...");
a completion model continues the prompt's "Cavab:" with just " B", which their patterns never
match. So ``acc`` reads the answer line as the prompt ends it ("Cavab:" + response) when the
response alone gives nothing; ``acc_strict`` is the authors' reading of the response alone, and
the two differ only on responses the authors' reader finds no letter in.

The paper's headline per language is the mean of per-subject accuracies, leaving out logic,
world history, philosophy, religion, human & society and computer science; that figure is
the ``acc_subject_macro`` metric beside the pooled ``acc``.
"""

from __future__ import annotations

from pathlib import Path

import re
from typing import Any

from .base import GENERATE, Condition, DataSource, Item, Task, TaskError
from .data import field, read_rows
from .extraction import TUMLU_ANSWER_WORDS, TUMLU_QUESTION_WORDS, tumlu_letter
from .mc_format import lettered_item
from .schema import TEXT, Spec, check_row

#: What every TUMLU row must hold.
ROW = {"question": TEXT, "choices": Spec("text_list", min_items=2, allow_empty=True), "answer": TEXT}

FOLDERS = {
    "azerbaijani": "az", "crimean-tatar": "crh", "karakalpak": "kaa", "kazakh": "kk",
    "kazakh-latin": "kk-Latn", "kyrgyz": "ky", "tatar": "tt", "turkish": "tr", "turkmen": "tk",
    "uyghur": "ug", "uzbek": "uz", "uzbek-cyrillic": "uz-Cyrl",
}
LETTERS = ("A", "B", "C", "D", "E")
#: Cyrillic (and Greek) letters that look like Latin answer letters.
LOOKALIKES = {"А": "A", "В": "B", "С": "C", "Д": "D", "Е": "E", "Б": "B", "Α": "A", "Β": "B", "Ε": "E",
              "а": "A", "в": "B", "с": "C", "д": "D", "е": "E", "б": "B"}


#: Subjects the paper leaves out of its per-language average (names folded by subject_key).
EXCLUDED_SUBJECTS = frozenset({"logic", "world history", "philosophy", "religion", "human & society",
                               "human and society", "computer science"})


def subject_key(name: str) -> str:
    """'World_History' / 'world-history' / 'Human-and-Society' -> 'world history' / 'human & society'."""
    return re.sub(r"[\s_\-]+", " ", name.strip().lower()).replace(" and ", " & ")


def subject_macro(subjects: list[str], scores: list[float]) -> float | None:
    """Mean over subjects (minus the paper's exclusions) of per-subject accuracy."""
    per: dict[str, list[float]] = {}
    for sub, sc in zip(subjects, scores):
        if subject_key(sub) not in EXCLUDED_SUBJECTS:
            per.setdefault(sub, []).append(sc)
    return sum(sum(v) / len(v) for v in per.values()) / len(per) if per else None


def tumlu_prompt(question: str, choices: list[str], question_word: str, answer_word: str) -> str:
    """The authors' TEST_PROMPTS layout, ending at the answer word's colon."""
    lines = "\n".join(f"{chr(65 + i)}) {c}" for i, c in enumerate(choices))
    return f"{question_word}: {question}\n{lines}\n\n{answer_word}:"


def answer_letter(raw: object) -> str | None:
    """The Latin gold letter in ``raw`` ("B", " b) ", Cyrillic "В"), or None."""
    text = str(raw or "").strip().strip("().:").strip()
    if not text:
        return None
    ch = LOOKALIKES.get(text[0], text[0].upper())
    return ch if ch in LETTERS else None


class TUMLU(Task):
    name = "tumlu"
    description = "TUMLU Turkic-language school exams (5-shot from dev)"
    languages = dict(FOLDERS)
    metrics = ("acc",)
    default_literals = "native"
    default_shots = 5
    supports_demos_en = False  # TUMLU has no English section
    supports_generate = True

    def language_codes(self):
        from ..languages import Language

        return {code: Language.parse(tag) for code, tag in FOLDERS.items()}

    def _files(self, code: str, source: DataSource, split: str) -> list[Path]:
        d = source.require_dir(self.name)
        root = d / "data" if (d / "data" / code).is_dir() else d
        files = sorted((root / code / split).glob("*.jsonl"))
        if not files:
            raise TaskError(f"task 'tumlu', language {code}: no {root / code / split}/*.jsonl files")
        return files

    def _words(self, code: str, lits: str) -> tuple[str, str]:
        if lits == "en":
            return "Question", "Answer"
        return TUMLU_QUESTION_WORDS[code], TUMLU_ANSWER_WORDS[code]

    def _prompt(self, row: dict, words: tuple[str, str]) -> tuple[str, list[str], int]:
        choices = [str(c) for c in field(row, "choices")]
        gold = answer_letter(field(row, "answer"))
        if gold is None or LETTERS.index(gold) >= len(choices):
            raise TaskError(f"{row['_where']}: answer {row['answer']!r} is not a letter of its {len(choices)} choices")
        return tumlu_prompt(str(field(row, "question")), choices, *words), choices, LETTERS.index(gold)

    def items(self, code: str, source: DataSource, condition: Condition) -> list[Item]:
        words = self._words(code, self.literals_for(condition))
        shots = self.shots_for(condition)
        generate = condition.formulation == "generate"
        split = source.split or "test"
        out = []
        for path in self._files(code, source, split):
            subject = path.stem
            prefix = ""
            if shots:
                dev = path.parent.parent / "dev" / path.name
                demo_rows = read_rows(dev, self.name, code)[:shots] if dev.is_file() else []
                prefix = "".join(p + " " + LETTERS[g] + "\n\n" for p, _, g in (self._prompt(r, words) for r in demo_rows))
            for i, r in enumerate(read_rows(path, self.name, code)):
                check_row(r, ROW)
                p, choices, gold = self._prompt(r, words)
                letters = LETTERS[:len(choices)]
                meta = {"subject": subject, "question": str(r.get("question", "")), "options": choices,
                        "gold_label": letters[gold]}
                if generate:
                    out.append(Item(id=f"{subject}/{i}", kind=GENERATE, context=prefix + p, target=gold,
                                    stop=("\n\n",), max_tokens=32, subsets=(subject.lower(),),
                                    meta={**meta, "formulation": "generate", "labels": list(letters)}))
                else:
                    out.append(lettered_item(f"{subject}/{i}", prefix, p, letters, gold,
                                             subsets=(subject.lower(),), meta=meta))
        return out

    def extract(self, response: str, code: str, item: Item) -> str | None:
        got = tumlu_letter(response, code)
        if got is None and item.context.endswith(":"):
            # the answer line as a completion model writes it: the prompt's "Cavab:" + the response
            got = tumlu_letter(item.context.rsplit("\n", 1)[-1] + response, code)
        return got

    def metrics_for(self, cond: Condition) -> tuple[str, ...]:
        base = super().metrics_for(cond)
        return (*base, "acc_strict") if cond.formulation == "generate" else base

    def score_generated(self, item: Item, response: Any, code: str, shown=None) -> dict[str, Any]:
        out = super().score_generated(item, response, code, shown)
        strict = None if response is None else tumlu_letter(str(response), code)
        out["extracted_strict"] = strict
        out["acc_strict"] = float(self.is_correct(item, strict, shown))
        return out

    def corpus_scores(self, items: list[Item], scores: list[dict[str, Any]]) -> dict[str, float]:
        """The paper's per-language figure: subject macro-average with its exclusions."""
        subjects = [str(it.meta.get("subject", "")) for it in items]
        if len(set(subjects)) < 2:
            return {}
        value = subject_macro(subjects, [float(s.get("acc") or 0.0) for s in scores])
        return {} if value is None else {"acc_subject_macro": value}
