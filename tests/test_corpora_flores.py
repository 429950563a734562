"""flores200:<dir> and files:<dir> loaders: splits, ids, alignment errors, whole-file joins."""

from __future__ import annotations

from pathlib import Path

import pytest

from babelscope.corpora import open_corpus
from babelscope.errors import CorpusError
from babelscope.languages import Language, parse_languages


def _write(root: Path, split: str, code: str, lines: list[str]) -> None:
    (root / split).mkdir(parents=True, exist_ok=True)
    (root / split / f"{code}.{split}").write_text("".join(line + "\n" for line in lines), encoding="utf-8")


@pytest.fixture()
def flores_dir(tmp_path: Path) -> Path:
    root = tmp_path / "flores200_dataset"
    _write(root, "dev", "eng_Latn", ["One.", "Two."])
    _write(root, "dev", "deu_Latn", ["Eins.", "Zwei."])
    _write(root, "dev", "zho_Hans", ["一。", "二。"])
    _write(root, "devtest", "eng_Latn", ["Three."])
    _write(root, "devtest", "deu_Latn", ["Drei."])
    _write(root, "devtest", "zho_Hans", ["三。"])
    return tmp_path


def test_splits_and_segment_ids(flores_dir: Path) -> None:
    dev = open_corpus(f"flores200:{flores_dir}", split="dev")
    assert dev.texts["deu_Latn"] == {"dev:0001": "Eins.", "dev:0002": "Zwei."}
    default = open_corpus(f"flores200:{flores_dir / 'flores200_dataset'}")
    assert default.texts["eng_Latn"] == {"devtest:0001": "Three."}
    both = open_corpus(f"flores200:{flores_dir}", split="all")
    assert list(both.texts["zho_Hans"]) == ["dev:0001", "dev:0002", "devtest:0001"]
    assert both.code_for(Language.parse("zh")) == "zho_Hans"
    assert both.code_for(Language.parse("German")) == "deu_Latn"


def test_only_requested_languages(flores_dir: Path) -> None:
    c = open_corpus(f"flores200:{flores_dir}", parse_languages("en,de"))
    assert sorted(c.codes()) == ["deu_Latn", "eng_Latn"]
    with pytest.raises(CorpusError, match=r"no text for language hi"):
        c.code_for(Language.parse("hi"))


def test_join_reads_whole_files_like_petrov(flores_dir: Path) -> None:
    c = open_corpus(f"flores200:{flores_dir}", split="all")
    # dev "One.\nTwo.\n" -> ["One.", "Two.", ""], devtest "Three.\n" -> ["Three.", ""]
    assert c.joined("eng_Latn") == "One. Two.  Three. "
    dev = open_corpus(f"flores200:{flores_dir}", split="dev")
    assert dev.joined("eng_Latn") == "One. Two. "


def test_misaligned_files_name_the_file_and_counts(flores_dir: Path) -> None:
    _write(flores_dir / "flores200_dataset", "dev", "fra_Latn", ["Un.", "Deux.", "Trois."])
    _write(flores_dir / "flores200_dataset", "devtest", "fra_Latn", ["Trois."])
    with pytest.raises(CorpusError) as e:
        open_corpus(f"flores200:{flores_dir}", split="dev")
    msg = str(e.value)
    assert "fra_Latn.dev has 3 lines" in msg and "have 2 lines" in msg
    # Loading only other languages does not trip over the bad file.
    assert open_corpus(f"flores200:{flores_dir}", parse_languages("en"), split="dev").codes() == ["eng_Latn"]


def test_bad_folder_and_split(tmp_path: Path, flores_dir: Path) -> None:
    with pytest.raises(CorpusError, match="neither dev/ and devtest/"):
        open_corpus(f"flores200:{tmp_path / 'none'}")
    with pytest.raises(CorpusError, match="unknown split 'test'"):
        open_corpus(f"flores200:{flores_dir}", split="test")


def test_real_flores200_sample(shared_data: Path) -> None:
    c = open_corpus(f"flores200:{shared_data / 'flores200'}", split="all")
    assert len(c.codes()) == 204
    assert len(c.texts["eng_Latn"]) == 997 + 1012
    head = (shared_data / "flores200/flores200_dataset/devtest/deu_Latn.devtest").read_text(encoding="utf-8")
    assert c.texts["deu_Latn"]["devtest:0001"] == head.split("\n")[0]


# files:<dir> -----------------------------------------------------------------------------


def test_files_folder(tmp_path: Path) -> None:
    (tmp_path / "en.txt").write_text("Hello.\nBye.\n", encoding="utf-8")
    (tmp_path / "German.txt").write_text("Hallo.\nTschüss.", encoding="utf-8")
    (tmp_path / "notes.md").write_text("ignored", encoding="utf-8")
    c = open_corpus(f"files:{tmp_path}")
    assert c.texts == {"en": {"1": "Hello.", "2": "Bye."}, "German": {"1": "Hallo.", "2": "Tschüss."}}
    assert c.code_for(Language.parse("deu")) == "German"
    assert c.version.startswith("sha256:")


def test_files_misaligned_and_bad_names(tmp_path: Path) -> None:
    (tmp_path / "en.txt").write_text("a\nb\nc\n", encoding="utf-8")
    (tmp_path / "de.txt").write_text("a\nb\nc\n", encoding="utf-8")
    (tmp_path / "fr.txt").write_text("a\nb\n", encoding="utf-8")
    with pytest.raises(CorpusError, match=r"fr\.txt has 2 lines.*have 3 lines"):
        open_corpus(f"files:{tmp_path}")
    (tmp_path / "fr.txt").unlink()
    (tmp_path / "notalanguage123.txt").write_text("a\nb\nc\n", encoding="utf-8")
    with pytest.raises(CorpusError, match=r"notalanguage123\.txt: the file name must be a language"):
        open_corpus(f"files:{tmp_path}")
    with pytest.raises(CorpusError, match="is not a folder"):
        open_corpus(f"files:{tmp_path / 'missing'}")
