"""Tiny random-weight models of real architectures, built locally (no hub), for fast tests.

Each helper writes a Hugging Face folder (config, safetensors weights, a small *real* tokenizer
trained here on a few multilingual sentences) and returns its path, so tests exercise the same
loading code a user's model goes through. Weights are random but seeded, so two calls with the
same arguments give identical models.

    tiny_causal_lm("llama", tmp_path)      -> Path   (also "gemma3", "qwen2", "qwen3", "gpt2")
    tiny_encoder("bert", tmp_path)         -> Path   (also "xlm-roberta")
    TRAINING_TEXT                             the sentences the tokenizers were trained on
"""

from __future__ import annotations

from pathlib import Path

CAUSAL_ARCHS = ("llama", "gemma3", "qwen2", "qwen3", "gpt2")
ENCODER_ARCHS = ("bert", "xlm-roberta")

TRAINING_TEXT = [
    "All human beings are born free and equal in dignity and rights.",
    "They are endowed with reason and conscience and should act towards one another in a spirit of brotherhood.",
    "Tous les êtres humains naissent libres et égaux en dignité et en droits.",
    "Alle Menschen sind frei und gleich an Würde und Rechten geboren.",
    "Todos los seres humanos nacen libres e iguales en dignidad y derechos.",
    "Watu wote wamezaliwa huru, hadhi na haki zao ni sawa.",
    "Все люди рождаются свободными и равными в своем достоинстве и правах.",
    "人人生而自由，在尊严和权利上一律平等。",
    "すべての人間は、生まれながらにして自由であり、かつ、尊厳と権利とについて平等である。",
    "सभी मनुष्यों को गौरव और अधिकारों के मामले में जन्मजात स्वतन्त्रता और समानता प्राप्त है।",
    "كل الناس يولدون أحرارًا متساوين في الكرامة والحقوق.",
    "Ὅλοι οἱ ἄνθρωποι γεννιοῦνται ἐλεύθεροι καὶ ἴσοι στὴν ἀξιοπρέπεια καὶ τὰ δικαιώματα.",
    "The quick brown fox jumps over the lazy dog. 0123456789 !?.,;:()[]{}",
]

