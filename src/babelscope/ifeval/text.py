"""Sentences and words in any script, for length instructions ("at least 5 sentences").

IFEval counts English sentences with NLTK's punkt and words as ``\\w+`` runs, which is wrong
for most of the world: Hindi ends sentences with a danda (।), Chinese and Japanese with full
stops that need no following space, and neither Chinese, Japanese nor Thai put spaces between
words. These rules are language-independent (they look at the script of each run of text), so
counting needs no language identification:

- a sentence ends at . ! ? followed by space or end, or at 。！？｡．।॥؟۔።፧ (no space needed),
  or at a line break; decimals, initials and common abbreviations do not end sentences; Thai
  (no sentence punctuation) ends a sentence at a space between Thai letters;
- a word is a run of letters/digits, except that each Chinese character and each kana counts
  as one word (the usual CJK convention, as Multi-IF does) and Thai runs are segmented with
  PyThaiNLP's dictionary segmenter when it is installed.
"""

from __future__ import annotations

from functools import lru_cache

import regex

_ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof sr jr st vs etc e.g i.e inc ltd co no fig approx dept est u.s a.m p.m".split()
)
# Sentence terminators that need no following space (CJK full stops, Indic dandas, Arabic...).
_HARD_END = "。！？｡．।॥؟۔።፧"
_SOFT_END = ".!?…"
_CLOSERS = "\"'”’」』）)]»"
_SPLIT = regex.compile(
    rf"(?<=[{_HARD_END}][{regex.escape(_CLOSERS)}]*)"
    rf"|(?<=[{regex.escape(_SOFT_END)}][{regex.escape(_CLOSERS)}]*)(?=\s|$)"
)
_THAI_GAP = regex.compile(r"(?<=\p{sc=Thai})\s+(?=\p{sc=Thai})")
_WORD_RUN = regex.compile(r"[\p{L}\p{M}\p{N}_]+")
_CJK_CHAR = regex.compile(r"[\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}]")
_THAI_RUN = regex.compile(r"\p{sc=Thai}+")


def split_sentences(text: str) -> list[str]:
    """Sentences of ``text`` (see the module notes); empty pieces dropped."""
    out: list[str] = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        pieces = [p for p in _SPLIT.split(line) if p]
        merged: list[str] = []
        for piece in pieces:
            if merged and _continues(merged[-1], piece):
                merged[-1] += piece
            else:
                merged.append(piece)
        for sent in merged:
            out.extend(s.strip() for s in _THAI_GAP.split(sent) if s.strip())
    return [s for s in out if _WORD_RUN.search(s)]


def _continues(prev: str, nxt: str) -> bool:
    """True when the break after ``prev`` is not a sentence end (abbreviation, initial, decimal)."""
    stripped = prev.rstrip()
    if not stripped.endswith("."):
        return False
    last = stripped.split()[-1].rstrip(".").lower() if stripped.split() else ""
    if last in _ABBREVIATIONS or (len(last) == 1 and last.isalpha()):
        return True
    nxt = nxt.lstrip()
    return bool(nxt) and nxt[0].islower()


def count_sentences(text: str) -> int:
    return len(split_sentences(text))


def count_words(text: str) -> int:
    """Words of ``text`` in any script (see the module notes)."""
    n = 0
    for run in _WORD_RUN.findall(text):
        cjk = len(_CJK_CHAR.findall(run))
        rest = _CJK_CHAR.sub(" ", run)
        for part in rest.split():
            thai = _THAI_RUN.findall(part)
            if thai:
                n += sum(_thai_words(t) for t in thai)
                part = _THAI_RUN.sub(" ", part)
                n += len(part.split())
            else:
                n += 1
        n += cjk
    return n


def _thai_words(run: str) -> int:
    seg = _thai_segmenter()
    if seg is None:  # no PyThaiNLP: one word per ~5 Thai characters (a rough average)
        return max(1, round(len(run) / 5))
    return len([w for w in seg(run) if w.strip()])


@lru_cache(maxsize=1)
def _thai_segmenter():
    try:
        from pythainlp.tokenize import word_tokenize
    except ImportError:
        return None
    return lambda s: word_tokenize(s, engine="newmm", keep_whitespace=False)


def splits_no_space(text: str) -> bool:
    """Whether ``text`` is in a script written without spaces between words (Han, kana, Thai)."""
    return bool(_CJK_CHAR.search(text) or _THAI_RUN.search(text))
