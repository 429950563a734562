"""M3Exam (Zhang et al. 2023), text-only questions: real school exams in 9 languages.

Published layout: ``text-question/<language>-questions-{dev,test}.json`` (a JSON list) with
question_text, options like "(1) ..." / "A. ...", answer_text, background_description and
need_image. Questions that need an image are dropped (the text-only subset). The option's own
label prefix is stripped and re-lettered, so every language is scored the same way.

The generative formulation is the authors' zero-shot prompt (main.py: the language's hint
and "only give the option" instruction, background, question, the options with their own
labels, the language's answer word) read with their eval.py rule (extraction.m3exam_*).
Items count in a ``level:<low|mid|high>`` subset, M3Exam's per-level breakdown.
"""

from __future__ import annotations

import re


from .base import GENERATE, Condition, DataSource, Item, Task, TaskError
from .data import field, first_existing, read_rows
from .extraction import m3exam_prediction
from .mc_format import demo_block, letters_and_words, lettered_item, lettered_prompt
from .schema import TEXT, Spec, check_row

#: What every M3Exam row must hold.
ROW = {"question_text": TEXT, "options": Spec("text_list", min_items=2, allow_empty=True), "answer_text": TEXT}

LANGS = {"english": "en", "chinese": "zh", "italian": "it", "javanese": "jv", "thai": "th",
         "vietnamese": "vi", "swahili": "sw", "afrikaans": "af", "portuguese": "pt"}
_LABEL = re.compile(r"^\s*(?:\(?\s*(?:[0-9]+|[A-Za-z]|[ก-ฮ]|[١-٩])\s*[).:：、．]\s*)")


#: The authors' answer words (main.py generate_one_example).
ANSWER_WORDS = {"english": "Answer:", "chinese": "答案：", "vietnamese": "Câu trả lời:", "thai": "คำตอบ:",
                "italian": "La risposta:", "javanese": "Wangsulan:", "swahili": "Jibu:", "afrikaans": "Antwoord:",
                "portuguese": "Responder:"}
#: The authors' zero-shot instruction per language (main.py generate_prompt, method=default).
HINTS = {
    "english": "The following is a multiple choice question about {s}. Please only give the correct option, without any other details or explanations.",
    "chinese": "以下是关于{s}的单项选择题。 请仅给出正确选项对应的选项序号而非其他细节。",
    "thai": "ต่อไปนี้เป็นคำถามแบบปรนัย วิชา{s}. โปรดระบุคำตอบเป็นตัวเลือกที่ถูกต้องโดยไม่ต้องให้รายละเอียดอื่นเพิ่มเติม.",
    "vietnamese": "Sau đây là các câu hỏi trắc nghiệm về {s}. Vui lòng chỉ đưa ra phương án đúng, không có bất kỳ chi tiết hay giải thích nào khác.",
    "italian": "Le seguenti sono domande a risposta multipla su {s}. Dai solo l'opzione corretta, senza altri dettagli o spiegazioni",
    "javanese": "Ing ngisor iki ana pitakon pilihan ganda babagan Bahasa Jawa. Nyuwun paringaken pilihan wangsulan ingkang leres mawon, tanpa detail utawi penjelasan sanesipun.",
    "afrikaans": "Die volgende is veelvuldige keuse vrae oor {s}. Gee asseblief net die korrekte opsie, sonder enige ander besonderhede of verduidelikings.",
    "swahili": "Yafuatayo ni maswali ya chaguo nyingi kuhusu Kiswahili. Tafadhali toa chaguo sahihi pekee, bila maelezo yoyote au maelezo.",
    "portuguese": "A seguir estão questões de múltipla escolha sobre {s}. Por favor, dê apenas a opção correta, sem quaisquer outros detalhes ou explicações.",
}
SUBJECTS = {
    "english": {"language": "English", "math": "Math", "social-science": "Social Science", "natural-science": "Natural Science"},
    "chinese": {"language": "语文", "math": "数学", "social-science": "社会科学", "natural-science": "自然科学"},
    "thai": {"language": "ภาษาไทย", "math": "คณิตศาสตร์", "social-science": "สังคมศึกษา", "natural-science": "วิทยาศาสตร์"},
    "vietnamese": {"language": "Tiếng Việt", "math": "Toán", "social-science": "Khoa học xã hội", "natural-science": "Khoa học tự nhiên"},
    "italian": {"language": "Italiano", "math": "Matematica", "social-science": "Scienze sociali", "natural-science": "Scienze naturali"},
    "afrikaans": {"language": "Afrikaans Huistaal", "math": "Wiskunde", "social-science": "Sosiale Wetenskappe", "natural-science": "Natuurwetenskap"},
    "portuguese": {"language": "Linguagens", "math": "Matemática", "social-science": "Ciências Humanas", "natural-science": "Ciências da Natureza"},
}


