"""BLEnD short-answer scoring as its authors score it (nlee0212/BLEnD, evaluation/exact_match.py).

The official ``soft_exact_match`` reads each response through ``get_llm_response_by_id``
(prompt removed, CJK punctuation folded, lower-cased, a leading "word:" that occurs in the
prompt removed, dots stripped) and checks the question's aggregated answers in vote order:
for a local-language run first the local answers with the language's lemmatiser, then the
English answers with spaCy's English lemmatiser; for an English run only the English answers.
The first matching answer group gives SEM-B 1 and SEM-W ``count / count of the first group``.

``lemma_check`` matches when the (un-lower-cased) answer, or it with '-'/' ' swapped, is a
substring of the response; else when every lemmatised answer token (NFD, COMBINING ACUTE
ACCENT removed, lower-cased, punctuation tokens dropped) is among the response's tokens.

Lemmatisers: the official ones that install offline are used as they are (jieba for Chinese);
where they do not (konlpy needs Java, spark-nlp and cltk download models, the Azerbaijani,
Hausa and Sundanese stemmers are not on PyPI, spaCy's English model is a hub download),
babelscope substitutes offline libraries and says so in :data:`LEMMATISERS`, which goes into
the run's signature: simplemma (es, el, id, fa, ar), lemminflect (English), kiwipiepy
(Korean); Amharic, Azerbaijani, Hausa, Sundanese and Assamese fall back to punctuation-aware
word splitting without lemmas.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from string import punctuation
from typing import Any, Callable

#: BLEnD region (file prefix) -> the language name the official scorer is called with.
REGION_LANGUAGE: dict[str, str] = {
    "UK": "English", "US": "English", "South_Korea": "Korean", "North_Korea": "Korean", "China": "Chinese",
    "Spain": "Spanish", "Mexico": "Spanish", "Indonesia": "Indonesian", "Greece": "Greek", "Ethiopia": "Amharic",
    "Iran": "Persian", "Algeria": "Arabic", "Azerbaijan": "Azerbaijani", "West_Java": "Sundanese",
    "Assam": "Assamese", "Northern_Nigeria": "Hausa",
}

#: What lemmatises each language here, against what the official scorer uses.
LEMMATISERS: dict[str, tuple[str, str]] = {
    "English": ("lemminflect", "spacy en_core_web_sm"),
    "Chinese": ("jieba", "jieba"),
    "Korean": ("kiwipiepy (particles J* dropped)", "konlpy Okt (Josa dropped, stem=True)"),
    "Spanish": ("simplemma es", "spark-nlp lemma_es"),
    "Greek": ("simplemma el", "cltk grc"),
    "Indonesian": ("simplemma id", "nlp-id Lemmatizer"),
    "Persian": ("simplemma fa", "hazm Lemmatizer"),
    "Arabic": ("simplemma ar", "qalsadi Lemmatizer"),
    "Amharic": ("word split", "spark-nlp lemma_am"),
    "Azerbaijani": ("word split", "aznlp stemmer"),
    "Hausa": ("word split", "hausastemmer"),
    "Sundanese": ("word split", "SUSTEM"),
    "Assamese": ("word split", "indic_nlp trivial_tokenize"),
}
_SIMPLEMMA = {"Spanish": "es", "Greek": "el", "Indonesian": "id", "Persian": "fa", "Arabic": "ar"}


def signature_note(language: str) -> str:
    """'lemma=<ours>' plus '!=official:<theirs>' where babelscope differs on purpose."""
    ours, theirs = LEMMATISERS.get(language, ("word split", "?"))
    return f"lemma={ours}" if ours == theirs else f"lemma={ours}!=official:{theirs}"


def clean_response(response: str, prompt: str = "") -> str:
    """The official get_llm_response_by_id + delete_prompt_from_answer."""
    def fold(s: str) -> str:
        return s.replace("：", ":").replace("、", ",").replace("，", ",").replace("。", ".").lower()

    text = fold(str(response).replace(prompt, "") if prompt else str(response))
    p = fold(prompt)
    found = re.findall(r"^(\w+:)\s", text)
    extracted = ""
    for m in found:
        if len(m) > len(extracted) and m.replace(":", "") in p:
            extracted = m
    text = text.replace(extracted, "").strip() if found else text.strip()
    return text.strip(".").lower()


def _words(text: str) -> list[str]:
    """Words and punctuation marks as separate tokens (what a tokenizer hands a lemmatiser)."""
    return re.findall(r"\w+(?:[-']\w+)*|[^\w\s]", text)


@lru_cache(maxsize=1)
def _kiwi():
    from kiwipiepy import Kiwi

    return Kiwi()


def _english_lemma(word: str) -> str:
    import lemminflect

    lemmas = lemminflect.getAllLemmas(word)
    for pos in ("NOUN", "VERB", "ADJ", "ADV", "PROPN"):
        if pos in lemmas:
            return lemmas[pos][0]
    return word


def tokens(text: str, language: str) -> list[str]:
    """Lemmatised tokens of ``text`` for ``language`` (before the official final clean-up)."""
    if language == "English":
        return [_english_lemma(w) for w in _words(text)]
    if language == "Chinese":
        import jieba

        return list(jieba.cut(text))
    if language == "Korean":
        return [t.form + ("다" if t.tag.startswith("V") else "") for t in _kiwi().tokenize(text)
                if not t.tag.startswith("J") and not t.tag.startswith("E")]
    if language in _SIMPLEMMA:
        import simplemma

        return [simplemma.lemmatize(w, lang=_SIMPLEMMA[language]) for w in _words(text)]
    if language in ("Azerbaijani", "Hausa", "Sundanese"):
        # the official stemmers split on whitespace and strip punctuation first
        return ["".join(c for c in w if c not in punctuation or c == "-").strip("-") for w in text.split()]
    return _words(text)


_ACUTE = {ord("\N{COMBINING ACUTE ACCENT}"): None}


def _final(toks: list[str]) -> list[str]:
    return [unicodedata.normalize("NFD", t).translate(_ACUTE).lower() for t in toks if t not in punctuation and t != ""]


def lemma_check(answer: str, response: str, language: str) -> bool:
    """The official lemma_check (``response`` already cleaned, i.e. lower-cased)."""
    if answer in response or answer.replace("-", " ") in response or answer.replace(" ", "-") in response:
        return True
    want = _final(tokens(answer, language))
    have = set(_final(tokens(response, language)))
    return all(a in have for a in want)


def answerable(question: dict[str, Any]) -> bool:
    """The official filter: skip mostly-unanswerable questions and those with no answers."""
    idks = question.get("idks") or {}
    na = int(idks.get("no-answer", 0) or 0) + int(idks.get("not-applicable", 0) or 0)
    return na < 3 and int(idks.get("idk", 0) or 0) < 5 and bool(question.get("annotations"))


def sem_scores(response: str | None, annotations: list[dict[str, Any]], language: str,
               english_run: bool, prompt: str = "",
               check: Callable[[str, str, str], bool] = lemma_check) -> tuple[float, float]:
    """(SEM-B, SEM-W) of one response, as soft_exact_match scores it; None response -> 0."""
    if response is None or not annotations:
        return 0.0, 0.0
    text = clean_response(response, prompt)
    if not text:
        return 0.0, 0.0
    top = int(annotations[0].get("count", 1) or 1)
    for group in annotations:
        if not english_run:
            for a in group.get("answers") or []:
                if check(str(a), text, language):
                    return 1.0, int(group.get("count", 1) or 1) / top
        for a in group.get("en_answers") or []:
            if check(str(a), text, "English"):
                return 1.0, int(group.get("count", 1) or 1) / top
    return 0.0, 0.0
