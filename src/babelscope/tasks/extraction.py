"""Reading the answer out of a free-text response, the way each benchmark's authors read it.

A generative score is only comparable with a published one when the answer is extracted with
the same rules: a more lenient extractor raises accuracy, a stricter one lowers it, and either
moves languages by different amounts (answer words, label styles and scripts differ). Each
function here restates one benchmark's published rules (the source is named in its
docstring); where babelscope goes beyond them (languages the authors never ran), the
docstring says so. Returning ``None`` means "no answer found": an extraction failure, counted
per language, never a silent wrong answer.
"""

from __future__ import annotations

import re
import string
from typing import Sequence

# -- TUMLU (ceferisbarov/TUMLU, scripts/utils.py: find_matching_pattern) -----------------------

#: The authors' ANSWER_DICT, keyed by TUMLU's folder names. The last four are babelscope's
#: additions for folders the authors' dictionary lacks (their own answer words in
#: tasks/literals.py), so those languages are scored by the same patterns.
TUMLU_ANSWER_WORDS: dict[str, str] = {
    "uzbek": "Javob", "crimean-tatar": "Cevap", "crimean-tatar-cyrillic": "Джевап", "tatar": "Җавап",
    "kazakh": "Жауап", "karakalpak": "Juwap", "turkish": "Cevap", "uyghur": "جاۋاب", "azerbaijani": "Cavab",
    # babelscope additions (not in the authors' ANSWER_DICT):
    "kazakh-latin": "Jauap", "uzbek-cyrillic": "Жавоб", "kyrgyz": "Жооп", "turkmen": "Jogap",
}
#: The authors' QUESTION_DICT (same keys; the additions again babelscope's).
TUMLU_QUESTION_WORDS: dict[str, str] = {
    "uzbek": "Savol", "crimean-tatar": "Sual", "tatar": "Сорау", "kazakh": "Сұрақ", "karakalpak": "Soraw",
    "turkish": "Soru", "uyghur": "سوئال", "azerbaijani": "Sual",
    "kazakh-latin": "Suraq", "uzbek-cyrillic": "Савол", "kyrgyz": "Суроо", "turkmen": "Sorag",
}
_TUMLU_FOLD = str.maketrans({"А": "A", "В": "B", "Б": "B", "С": "C", "Д": "D"})


def tumlu_letter(text: str, language: str) -> str | None:
    """TUMLU's answer letter: the first of A, B, C, D (in that order) whose pattern occurs.

    As the authors do: whitespace runs become one space, '*' is removed, Cyrillic А В Б С Д
    become Latin A B B C D; then for A, then B, C, D, the patterns "X)", "Word: X",
    "word: X", "Word X)", "word X)", "Word X ", "word X " are searched anywhere. So a response
    naming two letters gets the earlier one in the alphabet, and E is never read.
    """
    word = TUMLU_ANSWER_WORDS.get(language)
    if word is None:
        raise KeyError(f"TUMLU has no answer word for {language!r}")
    t = re.sub(r"\s+", " ", str(text or "")).replace("*", "").translate(_TUMLU_FOLD)
    lw = word.lower()
    for letter in "ABCD":
        pats = (f"{letter})", f"{word}: {letter}", f"{lw}: {letter}", f"{word} {letter})",
                f"{lw} {letter})", f"{word} {letter} ", f"{lw} {letter} ")
        if any(p in t for p in pats):
            return letter
    return None


# -- M3Exam (DAMO-NLP-SG/M3Exam, eval.py: compute_acc_score) -----------------------------------

def m3exam_prediction(text: str) -> str:
    """What M3Exam's eval.py compares with ``answer_text``.

    The stripped response, and when it is longer than one character, its first character, or
    its second when the first is '(' ("(2) ..." -> "2"). An empty response stays "" (wrong).
    """
    pred = str(text or "").strip()
    if len(pred) > 1:
        pred = pred[1] if pred[0] == "(" else pred[0]
    return pred


def m3exam_correct(text: str, answer_text: object) -> bool:
    return m3exam_prediction(text) == str(answer_text).strip()


# -- Global-MMLU / MMMLU (openai/simple-evals, common.py + mmlu_eval.py) -----------------------

#: The multilingual "Answer:" spellings of simple-evals (MMMLU), in its order; Global-MMLU
#: publishes no extractor of its own and its generative numbers use this pattern set.
MMMLU_ANSWER_REGEXES: tuple[str, ...] = (
    r"Answer\s*:", r"Answer\s*:", r"উত্তর\s*:", r"उत्तर\s*:", r"উত্তরঃ", r"উত্তর\s*:", r"Antwort\s*:",
    r"답변\s*:", r"정답\s*:", r"답\s*:", r"答案\s*：", r"答案\s*:", r"答\s*：", r"答\s*:", r"答复\s*：", r"答曰\s*：",
    r"الإجابة:", r"الجواب:", r"إجابة:", r"الإجابة النهائية:", r"الإجابة الصحيحة:", r"الإجابة الصحيحة هي:",
    r"الإجابة هي:", r"الجواب النهائي:", r"Respuesta\s*:", r"Risposta\s*:", r"答え\s*:", r"答え\s*：", r"回答\s*:",
    r"回答\s*：", r"解答\s*:", r"Jawaban\s*:", r"Réponse\s*:", r"Resposta\s*:", r"Jibu\s*:", r"Idahun\s*:",
    r"Ìdáhùn\s*:", r"Idáhùn\s*:", r"Àmọ̀nà\s*:", r"Àdáhùn\s*:", r"Ànúgọ\s*:", r"Àṣàyàn\s*:",
)
_MMMLU_TEMPLATE = "(?i){}[ \t]*([A-D]|[أ-د]|[অ]|[ব]|[ড]|[ঢ]|[Ａ]|[Ｂ]|[Ｃ]|[Ｄ])"
_MMMLU_LETTERS = {"أ": "A", "ب": "B", "ج": "C", "د": "D", "অ": "A", "ব": "B", "ড": "C", "ঢ": "D",
                  "Ａ": "A", "Ｂ": "B", "Ｃ": "C", "Ｄ": "D"}
