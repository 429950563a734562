"""Rebuild a `tokenizers` tokenizer on a kept subset of ids, keeping their relative order.

Works on the serialised form (tokenizer.json) because that is what every fast tokenizer
(BPE, Unigram/SentencePiece, WordPiece, WordLevel) shares and what plain ``AutoTokenizer``
loads. Three facts make the result exact for text the kept vocabulary covers:

- BPE applies the lowest-ranked applicable merge first. Keeping every merge whose parts and
  result are kept, after closing the kept set over the merges that build kept tokens, leaves
  the sequence of merges for such text unchanged.
- Unigram picks the best-scoring segmentation; removing pieces only removes candidates.
- WordPiece takes the longest vocabulary match; a longer kept match would have been a longer
  original match.

Text outside the kept vocabulary still encodes through byte fallback (``<0xNN>`` tokens, or the
256-symbol alphabet of byte-level BPE) or the unknown token, all of which are always kept.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..errors import ModelError

SUPPORTED_MODELS = ("BPE", "Unigram", "WordPiece", "WordLevel")
_BYTE_TOKEN = re.compile(r"^<0x[0-9A-Fa-f]{2}>$")

#: Files a tokenizer may carry besides tokenizer.json; they describe the *untrimmed* vocabulary,
#: so they are removed from the trimmed folder (tokenizer.json alone defines it).
SLOW_VOCAB_FILES = ("tokenizer.model", "spiece.model", "sentencepiece.bpe.model", "sentencepiece.model",
                    "vocab.txt", "vocab.json", "merges.txt")


def tokenizer_json(hf_tokenizer: Any) -> dict:
    """The serialised backend of a fast Hugging Face tokenizer; ModelError if it has none."""
    backend = getattr(hf_tokenizer, "backend_tokenizer", None)
    if backend is None:
        raise ModelError(
            f"tokenizer {type(hf_tokenizer).__name__} has no `tokenizers` backend (tokenizer.json); "
            "vocabulary trimming needs a fast tokenizer"
        )
    tj = json.loads(backend.to_str())
    kind = tj.get("model", {}).get("type")
    if kind not in SUPPORTED_MODELS:
        raise ModelError(f"tokenizer model type {kind!r} is not supported for trimming "
                         f"(supported: {', '.join(SUPPORTED_MODELS)})")
    return tj


def model_vocab(tj: dict) -> dict[str, int]:
    """Token string -> id of the tokenizer's model (not counting added tokens)."""
    model = tj["model"]
    if model["type"] == "Unigram":
        return {piece: i for i, (piece, _score) in enumerate(model["vocab"])}
    return dict(model["vocab"])


def all_token_ids(tj: dict) -> dict[str, int]:
    vocab = model_vocab(tj)
    for tok in tj.get("added_tokens", []):
        vocab[tok["content"]] = tok["id"]
    return vocab


def always_keep(tj: dict, special_ids: Iterable[int] = ()) -> dict[str, set[int]]:
    """Ids that must survive whatever the corpus says, grouped by reason.

    Special and added tokens carry the chat/format protocol; byte tokens and the unknown token
    are what keeps text outside the kept vocabulary encodable.
    """
    model = tj["model"]
    vocab = model_vocab(tj)
    out: dict[str, set[int]] = {
        "special": {int(i) for i in special_ids},
        "added": {int(t["id"]) for t in tj.get("added_tokens", [])},
    }
    if model.get("byte_fallback"):
        out["byte_fallback"] = {i for t, i in vocab.items() if _BYTE_TOKEN.match(t)}
    if _uses_byte_level(tj):
        alphabet = set(bytes_to_unicode().values())
        out["byte_level_alphabet"] = {i for t, i in vocab.items() if t in alphabet}
    unk = _unk_id(tj)
    if unk is not None:
        out["unknown"] = {unk}
    return out


