"""Language resolution: many spellings, one identity; unknown input gets suggestions."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from babelscope.errors import LanguageError
from babelscope.languages import Language, parse_languages


@pytest.mark.parametrize("spelling", ["sw", "swa", "swh", "swh_Latn", "Swahili", "SW", "sw-Latn"])
def test_swahili_spellings_resolve_to_one_language(spelling):
    lang = Language.parse(spelling)
    assert lang.tag == "sw"
    assert lang.iso639_3 == "swa"
    assert lang.script == "Latn"
    assert lang.family == "Atlantic-Congo"
    assert lang == Language.parse("sw") and hash(lang) == hash(Language.parse("sw"))


def test_chinese_scripts_are_distinct_languages():
    hans = {Language.parse(s) for s in ["zh", "zh-Hans", "zho_Hans", "cmn", "Chinese"]}
    assert len(hans) == 1
    (zh,) = hans
    assert zh.tag == "zh-Hans" and zh.script == "Hans" and zh.family == "Sino-Tibetan"
    hant = Language.parse("zho_Hant")
    assert hant.tag == "zh-Hant" and hant.script == "Hant" and hant != zh
    # Cantonese is not collapsed into the Chinese macrolanguage.
    assert Language.parse("yue").iso639_3 == "yue"


def test_region_and_non_default_script_are_kept():
    assert Language.parse("pt-BR").tag == "pt-BR"
    assert Language.parse("pt-BR") != Language.parse("pt")
    latn = Language.parse("arb_Latn")
    assert latn.tag == "ar-Latn" and latn.script == "Latn"
    assert Language.parse("arb_Arab") == Language.parse("ar")


def test_default_script_filled_in():
    assert Language.parse("am").script == "Ethi"
    assert Language.parse("hin_Deva") == Language.parse("hi")
    assert Language.parse("ko").script == "Kore"


def test_population_and_name():
    am = Language.parse("am")
    assert am.name == "Amharic"
    assert am.population and am.population > 10_000_000


def test_unknown_language_has_suggestions():
    with pytest.raises(LanguageError) as e:
        Language.parse("Swahil")
    assert "swa (Swahili)" in e.value.suggestions
    with pytest.raises(LanguageError):
        Language.parse("xx-notalang")


def test_parse_languages_dedups_in_order():
    langs = parse_languages("sw,en,swh_Latn,eng")
    assert [lang.tag for lang in langs] == ["sw", "en"]


def test_row_fields_carry_the_axis():
    f = Language.parse("ta").row_fields()
    assert f == {"language": "ta", "iso639_3": "tam", "script": "Taml", "family": "Dravidian",
                 "language_name": "Tamil"}


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "babelscope", *args], capture_output=True, text=True)


def test_cli_languages_json_and_exit_code():
    p = _cli("languages", "am", "--json")
    assert p.returncode == 0, p.stderr
    (obj,) = json.loads(p.stdout)  # a list, also for one query
    assert obj["tag"] == "am" and obj["iso639_3"] == "amh" and obj["script"] == "Ethi"
    assert obj["name"] == "Amharic" and obj["family"] == "Afro-Asiatic"
    bad = _cli("languages", "xx-notalang")
    assert bad.returncode == 2
    assert "did you mean" in bad.stderr
