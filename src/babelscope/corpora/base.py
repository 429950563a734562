"""ParallelCorpus: segments aligned by id across languages.

A corpus keeps each language under its *own* code (``deu_Latn`` in FLORES, ``de`` in UDHR,
the file stem for a folder of text files) and maps that code to a resolved :class:`Language`.
Analyses ask for languages; the corpus answers with the code it holds them under, so results
can carry both the canonical tag and the corpus's own code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Sequence

from ..errors import CorpusError
from ..languages import Language


@dataclass
class ParallelCorpus:
    """Texts keyed by corpus code, then by segment id (ids in corpus order).

    ``name`` identifies the source ("udhr", "flores200:devtest", "files:/path"), ``version``
    its revision (package version, file hash) for the run signature.
    """

    name: str
    version: str
    texts: dict[str, dict[str, str]]
    languages: dict[str, Language]
    meta: dict[str, object] = field(default_factory=dict)

    def codes(self) -> list[str]:
        return list(self.texts)

    def code_for(self, language: Language | str) -> str:
        """The corpus code holding ``language``; exact corpus codes win, then tag matching.

        Among several codes of one language, the first in corpus order wins (loaders put the
        preferred one first); a Language parsed from a corpus code (its ``query``) gets that code.

        Raises CorpusError naming the language and the closest codes the corpus does have.
        """
        if isinstance(language, str):
            if language in self.texts:
                return language
            language = Language.parse(language)
        if language.query in self.texts and self.languages[language.query] == language:
            return language.query  # asked for by the corpus's own code, e.g. "deu_1901"
        candidates = [c for c, lang in self.languages.items() if lang == language]
        if not candidates:
            # Same language, script left implicit on one side (e.g. "zh" vs "zho_Hans").
            candidates = [
                c for c, lang in self.languages.items()
                if lang.iso639_3 == language.iso639_3 and lang.script == language.script
            ]
        if not candidates:
            candidates = [c for c, lang in self.languages.items() if lang.iso639_3 == language.iso639_3]
            if len(candidates) > 1:
                raise CorpusError(
                    f"{self.name}: language {language.tag} is ambiguous here; "
                    f"pick one of the corpus codes: {', '.join(sorted(candidates))}"
                )
        if not candidates:
            # A loader that read only the requested languages records all the source holds.
            available = self.meta.get("available_languages")
            pool = available if isinstance(available, dict) and available else self.languages
            near = sorted(pool, key=lambda c: (pool[c].family != language.family, c))[:8]
            count = len({lang.tag for lang in pool.values()})
            raise CorpusError(
                f"{self.name}: no text for language {language.tag} ({language.name}); "
                f"the source has {len(pool)} texts in {count} languages, e.g. {', '.join(near)}"
            )
        # Loaders list the preferred code of a language first (standard orthography, best
        # aligned), so the first candidate in corpus order is the deterministic choice.
        return candidates[0]

    def shared_ids(self, codes: Iterable[str]) -> list[str]:
        """Segment ids present in every one of ``codes``, in the first code's order."""
        codes = list(codes)
        if not codes:
            return []
        common = set(self.texts[codes[0]])
        for c in codes[1:]:
            common &= set(self.texts[c])
        return [i for i in self.texts[codes[0]] if i in common]

    def segments(self, code: str, ids: Sequence[str] | None = None) -> list[str]:
        seg = self.texts[code]
        if ids is None:
            return list(seg.values())
        return [seg[i] for i in ids]

    def joined(self, code: str, ids: Sequence[str] | None = None) -> str:
        """The language's text as ONE string, for counting the way Petrov et al. (2023) did.

        When the loader recorded whole source files (``meta["join_files"]``, FLORES), each file
        is read whole, split on "\\n" (a trailing newline leaves an empty last item) and all
        items are joined with single spaces: their exact procedure. Otherwise the segments
        (``ids`` or all) are joined with single spaces.
        """
        files = self.meta.get("join_files", {})
        if isinstance(files, dict) and code in files:
            parts: list[str] = []
            for path in files[code]:
                with open(path, encoding="utf-8") as f:
                    parts.extend(f.read().split("\n"))
            return " ".join(parts)
        return " ".join(self.segments(code, ids))

    def subset(self, codes: Iterable[str]) -> "ParallelCorpus":
        codes = list(codes)
        return ParallelCorpus(
            self.name, self.version, {c: self.texts[c] for c in codes},
            {c: self.languages[c] for c in codes}, dict(self.meta),
        )
