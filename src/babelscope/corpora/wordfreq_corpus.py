"""Word-frequency lists (PyPI ``wordfreq``, 42 languages) as an offline monolingual corpus.

Mining a vocabulary needs running text in the target language; offline we have none for most
languages, but ``wordfreq`` ships how often each word occurs. A word list with frequencies is
enough to count tokens: every word is tokenised once and its token ids are credited with the
number of times the word would occur in a corpus of ``corpus_words`` words. Words are listed in
lower case, so the capitalised form (sentence starts, German nouns) is credited too, and the
space-prefixed form that running text mostly produces is counted most (no space for languages
written without spaces between words), the form at the start of a text or line less.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass
from functools import lru_cache

from ..errors import CorpusError
from ..languages import Language

#: Languages written without spaces between words: their words are counted without a leading space.
NO_SPACE_LANGUAGES = frozenset({"zh", "ja", "th", "my", "km", "lo", "bo"})

#: Default size of the corpus the frequencies stand for (words); with --min-frequency 2 a word
#: counts when it occurs at least once per 2.5 million words.
DEFAULT_CORPUS_WORDS = 500_000

#: Words expected fewer times than this in the corpus are skipped: their tokens reach the
#: frequency threshold only in aggregate, and the long tail is most of the tokenising time.
MIN_WORD_COUNT = 0.1

#: Shares of a word's occurrences credited to its forms: lower case after a space, capitalised
#: after a space (sentence starts, German nouns), capitalised at the start of a text or line.
FORM_SHARES = (("lower", 0.75), ("capitalised", 0.15), ("initial", 0.10))


@dataclass(frozen=True)
class WeightedText:
    """A text and how many times it stands for (a pseudo-count)."""

    text: str
    weight: float


def wordfreq_code(language: Language) -> str:
    """The wordfreq code for ``language``; CorpusError naming the language when it has none."""
    wf = _wordfreq()
    available = wf.available_languages(wordlist="best")
    head = language.tag.split("-")[0]
    for cand in (language.tag, head, language.iso639_3):
        if cand in available:
            return cand
    raise CorpusError(
        f"wordfreq has no word list for {language.tag} ({language.name}); it covers "
        f"{len(available)} languages: {', '.join(sorted(available))}"
    )


def wordfreq_texts(language: Language, corpus_words: int = DEFAULT_CORPUS_WORDS,
                   max_words: int | None = None, min_count: float = MIN_WORD_COUNT) -> list[WeightedText]:
    """Words of ``language`` as weighted texts, most frequent first (weight = expected count)."""
    code = wordfreq_code(language)
    freqs = _frequencies(code)
    space = "" if code.split("-")[0] in NO_SPACE_LANGUAGES else " "
    out: list[WeightedText] = []
    for i, (word, freq) in enumerate(freqs):
        if max_words is not None and i >= max_words:
            break
        count = freq * corpus_words
        if count < min_count:
            break  # sorted by frequency: the rest is rarer still
        cap = word[:1].upper() + word[1:]
        forms = {"lower": space + word, "capitalised": space + cap, "initial": cap}
        merged: dict[str, float] = {}
        for form, share in FORM_SHARES:
            merged[forms[form]] = merged.get(forms[form], 0.0) + count * share
        out.extend(WeightedText(text, weight) for text, weight in merged.items())
    if not out:
        raise CorpusError(f"wordfreq: the word list for {language.tag} ({code}) is empty")
    return out


def wordfreq_sentences(language: Language, n: int = 24, words_per_sentence: int = 12,
                       seed: int = 0) -> list[str]:
    """Pseudo-sentences of words drawn by frequency: held-out text when no real text exists.

    Drawn from the whole list (so rare words the mining threshold dropped appear too), with a
    fixed seed so that checks are reproducible.
    """
    code = wordfreq_code(language)
    words, cum_weights = _cumulative(code)
    rng = random.Random(seed)
    joiner = "" if code.split("-")[0] in NO_SPACE_LANGUAGES else " "
    out = []
    for _ in range(n):
        picked = rng.choices(words, cum_weights=cum_weights, k=words_per_sentence)
        sent = joiner.join(picked)
        out.append(sent[:1].upper() + sent[1:] + ".")
    return out


def wordfreq_version() -> str:
    import importlib.metadata

    return importlib.metadata.version("wordfreq")


@lru_cache(maxsize=64)
def _frequencies(code: str) -> tuple[tuple[str, float], ...]:
    wf = _wordfreq()
    table = wf.get_frequency_dict(code, wordlist="best")
    return tuple(sorted(table.items(), key=lambda kv: (-kv[1], kv[0])))


@lru_cache(maxsize=64)
def _cumulative(code: str) -> tuple[list[str], list[float]]:
    freqs = _frequencies(code)
    return [w for w, _ in freqs], list(itertools.accumulate(f for _, f in freqs))


def _wordfreq():
    try:
        import wordfreq
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise CorpusError("the wordfreq corpus needs the `wordfreq` package: pip install wordfreq") from e
    return wordfreq
