"""Language identification backends and the script detector."""

from __future__ import annotations

import pytest

from babelscope.errors import ConfigError
from babelscope.lid import UNKNOWN, Prediction, get_identifier, language_matches
from babelscope.lid.script import ScriptIdentifier, script_shares, writing_system


def test_script_shares_count_letters_and_marks_only():
    # 4 Latin letters, 2 Cyrillic; digits, spaces and punctuation ignored.
    shares = script_shares("abcd, 12 жз!")
    assert shares == {"Latn": 4 / 6, "Cyrl": 2 / 6}
    # Devanagari vowel signs (marks) count with their script: नमस्ते = 6 code points.
    assert script_shares("नमस्ते") == {"Deva": 1.0}
    assert script_shares("123 !?") == {}


def test_writing_system_merges_east_asian_mixtures():
    assert writing_system(script_shares("日本語のテキスト")) == ("Jpan", 1.0)
    assert writing_system(script_shares("中文文本")) == ("Hani", 1.0)
    assert writing_system(script_shares("한국어 漢字")) == ("Kore", 1.0)
    label, share = writing_system(script_shares("abc 中"))
    assert (label, share) == ("Latn", 0.75)
    assert writing_system({}) == (UNKNOWN, 0.0)


def test_script_identifier_accepts_by_target_script():
    s = ScriptIdentifier()
    preds = s.predict(["Привет, как дела?", "これは日本語です", "这是中文", "Hello there"])
    assert [p.label for p in preds] == ["Cyrl", "Jpan", "Hani", "Latn"]
    assert s.accepts("Cyrl", "ru") and not s.accepts("Latn", "ru")
    assert s.accepts("Jpan", "ja") and not s.accepts("Hani", "ja")
    assert s.accepts("Hani", "zh") and s.accepts("Hani", "zh-Hant")
    assert not s.accepts(UNKNOWN, "en")


def test_language_matches_keeps_dialects_apart_but_accepts_macrolanguage_labels():
    assert language_matches("fr", "fr") and language_matches("fr", "fra_Latn")
    assert language_matches("zh", "cmn") and language_matches("zh", "zho_Hans")
    assert language_matches("ar", "arb_Arab")
    assert not language_matches("arz", "ar")  # Egyptian Arabic is an LCB error for Arabic
    assert not language_matches("en", "fr")
    assert not language_matches(UNKNOWN, "fr") and not language_matches("", "fr")


def test_prediction_threshold_is_strict():
    assert Prediction("fr", 0.3).confident(0.3) == UNKNOWN
    assert Prediction("fr", 0.3001).confident(0.3) == "fr"


def test_unknown_backend_names_the_choices():
    with pytest.raises(ConfigError, match="fasttext-lite"):
        get_identifier("langdetect")


@pytest.mark.parametrize("name", ["py3langid", "fasttext-lite"])
def test_real_backends_identify_common_languages(name):
    lid = get_identifier(name)
    texts = {
        "fr": "Je voudrais réserver une table pour deux personnes ce soir, s'il vous plaît.",
        "de": "Ich möchte heute Abend einen Tisch für zwei Personen reservieren, bitte.",
        "zh": "我想今天晚上预订一张两个人的桌子，谢谢。",
        "ru": "Я хотел бы забронировать столик на двоих сегодня вечером, пожалуйста.",
    }
    preds = lid.predict(list(texts.values()))
    for (code, _), pred in zip(texts.items(), preds):
        assert lid.accepts(pred.label, code), (code, pred)
        assert 0.3 < pred.prob <= 1.0


def test_heliport_labels_fold_standard_varieties():
    pytest.importorskip("heliport")
    lid = get_identifier("heliport")
    pred = lid.identify("我想今天晚上预订一张两个人的桌子，谢谢。我们明天见。")
    assert pred.label == "zh" and lid.accepts(pred.label, "zh")


def test_lingua_restricted_detector():
    pytest.importorskip("lingua")
    from babelscope.lid.lingua_backend import LinguaIdentifier

    lid = LinguaIdentifier(languages=["fr", "de"])
    preds = lid.predict(["Bonjour à tous, merci d'être venus.", "Guten Morgen, wie geht es Ihnen heute?"])
    assert [p.label for p in preds] == ["fr", "de"]