def close_over_merges(tj: dict, kept: set[int]) -> set[int]:
    """BPE: add the tokens each kept token is built from, so that its merges still apply.

    A token that ends up whole in a word was built by exactly the merges BPE applies to the
    token's own string (merges crossing its boundary would have made it part of a bigger
    symbol), so replaying BPE on each kept token finds the intermediates it needs; keeping the
    parts of *every* merge that yields a kept token would keep far more than needed.
    """
    model = tj["model"]
    if model["type"] != "BPE":
        return set(kept)
    vocab = model["vocab"]
    id_to_token = {i: t for t, i in vocab.items()}
    ranks = {_pair(m): r for r, m in enumerate(model.get("merges", []))}
    prefix = model.get("continuing_subword_prefix") or ""
    suffix = model.get("end_of_word_suffix") or ""
    out = set(kept)
    for i in kept:
        token = id_to_token.get(i)
        if token is None or len(token) < 2:
            continue
        for symbol in _bpe_symbols(token, ranks, prefix, suffix):
            sid = vocab.get(symbol)
            if sid is not None:
                out.add(sid)
    return out


def _bpe_symbols(token: str, ranks: dict[tuple[str, str], int], prefix: str, suffix: str) -> list[str]:
    """Every symbol (initial characters and merge results) BPE forms when encoding ``token`` alone.

    Returns [] when BPE does not rebuild ``token`` itself (such a token is never produced whole,
    so it needs no parts).
    """
    body = token
    cont = bool(prefix) and body.startswith(prefix) and len(body) > len(prefix)
    if cont:
        body = body[len(prefix):]
    end = bool(suffix) and body.endswith(suffix) and len(body) > len(suffix)
    if end:
        body = body[: -len(suffix)]
    symbols = [(prefix if (cont or k > 0) and prefix else "") + c for k, c in enumerate(body)]
    if end:
        symbols[-1] += suffix
    seen = list(symbols)
    while len(symbols) > 1:
        best = None
        for k in range(len(symbols) - 1):
            r = ranks.get((symbols[k], symbols[k + 1]))
            if r is not None and (best is None or r < best[0]):
                best = (r, k)
        if best is None:
            break
        k = best[1]
        merged = _merged(symbols[k], symbols[k + 1], prefix, suffix)
        symbols[k:k + 2] = [merged]
        seen.append(merged)
    return seen if symbols == [token] else []


def prune(tj: dict, mapping: dict[int, int]) -> dict:
    """A copy of ``tj`` holding only ids in ``mapping`` (old -> new), renumbered.

    ModelError if an id the tokenizer cannot do without (unknown token, a post-processor's
    special token) was not kept: that is a bug in the caller's keep set, not the user's input.
    """
    out = copy.deepcopy(tj)
    model = out["model"]
    kind = model["type"]
    if kind == "Unigram":
        pieces = [(i, p) for i, p in enumerate(model["vocab"]) if i in mapping]
        for new_pos, (old, _p) in enumerate(pieces):
            if mapping[old] != new_pos:
                raise ModelError("Unigram pieces must keep ids equal to their positions; an added "
                                 f"token sits inside the piece range (old id {old})")
        model["vocab"] = [p for _i, p in pieces]
        if model.get("unk_id") is not None:
            model["unk_id"] = _require(mapping, model["unk_id"], "the unknown token")
    else:
        vocab = {t: mapping[i] for t, i in model["vocab"].items() if i in mapping}
        model["vocab"] = vocab
        if kind == "BPE":
            prefix = model.get("continuing_subword_prefix") or ""
            suffix = model.get("end_of_word_suffix") or ""
            kept_merges = []
            for m in model.get("merges", []):
                a, b = _pair(m)
                if a in vocab and b in vocab and _merged(a, b, prefix, suffix) in vocab:
                    kept_merges.append(m)
            model["merges"] = kept_merges
        unk = model.get("unk_token")
        if kind in ("WordPiece", "WordLevel") and unk is not None and unk not in vocab:
            raise ModelError(f"the unknown token {unk!r} was not kept")
    out["added_tokens"] = [
        dict(t, id=_require(mapping, t["id"], f"added token {t['content']!r}"))
        for t in out.get("added_tokens", [])
    ]
    if out.get("post_processor"):
        out["post_processor"] = _remap_processor(out["post_processor"], mapping)
    if out.get("padding") and "pad_id" in out["padding"]:
        out["padding"]["pad_id"] = _require(mapping, out["padding"]["pad_id"], "the padding token")
    return out


