"""Vocabulary trimming end to end on tiny local models of every supported shape.

Each builder trains a *real* tokenizer of one `tokenizers` model type on pseudo-sentences of
four languages (wordfreq, offline), attaches a 2-layer random model, and saves a plain HF
folder. The trimmed folder is then checked here independently of babelscope's own checks:
loaded with plain Auto classes, its logits compared with the original's on the kept ids, its
tokenizer's ids mapped back, and its parameter count compared with arithmetic on the shapes.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

import numpy as np
import pytest
import torch

pytest.importorskip("wordfreq")

from tokenizers import (
    Tokenizer,
    decoders,
    models,
    normalizers,
    pre_tokenizers,
    processors,
    trainers,
)
from transformers import (
    AutoModel,
    AutoModelForCausalLM,
    AutoModelForMaskedLM,
    AutoModelForSeq2SeqLM,
    AutoTokenizer,
    PreTrainedTokenizerFast,
)

from babelscope.adapt import RECORD_FILE, trim
from babelscope.corpora.wordfreq_corpus import wordfreq_sentences
from babelscope.languages import Language

LANGS = ("en", "de", "fr", "es")
BYTE_TOKENS = [f"<0x{b:02X}>" for b in range(256)]


def _sentences(lang: str, n: int, seed: int) -> list[str]:
    return wordfreq_sentences(Language.parse(lang), n=n, words_per_sentence=9, seed=seed)


@functools.lru_cache(maxsize=1)
def training_text() -> list[str]:
    return [s for lang in LANGS for s in _sentences(lang, 150, seed=1)]


def write_corpus(folder: Path, langs=("eng", "deu"), n: int = 60) -> Path:
    """A files: corpus of line-aligned pseudo-sentences (different draws than the training text)."""
    folder.mkdir(parents=True, exist_ok=True)
    for code in langs:
        lines = _sentences(code, n, seed=7)
        (folder / f"{code}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


# ----------------------------------------------------------------------------- tokenizers

def sp_bpe(vocab_size: int = 500) -> tuple[Tokenizer, dict]:
    """SentencePiece-style BPE with byte fallback (Llama / Gemma): ▁ for spaces, <0xNN> tokens."""
    specials = ["<pad>", "<eos>", "<bos>", "<unk>"]
    trained = Tokenizer(models.BPE(unk_token="<unk>"))
    trained.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="first")
    trained.train_from_iterator(training_text(), trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=[]))
    tj = json.loads(trained.to_str())
    # Real layout: specials, then the 256 byte tokens, then the learnt pieces, all in the model vocab.
    order = specials + BYTE_TOKENS + [t for t, _ in sorted(tj["model"]["vocab"].items(), key=lambda kv: kv[1])]
    vocab = {t: i for i, t in enumerate(order)}
    merges = [tuple(m) if isinstance(m, list) else tuple(m.split(" ")) for m in tj["model"]["merges"]]
    tk = Tokenizer(models.BPE(vocab=vocab, merges=merges, unk_token="<unk>", byte_fallback=True, fuse_unk=True))
    tk.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="first")
    tk.decoder = decoders.Sequence([decoders.Replace("▁", " "), decoders.ByteFallback(), decoders.Fuse(),
                                    decoders.Strip(" ", 1, 0)])
    tk.add_special_tokens(specials)
    tk.post_processor = processors.TemplateProcessing(single="<bos> $A", pair="<bos> $A <bos> $B",
                                                      special_tokens=[("<bos>", vocab["<bos>"])])
    return tk, dict(pad_token="<pad>", eos_token="<eos>", bos_token="<bos>", unk_token="<unk>")


def byte_level_bpe(vocab_size: int = 500) -> tuple[Tokenizer, dict]:
    """Byte-level BPE (GPT-2 / Qwen / mBART-as-built-here): every byte is a base symbol."""
    tk = Tokenizer(models.BPE())
    tk.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tk.decoder = decoders.ByteLevel()
    tk.train_from_iterator(training_text(), trainers.BpeTrainer(
        vocab_size=vocab_size, special_tokens=["<s>", "<pad>", "</s>"],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet()))
    return tk, dict(bos_token="<s>", pad_token="<pad>", eos_token="</s>")


def unigram(vocab_size: int = 400, style: str = "t5") -> tuple[Tokenizer, dict]:
    """SentencePiece Unigram (T5 / XLM-R)."""
    specials = ["<pad>", "</s>", "<unk>"] if style == "t5" else ["<s>", "<pad>", "</s>", "<unk>"]
    tk = Tokenizer(models.Unigram())
    tk.normalizer = normalizers.NFKC()
    tk.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    tk.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    tk.train_from_iterator(training_text(), trainers.UnigramTrainer(
        vocab_size=vocab_size, special_tokens=specials, unk_token="<unk>"))
    if style == "t5":
        tk.post_processor = processors.TemplateProcessing(single="$A </s>", special_tokens=[("</s>", 1)])
        return tk, dict(pad_token="<pad>", eos_token="</s>", unk_token="<unk>")
    tk.add_special_tokens(["<mask>"])
    tk.post_processor = processors.RobertaProcessing(("</s>", 2), ("<s>", 0))
    return tk, dict(bos_token="<s>", pad_token="<pad>", eos_token="</s>", unk_token="<unk>",
                    cls_token="<s>", sep_token="</s>", mask_token="<mask>")


def wordpiece(vocab_size: int = 400) -> tuple[Tokenizer, dict]:
    """BERT WordPiece."""
    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    tk = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tk.normalizer = normalizers.BertNormalizer(lowercase=False)
    tk.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tk.decoder = decoders.WordPiece()
    tk.train_from_iterator(training_text(), trainers.WordPieceTrainer(vocab_size=vocab_size, special_tokens=specials))
    tk.post_processor = processors.BertProcessing(("[SEP]", 3), ("[CLS]", 2))
    return tk, dict(pad_token="[PAD]", unk_token="[UNK]", cls_token="[CLS]", sep_token="[SEP]", mask_token="[MASK]")


# ----------------------------------------------------------------------------- models

def _save(folder: Path, tk: Tokenizer, special: dict, model) -> Path:
    hf_tok = PreTrainedTokenizerFast(tokenizer_object=tk, **special)
    hf_tok.save_pretrained(str(folder))
    model.save_pretrained(str(folder))
    return folder


def build(arch: str, root: Path) -> Path:
    """A tiny model folder of ``arch`` (with its tokenizer type), seeded."""
    import transformers as tf

    torch.manual_seed(0)
    folder = root / arch
    if arch == "gemma3":  # decoder-only, tied, SentencePiece BPE with byte fallback
        tk, sp = sp_bpe()
        v = tk.get_vocab_size()
        cfg = tf.Gemma3TextConfig(vocab_size=v, hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                                  num_attention_heads=2, num_key_value_heads=1, head_dim=16,
                                  max_position_embeddings=256, sliding_window=16, pad_token_id=0,
                                  eos_token_id=1, bos_token_id=2, tie_word_embeddings=True)
        model = tf.Gemma3ForCausalLM(cfg)
    elif arch == "qwen2":  # decoder-only, untied, byte-level BPE, embedding padded past the tokenizer
        tk, sp = byte_level_bpe()
        v = tk.get_vocab_size() + 8
        cfg = tf.Qwen2Config(vocab_size=v, hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                             num_attention_heads=2, num_key_value_heads=1, max_position_embeddings=256,
                             tie_word_embeddings=False, bos_token_id=0, eos_token_id=2, pad_token_id=1)
        model = tf.Qwen2ForCausalLM(cfg)
    elif arch == "xlm-roberta":  # encoder with tied MLM head + bias, Unigram
        tk, sp = unigram(style="xlmr")
        v = tk.get_vocab_size()
        cfg = tf.XLMRobertaConfig(vocab_size=v, hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                                  num_attention_heads=2, max_position_embeddings=130, pad_token_id=1,
                                  bos_token_id=0, eos_token_id=2)
        model = tf.XLMRobertaForMaskedLM(cfg)
    elif arch == "bert":  # encoder without a head (AutoModel), WordPiece
        tk, sp = wordpiece()
        v = tk.get_vocab_size()
        cfg = tf.BertConfig(vocab_size=v, hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                            num_attention_heads=2, max_position_embeddings=130, pad_token_id=0)
        model = tf.BertModel(cfg)
    elif arch == "mt5":  # encoder-decoder, untied head, Unigram
        tk, sp = unigram(style="t5")
        v = tk.get_vocab_size()
        cfg = tf.T5Config(vocab_size=v, d_model=32, d_kv=8, d_ff=64, num_layers=2, num_heads=2,
                          tie_word_embeddings=False, pad_token_id=0, eos_token_id=1, decoder_start_token_id=0,
                          feed_forward_proj="gated-gelu")
        model = tf.T5ForConditionalGeneration(cfg)
    elif arch == "mbart":  # encoder-decoder with final_logits_bias, byte-level BPE
        tk, sp = byte_level_bpe()
        v = tk.get_vocab_size()
        cfg = tf.MBartConfig(vocab_size=v, d_model=32, encoder_layers=1, decoder_layers=1,
                             encoder_attention_heads=2, decoder_attention_heads=2, encoder_ffn_dim=64,
                             decoder_ffn_dim=64, max_position_embeddings=256, pad_token_id=1, bos_token_id=0,
                             eos_token_id=2, decoder_start_token_id=2, forced_eos_token_id=2)
        model = tf.MBartForConditionalGeneration(cfg)
        with torch.no_grad():  # zeros by default; random so that slicing it is tested
            model.final_logits_bias.normal_()
    else:
        raise ValueError(arch)
    model.eval()
    return _save(folder, tk, sp, model)


AUTO = {"gemma3": AutoModelForCausalLM, "qwen2": AutoModelForCausalLM, "xlm-roberta": AutoModelForMaskedLM,
        "bert": AutoModel, "mt5": AutoModelForSeq2SeqLM, "mbart": AutoModelForSeq2SeqLM}
TOKENIZER_TYPE = {"gemma3": "BPE", "qwen2": "BPE", "xlm-roberta": "Unigram", "bert": "WordPiece",
                  "mt5": "Unigram", "mbart": "BPE"}


def _outputs(model, ids: list[int], arch: str, start: int | None = None):
    x = torch.tensor([ids])
    with torch.no_grad():
        if arch in ("mt5", "mbart"):
            dec = torch.tensor([[start] + ids[:-1]])
            return model(input_ids=x, decoder_input_ids=dec).logits
        out = model(input_ids=x)
        return out.last_hidden_state if arch == "bert" else out.logits


@pytest.mark.parametrize("arch", list(AUTO))
def test_trim_each_architecture(arch: str, tmp_path: Path) -> None:
    src = build(arch, tmp_path / "models")
    corpus = write_corpus(tmp_path / "corpus")
    out = tmp_path / "trimmed"
    report = trim(f"hf:{src}", "eng,deu", f"files:{corpus}", out, min_frequency=2, prompts=2, new_tokens=6,
                  threads=1)

    # babelscope's own checks passed, and the report agrees with the folder.
    assert report["passed"], json.dumps(report["checks"], default=str)[:2000]
    record = json.loads((out / RECORD_FILE).read_text(encoding="utf-8"))
    kept = np.array(record["kept_ids"])
    assert record["vocab_after"] == len(kept) == report["vocab_after"]
    assert report["vocab_before"] > report["vocab_after"]
    assert list(kept) == sorted(set(kept.tolist()))
    assert not list(tmp_path.glob(".trimmed.tmp-*"))

    orig = AUTO[arch].from_pretrained(str(src), dtype=torch.float32).eval()
    new = AUTO[arch].from_pretrained(str(out), dtype=torch.float32).eval()
    o_tok = AutoTokenizer.from_pretrained(str(src))
    n_tok = AutoTokenizer.from_pretrained(str(out))
    assert json.loads(n_tok.backend_tokenizer.to_str())["model"]["type"] == TOKENIZER_TYPE[arch]
    assert new.config.vocab_size == len(kept)
    assert new.get_input_embeddings().weight.shape[0] == len(kept)

    # Parameters: exactly the dropped rows of each distinct vocabulary matrix (and bias) are gone.
    v, k = report["vocab_before"], len(kept)
    vocab_tensors = {id(p): p for p in orig.parameters() if v in p.shape}
    expected_drop = sum(p.numel() // v * (v - k) for p in vocab_tensors.values())
    assert report["params_before"] - report["params_after"] == expected_drop
    tied_before = orig.get_output_embeddings() is not None and \
        orig.get_output_embeddings().weight is orig.get_input_embeddings().weight
    if tied_before:
        assert new.get_output_embeddings().weight is new.get_input_embeddings().weight

    # Every special token the original tokenizer knows still exists and maps to its old id.
    for tok_str, old in zip(o_tok.all_special_tokens, o_tok.all_special_ids):
        assert int(kept[n_tok.convert_tokens_to_ids(tok_str)]) == old

    # Held-out sentences (a third draw): covered ones tokenise to the same ids, mapped back.
    kept_set = set(kept.tolist())
    n_covered = 0
    for text in _sentences("de", 30, seed=11) + _sentences("en", 30, seed=11):
        o_ids = o_tok(text)["input_ids"]
        n_ids = n_tok(text)["input_ids"]
        if set(o_ids) <= kept_set:
            n_covered += 1
            assert kept[n_ids].tolist() == o_ids, text
        if report["oov"] != "unk":  # byte fallback / byte-level: nothing is lost outside the kept vocabulary
            assert n_tok.decode(n_ids, skip_special_tokens=True).strip() == \
                o_tok.decode(o_ids, skip_special_tokens=True).strip()
    assert n_covered > 0
    assert report["oov"] == {"gemma3": "byte_fallback", "qwen2": "byte_level", "mbart": "byte_level"}.get(arch, "unk")

    # Logits on kept ids equal the original's for an input made of kept ids (a German sentence).
    ids = [i for i in o_tok(_sentences("de", 1, seed=3)[0])["input_ids"] if i in kept_set][:24]
    mapping = {int(o): n for n, o in enumerate(kept.tolist())}
    start = orig.config.decoder_start_token_id if arch in ("mt5", "mbart") else None
    o_out = _outputs(orig, ids, arch, start)
    n_out = _outputs(new, [mapping[i] for i in ids], arch, mapping.get(start) if start is not None else None)
    if arch != "bert":
        o_out = o_out[..., torch.as_tensor(kept)]
    assert torch.allclose(o_out, n_out, atol=1e-5, rtol=0)


def test_trimmed_tokenizer_encodes_text_outside_the_kept_vocabulary(tmp_path: Path) -> None:
    """Byte fallback: Russian (never mined, mostly unseen in training) still round-trips."""
    src = build("gemma3", tmp_path / "models")
    out = tmp_path / "trimmed"
    trim(str(src), "eng,deu", f"files:{write_corpus(tmp_path / 'corpus')}", out, prompts=1, new_tokens=4,
         threads=1)
    n_tok = AutoTokenizer.from_pretrained(str(out))
    record = json.loads((out / RECORD_FILE).read_text(encoding="utf-8"))
    assert record["kept_by_reason"]["byte_fallback"] == 256
    text = "Все люди рождаются свободными — ☃ Überraschung!"
    ids = n_tok(text, add_special_tokens=False)["input_ids"]
    assert n_tok.decode(ids) == text
    byte_ids = {n_tok.convert_tokens_to_ids(t) for t in BYTE_TOKENS}
    assert byte_ids & set(ids)  # the Cyrillic went through byte tokens
