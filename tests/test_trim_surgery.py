"""Unit tests of the trimming parts: mining thresholds, BPE closure, tokenizer pruning, word lists."""

from __future__ import annotations

import json

import numpy as np
import pytest
from tokenizers import Tokenizer, models, pre_tokenizers, processors

from babelscope.adapt import mining
from babelscope.adapt import tokenizer_surgery as ts
from babelscope.errors import ConfigError, CorpusError, ModelError
from babelscope.languages import Language

# a, b, c and the merges a+b -> ab, ab+c -> abc, b+c -> bc (ranks in that order)
VOCAB = {"<unk>": 0, "a": 1, "b": 2, "c": 3, "ab": 4, "abc": 5, "bc": 6, "d": 7}
MERGES = [("a", "b"), ("ab", "c"), ("b", "c")]


def _bpe_json() -> dict:
    tk = Tokenizer(models.BPE(vocab=dict(VOCAB), merges=list(MERGES), unk_token="<unk>"))
    tk.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    tk.add_special_tokens(["<s>"])
    tk.post_processor = processors.TemplateProcessing(single="<s> $A", special_tokens=[("<s>", 8)])
    return json.loads(tk.to_str())


def _encode(tj: dict, text: str) -> list[int]:
    return Tokenizer.from_str(json.dumps(tj)).encode(text, add_special_tokens=False).ids


# ----------------------------------------------------------------------------- mining

def test_select_ids_thresholds_top_n_and_always() -> None:
    counts = np.array([5, 1, 2, 0, 3, 3, 0.5])
    assert mining.select_ids(counts, 2).ids.tolist() == [0, 2, 4, 5]
    # top 2 by count: 0 (5), then 4 and 5 tie at 3 -> lower id wins
    assert mining.select_ids(counts, 2, top_n=2).ids.tolist() == [0, 4]
    kept = mining.select_ids(counts, 2, top_n=2, always={"special": [6, 0], "added": [3]})
    assert kept.ids.tolist() == [0, 3, 4, 6]
    assert kept.reason_counts() == {"corpus": 2, "special": 2, "added": 1}
    assert kept.mapping() == {0: 0, 3: 1, 4: 2, 6: 3}
    with pytest.raises(ConfigError, match="min-frequency"):
        mining.select_ids(counts, 0)


def test_count_tokens_weights_and_empty_language() -> None:
    table = {"x": [0, 1], "y": [1, 1, 2]}
    enc = lambda texts: [table[t] for t in texts]
    counts = mining.count_tokens(enc, {"en": [("x", 2.0), ("y", 0.5)], "de": [("y", 1.0)]}, 4)
    assert counts.per_language["en"].tolist() == [2.0, 3.0, 0.5, 0.0]
    assert counts.per_language["de"].tolist() == [0.0, 2.0, 1.0, 0.0]
    assert counts.total.tolist() == [2.0, 5.0, 1.5, 0.0]
    assert mining.coverage(counts.per_language["en"], np.array([1])) == pytest.approx(3.0 / 5.5)
    with pytest.raises(CorpusError, match="language fr"):
        mining.count_tokens(enc, {"fr": [("  ", 1.0)]}, 4)


# ----------------------------------------------------------------------------- tokenizer surgery

def test_bpe_closure_keeps_the_intermediates_a_kept_token_is_built_from() -> None:
    tj = _bpe_json()
    # "abc" is built a+b -> ab, ab+c -> abc; "bc" is never formed on the way.
    assert ts.close_over_merges(tj, {5}) == {5, 1, 2, 3, 4}
    # A token BPE never rebuilds whole needs no parts: "bc" (a+b wins in "abc", and "bc" alone is b+c).
    assert ts.close_over_merges(tj, {6}) == {6, 2, 3}


def test_pruned_bpe_encodes_covered_text_exactly_only_with_the_closure() -> None:
    tj = _bpe_json()
    original = _encode(tj, "abc d")
    assert original == [5, 7]
    naive = {0, 1, 2, 3, 5, 7, 8}  # the ids the text uses, plus single characters and specials
    for keep, exact in ((naive, False), (ts.close_over_merges(tj, naive), True)):
        mapping = {old: new for new, old in enumerate(sorted(keep))}
        pruned = ts.prune(tj, mapping)
        inverse = sorted(keep)
        back = [inverse[i] for i in _encode(pruned, "abc d")]
        assert (back == original) is exact
    mapping = {old: new for new, old in enumerate(sorted(ts.close_over_merges(tj, naive)))}
    pruned = ts.prune(tj, mapping)
    assert [tuple(m) for m in pruned["model"]["merges"]] == [("a", "b"), ("ab", "c")]  # b+c: "bc" dropped
    assert pruned["added_tokens"][0]["id"] == mapping[8]
    assert pruned["post_processor"]["special_tokens"]["<s>"]["ids"] == [mapping[8]]


