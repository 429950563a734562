"""Text handling of the Language Confusion Benchmark (LCB), exactly as its authors do it.

LPR and WPR are only comparable with published numbers if a completion is cut, cleaned,
split and tokenised the same way, so each rule here mirrors the authors' metric script
(for-ai/language-confusion, compute_metrics.py):

- cut at the first "\\nQ:" (base models keep asking themselves questions), strip;
- delete ASCII punctuation (``string.punctuation``), replace the em dash by a space, delete the
  Arabic comma;
- split into lines on "\\n";
- tokenise: jieba for Chinese, a MeCab segmenter for Japanese, whitespace otherwise;
- English words: lowercase entries longer than 3 letters of the benchmark's ``words`` list.

The Japanese segmenter is fugashi; the authors use it with the full UniDic, we load whatever
dictionary fugashi finds (unidic-lite offline), so Japanese token counts can differ slightly.
"""

from __future__ import annotations

import logging
import os
import string
import warnings
from functools import lru_cache
from pathlib import Path

from ..errors import BabelscopeError, ConfigError

_DELETE = str.maketrans("", "", string.punctuation)
MIN_LINE_TOKENS = 5
#: Languages where the authors compute WPR (English words are unambiguous in these scripts).
WPR_LANGUAGES = frozenset({"ar", "hi", "ja", "ko", "ru", "zh"})


def normalize(text: str) -> str:
    """Cut at "\\nQ:", strip, drop ASCII punctuation, em dash -> space, drop the Arabic comma."""
    text = text.split("\nQ:")[0].strip()
    text = text.translate(_DELETE)
    text = text.replace("\u2014", " ")
    return text.replace("\u060c", "")


def tokenize(line: str, lang: str) -> list[str]:
    """Tokens of one line: jieba (zh), fugashi (ja), whitespace otherwise."""
    if lang == "zh":
        return _jieba_cut(line)
    if lang == "ja":
        return _mecab_cut(line)
    return line.split()


@lru_cache(maxsize=2**18)
def _jieba_cut(line: str) -> list[str]:
    return list(_jieba().cut(line))


@lru_cache(maxsize=2**18)
def _mecab_cut(line: str) -> list[str]:
    return _tagger().parse(line).split()


@lru_cache(maxsize=1)
def _jieba():
    try:
        with warnings.catch_warnings():  # jieba imports the deprecated pkg_resources
            warnings.simplefilter("ignore")
            import jieba
    except ImportError as e:
        raise ConfigError("Chinese tokenisation for fidelity needs `pip install jieba`") from e
    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


@lru_cache(maxsize=1)
def _tagger():
    try:
        from fugashi import Tagger
    except ImportError as e:
        raise ConfigError("Japanese tokenisation for fidelity needs `pip install fugashi unidic-lite`") from e
    try:
        return Tagger("-O wakati -b 50000")
    except RuntimeError as e:
        raise ConfigError(
            "fugashi found no MeCab dictionary; `pip install unidic-lite` (or run `python -m unidic download`)"
        ) from e


# -- the English word list ---------------------------------------------------------------------

def english_word_candidates() -> list[Path]:
    """Where the LCB ``words`` list is looked for, in order (first existing file wins)."""
    from ..assets import cache_dir

    out: list[Path] = []
    env = os.environ.get("BABELSCOPE_LCB_WORDS")
    if env:
        out.append(Path(env).expanduser())
    out.append(cache_dir() / "language_confusion" / "words")
    shared = os.environ.get("BABELSCOPE_SHARED_DATA")
    if shared:
        out.append(Path(shared).expanduser() / "language_confusion" / "words")
    # A checkout beside ../shared/data (our machines and CI), as the tests' fixture does.
    out.append(Path(__file__).resolve().parents[4] / "shared" / "data" / "language_confusion" / "words")
    out.append(Path("/usr/share/dict/words"))
    return out


def find_english_words(path: str | Path | None = None) -> Path:
    """The word list to use: ``path`` if given, else the first candidate that exists."""
    if path is not None:
        p = Path(path).expanduser()
        if not p.is_file():
            raise ConfigError(f"--english-words: no such file {p}")
        return p
    for p in english_word_candidates():
        if p.is_file():
            return p
    raise ConfigError(
        "WPR needs the Language Confusion Benchmark's English word list (`words` in "
        "for-ai/language-confusion); pass --english-words PATH or put it at "
        f"{english_word_candidates()[1]}"
    )


@lru_cache(maxsize=8)
def load_english_words(path: str | Path) -> frozenset[str]:
    """Lowercase words longer than 3 letters (``str.islower()``, as the authors filter)."""
    p = Path(path)
    try:
        lines = p.read_text(encoding="utf-8").splitlines()
    except OSError as e:
        raise BabelscopeError(f"{p}: cannot read the English word list ({e.strerror})") from e
    words = (w.strip() for w in lines)
    return frozenset(w for w in words if w.islower() and len(w) > 3)
