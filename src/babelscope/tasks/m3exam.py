"""M3Exam (Zhang et al. 2023), text-only questions: real school exams in 9 languages.

Published layout: ``text-question/<language>-questions-{dev,test}.json`` (a JSON list) with
question_text, options like "(1) ..." / "A. ...", answer_text, background_description and
need_image. Questions that need an image are dropped (the text-only subset). The option's own
label prefix is stripped and re-lettered, so every language is scored the same way.
"""

from __future__ import annotations

import re

from .base import Condition, DataSource, Item, Task, TaskError
from .data import field, first_existing, read_rows
from .mc_format import demo_block, letters_and_words, lettered_item, lettered_prompt
from .schema import TEXT, Spec, check_row

#: What every M3Exam row must hold.
ROW = {"question_text": TEXT, "options": Spec("text_list", min_items=2, allow_empty=True), "answer_text": TEXT}

LANGS = {"english": "en", "chinese": "zh", "italian": "it", "javanese": "jv", "thai": "th",
         "vietnamese": "vi", "swahili": "sw", "afrikaans": "af", "portuguese": "pt"}
_LABEL = re.compile(r"^\s*(?:\(?\s*(?:[0-9]+|[A-Za-z]|[ก-ฮ]|[١-٩])\s*[).:：、．]\s*)")


def strip_label(option: str) -> str:
    """'(1) Paris' / 'A. Paris' / 'ก. ปารีส' -> 'Paris'."""
    return _LABEL.sub("", option, count=1).strip()


def gold_index(answer: object, options: list[str], where: str) -> int:
    text = str(answer).strip().strip("().").strip()
    if text.isdigit() and 1 <= int(text) <= len(options):
        return int(text) - 1
    if len(text) == 1 and text.upper() in "ABCDE"[:len(options)]:
        return "ABCDE".index(text.upper())
    for i, o in enumerate(options):  # some languages label options with native letters
        if _LABEL.match(o) and o.strip().lstrip("(").startswith(text):
            return i
    raise TaskError(f"{where}: answer_text {answer!r} names none of the {len(options)} options")


class M3Exam(Task):
    name = "m3exam"
    description = "M3Exam text-only school-exam questions (9 languages)"
    languages = dict(LANGS)
    metrics = ("acc",)
    default_literals = "en"

    def language_codes(self):
        from ..languages import Language

        return {code: Language.parse(tag) for code, tag in LANGS.items()}

    def rows(self, code: str, source: DataSource, split: str) -> list[dict]:
        d = source.require_dir(self.name)
        path = first_existing([d / "text-question" / f"{code}-questions-{split}.json",
                               d / f"{code}-questions-{split}.json"], self.name, code)
        return [r for r in read_rows(path, self.name, code) if str(r.get("need_image", "no")).lower() != "yes"]

    def _prompt(self, r: dict, lits: str, code: str) -> tuple[str, tuple[str, ...], int]:
        check_row(r, ROW)
        options = [str(o) for o in field(r, "options")]
        gold = gold_index(field(r, "answer_text"), options, r["_where"])
        letters, aw, _, _ = letters_and_words(LANGS[code], lits, len(options))
        question = str(field(r, "question_text"))
        bg = str(r.get("background_description") or "").strip()
        if bg and bg not in ("[]", "None"):
            question = bg + "\n" + question
        return lettered_prompt(question, [strip_label(o) for o in options], letters, aw), letters, gold

    def items(self, code: str, source: DataSource, condition: Condition) -> list[Item]:
        lits = self.literals_for(condition)
        shots = self.shots_for(condition)
        prefix = ""
        if shots:
            demo_code = "english" if condition.demos == "en" else code
            demos = []
            for r in self.rows(demo_code, source, "dev")[:shots]:
                p, letters, g = self._prompt(r, lits, demo_code)
                demos.append(p + " " + letters[g])
            prefix = demo_block(demos)
        out = []
        for i, r in enumerate(self.rows(code, source, source.split or "test")):
            p, letters, gold = self._prompt(r, lits, code)
            out.append(lettered_item(str(r.get("question_id") or i), prefix, p, letters, gold))
        return out