def option_label(option: str) -> str:
    """The label an option carries ('(2) Roma' -> '2', 'B. Dodoma' -> 'B'), '' if none."""
    m = _LABEL.match(option)
    return m.group(0).strip().strip("().:：、．").strip() if m else ""


def _example(r: dict, code: str, fill: bool = False) -> str:
    bg = r.get("background_description") or []
    background = "\n" + "\n".join(map(str, bg)) if isinstance(bg, list) and bg else ("\n" + str(bg) if bg and not isinstance(bg, list) else "")
    text = background + "\n" + str(field(r, "question_text")) + "\n" + "\n".join(map(str, field(r, "options"))) + "\n" + ANSWER_WORDS[code]
    return text + str(r.get("answer_text", "")) if fill else text


def m3exam_generate_prompt(r: dict, code: str, demos: list[dict] = ()) -> str:
    """The authors' prompt for one question (method=default): hint, demonstrations, question."""
    cat = str(r.get("subject_category") or "")
    subject = SUBJECTS.get(code, {}).get(cat, cat)
    shots = "".join(_example(d, code, fill=True) + "\n\n" for d in demos)
    return HINTS[code].format(s=subject) + "\n\n" + shots + _example(r, code)


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
    supports_generate = True

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
        if shots and condition.formulation != "generate":
            demo_code = "english" if condition.demos == "en" else code
            demos = []
            for r in self.rows(demo_code, source, "dev")[:shots]:
                p, letters, g = self._prompt(r, lits, demo_code)
                demos.append(p + " " + letters[g])
            prefix = demo_block(demos)
        gen_demos = self.rows(code, source, "dev")[:shots] if shots and condition.formulation == "generate" else []
        out = []
        for i, r in enumerate(self.rows(code, source, source.split or "test")):
            p, letters, gold = self._prompt(r, lits, code)
            subsets = (f"level:{r['level']}",) if r.get("level") else ()
            options = [str(o) for o in r["options"]]
            meta = {"question": str(r.get("question_text", "")), "subject": r.get("subject_category"),
                    "options": [strip_label(o) for o in options], "level": r.get("level")}
            qid = str(r.get("question_id") or i)
            if condition.formulation == "generate":
                labels = [option_label(o) or letters[j] for j, o in enumerate(options)]
                out.append(Item(id=qid, kind=GENERATE, context=m3exam_generate_prompt(r, code, gen_demos), target=gold,
                                max_tokens=128, subsets=subsets,
                                meta={**meta, "formulation": "generate", "labels": labels,
                                      "gold_label": str(r["answer_text"]).strip()}))
            else:
                out.append(lettered_item(qid, prefix, p, letters, gold, subsets=subsets, meta=meta))
        return out

    def extract(self, response: str, code: str, item: Item) -> str | None:
        """eval.py's prediction; one that names no option label counts as a failure (and wrong)."""
        pred = m3exam_prediction(response)
        return pred if pred in (item.meta.get("labels") or []) else None