def test_always_keep_byte_fallback_byte_level_and_unknown() -> None:
    vocab = {"<unk>": 0, "<0x00>": 1, "<0xFF>": 2, "x": 3}
    tk = Tokenizer(models.BPE(vocab=vocab, merges=[], unk_token="<unk>", byte_fallback=True))
    always = ts.always_keep(json.loads(tk.to_str()), special_ids=[0])
    assert always["byte_fallback"] == {1, 2} and always["unknown"] == {0} and always["special"] == {0}

    table = ts.bytes_to_unicode()
    assert len(set(table.values())) == 256
    assert table[ord("A")] == "A" and table[32] == "Ġ" and table[10] == "Ċ"  # GPT-2's well-known symbols
    bl = Tokenizer(models.BPE(vocab={"Ġ": 0, "A": 1, "AB": 2, "B": 3}, merges=[("A", "B")]))
    bl.pre_tokenizer = pre_tokenizers.ByteLevel()
    assert ts.always_keep(json.loads(bl.to_str()))["byte_level_alphabet"] == {0, 1, 3}


def test_prune_unigram_and_wordpiece() -> None:
    uni = Tokenizer(models.Unigram([("<unk>", 0.0), ("▁a", -1.0), ("b", -2.0), ("▁ab", -0.5)], unk_id=0))
    tj = json.loads(uni.to_str())
    pruned = ts.prune(tj, {0: 0, 2: 1, 3: 2})
    assert [p[0] for p in pruned["model"]["vocab"]] == ["<unk>", "b", "▁ab"]
    assert pruned["model"]["unk_id"] == 0
    with pytest.raises(ModelError, match="unknown token"):
        ts.prune(tj, {1: 0, 2: 1})

    wp = Tokenizer(models.WordPiece({"[UNK]": 0, "ab": 1, "##c": 2, "a": 3}, unk_token="[UNK]"))
    wp.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    wp.post_processor = processors.BertProcessing(("[UNK]", 0), ("ab", 1))
    tj = json.loads(wp.to_str())
    pruned = ts.prune(tj, {0: 0, 1: 1, 2: 2})
    assert Tokenizer.from_str(json.dumps(pruned)).encode("abc a", add_special_tokens=False).ids == [1, 2, 0]
    with pytest.raises(ModelError, match="was not kept"):
        ts.prune(tj, {1: 0, 2: 1})


# ----------------------------------------------------------------------------- word lists

def test_wordfreq_forms_and_weights() -> None:
    pytest.importorskip("wordfreq")
    import wordfreq

    from babelscope.corpora.wordfreq_corpus import FORM_SHARES, wordfreq_texts

    texts = wordfreq_texts(Language.parse("deu"), corpus_words=1_000_000, max_words=500)
    by_text = {t.text: t.weight for t in texts}
    freq = wordfreq.get_frequency_dict("de")["haus"]
    shares = dict(FORM_SHARES)
    assert by_text[" haus"] == pytest.approx(freq * 1e6 * shares["lower"])
    assert by_text[" Haus"] == pytest.approx(freq * 1e6 * shares["capitalised"])
    assert by_text["Haus"] == pytest.approx(freq * 1e6 * shares["initial"])
    assert sum(by_text.values()) == pytest.approx(
        1e6 * sum(f for _w, f in sorted(wordfreq.get_frequency_dict("de").items(), key=lambda kv: -kv[1])[:500]))
    with pytest.raises(CorpusError, match="sw.*Swahili"):
        wordfreq_texts(Language.parse("swahili"))


# ----------------------------------------------------------------------------- target text

def test_corpus_split_holds_out_every_tenth_segment(tmp_path) -> None:
    from babelscope.adapt.sources import load_target_text

    for code in ("eng", "deu"):
        (tmp_path / f"{code}.txt").write_text("\n".join(f"{code} line {i}" for i in range(1, 26)) + "\n",
                                              encoding="utf-8")
    target = load_target_text(f"files:{tmp_path}", [Language.parse("en"), Language.parse("de")])
    assert target.heldout["de"] == ["deu line 10", "deu line 20"]
    mined = [t for t, _w in target.mining["de"]]
    assert len(mined) == 23 and not set(mined) & set(target.heldout["de"])
    # An explicit held-out corpus replaces the split's held-out part.
    other = tmp_path / "other"
    other.mkdir()
    (other / "deu.txt").write_text("Ganz andere Sätze.\n", encoding="utf-8")
    target = load_target_text(f"files:{tmp_path}", [Language.parse("de")], heldout=f"files:{other}")
    assert target.heldout == {"de": ["Ganz andere Sätze."]}


def test_hf_dataset_corpus_needs_datasets() -> None:
    import importlib.util

    from babelscope.adapt.sources import load_target_text

    if importlib.util.find_spec("datasets") is not None:
        pytest.skip("datasets is installed; this checks the message without it")
    with pytest.raises(CorpusError, match="pip install datasets"):
        load_target_text("hfds:HuggingFaceFW/fineweb-2:{flores}", [Language.parse("de")])
