"""Bilingual dictionaries for the word-level probes: dictd (FreeDict) files and two-column TSV.

A dictionary here is what the probes need and nothing more: for each source word, the set of
target words it translates to. FreeDict ships dictd files (``<name>.index`` with base64 offsets
into ``<name>.dict.dz``, a gzip file); the entry text is free-form, so translations are read
from it by these rules (the same for every FreeDict file):

- the first line is the headword, optionally followed by ``/pronunciation/``, ``<pos>`` and a
  parenthesised note; the headword is the text before those;
- blank lines, quoted examples (indented lines starting with a quote) and cross references
  (lines holding ``{...}`` or starting with ``see:``, ``Synonym:``, ``Note:`` ...) are skipped;
- a leading sense number (``2.``) is dropped, as are ``<...>``, ``[...]`` and ``(...)`` notes;
- what is left is split at commas and semicolons; each piece is one translation;
- ``~`` joins words (FreeDict eng-hin) and becomes a space; ellipses are dropped;
- where the target language is not written in Latin script, pieces without a letter of that
  script are dropped (FreeDict+WikDict files add English glosses under the translations).

``freedict:<dir>`` finds the file for a pair: ``freedict-<src>-<tgt>.index`` directly, else
``freedict-<tgt>-<src>.index`` read backwards. File codes are matched as languages (``swh``
is Swahili), so ``sw`` finds ``eng-swh``.
"""

from __future__ import annotations

import gzip
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ..errors import ConfigError
from ..languages import Language

