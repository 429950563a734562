"""Per-language prompt literals: the words a template needs, kept apart from the templates.

A prompt template ("{question}\\n{letters}. {option}\\n{answer}:") is one thing, the words it
is filled with ("Answer", "Jibu", "答案") another. Keeping the words in one table per literal
kind means adding a language is one line here, and a missing word fails loudly, naming this
file, instead of silently falling back to English and changing what is measured.

Keys are bare language subtags as :class:`~babelscope.languages.Language` produces them
("sw", "zh", "uz"); script-specific entries use the full tag ("uz-Cyrl").
"""

from __future__ import annotations

from pathlib import Path

from ..errors import BabelscopeError
from ..languages import Language

HERE = Path(__file__)


class LiteralError(BabelscopeError):
    """A literal the prompt needs is not defined for a language."""


#: The words "Question", "Answer" and "Passage" (MMLU-style and reading-comprehension prompts).
QUESTION: dict[str, str] = {
    "en": "Question", "am": "ጥያቄ", "ar": "سؤال", "az": "Sual", "bn": "প্রশ্ন", "cs": "Otázka",
    "de": "Frage", "el": "Ερώτηση", "es": "Pregunta", "et": "Küsimus", "fa": "سؤال", "fil": "Tanong",
    "fr": "Question", "ha": "Tambaya", "he": "שאלה", "hi": "प्रश्न", "ht": "Kesyon", "id": "Pertanyaan",
    "ig": "Ajụjụ", "it": "Domanda", "ja": "問題", "jv": "Pitakonan", "kk": "Сұрақ", "ko": "질문",
    "ky": "Суроо", "lt": "Klausimas", "mg": "Fanontaniana", "ms": "Soalan", "ne": "प्रश्न",
    "nl": "Vraag", "ny": "Funso", "pl": "Pytanie", "pt": "Pergunta", "qu": "Tapuy", "ro": "Întrebare",
    "ru": "Задача", "si": "ප්‍රශ්නය", "sn": "Mubvunzo", "so": "Su'aal", "sr": "Питање", "sv": "Fråga",
    "sw": "Swali", "ta": "கேள்வி", "te": "ప్రశ్న", "th": "โจทย์", "tr": "Soru", "tt": "Сорау",
    "ug": "سوئال", "uk": "Питання", "uz": "Savol", "uz-Cyrl": "Савол", "vi": "Câu hỏi",
    "yo": "Ìbéèrè", "zh": "问题", "zu": "Umbuzo", "af": "Vraag", "tk": "Sorag", "kk-Latn": "Suraq",
    "crh": "Sual", "ba": "Һорау", "cv": "Ыйту",
}

ANSWER: dict[str, str] = {
    "en": "Answer", "am": "መልስ", "ar": "إجابة", "az": "Cavab", "bn": "উত্তর", "cs": "Odpověď",
    "de": "Antwort", "el": "Απάντηση", "es": "Respuesta", "et": "Vastus", "fa": "پاسخ", "fil": "Sagot",
    "fr": "Réponse", "ha": "Amsa", "he": "תשובה", "hi": "उत्तर", "ht": "Repons", "id": "Jawaban",
    "ig": "Azịza", "it": "Risposta", "ja": "答え", "jv": "Wangsulan", "kk": "Жауап", "ko": "답",
    "ky": "Жооп", "lt": "Atsakymas", "mg": "Valiny", "ms": "Jawapan", "ne": "उत्तर", "nl": "Antwoord",
    "ny": "Yankho", "pl": "Odpowiedź", "pt": "Resposta", "qu": "Kutichiy", "ro": "Răspuns",
    "ru": "Ответ", "si": "පිළිතුර", "sn": "Mhinduro", "so": "Jawaab", "sr": "Одговор", "sv": "Svar",
    "sw": "Jibu", "ta": "பதில்", "te": "సమాధానం", "th": "คำตอบ", "tr": "Cevap", "tt": "Җавап",
    "ug": "جاۋاب", "uk": "Відповідь", "uz": "Javob", "uz-Cyrl": "Жавоб", "vi": "Trả lời",
    "yo": "Ìdáhùn", "zh": "答案", "zu": "Impendulo", "af": "Antwoord", "tk": "Jogap", "kk-Latn": "Jauap",
    "crh": "Cevap", "ba": "Яуап", "cv": "Хурав",
}

PASSAGE: dict[str, str] = {
    "en": "Passage", "ar": "نص", "de": "Text", "es": "Texto", "fr": "Texte", "hi": "अनुच्छेद",
    "id": "Bacaan", "it": "Brano", "ja": "文章", "pt": "Texto", "ru": "Текст", "sw": "Kifungu",
    "zh": "段落", "tr": "Metin", "vi": "Đoạn văn", "th": "บทความ", "bn": "অনুচ্ছেদ", "ko": "지문",
    "am": "ምንባብ", "yo": "Àyọkà", "ha": "Sashe", "zu": "Isiqephu", "uk": "Текст", "pl": "Tekst",
    "nl": "Tekst", "fa": "متن", "he": "קטע", "ta": "பத்தி", "te": "పేరా", "el": "Κείμενο",
}

