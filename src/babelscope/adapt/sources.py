"""Target-language text for trimming: what to mine the vocabulary from, and what to check on.

Mining and checking must use different text, or the checks would only confirm that the
vocabulary covers the text it was mined from. A babelscope corpus is split (every tenth
segment is held out); a word list has no sentences, so its held-out text comes from UDHR when
the language is there, else from pseudo-sentences drawn from the whole word list.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from ..errors import BabelscopeError, CorpusError
from ..languages import Language

HELDOUT_EVERY = 10


@dataclass
class TargetText:
    """Weighted mining texts and held-out texts per language tag, and where they came from."""

    mining: dict[str, list[tuple[str, float]]] = field(default_factory=dict)
    heldout: dict[str, list[str]] = field(default_factory=dict)
    sources: dict[str, Any] = field(default_factory=dict)


def load_target_text(corpus: str, languages: list[Language], heldout: str | None = None,
                     corpus_words: int | None = None, max_texts: int = 20000) -> TargetText:
    """Texts for every language in ``languages``; CorpusError naming a language without text."""
    if not languages:
        raise CorpusError("no target languages given (--languages)")
    spec = corpus.strip()
    kind = spec.split(":", 1)[0].lower()
    out = TargetText()
    out.sources["corpus"] = spec
    if kind == "wordfreq":
        from ..corpora.wordfreq_corpus import (
            DEFAULT_CORPUS_WORDS,
            wordfreq_texts,
            wordfreq_version,
        )

        words = corpus_words or DEFAULT_CORPUS_WORDS
        out.sources["corpus_version"] = f"wordfreq {wordfreq_version()}"
        out.sources["corpus_words"] = words
        for lang in languages:
            out.mining[lang.tag] = [(w.text, w.weight) for w in wordfreq_texts(lang, words)]
        out.heldout, out.sources["heldout"] = _wordfreq_heldout(languages, heldout)
        return out
    if kind == "hfds":
        for lang in languages:
            texts = hf_dataset_texts(spec.split(":", 1)[1], lang, max_texts)
            mine, held = _split(texts)
            out.mining[lang.tag] = [(t, 1.0) for t in mine]
            out.heldout[lang.tag] = held
        out.sources["heldout"] = f"every {HELDOUT_EVERY}th text of {spec}"
    else:
        from ..corpora import open_corpus

        pc = open_corpus(spec, languages)
        out.sources["corpus_version"] = pc.version
        for lang in languages:
            code = pc.code_for(lang)
            texts = [t for t in pc.segments(code) if t and t.strip()][:max_texts]
            if not texts:
                raise CorpusError(f"corpus {spec!r} has no text for language {lang.tag} (code {code})")
            mine, held = _split(texts)
            out.mining[lang.tag] = [(t, 1.0) for t in mine]
            out.heldout[lang.tag] = held
        out.sources["heldout"] = f"every {HELDOUT_EVERY}th segment of {spec} (not mined)"
    if heldout:
        out.heldout = _corpus_texts(heldout, languages)
        out.sources["heldout"] = heldout
    return out


def _split(texts: list[str]) -> tuple[list[str], list[str]]:
    """Every tenth text held out (at least one, unless there is only one text)."""
    held = [t for i, t in enumerate(texts) if i % HELDOUT_EVERY == HELDOUT_EVERY - 1]
    mine = [t for i, t in enumerate(texts) if i % HELDOUT_EVERY != HELDOUT_EVERY - 1]
    if not held and len(texts) > 1:
        held, mine = texts[-1:], texts[:-1]
    if not held:
        held = list(texts)
    return mine, held


def _wordfreq_heldout(languages: list[Language], heldout: str | None) -> tuple[dict[str, list[str]], Any]:
    from ..corpora.wordfreq_corpus import wordfreq_sentences

    spec = heldout or "udhr"
    texts: dict[str, list[str]] = {}
    used: dict[str, str] = {}
    try:
        texts = _corpus_texts(spec, languages, strict=heldout is not None)
    except BabelscopeError:
        if heldout is not None:
            raise
    for lang in languages:
        if texts.get(lang.tag):
            used[lang.tag] = spec
        else:
            texts[lang.tag] = wordfreq_sentences(lang)
            used[lang.tag] = "wordfreq pseudo-sentences"
    return texts, used


def _corpus_texts(spec: str, languages: list[Language], strict: bool = True) -> dict[str, list[str]]:
    from ..corpora import open_corpus

    pc = open_corpus(spec, languages)
    out: dict[str, list[str]] = {}
    for lang in languages:
        try:
            code = pc.code_for(lang)
        except CorpusError:
            if strict:
                raise
            continue
        out[lang.tag] = [t for t in pc.segments(code) if t and t.strip()]
        if strict and not out[lang.tag]:
            raise CorpusError(f"held-out corpus {spec!r} has no text for language {lang.tag}")
    return out


def hf_dataset_texts(spec: str, language: Language, max_texts: int) -> list[str]:
    """Texts of a Hugging Face dataset, streamed: ``<repo>[:<config>[:<split>]]``.

    The config may name the language with ``{iso3}``, ``{tag}`` or ``{flores}`` (e.g.
    ``HuggingFaceFW/fineweb-2:{flores}`` or ``allenai/c4:{tag}``); rows need a ``text`` field.
    """
    try:
        import datasets
    except ImportError as e:
        raise CorpusError("Hugging Face dataset corpora need the `datasets` package: pip install datasets") from e
    repo, _, rest = spec.partition(":")
    config, _, split = rest.partition(":")
    config = config.format(iso3=language.iso639_3, tag=language.tag,
                           flores=f"{language.iso639_3}_{language.script}") if config else None
    try:
        ds = datasets.load_dataset(repo, config, split=split or "train", streaming=True)
        texts = [row["text"] for row in islice(ds, max_texts) if row.get("text")]
    except Exception as e:  # the hub, network and dataset errors are many; all are the user's to fix
        raise CorpusError(f"dataset {repo!r} (config {config!r}) for {language.tag}: {e}") from e
    if not texts:
        raise CorpusError(f"dataset {repo!r} (config {config!r}) has no text for language {language.tag}")
    return texts