_MMMLU_STRIP = ("**", "$\\boxed{", "}$", "\\$", "$\\text{", "$", "\\mathrm{", "\\{", "\\text", "\\(",
                "\\mathbf{", "{", "\\boxed")


def mmmlu_normalize(text: str) -> str:
    """simple-evals' normalize_response: markdown bold and LaTeX wrappers removed, in its order."""
    for s in _MMMLU_STRIP:
        text = text.replace(s, "")
    return text


def mmmlu_letter(text: str) -> str | None:
    """The letter after the first of simple-evals' answer spellings that matches, else None.

    Each spelling is tried in list order; the first that matches anywhere wins, and its letter
    (full-width, Arabic أ ب ج د, Bengali অ ব ড ঢ) is mapped to A-D. What simple-evals would
    compare raw and so score wrong (a lower-case "b" matched by (?i), a letter inside the
    Arabic range [أ-د] other than those four) is returned as None: wrong there, a failure here.
    """
    t = mmmlu_normalize(str(text or ""))
    for spelling in MMMLU_ANSWER_REGEXES:
        m = re.search(_MMMLU_TEMPLATE.format(spelling), t)
        if m:
            got = m.group(1)
            got = _MMMLU_LETTERS.get(got, got)  # no upper-casing: simple-evals scores "b" wrong
            return got if got in ("A", "B", "C", "D") else None
    return None


# -- MGSM (lm-evaluation-harness mgsm native_cot: strict-match and flexible-extract) -----------

#: lm-evaluation-harness's per-language native chain-of-thought answer regexes (note Bengali:
#: the harness uses the English sentence there).
MGSM_STRICT: dict[str, str] = {
    "bn": r"The answer is (\-?[0-9\.\,]+)", "de": r"Die Antwort lautet (\-?[0-9\.\,]+)",
    "en": r"The answer is (\-?[0-9\.\,]+)", "es": r"La respuesta es (\-?[0-9\.\,]+)",
    "fr": r"La réponse est (\-?[0-9\.\,]+)", "ru": r"Ответ — (\-?[0-9\.\,]+)",
    "sw": r"Jibu ni (\-?[0-9\.\,]+)", "te": r"సమాధానం (\-?[0-9\.\,]+)", "th": r"คำตอบคือ (\-?[0-9\.\,]+)",
    "ja": r"答えは(\-?[0-9\.\,]+)です。", "zh": r"答案是 (\-?[0-9\.\,]+)。",
}
_MGSM_FLEX = re.compile(r"(-?[$0-9.,]{2,})|(-?[0-9]+)")


def mgsm_strict(text: str, language: str) -> str | None:
    """The first match of the language's "The answer is N" regex (take_first), else None."""
    m = re.search(MGSM_STRICT.get(language, MGSM_STRICT["en"]), str(text or ""))
    return m.group(1) if m else None


def mgsm_flexible(text: str) -> str | None:
    """The last number-like match (group_select -1), its non-empty group, else None."""
    found = _MGSM_FLEX.findall(str(text or ""))
    if not found:
        return None
    return next((g for g in found[-1] if g), None)


def mgsm_exact_match(extracted: str | None, gold: object) -> bool:
    """lm-evaluation-harness exact_match with ignore_case and ignore_punctuation."""
    if extracted is None:
        return False
    table = str.maketrans("", "", string.punctuation)
    g = gold
    if isinstance(g, float) and g.is_integer():
        g = int(g)
    return extracted.lower().translate(table) == str(g).lower().translate(table)


# -- generic lettered answers (tasks with no published extractor) ------------------------------

def lettered_answer(text: str, letters: Sequence[str], answer_words: Sequence[str] = ()) -> str | None:
    """A letter of ``letters`` after an answer word, else a lone "X)" / "(X)" / "X." / "X".

    For Belebele and XCOPA, whose authors scored by log-likelihood and publish no extractor;
    markdown emphasis is removed first. The first answer-word match wins; otherwise the first
    labelled letter; otherwise a response that is just the letter.
    """
    t = str(text or "").replace("*", "").replace("_", " ")
    alts = "|".join(re.escape(x) for x in letters)
    for word in [*answer_words, "Answer"]:
        m = re.search(rf"(?i){re.escape(word)}\s*[:：]?\s*\(?\s*({alts})(?![^\W\d_])", t)
        if m:
            return m.group(1)
    m = re.search(rf"(?:^|[\s(\[])\(?({alts})\s*[).：:]", t)
    if m:
        return m.group(1)
    s = t.strip().strip(".()[] ")
    return s if s in letters else None
