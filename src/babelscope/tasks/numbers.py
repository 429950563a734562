"""Pulling the final number out of a generated answer, in any script.

Models answer maths questions in the digits of the language they write: Bengali ১২, Arabic-
Indic ١٢, Devanagari १२, full-width １２, with thousands separators that differ by locale
(1,000 / 1.000 / 1 000 / ١٬٠٠٠). Counting those as failures would measure the extractor, not
the model, so every Unicode decimal digit is folded to ASCII first and a separator followed by
exactly three digits is read as a thousands separator.
"""

from __future__ import annotations

import re
import unicodedata

_SEPARATORS = {
    "\u066b": ".",  # ARABIC DECIMAL SEPARATOR
    "\u066c": ",",  # ARABIC THOUSANDS SEPARATOR
    "\uff0c": ",",  # FULLWIDTH COMMA
    "\uff0e": ".",  # FULLWIDTH FULL STOP
    "\u00a0": " ", "\u202f": " ", "\u2009": " ",  # no-break / thin spaces used as group separators
    "\u2212": "-", "\uff0d": "-",  # minus signs
}

_NUMBER = re.compile(r"(?<![\d.,])-?\d+(?:(?:[,. ']\d{3})+(?!\d))?(?:[.,]\d+)?")


def fold_digits(text: str) -> str:
    """Every Unicode decimal digit (category Nd) as its ASCII digit; locale separators unified."""
    out = []
    for ch in text:
        if ch in _SEPARATORS:
            out.append(_SEPARATORS[ch])
        elif ch.isdigit() and not ("0" <= ch <= "9"):
            try:
                out.append(str(unicodedata.decimal(ch)))
            except ValueError:  # digit-like but not decimal (superscripts, circled numbers)
                out.append(ch)
        else:
            out.append(ch)
    return "".join(out)


def _to_float(token: str) -> float | None:
    neg = token.startswith("-")
    body = token.lstrip("-")
    # Trailing ".d" / ",d" not of length 3 is a decimal part; separators before are grouping.
    m = re.fullmatch(r"(\d+(?:[,. ']\d{3})*)(?:[.,](\d+))?", body)
    if not m:
        return None
    whole = re.sub(r"[,. ']", "", m.group(1))
    frac = m.group(2)
    try:
        v = float(f"{whole}.{frac}") if frac else float(whole)
    except ValueError:
        return None
    return -v if neg else v


def numbers_in(text: str) -> list[float]:
    """All numbers in ``text`` in order of appearance, after folding digits and separators."""
    out = []
    for tok in _NUMBER.findall(fold_digits(text)):
        v = _to_float(tok.strip())
        if v is not None:
            out.append(v)
    return out


def extract_answer(text: str, answer_phrases: tuple[str, ...] = ()) -> float | None:
    """The last number after the last answer phrase present, else the last number; None if none."""
    folded = fold_digits(text)
    best = -1
    for phrase in answer_phrases:
        if phrase:
            pos = folded.lower().rfind(fold_digits(phrase).lower())
            if pos >= 0:
                best = max(best, pos + len(phrase))
    if best >= 0:
        tail = numbers_in(folded[best:])
        if tail:
            return tail[0]
    nums = numbers_in(folded)
    return nums[-1] if nums else None


def same_number(a: float | None, b: float | None) -> bool:
    return a is not None and b is not None and abs(a - b) < 1e-6 * max(1.0, abs(b))
