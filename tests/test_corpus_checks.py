"""Corpus files that would give silent nulls or a silent choice are refused by name."""

from __future__ import annotations

from pathlib import Path

import pytest

from babelscope.corpora import open_corpus
from babelscope.errors import CorpusError
from babelscope.languages import Language, parse_languages


def _folder(tmp_path: Path, files: dict[str, str]) -> Path:
    d = tmp_path / "corpus"
    d.mkdir()
    for name, text in files.items():
        (d / name).write_text(text, encoding="utf-8")
    return d


@pytest.mark.parametrize("text, what", [("\n\n  \n", "has only blank lines (3)"), ("", "is empty")])
def test_a_file_without_text_is_refused(tmp_path, text, what):
    d = _folder(tmp_path, {"en.txt": "a\nb\nc\n", "de.txt": text})
    with pytest.raises(CorpusError) as e:
        open_corpus(f"files:{d}")
    assert str(d / "de.txt") in str(e.value) and what in str(e.value)


def test_blank_lines_between_text_are_still_fine(tmp_path):
    d = _folder(tmp_path, {"en.txt": "a\n\nc\n", "de.txt": "x\n\nz\n"})
    c = open_corpus(f"files:{d}")
    assert c.segments("de") == ["x", "", "z"]


def test_two_files_of_one_language_are_refused(tmp_path):
    d = _folder(tmp_path, {"en.txt": "a\n", "eng.txt": "b\n", "de.txt": "c\n"})
    with pytest.raises(CorpusError, match=r"en.txt and eng.txt are both en \(English\)"):
        open_corpus(f"files:{d}")


def _udhr(tmp_path: Path) -> Path:
    d = tmp_path / "declaration"
    d.mkdir()

    def html(lang: str, text: str) -> str:
        return (f'<html lang="{lang}"><body><div class="article" id="article-1"><p>{text}</p></div>'
                "</body></html>")

    for stem, lang in (("eng", "en"), ("deu_1996", "de-1996"), ("deu_1901", "de-1901"), ("fra", "fr")):
        (d / f"{stem}.html").write_text(html(lang, f"text {stem}"), encoding="utf-8")
    return d


def test_udhr_no_text_message_counts_the_whole_source(tmp_path):
    d = _udhr(tmp_path)
    c = open_corpus(f"udhr:{d}", parse_languages("fr"))
    with pytest.raises(CorpusError) as e:
        c.code_for(Language.parse("tlh"))
    # 4 declarations in 3 languages (two German orthographies), not "1 languages available"
    assert "the source has 4 texts in 3 languages" in str(e.value)