#: Option letters in the script the language is written in; Latin A-D where that is the norm.
OPTION_LETTERS: dict[str, tuple[str, ...]] = {
    "ar": ("أ", "ب", "ج", "د"), "fa": ("الف", "ب", "ج", "د"), "he": ("א", "ב", "ג", "ד"),
    "hi": ("क", "ख", "ग", "घ"), "ne": ("क", "ख", "ग", "घ"), "bn": ("ক", "খ", "গ", "ঘ"),
    "ru": ("А", "Б", "В", "Г"), "uk": ("А", "Б", "В", "Г"), "sr": ("А", "Б", "В", "Г"),
    "kk": ("А", "Б", "В", "Г"), "ky": ("А", "Б", "В", "Г"), "tt": ("А", "Б", "В", "Г"),
    "uz-Cyrl": ("А", "Б", "В", "Г"), "el": ("Α", "Β", "Γ", "Δ"), "am": ("ሀ", "ለ", "ሐ", "መ"),
    "th": ("ก", "ข", "ค", "ง"), "ko": ("가", "나", "다", "라"),
}
LATIN_LETTERS = ("A", "B", "C", "D", "E")

#: XCOPA connectors as lm-evaluation-harness's xcopa task has them (cause, effect).
XCOPA_CONNECTORS: dict[str, tuple[str, str]] = {
    "en": ("because", "therefore"),
    "et": ("sest", "seetõttu"),
    "ht": ("poukisa", "donk sa"),
    "it": ("perché", "quindi"),
    "id": ("karena", "maka"),
    "qu": ("imataq", "chaymi"),
    "sw": ("kwa sababu", "kwa hiyo"),
    "zh": ("因为", "所以"),
    "ta": ("காரணமாக", "எனவே"),
    "th": ("เพราะ", "ดังนั้น"),
    "tr": ("çünkü", "bu yüzden"),
    "vi": ("bởi vì", "vì vậy"),
}

#: MGSM: the words before the question and answer, and the phrase that introduces the final
#: number in a worked answer (from the benchmark's own exemplars).
MGSM_QUESTION: dict[str, str] = {
    "en": "Question:", "bn": "প্রশ্ন:", "de": "Frage:", "es": "Pregunta:", "fr": "Question :",
    "ja": "問題：", "ru": "Задача:", "sw": "Swali:", "te": "ప్రశ్న:", "th": "โจทย์:", "zh": "问题：",
}
MGSM_ANSWER: dict[str, str] = {
    "en": "Step-by-Step Answer:", "bn": "ধাপে ধাপে উত্তর:", "de": "Schritt-für-Schritt-Antwort:",
    "es": "Respuesta paso a paso:", "fr": "Réponse étape par étape :", "ja": "ステップごとの答え：",
    "ru": "Пошаговое решение:", "sw": "Jibu la Hatua kwa Hatua:", "te": "దశలవారీగా సమాధానం:",
    "th": "คำตอบทีละขั้นตอน:", "zh": "逐步解答：",
}
MGSM_ANSWER_IS: dict[str, str] = {
    "en": "The answer is", "bn": "উত্তর হল", "de": "Die Antwort ist", "es": "La respuesta es",
    "fr": "La réponse est", "ja": "答えは", "ru": "Ответ —", "sw": "Jibu ni", "te": "సమాధానం",
    "th": "คำตอบคือ", "zh": "答案是",
}


def _keys(lang: Language) -> list[str]:
    base = lang.tag.split("-")[0]
    return [lang.tag, f"{base}-{lang.script}", base, lang.iso639_3]


def literal(table: dict[str, object], table_name: str, language: Language | str):
    """The entry of ``table`` for ``language``; LiteralError naming this file if missing."""
    lang = Language.parse(language)
    for key in _keys(lang):
        if key in table:
            return table[key]
    raise LiteralError(
        f"no {table_name} literal for {lang.tag} ({lang.name}); add it to {table_name} in {HERE}"
    )


def option_letters(language: Language | str, n: int = 4) -> tuple[str, ...]:
    """Native option letters where the language has them, else Latin A, B, C, ..."""
    lang = Language.parse(language)
    for key in _keys(lang):
        if key in OPTION_LETTERS and len(OPTION_LETTERS[key]) >= n:
            return OPTION_LETTERS[key][:n]
    return LATIN_LETTERS[:n]


def words(language: Language | str, literals: str) -> tuple[str, str]:
    """("Question", "Answer") in the target language, or in English when ``literals == 'en'``."""
    lang = Language.parse("en" if literals == "en" else language)
    return literal(QUESTION, "QUESTION", lang), literal(ANSWER, "ANSWER", lang)
