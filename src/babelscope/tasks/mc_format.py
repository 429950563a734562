"""The lettered multiple-choice formulation shared by MMLU-style tasks.

"{question}\\nA. {option}\\n...\\nAnswer:" scored on the continuations " A", " B", ...: the
prompt lm-evaluation-harness uses for Global-MMLU, Belebele and their kin. Which letters and
which "Answer" word fill it is the condition's business (see literals.py), so one function
serves the English-literal, native-literal and few-shot variants alike.
"""

from __future__ import annotations

from typing import Sequence

from .base import MULTIPLE_CHOICE, Item
from .literals import ANSWER, LATIN_LETTERS, PASSAGE, QUESTION, literal, option_letters


def lettered_prompt(question: str, options: Sequence[str], letters: Sequence[str], answer_word: str,
                    question_word: str | None = None, passage: str | None = None,
                    passage_word: str | None = None) -> str:
    lines = []
    if passage is not None:
        lines.append(f"{passage_word}: {passage.strip()}" if passage_word else passage.strip())
    lines.append(f"{question_word}: {question.strip()}" if question_word else question.strip())
    lines += [f"{letter}. {opt}" for letter, opt in zip(letters, options)]
    lines.append(f"{answer_word}:")
    return "\n".join(lines)


def letters_and_words(code_language: str, literals: str, n: int, with_question: bool = False,
                      with_passage: bool = False) -> tuple[tuple[str, ...], str, str | None, str | None]:
    """(letters, answer word, question word, passage word) for the literal condition.

    "en" (and the published default) is Latin letters with English words; "native" uses the
    language's own letters and words, failing with the file to edit when one is missing.
    """
    if literals == "native":
        lang = code_language
        letters = option_letters(lang, n)
    else:
        lang = "en"
        letters = LATIN_LETTERS[:n]
    answer = literal(ANSWER, "ANSWER", lang)
    question = literal(QUESTION, "QUESTION", lang) if with_question else None
    passage = literal(PASSAGE, "PASSAGE", lang) if with_passage else None
    return tuple(letters), answer, question, passage


def lettered_item(item_id: str, prefix: str, prompt: str, letters: Sequence[str], gold: int,
                  subsets: tuple[str, ...] = (), meta: dict | None = None) -> Item:
    return Item(id=item_id, kind=MULTIPLE_CHOICE, context=prefix + prompt, target=gold,
                continuations=tuple(" " + letter for letter in letters), choice_texts=tuple(letters),
                subsets=subsets, meta=meta or {})


def demo_block(prompts_with_answers: Sequence[str]) -> str:
    """Demonstrations joined by blank lines, as lm-evaluation-harness joins few-shot examples."""
    return "".join(p + "\n\n" for p in prompts_with_answers)
