"""Dictionary readers: a dictd dictionary written here, the shared FreeDict files, TSV, bad input.

Expected translations of the written dictionary are stated by hand from the entries' text;
those of the FreeDict files were read off the entries (``zcat freedict-eng-swh.dict.dz``).
"""

from __future__ import annotations

import gzip

import pytest

from babelscope.errors import BabelscopeError
from babelscope.probes.dictionary import (
    DictionaryError,
    locate_dictionary,
    open_dictionary,
    parse_entry,
    pivot_triples,
    read_dictd_entries,
)

B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def b64(n: int) -> str:
    s = ""
    while True:
        s = B64[n % 64] + s
        n //= 64
        if n == 0:
            return s


def write_dictd(folder, name, entries, compress=True):
    """A dictd dictionary: entry texts concatenated, index lines word<TAB>offset<TAB>length."""
    data = b""
    index = []
    for key, text in [("00databaseshort", "A test dictionary\n")] + entries:
        raw = text.encode("utf-8")
        index.append(f"{key}\t{b64(len(data))}\t{b64(len(raw))}")
        data += raw
    (folder / f"{name}.index").write_text("\n".join(index) + "\n", encoding="utf-8")
    if compress:
        with gzip.open(folder / f"{name}.dict.dz", "wb") as f:
            f.write(data)
    else:
        (folder / f"{name}.dict").write_bytes(data)


ENTRIES = [
    ("gift", "gift /ɡɪft/ <n>\n1. Geschenk <neut>, Gabe <fem>\n2. Begabung [fig.]\n"
             '      "a gift for languages" - eine Begabung für Sprachen\n   Synonym: {present}\n\n'),
    ("poison", "poison /pˈɔɪzən/ <n>\nGift <neut>; Toxin\n see: {venom}\n\n"),
    ("house", "house /haʊs/\nHaus\n"),
    ("house", "house /haʊs/\nGebäude\n"),
    ("ice cream", "ice cream\nSpeiseeis, Eis (n)\n"),
]


def test_written_dictd_reads_by_the_documented_rules(tmp_path):
    write_dictd(tmp_path, "freedict-eng-deu", ENTRIES)
    d = open_dictionary(f"freedict:{tmp_path}", "en", "de")
    assert d.entries == {
        "gift": ["Geschenk", "Gabe", "Begabung"],
        "poison": ["Gift", "Toxin"],
        "house": ["Haus", "Gebäude"],
        "ice cream": ["Speiseeis", "Eis"],
    }
    # the same file read backwards serves de -> en
    r = open_dictionary(f"freedict:{tmp_path}", "de", "en")
    assert r.entries["Gift"] == ["poison"]
    assert r.entries["Eis"] == ["ice cream"]
    # an uncompressed .dict and a direct .index path work too
    write_dictd(tmp_path, "plain", ENTRIES, compress=False)
    assert open_dictionary(str(tmp_path / "plain.index"), "en", "de").entries["gift"][0] == "Geschenk"


def test_non_latin_targets_drop_english_glosses():
    head, trans = parse_entry("amino acid /x/ <n>\nアミノ酸 2.\nany of the twenty α-amino acids\n 3.\n", "Jpan")
    assert head == "amino acid" and trans == ["アミノ酸"]
    _, hi = parse_entry("appose <V>\n1. एक~के~ऊपर~रखना\n", "Deva")
    assert hi == ["एक के ऊपर रखना"]


def test_shared_freedict_files(shared_data):
    folder = shared_data / "freedict"
    if not (folder / "freedict-eng-swh.index").exists():
        pytest.skip("no FreeDict files in the shared data")
    sw = open_dictionary(f"freedict:{folder}", "en", "sw")  # 'sw' finds the eng-swh file
    assert {"maisha", "uhai"} <= set(sw.entries["life"])
    assert sw.entries["school"] == ["chuo", "shule", "skuli"]
    assert sw.entries["scissors"] == ["mkasi"]
    assert len(sw) > 1000
    fr = open_dictionary(f"freedict:{folder}", "fr", "en")
    assert fr.entries["instrument"] == ["agent", "means", "tool"]
    assert fr.entries["instruire"] == ["exercise", "practise", "teach"]
    # metadata entries (00database...) are never words
    assert not any(k.startswith("00") for k, _ in read_dictd_entries(folder / "freedict-eng-swh.index"))
    triples = pivot_triples(f"freedict:{folder}", "fr", "sw")
    assert len(triples) > 100 and all(len(t) == 3 for t in triples)


def test_tsv_dictionary(tmp_path):
    p = tmp_path / "muse.txt"
    p.write_text("# comment\nhouse\tHaus\nhouse Gebäude\ncat\tKatze\n", encoding="utf-8")
    d = open_dictionary(str(p), "en", "de")
    assert d.entries == {"house": ["Haus", "Gebäude"], "cat": ["Katze"]}


@pytest.mark.parametrize("content, match", [
    (b"\x1f\x8b\x08\x00garbage", "neither a dictd"),
    (b"one two three\n", "two-column"),
    (b"\xff\xfe\xfa bad", "not UTF-8"),
])
def test_files_that_are_neither_dictd_nor_tsv(tmp_path, content, match):
    p = tmp_path / "words.bin"
    p.write_bytes(content)
    with pytest.raises(DictionaryError, match=match) as e:
        open_dictionary(str(p), "en", "de")
    assert isinstance(e.value, BabelscopeError) and e.value.exit_code == 2


def test_bad_dictd_and_missing_pairs(tmp_path):
    (tmp_path / "broken.index").write_text("word\tnot base64!\t12\n", encoding="utf-8")
    (tmp_path / "broken.dict").write_bytes(b"x" * 20)
    with pytest.raises(DictionaryError, match="broken.index, line 1"):
        open_dictionary(str(tmp_path / "broken.index"), "en", "de")
    (tmp_path / "lonely.index").write_text("a\tA\tB\n", encoding="utf-8")
    with pytest.raises(DictionaryError, match="lonely.dict.dz"):
        locate_dictionary(str(tmp_path / "lonely.index"), "en", "de")
    write_dictd(tmp_path, "freedict-eng-deu", ENTRIES)
    with pytest.raises(DictionaryError, match="no dictionary for the pair en-sw.*en-de"):
        locate_dictionary(f"freedict:{tmp_path}", "en", "sw")
    with pytest.raises(DictionaryError, match="not a folder"):
        locate_dictionary(f"freedict:{tmp_path / 'nope'}", "en", "de")