_B64 = {c: i for i, c in enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")}
_NOTES = re.compile(r"<[^>]*>|\[[^\]]*\]|\([^)]*\)")
_SENSE = re.compile(r"^\d+\.\s*|\s+\d+\.$")
#: Unicode character-name prefixes of letters in each non-Latin script (ISO 15924).
_SCRIPT_NAMES = {
    "Jpan": ("CJK", "HIRAGANA", "KATAKANA"), "Hani": ("CJK",), "Hans": ("CJK",), "Hant": ("CJK",),
    "Kore": ("HANGUL", "CJK"), "Deva": ("DEVANAGARI",), "Arab": ("ARABIC",), "Cyrl": ("CYRILLIC",),
    "Grek": ("GREEK",), "Hebr": ("HEBREW",), "Thai": ("THAI",), "Beng": ("BENGALI",),
    "Ethi": ("ETHIOPIC",), "Taml": ("TAMIL",), "Telu": ("TELUGU",), "Geor": ("GEORGIAN",),
    "Armn": ("ARMENIAN",),
}
_XREF = re.compile(r"^(see|synonym|synonyms|antonym|antonyms|note|notes|syn|ant|also)\s*:", re.I)


class DictionaryError(ConfigError):
    """A dictionary that is missing, unreadable, or not in dictd or TSV format."""


@dataclass
class Dictionary:
    """Translations from ``source`` words to ``target`` words, in the order they were read."""

    source: Language
    target: Language
    entries: dict[str, list[str]] = field(default_factory=dict)
    origin: str = ""

    def add(self, src: str, tgt: str) -> None:
        src, tgt = src.strip(), tgt.strip()
        if src and tgt:
            got = self.entries.setdefault(src, [])
            if tgt not in got:
                got.append(tgt)

    def reversed(self) -> "Dictionary":
        out = Dictionary(self.target, self.source, origin=f"{self.origin} (reversed)")
        for s, ts in self.entries.items():
            for t in ts:
                out.add(t, s)
        return out

    def pairs(self) -> list[tuple[str, str]]:
        return [(s, t) for s, ts in self.entries.items() for t in ts]

    def __len__(self) -> int:
        return len(self.entries)


def _b64(s: str) -> int:
    n = 0
    for c in s:
        if c not in _B64:
            raise ValueError(f"bad base64 digit {c!r}")
        n = n * 64 + _B64[c]
    return n


def read_dictd_entries(index: str | Path) -> list[tuple[str, str]]:
    """(index key, entry text) of every entry of a dictd dictionary, metadata entries left out."""
    index = Path(index)
    data_path = _data_file(index)
    try:
        lines = index.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as e:
        raise DictionaryError(f"{index}: cannot read the dictd index ({e})") from e
    try:
        raw = gzip.open(data_path).read() if data_path.suffix == ".dz" else data_path.read_bytes()
    except (OSError, EOFError, gzip.BadGzipFile) as e:
        raise DictionaryError(f"{data_path}: not a dictd data file ({e})") from e
    out = []
    for no, line in enumerate(lines, 1):
        parts = line.split("\t")
        if len(parts) < 3:
            raise DictionaryError(f"{index}, line {no}: not a dictd index line (want word<TAB>offset<TAB>length)")
        try:
            off, size = _b64(parts[1]), _b64(parts[2])
        except ValueError as e:
            raise DictionaryError(f"{index}, line {no}: {e}; not a dictd index") from e
        if off + size > len(raw):
            raise DictionaryError(f"{index}, line {no}: entry beyond the end of {data_path.name}")
        if parts[0].startswith("00database") or parts[0].startswith("00-database"):
            continue
        out.append((parts[0], raw[off: off + size].decode("utf-8", errors="replace")))
    return out


def _data_file(index: Path) -> Path:
    stem = index.name[: -len(".index")] if index.name.endswith(".index") else index.stem
    for name in (f"{stem}.dict.dz", f"{stem}.dict"):
        p = index.with_name(name)
        if p.exists():
            return p
    raise DictionaryError(f"{index}: no {stem}.dict.dz or {stem}.dict beside it; a dictd dictionary needs both")


def in_script(word: str, script: str) -> bool:
    """Does ``word`` hold a letter of ``script``? (Latin and unknown scripts: any letter.)"""
    import unicodedata

    names = _SCRIPT_NAMES.get(script)
    if not names:
        return any(c.isalpha() for c in word)
    return any(c.isalpha() and unicodedata.name(c, "").startswith(names) for c in word)


def parse_entry(text: str, script: str = "Latn") -> tuple[str, list[str]]:
    """(headword, translations) of one FreeDict entry, by the rules in the module docstring."""
    lines = text.split("\n")
    head = lines[0]
    for cut in (" /", " <", " ("):
        j = head.find(cut)
        if j > 0:
            head = head[:j]
    head = head.strip()
    out: list[str] = []
    for line in lines[1:]:
        s = line.strip()
        if not s or s.startswith('"') or "{" in s or _XREF.match(s):
            continue
        s = _SENSE.sub("", _NOTES.sub(" ", s).replace("~", " ").replace("…", " ").replace("...", " ").strip())
        for piece in re.split(r"[,;]", s):
            w = " ".join(piece.split())
            if not w:
                continue
            if not in_script(w, script):
                continue
            if w not in out:
                out.append(w)
    return head, out


def read_dictd(index: str | Path, source: Language | str, target: Language | str) -> Dictionary:
    """A dictd dictionary; parsed once per process (FreeDict eng-deu takes seconds)."""
    src, tgt = Language.parse(source), Language.parse(target)
    p = Path(index).resolve()
    try:
        stamp = p.stat().st_mtime_ns
    except OSError as e:
        raise DictionaryError(f"{index}: cannot read the dictd index ({e})") from e
    return _read_dictd_cached(str(p), stamp, src.tag, tgt.tag)


@lru_cache(maxsize=16)
def _read_dictd_cached(index: str, stamp: int, source: str, target: str) -> Dictionary:
    src, tgt = Language.parse(source), Language.parse(target)
    d = Dictionary(src, tgt, origin=str(index))
    for _, text in read_dictd_entries(index):
        head, trans = parse_entry(text, tgt.script)
        for t in trans:
            d.add(head, t)
    return d


def read_tsv(path: str | Path, source: Language | str, target: Language | str) -> Dictionary:
    """Two columns (source word, target word) separated by a tab (or, MUSE style, a space)."""
    path = Path(path)
    d = Dictionary(Language.parse(source), Language.parse(target), origin=str(path))
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise DictionaryError(f"{path}: cannot read as UTF-8 text ({e})") from e
    for no, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t") if "\t" in line else line.split()
        if len(parts) != 2:
            raise DictionaryError(
                f"{path}, line {no}: not a two-column TSV of word pairs (found {len(parts)} columns); "
                "give a dictd .index or a TSV of source<TAB>target")
        d.add(parts[0], parts[1])
    return d


def _file_languages(path: Path) -> tuple[Language, Language] | None:
    m = re.match(r"^(?:freedict-)?([A-Za-z]{2,3})-([A-Za-z]{2,3})\.index$", path.name)
    if not m:
        return None
    try:
        return Language.parse(m.group(1)), Language.parse(m.group(2))
    except Exception:  # noqa: BLE001 - a file whose codes are not languages is simply not a match
        return None


def locate_dictionary(spec: str, source: Language | str, target: Language | str) -> tuple[Path, str, bool]:
    """(file, "dictd" or "tsv", read backwards?) for a pair, without reading the dictionary.

    Cheap, so commands call it for every pair before loading a model. Raises DictionaryError
    naming the pair and the folder when there is no dictionary for it.
    """
    src, tgt = Language.parse(source), Language.parse(target)
    if spec.startswith("freedict:"):
        folder = Path(spec.split(":", 1)[1]).expanduser()
        if not folder.is_dir():
            raise DictionaryError(f"--dictionary {spec}: {folder} is not a folder")
        found: list[tuple[Path, tuple[Language, Language]]] = []
        for p in sorted(folder.glob("*.index")):
            langs = _file_languages(p)
            if langs:
                found.append((p, langs))
        for p, (a, b) in found:
            if a == src and b == tgt:
                return p, "dictd", False
        for p, (a, b) in found:
            if a == tgt and b == src:
                return p, "dictd", True
        have = ", ".join(f"{a.tag}-{b.tag}" for _, (a, b) in found) or "none"
        raise DictionaryError(f"--dictionary {spec}: no dictionary for the pair {src.tag}-{tgt.tag} "
                              f"(pairs in {folder}: {have})")
    path = Path(spec).expanduser()
    if not path.exists():
        raise DictionaryError(f"--dictionary: {path} does not exist")
    if path.is_dir():
        raise DictionaryError(f"--dictionary: {path} is a folder; use freedict:{path} for a folder of dictd files")
    if path.name.endswith(".index"):
        _data_file(path)
        return path, "dictd", False
    if path.name.endswith((".dict.dz", ".dict")):
        index = path.with_name(path.name.rsplit(".dict", 1)[0] + ".index")
        if not index.exists():
            raise DictionaryError(f"--dictionary: {path} has no {index.name} beside it; a dictd dictionary needs both")
        return index, "dictd", False
    try:
        with path.open("rb") as f:
            head = f.read(4096)
    except OSError as e:
        raise DictionaryError(f"--dictionary: cannot read {path} ({e})") from e
    if head[:2] == b"\x1f\x8b" or b"\x00" in head:
        raise DictionaryError(f"--dictionary: {path} is neither a dictd dictionary (.index + .dict.dz) "
                              "nor a TSV of word pairs")
    try:
        first = next((ln for ln in head.decode("utf-8", errors="strict").splitlines()
                      if ln.strip() and not ln.startswith("#")), "")
    except UnicodeDecodeError as e:
        raise DictionaryError(f"--dictionary: {path} is not UTF-8 text, so not a TSV of word pairs ({e})") from e
    cols = first.split("\t") if "\t" in first else first.split()
    if first and len(cols) != 2:
        raise DictionaryError(f"--dictionary: {path}, line 1: not a two-column TSV of word pairs "
                              f"(found {len(cols)} columns); give a dictd .index or a TSV of source<TAB>target")
    return path, "tsv", False


def open_dictionary(spec: str, source: Language | str, target: Language | str) -> Dictionary:
    """The dictionary from ``source`` to ``target``: ``freedict:<dir>``, a dictd ``.index``, or a TSV."""
    src, tgt = Language.parse(source), Language.parse(target)
    path, kind, backwards = locate_dictionary(spec, src, tgt)
    if kind == "tsv":
        return read_tsv(path, src, tgt)
    return read_dictd(path, tgt, src).reversed() if backwards else read_dictd(path, src, tgt)


def pivot_triples(spec: str, source: Language | str, target: Language | str,
                  pivot: Language | str = "en") -> list[tuple[str, str, str]]:
    """(source word, pivot word, target word) joined through the pivot's words.

    For the logit lens the English equivalent of each prompt word is needed, so a fr->de
    prompt comes from the fr->en and en->de dictionaries. On each side the most frequent
    single-word translation is taken (wordfreq; the first listed where wordfreq cannot score
    the language), since dictionaries list senses in no useful order (fr "instrument": agent,
    means, tool; en "country": Gebirge before Land). Where source (or target) is the pivot,
    that side is the pivot word itself.
    """
    from .words import by_frequency, is_single_word

    src, tgt, piv = Language.parse(source), Language.parse(target), Language.parse(pivot)
    if src == tgt:
        raise ConfigError(f"source and target are both {src.tag}")

    def best(ts: list[str], lang: Language, most_frequent: bool) -> str:
        single = [t for t in ts if is_single_word(t)]
        if not single:
            return ts[0]
        return by_frequency(single, lang)[0] if most_frequent else single[0]

    if src == piv:
        to_piv = {w: w for w in open_dictionary(spec, piv, tgt).entries}
    else:
        to_piv = {s: best(ts, piv, True) for s, ts in open_dictionary(spec, src, piv).entries.items()}
    if tgt == piv:
        from_piv = {w: w for w in to_piv.values()}
    else:
        from_piv = {s: best(ts, tgt, True) for s, ts in open_dictionary(spec, piv, tgt).entries.items()}
    out = []
    for s, p in to_piv.items():
        t = from_piv.get(p)
        if t is not None:
            out.append((s, p, t))
    return out
