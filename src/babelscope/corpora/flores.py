"""FLORES-200 from a local folder: ``dev/<code>.dev`` and ``devtest/<code>.devtest``.

The folder may be the dataset itself or the one holding ``flores200_dataset/``. Segment ids
are ``<split>:<line number>`` (``devtest:0001``), so dev and devtest can be combined ("all")
without clashing. The loader records the source files in ``meta["join_files"]`` so that
``ParallelCorpus.joined`` can reproduce Petrov et al.'s whole-file counting exactly.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import CorpusError, LanguageError
from ..languages import Language
from .base import ParallelCorpus
from .lines import check_aligned, check_has_text, content_hash, read_lines

SPLITS = ("dev", "devtest")


def resolve_splits(split: str | None, corpus: str = "flores200") -> list[str]:
    """``dev`` | ``devtest`` | ``all`` (dev then devtest); default devtest."""
    split = split or "devtest"
    if split == "all":
        return list(SPLITS)
    if split not in SPLITS:
        raise CorpusError(f"{corpus}: unknown split {split!r}; use dev, devtest or all")
    return [split]


def find_root(directory: str | Path) -> Path:
    """The folder holding ``dev/`` and ``devtest/`` (given directly or as its parent)."""
    d = Path(directory).expanduser()
    for cand in (d, d / "flores200_dataset"):
        if (cand / "dev").is_dir() and (cand / "devtest").is_dir():
            return cand
    raise CorpusError(
        f"flores200: {d} holds neither dev/ and devtest/ nor flores200_dataset/ with them"
    )


def select_codes(codes: list[str], languages: list[Language] | None) -> dict[str, Language]:
    """Resolve corpus codes, keeping those of ``languages`` (same ISO 639-3 or same code)."""
    out: dict[str, Language] = {}
    isos = {lang.iso639_3 for lang in languages} if languages is not None else None
    queries = {lang.query for lang in languages} if languages is not None else set()
    for code in codes:
        try:
            lang = Language.parse(code)
        except LanguageError:
            continue  # a code we cannot resolve is simply not offered
        if isos is None or lang.iso639_3 in isos or code in queries:
            out[code] = lang
    return out


def open_flores200(directory: str | Path, languages: list[Language] | None = None,
                   split: str | None = None) -> ParallelCorpus:
    root = find_root(directory)
    splits = resolve_splits(split)
    per_split = [{p.name[: -len(s) - 1] for p in (root / s).glob(f"*.{s}")} for s in splits]
    codes = sorted(set.intersection(*per_split))
    if not codes:
        raise CorpusError(f"flores200: no <code>.{splits[0]} files in {root / splits[0]}")
    chosen = select_codes(codes, languages)

    texts: dict[str, dict[str, str]] = {code: {} for code in chosen}
    files: dict[str, list[str]] = {code: [] for code in chosen}
    hashed: list[tuple[str, str]] = []
    for s in splits:
        counts: dict[Path, int] = {}
        for code in chosen:
            path = root / s / f"{code}.{s}"
            lines = read_lines(path)
            check_has_text(path, lines)
            counts[path] = len(lines)
            files[code].append(str(path))
            for i, line in enumerate(lines, 1):
                texts[code][f"{s}:{i:04d}"] = line
            hashed.append((path.name, "\n".join(lines)))
        check_aligned(f"flores200 {s}", counts)
    return ParallelCorpus(
        name=f"flores200:{'+'.join(splits) if len(splits) > 1 else splits[0]}",
        version=content_hash(hashed),
        texts=texts,
        languages=chosen,
        meta={"root": str(root), "splits": splits, "join_files": files, "available": codes},
    )