def write_trimmed_tokenizer(hf_tokenizer: Any, tj_new: dict, mapping: dict[int, int], folder: Path) -> None:
    """Save ``hf_tokenizer``'s config files, then replace its vocabulary with ``tj_new``."""
    folder = Path(folder)
    hf_tokenizer.save_pretrained(str(folder))
    for name in SLOW_VOCAB_FILES:
        (folder / name).unlink(missing_ok=True)
    (folder / "tokenizer.json").write_text(json.dumps(tj_new, ensure_ascii=False), encoding="utf-8")
    cfg_path = folder / "tokenizer_config.json"
    if cfg_path.exists():
        cfg = json.loads(cfg_path.read_text(encoding="utf-8"))
        decoder = cfg.get("added_tokens_decoder")
        if isinstance(decoder, dict):
            cfg["added_tokens_decoder"] = {
                str(_require(mapping, int(k), f"added token {v.get('content')!r}")): v for k, v in decoder.items()
            }
        cfg.pop("vocab_file", None)
        cfg.pop("merges_file", None)
        cfg_path.write_text(json.dumps(cfg, ensure_ascii=False, indent=2), encoding="utf-8")


def bytes_to_unicode() -> dict[int, str]:
    """The byte -> printable character table of byte-level BPE (GPT-2 and its descendants).

    Printable Latin-1 bytes stand for themselves; the other 68 bytes are shifted to code points
    from 256 up, in byte order.
    """
    keep = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + \
        list(range(ord("®"), ord("ÿ") + 1))
    table: dict[int, str] = {}
    shift = 0
    for b in range(256):
        if b in keep:
            table[b] = chr(b)
        else:
            table[b] = chr(256 + shift)
            shift += 1
    return table


def _uses_byte_level(tj: dict) -> bool:
    def walk(node: Any) -> bool:
        if isinstance(node, dict):
            if node.get("type") == "ByteLevel":
                return True
            return any(walk(v) for v in node.values())
        if isinstance(node, list):
            return any(walk(v) for v in node)
        return False

    return walk(tj.get("pre_tokenizer")) or walk(tj.get("decoder"))


def _unk_id(tj: dict) -> int | None:
    model = tj["model"]
    if model["type"] == "Unigram":
        return model.get("unk_id")
    unk = model.get("unk_token")
    if unk is None:
        return None
    return all_token_ids(tj).get(unk)


def _pair(merge: Any) -> tuple[str, str]:
    if isinstance(merge, str):
        a, _, b = merge.partition(" ")
        return a, b
    return merge[0], merge[1]


def _merged(a: str, b: str, prefix: str, suffix: str) -> str:
    """The token a merge of ``a`` and ``b`` produces (the continuation prefix of ``b`` dropped)."""
    if prefix and b.startswith(prefix):
        b = b[len(prefix):]
    return a + b


def _require(mapping: dict[int, int], old: int, what: str) -> int:
    try:
        return mapping[int(old)]
    except KeyError:
        raise ModelError(f"{what} (id {old}) was not kept; it must be") from None


def _remap_processor(node: Any, mapping: dict[int, int]) -> Any:
    """Special-token ids inside a post-processor (Template/Roberta/Bert/Sequence) renumbered."""
    if isinstance(node, list):
        return [_remap_processor(n, mapping) for n in node]
    if not isinstance(node, dict):
        return node
    kind = node.get("type")
    out = dict(node)
    if kind == "TemplateProcessing":
        out["special_tokens"] = {
            name: dict(spec, ids=[_require(mapping, i, f"special token {name!r}") for i in spec["ids"]])
            for name, spec in node.get("special_tokens", {}).items()
        }
        return out
    if kind in ("RobertaProcessing", "BertProcessing"):
        for key in ("sep", "cls"):
            if key in node:
                tok, old = node[key]
                out[key] = [tok, _require(mapping, old, f"special token {tok!r}")]
        return out
    if kind == "Sequence":
        out["processors"] = [_remap_processor(p, mapping) for p in node.get("processors", [])]
        return out
    return out
