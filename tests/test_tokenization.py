"""Tokenizer premium analysis: metric arithmetic, UNK validity, shared segments, Petrov's counts."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import tokenizers
from tokenizers import models, pre_tokenizers

from babelscope.analyses.tokenization import run_tokenizers
from babelscope.corpora import open_corpus
from babelscope.corpora.base import ParallelCorpus
from babelscope.languages import Language, parse_languages
from babelscope.results import widen
from babelscope.tokenizer_specs import load_tokenizer

EN, DE, ZH = (Language.parse(x) for x in ("en", "de", "zh"))


def _corpus() -> ParallelCorpus:
    texts = {
        "en": {"1": "The cat sleeps.", "2": "It rains today.", "3": "only english"},
        "de": {"1": "Die Katze schläft.", "2": "Heute regnet es."},
        "zh": {"1": "猫在睡觉。", "2": "今天下雨。"},
    }
    return ParallelCorpus("test", "1", texts, {"en": EN, "de": DE, "zh": ZH})


def _wide(out) -> dict[tuple[str, str], dict]:
    return {(w["tokenizer"], w["language"]): w for w in widen([r.to_dict() for r in out.rows], "tokenizer")}


def test_metrics_from_independent_counts() -> None:
    tok = load_tokenizer("tiktoken:gpt2")
    out = run_tokenizers(_corpus(), [DE, ZH], EN, [tok], bootstrap=0)
    w = _wide(out)
    ids = ["1", "2"]  # segment 3 has no translation: excluded everywhere
    seg = _corpus().texts
    n = {c: sum(len(tok.encode(seg[c][i])) for i in ids) for c in seg}
    b = {c: sum(len(seg[c][i].encode("utf-8")) for i in ids) for c in seg}
    de = w[("tiktoken:gpt2", "de")]
    assert de["tokens"] == n["de"] and de["n"] == 2
    assert de["premium"] == pytest.approx(n["de"] / n["en"])
    assert de["byte_premium"] == pytest.approx(b["de"] / b["en"])
    assert de["bytes_per_token"] == pytest.approx(b["de"] / n["de"])
    assert de["chars_per_token"] == pytest.approx((len(seg["de"]["1"]) + len(seg["de"]["2"])) / n["de"])
    assert de["fertility"] == pytest.approx(n["de"] / 6)  # 3 + 3 whitespace words
    assert w[("tiktoken:gpt2", "zh-Hans")]["fertility"] is None  # no spaces in Chinese
    assert w[("tiktoken:gpt2", "en")]["premium"] == 1.0
    assert de["byte_fallback_rate"] is None and de["unk_rate"] == 0.0
    assert {r.corpus_code for r in out.rows} == {"en", "de", "zh"}


def test_premium_ci_brackets_the_estimate() -> None:
    tok = load_tokenizer("tiktoken:cl100k_base")
    rows = [r for r in run_tokenizers(_corpus(), [DE], EN, [tok]).rows if r.metric == "premium"]
    de = next(r for r in rows if r.language == DE)
    assert de.ci_low <= de.value <= de.ci_high


def test_unk_heavy_cell_is_invalid(tmp_path: Path) -> None:
    wl = tokenizers.Tokenizer(models.WordLevel(
        {"[UNK]": 0, "the": 1, "cat": 2, "sleeps.": 3, "it": 4, "rains": 5, "today.": 6, "The": 7, "It": 8},
        unk_token="[UNK]"))
    wl.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    path = tmp_path / "wl.json"
    wl.save(str(path))
    out = run_tokenizers(_corpus(), [DE], EN, [f"hf:{path}"], bootstrap=0)
    rows = {(r.language.tag, r.metric): r for r in out.rows}
    assert rows[("de", "premium")].value is None
    assert "UNK" in rows[("de", "premium")].extra["flag"]
    assert rows[("de", "unk_rate")].value == 1.0  # every German word is unknown
    assert rows[("en", "premium")].value == 1.0
    assert rows[("de", "tokens")].value == 6


def test_join_tokenizes_one_string() -> None:
    tok = load_tokenizer("tiktoken:gpt2")
    out = run_tokenizers(_corpus(), [DE], EN, [tok], join=True)
    w = _wide(out)
    assert w[("tiktoken:gpt2", "de")]["tokens"] == len(tok.encode("Die Katze schläft. Heute regnet es."))


def test_missing_language_names_it() -> None:
    from babelscope.errors import CorpusError

    with pytest.raises(CorpusError, match=r"no text for language sw"):
        run_tokenizers(_corpus(), [Language.parse("sw")], EN, ["tiktoken:gpt2"])


# Petrov et al. (2023), Table / released counts: FLORES-200 dev+devtest, each language joined.
PUBLISHED = {
    "tiktoken:cl100k_base": {"tokens": {"eng_Latn": 52835, "deu_Latn": 83450, "hin_Deva": 253270},
                             "premium": {"deu_Latn": 1.58, "hin_Deva": 4.79, "rus_Cyrl": 2.49, "zho_Hans": 1.91}},
    "tiktoken:gpt2": {"tokens": {"eng_Latn": 52567, "deu_Latn": 112600, "hin_Deva": 392092},
                      "premium": {"deu_Latn": 2.14, "hin_Deva": 7.46, "rus_Cyrl": 5.74, "zho_Hans": 3.21}},
}


def test_reproduces_petrov_published_counts(shared_data: Path) -> None:
    langs = parse_languages("eng_Latn,deu_Latn,hin_Deva,rus_Cyrl,zho_Hans")
    corpus = open_corpus(f"flores200:{shared_data / 'flores200'}", langs, split="all")
    out = run_tokenizers(corpus, langs, langs[0], list(PUBLISHED), join=True)
    by = {(r.variant, r.corpus_code, r.metric): r.value for r in out.rows}
    for tok, expect in PUBLISHED.items():
        for code, n in expect["tokens"].items():
            assert by[(tok, code, "tokens")] == n, (tok, code)
        for code, p in expect["premium"].items():
            assert round(by[(tok, code, "premium")], 2) == p, (tok, code)


def test_cli_acceptance_command(shared_data: Path) -> None:
    cmd = [sys.executable, "-m", "babelscope", "-q", "tokenizers",
           "--corpus", f"flores200:{shared_data / 'flores200' / 'flores200_dataset'}", "--join",
           "--tokenizer", "tiktoken:cl100k_base", "--tokenizer", "tiktoken:gpt2",
           "--languages", "eng_Latn,deu_Latn,hin_Deva,zho_Hans", "--json"]
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    rows = json.loads(res.stdout)
    assert len(rows) == 8
    de = next(r for r in rows if r["tokenizer"] == "tiktoken:cl100k_base" and r["corpus_code"] == "deu_Latn")
    assert (de["language"], de["iso639_3"], de["script"], de["tokens"]) == ("de", "deu", "Latn", 83450)
    assert round(de["premium"], 2) == 1.58


def test_cli_missing_language_exits_2(tmp_path: Path) -> None:
    (tmp_path / "en.txt").write_text("Hello.\n", encoding="utf-8")
    res = subprocess.run(
        [sys.executable, "-m", "babelscope", "tokenizers", "--corpus", f"files:{tmp_path}",
         "--languages", "de", "--tokenizer", "tiktoken:gpt2"],
        capture_output=True, text=True, timeout=120,
    )
    assert res.returncode == 2
    assert "no text for language de" in res.stderr