#: A minimal chat template (Qwen-like) so chat rendering can be tested without the hub.
CHAT_TEMPLATE = (
    "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)


def tiny_causal_lm(arch: str, path: Path, *, vocab_size: int = 400, seed: int = 0,
                   chat_template: bool | None = None) -> Path:
    """Build a 2-layer causal LM of ``arch`` with a trained byte-level BPE tokenizer.

    The folder is ``path / f"tiny-{arch}"``, returned.

    Llama and Gemma-3 tokenizers add BOS by default (as the real ones do); GPT-2 and Qwen add
    nothing. Qwen gets a chat template unless ``chat_template`` says otherwise.
    """
    import torch
    import transformers as tf

    if arch not in CAUSAL_ARCHS:
        raise ValueError(f"unknown arch {arch!r}; choose from {CAUSAL_ARCHS}")
    path = Path(path) / f"tiny-{arch}"
    path.mkdir(parents=True, exist_ok=True)
    add_bos = arch in ("llama", "gemma3")
    if chat_template is None:
        chat_template = arch.startswith("qwen")
    tok = _byte_level_tokenizer(vocab_size, add_bos=add_bos, chat=chat_template)
    specials = {"bos_token_id": tok.bos_token_id, "eos_token_id": tok.eos_token_id,
                "pad_token_id": tok.pad_token_id}
    common = dict(vocab_size=len(tok), hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                  num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=256,
                  initializer_range=0.3, tie_word_embeddings=False, **specials)
    if arch == "llama":
        cfg = tf.LlamaConfig(**common)
        cls = tf.LlamaForCausalLM
    elif arch == "gemma3":
        cfg = tf.Gemma3TextConfig(**common, head_dim=8, query_pre_attn_scalar=8, sliding_window=8,
                                  layer_types=["sliding_attention", "full_attention"])
        cls = tf.Gemma3ForCausalLM
    elif arch == "qwen2":
        cfg = tf.Qwen2Config(**common)
        cls = tf.Qwen2ForCausalLM
    elif arch == "qwen3":
        cfg = tf.Qwen3Config(**common, head_dim=8)
        cls = tf.Qwen3ForCausalLM
    else:
        cfg = tf.GPT2Config(vocab_size=len(tok), n_embd=32, n_layer=2, n_head=4, n_positions=256,
                            initializer_range=0.3, **specials)
        cls = tf.GPT2LMHeadModel
    torch.manual_seed(seed)
    model = cls(cfg).eval()
    model.save_pretrained(str(path))
    tok.save_pretrained(str(path))
    return path


def tiny_encoder(arch: str, path: Path, *, vocab_size: int = 400, seed: int = 0) -> Path:
    """Build a 2-layer encoder (BERT with WordPiece, XLM-R with a Metaspace BPE) in ``path / f"tiny-{arch}"``."""
    import torch
    import transformers as tf

    if arch not in ENCODER_ARCHS:
        raise ValueError(f"unknown arch {arch!r}; choose from {ENCODER_ARCHS}")
    path = Path(path) / f"tiny-{arch}"
    path.mkdir(parents=True, exist_ok=True)
    tok = _encoder_tokenizer(arch, vocab_size)
    common = dict(vocab_size=len(tok), hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                  num_attention_heads=4, max_position_embeddings=260, pad_token_id=tok.pad_token_id)
    if arch == "bert":
        cfg, cls = tf.BertConfig(**common), tf.BertModel
    else:
        cfg, cls = tf.XLMRobertaConfig(**common, bos_token_id=tok.bos_token_id,
                                       eos_token_id=tok.eos_token_id), tf.XLMRobertaModel
    torch.manual_seed(seed)
    model = cls(cfg).eval()
    model.save_pretrained(str(path))
    tok.save_pretrained(str(path))
    return path


def _byte_level_tokenizer(vocab_size: int, *, add_bos: bool, chat: bool):
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers
    from transformers import PreTrainedTokenizerFast

    specials = ["<pad>", "<bos>", "<eos>", "<|im_start|>", "<|im_end|>"]
    tk = Tokenizer(models.BPE())
    tk.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tk.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=specials,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    tk.train_from_iterator(TRAINING_TEXT, trainer)
    if add_bos:
        bos = tk.token_to_id("<bos>")
        tk.post_processor = processors.TemplateProcessing(
            single="<bos> $A", pair="<bos> $A <bos> $B", special_tokens=[("<bos>", bos)])
    else:
        tk.post_processor = processors.ByteLevel(trim_offsets=False)
    kwargs = dict(tokenizer_object=tk, pad_token="<pad>", eos_token="<eos>",
                  additional_special_tokens=["<|im_start|>", "<|im_end|>"])
    if add_bos:
        kwargs["bos_token"] = "<bos>"
    tok = PreTrainedTokenizerFast(**kwargs)
    if chat:
        tok.chat_template = CHAT_TEMPLATE
    return tok


def _encoder_tokenizer(arch: str, vocab_size: int):
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers
    from transformers import PreTrainedTokenizerFast

    if arch == "bert":
        specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
        tk = Tokenizer(models.WordPiece(unk_token="[UNK]"))
        tk.normalizer = normalizers.BertNormalizer(lowercase=True)
        tk.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
        tk.decoder = decoders.WordPiece()
        tk.train_from_iterator(TRAINING_TEXT, trainers.WordPieceTrainer(
            vocab_size=vocab_size, special_tokens=specials, show_progress=False))
        cls_id, sep_id = tk.token_to_id("[CLS]"), tk.token_to_id("[SEP]")
        tk.post_processor = processors.TemplateProcessing(
            single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B [SEP]",
            special_tokens=[("[CLS]", cls_id), ("[SEP]", sep_id)])
        return PreTrainedTokenizerFast(tokenizer_object=tk, pad_token="[PAD]", unk_token="[UNK]",
                                       cls_token="[CLS]", sep_token="[SEP]", mask_token="[MASK]")
    specials = ["<s>", "<pad>", "</s>", "<unk>", "<mask>"]
    tk = Tokenizer(models.BPE(unk_token="<unk>"))
    tk.pre_tokenizer = pre_tokenizers.Metaspace()
    tk.decoder = decoders.Metaspace()
    tk.train_from_iterator(TRAINING_TEXT, trainers.BpeTrainer(
        vocab_size=vocab_size, special_tokens=specials, show_progress=False))
    s, e = tk.token_to_id("<s>"), tk.token_to_id("</s>")
    tk.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>", pair="<s> $A </s> </s> $B </s>", special_tokens=[("<s>", s), ("</s>", e)])
    return PreTrainedTokenizerFast(tokenizer_object=tk, bos_token="<s>", eos_token="</s>", pad_token="<pad>",
                                   unk_token="<unk>", cls_token="<s>", sep_token="</s>", mask_token="<mask>")
