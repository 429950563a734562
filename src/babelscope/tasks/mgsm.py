"""MGSM (Shi et al. 2022): grade-school maths in 11 languages, answered by generation.

The prompt is the benchmark's own native chain-of-thought form ("{Question word} {question}\\n
{Step-by-step answer word}"), with up to 8 demonstrations from its exemplars (same language or
English). Scoring extracts the final number from the response in any script (numbers.py) and
compares it with the gold number; responses with no number at all are counted per language as
extraction failures, so an extractor problem is visible and not mistaken for wrong answers.

Beside that, ``exact_match_strict`` and ``exact_match_flexible`` are lm-evaluation-harness's
two published filters (the language's "The answer is N" regex; the last number-like string),
the figures published MGSM tables use (extraction.mgsm_*). They read ASCII digits only.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .base import GENERATE, Condition, DataSource, Item, Task, TaskError
from .data import field, first_existing, hub_rows, read_tsv
from .literals import MGSM_ANSWER, MGSM_ANSWER_IS, MGSM_QUESTION, literal
from .extraction import mgsm_exact_match, mgsm_flexible, mgsm_strict
from .numbers import extract_answer, numbers_in, same_number
from .schema import TEXT, check_row

#: What every MGSM row must hold.
ROW = {"question": TEXT, "answer": TEXT}

LANGS = ("bn", "de", "en", "es", "fr", "ja", "ru", "sw", "te", "th", "zh")


class MGSM(Task):
    name = "mgsm"
    kind = GENERATE
    description = "MGSM grade-school maths (generation, native chain of thought)"
    languages = {c: c for c in LANGS}
    supports_demos_any = True
    metrics = ("exact_match", "extraction_failure", "exact_match_strict", "exact_match_flexible")
    default_literals = "native"
    default_shots = 0
    max_tokens = 256

    def _dir(self, source: DataSource) -> Path:
        d = source.require_dir(self.name)
        return d / "mgsm" if (d / "mgsm").is_dir() and not any(d.glob("mgsm_*.tsv")) else d

    def rows(self, code: str, source: DataSource) -> list[dict]:
        if source.data_dir is None:
            rows = hub_rows(self.name, code, "juletxara/mgsm", code, "test")
            return [{**r, "answer": r.get("answer_number")} for r in rows]
        d = self._dir(source)
        return read_tsv(first_existing([d / f"mgsm_{code}.tsv"], self.name, code), self.name, code,
                        ("question", "answer"))

    def exemplars(self, code: str, source: DataSource) -> list[tuple[str, str]]:
        """(question, worked answer) pairs, already carrying their language's prefixes."""
        d = self._dir(source)
        path = first_existing([d / "exemplars.json"], self.name, code)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))["MGSM_EXEMPLARS"][code]
            return [(v["q"], v["a"]) for _, v in sorted(data.items(), key=lambda kv: int(kv[0]))]
        except (KeyError, ValueError, TypeError) as e:
            raise TaskError(f"task 'mgsm', language {code}: {path} has no usable MGSM_EXEMPLARS[{code!r}] ({e})") from None

    def items(self, code: str, source: DataSource, condition: Condition) -> list[Item]:
        lit = "en" if self.literals_for(condition) == "en" else code
        q_word = literal(MGSM_QUESTION, "MGSM_QUESTION", lit)
        a_word = literal(MGSM_ANSWER, "MGSM_ANSWER", lit)
        shots = self.shots_for(condition)
        prefix = ""
        if shots:
            demo_code = self.demo_code(code, condition)  # h-transfer: any demo language
            demos = self.exemplars(demo_code, source)[:shots]
            prefix = "".join(f"{q}\n{a}\n\n" for q, a in demos)
        out = []
        for i, r in enumerate(self.rows(code, source)):
            check_row(r, ROW)
            question = str(field(r, "question")).strip()
            gold = numbers_in(str(field(r, "answer")))
            if len(gold) != 1:
                raise TaskError(f"{r['_where']}: answer {r['answer']!r} is not a single number")
            out.append(Item(
                id=str(i), kind=GENERATE, context=f"{prefix}{q_word} {question}\n{a_word}",
                target=gold[0], stop=("\n\n", q_word), max_tokens=self.max_tokens,
            ))
        return out

    def score(self, item: Item, response: Any, code: str) -> dict[str, Any]:
        phrases = tuple(p for p in {literal(MGSM_ANSWER_IS, "MGSM_ANSWER_IS", code),
                                    literal(MGSM_ANSWER_IS, "MGSM_ANSWER_IS", "en")})
        text = "" if response is None else str(response)
        got = extract_answer(text, phrases) if response is not None else None
        strict, flexible = mgsm_strict(text, code), mgsm_flexible(text)
        return {
            "response": None if response is None else text,
            "extracted": got,
            "exact_match": float(same_number(got, item.target)),
            "extraction_failure": float(got is None),
            "extracted_strict": strict,
            "exact_match_strict": float(mgsm_exact_match(strict, item.target)),
            "exact_match_flexible": float(mgsm_exact_match(flexible, item.target)),
        }
