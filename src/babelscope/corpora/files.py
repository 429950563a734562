"""A folder of line-aligned ``<language>.txt`` files: the user's own parallel text.

The stem is any language spelling ``Language.parse`` accepts (``de``, ``deu_Latn``,
``German``); it stays the corpus code. Segment ids are 1-based line numbers.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import CorpusError, LanguageError
from ..languages import Language
from .base import ParallelCorpus
from .lines import check_aligned, check_has_text, content_hash, read_lines


def open_files(directory: str | Path, languages: list[Language] | None = None) -> ParallelCorpus:
    d = Path(directory).expanduser()
    if not d.is_dir():
        raise CorpusError(f"files: {d} is not a folder")
    paths = sorted(d.glob("*.txt"), key=lambda p: (len(p.stem), p.stem))
    if not paths:
        raise CorpusError(f"files: no <language>.txt files in {d}")
    resolved: dict[str, tuple[Path, Language]] = {}
    for p in paths:
        try:
            resolved[p.stem] = (p, Language.parse(p.stem))
        except LanguageError as e:
            raise CorpusError(f"files: {p.name}: the file name must be a language ({e})") from e
    _check_one_file_per_language(d, resolved)
    if languages is not None:
        isos = {lang.iso639_3 for lang in languages}
        queries = {lang.query for lang in languages}
        resolved = {s: v for s, v in resolved.items() if v[1].iso639_3 in isos or s in queries}

    texts: dict[str, dict[str, str]] = {}
    counts: dict[Path, int] = {}
    hashed: list[tuple[str, str]] = []
    for stem, (p, _) in resolved.items():
        lines = read_lines(p)
        check_has_text(p, lines)
        counts[p] = len(lines)
        texts[stem] = {str(i): line for i, line in enumerate(lines, 1)}
        hashed.append((p.name, "\n".join(lines)))
    check_aligned(f"files:{d}", counts)
    return ParallelCorpus(
        name=f"files:{d}",
        version=content_hash(hashed),
        texts=texts,
        languages={stem: lang for stem, (_, lang) in resolved.items()},
        meta={"root": str(d), "sources": {s: str(p) for s, (p, _) in resolved.items()}},
    )


def _check_one_file_per_language(d: Path, resolved: dict[str, tuple[Path, Language]]) -> None:
    """Two files of one language (en.txt and eng.txt) would leave the choice to sort order."""
    by_tag: dict[str, list[str]] = {}
    for p, lang in resolved.values():
        by_tag.setdefault(lang.tag, []).append(p.name)
    dupes = {tag: names for tag, names in by_tag.items() if len(names) > 1}
    if dupes:
        listed = "; ".join(f"{' and '.join(sorted(n))} are both {tag} ({resolved[Path(n[0]).stem][1].name})"
                           for tag, n in sorted(dupes.items()))
        raise CorpusError(f"files: {d}: {listed}; keep one file per language (or move the other away)")
