"""XCOPA (Ponti et al. 2020): causal commonsense reasoning in 11 languages.

The prompt is lm-evaluation-harness's, so numbers compare with published ones: the premise
stripped and without its final character (the full stop), a space, the language's connector
for "cause" or "effect"; each choice with its first letter lower-cased, scored as the
continuation " " + choice. Demonstrations (few-shot conditions) come from the validation
split, joined with a blank line as lm-evaluation-harness joins them.

The generative formulation asks the premise with the language's cause/effect connector, the
two alternatives as "A) ..." / "B) ..." and the language's answer word; XCOPA's authors
publish no extractor, so the letter is read by extraction.lettered_answer.
"""

from __future__ import annotations

import random
from .base import GENERATE, MULTIPLE_CHOICE, Condition, DataSource, Item, Task, TaskError
from .data import field, first_existing, hub_rows, read_rows
from .extraction import lettered_answer
from .literals import ANSWER, XCOPA_CONNECTORS, LiteralError, literal
from .schema import TEXT, Spec, check_row

HUB_REPO = "cambridgeltl/xcopa"

#: What every XCOPA row must hold (an empty choice would have no first letter to lower-case).
ROW = {"premise": TEXT, "question": Spec("text", allowed=("cause", "effect")), "choice1": TEXT,
       "choice2": TEXT, "label": Spec("int", allowed=(0, 1))}


def xcopa_context(premise: str, question: str, connectors: tuple[str, str]) -> str:
    if question not in ("cause", "effect"):
        raise ValueError(question)
    conn = connectors[0] if question == "cause" else connectors[1]
    return premise.strip()[:-1] + f" {conn}"


def xcopa_choice(choice: str) -> str:
    return choice[0].lower() + choice[1:]


class XCOPA(Task):
    name = "xcopa"
    kind = MULTIPLE_CHOICE
    description = "XCOPA causal commonsense reasoning (lm-evaluation-harness prompt)"
    languages = {c: c for c in ("et", "ht", "id", "it", "qu", "sw", "ta", "th", "tr", "vi", "zh")}
    metrics = ("acc", "acc_norm")
    supports_demos_en = False  # XCOPA has no English split; COPA is a different dataset
    supports_demos_any = True
    supports_generate = True

    def _answer_word(self, code: str, condition: Condition) -> str:
        if self.literals_for(condition) == "en":
            return "Answer"
        try:
            return str(literal(ANSWER, "ANSWER", code))
        except LiteralError:
            return "Answer"

    def extract(self, response: str, code: str, item: Item) -> str | None:
        return lettered_answer(response, ("A", "B"), (item.meta.get("answer_word", "Answer"),))

    def rows(self, code: str, source: DataSource, split: str) -> list[dict]:
        file_split = "val" if split in ("validation", "val") else split
        if source.data_dir is None:
            return hub_rows(self.name, code, HUB_REPO, code, "validation" if file_split == "val" else split)
        d = source.require_dir(self.name)
        path = first_existing(
            [d / "data" / code / f"{file_split}.{code}.jsonl", d / code / f"{file_split}.{code}.jsonl",
             d / f"{file_split}.{code}.jsonl"], self.name, code)
        return read_rows(path, self.name, code)

    def items(self, code: str, source: DataSource, condition: Condition) -> list[Item]:
        connectors = literal(XCOPA_CONNECTORS, "XCOPA_CONNECTORS", "en" if self.literals_for(condition) == "en" else code)
        docs = self.rows(code, source, source.split or "test")
        prefix = ""
        shots = self.shots_for(condition)
        if shots:
            demo_code = self.demo_code(code, condition)  # h-transfer: demonstrations in any language
            demos = self.rows(demo_code, source, "val")
            d_conn = connectors if demo_code == code else literal(
                XCOPA_CONNECTORS, "XCOPA_CONNECTORS", "en" if self.literals_for(condition) == "en" else demo_code)
            rng = random.Random(1234)
            picked = rng.sample(demos, min(shots, len(demos)))
            parts = []
            for d in picked:
                c, conts, gold, _ = self._build(d, d_conn, demo_code)
                parts.append(c + conts[gold])
            prefix = "\n\n".join(parts) + "\n\n"
        out = []
        word = self._answer_word(code, condition)
        for i, d in enumerate(docs):
            ctx, conts, gold, choices = self._build(d, connectors, code)
            if condition.formulation == "generate":
                text = f"{ctx}...\nA) {choices[0]}\nB) {choices[1]}\n{word}:"
                out.append(Item(id=str(d.get("idx", i)), kind=GENERATE, context=text,
                                target=gold, max_tokens=32,
                                meta={"question": d["question"], "options": list(choices), "formulation": "generate",
                                      "labels": ["A", "B"], "gold_label": "AB"[gold], "answer_word": word}))
                continue
            out.append(Item(id=str(d.get("idx", i)), kind=MULTIPLE_CHOICE, context=prefix + ctx,
                            target=gold, continuations=conts, choice_texts=choices,
                            meta={"question": d["question"]}))
        return out

    def _build(self, d: dict, connectors: tuple[str, str], code: str):
        check_row(d, ROW)
        premise = str(field(d, "premise"))
        question = str(field(d, "question"))
        choices = (xcopa_choice(str(field(d, "choice1"))), xcopa_choice(str(field(d, "choice2"))))
        label = field(d, "label")
        if question not in ("cause", "effect"):
            raise TaskError(f"{d['_where']}: question must be 'cause' or 'effect', not {question!r}")
        try:
            gold = int(label)
        except (TypeError, ValueError):
            raise TaskError(f"{d['_where']}: label {label!r} is not 0 or 1") from None
        if gold not in (0, 1):
            raise TaskError(f"{d['_where']}: label {label!r} is not 0 or 1")
        ctx = xcopa_context(premise, question, connectors)
        return ctx, tuple(" " + c for c in choices), gold, choices

