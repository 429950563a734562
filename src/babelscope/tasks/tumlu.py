"""TUMLU (Isbarov et al. 2025): school-exam questions in Turkic languages and script variants.

Data: ``data/<language>/{dev,test}/<Subject>.jsonl`` (question, choices, answer letter,
subject). Default is 5-shot with demonstrations from the dev file of the same subject, as the
authors evaluate. Answer letters are read tolerantly: a Cyrillic "А"/"В"/"С" typed for the
Latin letter (common in Cyrillic-script files and in model output) counts as that letter.
"""

from __future__ import annotations

from pathlib import Path

from .base import Condition, DataSource, Item, Task, TaskError
from .data import field, read_rows
from .mc_format import demo_block, letters_and_words, lettered_item, lettered_prompt
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


def answer_letter(raw: object) -> str | None:
    """The Latin answer letter in ``raw`` ("B", " b) ", Cyrillic "В"), or None."""
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
    default_literals = "en"
    default_shots = 5
    supports_demos_en = False  # TUMLU has no English section

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

    def _prompt(self, row: dict, letters, answer_word: str) -> tuple[str, int]:
        check_row(row, ROW)
        choices = [str(c) for c in field(row, "choices")]
        gold = answer_letter(field(row, "answer"))
        if gold is None or LETTERS.index(gold) >= len(choices):
            raise TaskError(f"{row['_where']}: answer {row['answer']!r} is not a letter of its {len(choices)} choices")
        return lettered_prompt(str(field(row, "question")), choices, letters[:len(choices)], answer_word), LETTERS.index(gold)

    def items(self, code: str, source: DataSource, condition: Condition) -> list[Item]:
        lits = self.literals_for(condition)
        shots = self.shots_for(condition)
        split = source.split or "test"
        lang_for_literals = FOLDERS[code]
        out = []
        for path in self._files(code, source, split):
            subject = path.stem
            prefix = ""
            if shots:
                dev = path.parent.parent / "dev" / path.name
                demo_rows = read_rows(dev, self.name, code)[:shots] if dev.is_file() else []
                demos = []
                for r in demo_rows:
                    letters, aw, _, _ = letters_and_words(lang_for_literals, lits, len(r.get("choices") or []) or 4)
                    p, g = self._prompt(r, letters, aw)
                    demos.append(p + " " + letters[g])
                prefix = demo_block(demos)
            for i, r in enumerate(read_rows(path, self.name, code)):
                check_row(r, ROW)
                n = len(field(r, "choices"))
                letters, aw, _, _ = letters_and_words(lang_for_literals, lits, n)
                p, gold = self._prompt(r, letters, aw)
                out.append(lettered_item(f"{subject}/{i}", prefix, p, letters, gold, subsets=(subject.lower(),)))
        return out
