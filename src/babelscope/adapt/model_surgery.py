"""Slice a Hugging Face model's vocabulary-sized tensors down to the kept ids.

Rather than knowing every architecture's attribute names, the surgery finds the tensors whose
size matches the vocabulary (embedding rows, output-head rows and bias, mBART's
``final_logits_bias``) and slices each shared tensor once, so tied input/output embeddings stay
tied. A vocabulary-sized tensor of any other shape is something we do not understand: the
architecture is refused up front instead of producing a model that loads but is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch import nn

from ..errors import ModelError

#: Config keys (top level and generation config) that hold token ids and must be renumbered.
_ID_KEY_SUFFIXES = ("_token_id", "_token_ids", "_token_index")


@dataclass
class LoadedModel:
    model: Any
    kind: str  # "decoder", "encoder" or "encoder-decoder"
    architecture: str
    dtype: torch.dtype  # the dtype the folder stores (the trimmed copy is saved in it too)


def load_model(path: str | Path, dtype: torch.dtype = torch.float32) -> LoadedModel:
    """Load a local HF folder with the class its config names; ModelError if unsupported."""
    import transformers
    from transformers import AutoConfig

    path = Path(path)
    if not (path / "config.json").is_file():
        raise ModelError(f"{path} is not a Hugging Face model folder (no config.json)")
    config = AutoConfig.from_pretrained(str(path))
    archs = list(getattr(config, "architectures", None) or [])
    arch = archs[0] if archs else None
    for key in ("vision_config", "audio_config", "speech_config"):
        if getattr(config, key, None) is not None:
            raise ModelError(f"unsupported architecture {arch or config.model_type}: multimodal models "
                             f"({key}) are not trimmed; trim the text-only model")
    if arch is not None:
        cls = getattr(transformers, arch, None)
        if cls is None:
            raise ModelError(f"unsupported architecture {arch}: transformers {transformers.__version__} "
                             "has no such class (custom code is not run)")
    elif getattr(config, "is_encoder_decoder", False):
        cls, arch = transformers.AutoModelForSeq2SeqLM, "AutoModelForSeq2SeqLM"
    else:
        cls, arch = transformers.AutoModel, "AutoModel"
    stored = getattr(config, "dtype", None) or getattr(config, "torch_dtype", None) or torch.float32
    if isinstance(stored, str):
        stored = getattr(torch, stored, torch.float32)
    try:
        model = cls.from_pretrained(str(path), dtype=dtype)
    except (OSError, ValueError) as e:
        raise ModelError(f"cannot load {arch} from {path}: {e}") from e
    model.eval()
    if getattr(model.config, "is_encoder_decoder", False):
        kind = "encoder-decoder"
    elif _is_causal(arch):
        kind = "decoder"
    else:
        kind = "encoder"
    return LoadedModel(model, kind, arch, stored)


def _is_causal(arch: str) -> bool:
    return arch.endswith(("ForCausalLM", "LMHeadModel"))


def vocab_size_of(model: Any) -> int:
    emb = _input_embeddings(model)
    return int(emb.num_embeddings)


def config_token_ids(model: Any) -> dict[str, int]:
    """Token ids the config and generation config refer to (they must be kept)."""
    out: dict[str, int] = {}
    for prefix, cfg in _configs(model):
        for key, value in cfg.to_dict().items():
            if not key.endswith(_ID_KEY_SUFFIXES):
                continue
            for v in value if isinstance(value, (list, tuple)) else [value]:
                if isinstance(v, int) and v >= 0:
                    out[f"{prefix}{key}={v}"] = v
    return out


def trim_model(model: Any, kept_ids: torch.Tensor | list[int], mapping: dict[int, int]) -> None:
    """Slice ``model`` in place to ``kept_ids`` (ascending) and renumber its config's token ids."""
    vocab = vocab_size_of(model)
    index = torch.as_tensor(kept_ids, dtype=torch.long)
    if index.numel() == 0 or int(index.max()) >= vocab:
        raise ModelError(f"kept ids must lie in [0, {vocab}); got max {int(index.max()) if index.numel() else None}")
    new_tensors: dict[int, torch.Tensor] = {}

    def sliced(t: torch.Tensor, dim: int) -> torch.Tensor:
        key = id(t)
        if key not in new_tensors:
            new_tensors[key] = t.detach().index_select(dim, index.to(t.device)).clone()
        return new_tensors[key]

    plan = _plan(model, vocab)
    for module, name, is_param, dim in plan:
        old = getattr(module, name)
        new = sliced(old, dim)
        if is_param:
            # One Parameter per sliced tensor, shared exactly where the old one was shared.
            pkey = ("param", id(old))
            if pkey not in new_tensors:
                new_tensors[pkey] = nn.Parameter(new, requires_grad=old.requires_grad)  # type: ignore[index]
            module._parameters[name] = new_tensors[pkey]  # type: ignore[index]
        else:
            module._buffers[name] = new
    for module in model.modules():
        if isinstance(module, nn.Embedding) and module.num_embeddings == vocab:
            module.num_embeddings = int(index.numel())
            if module.padding_idx is not None:
                module.padding_idx = mapping.get(int(module.padding_idx))
        elif isinstance(module, nn.Linear) and module.out_features == vocab:
            module.out_features = int(index.numel())
    _set_vocab_size(model, int(index.numel()))
    _remap_config_ids(model, mapping)


def _plan(model: Any, vocab: int) -> list[tuple[nn.Module, str, bool, int]]:
    """(module, tensor name, is parameter, dim to slice) for every vocabulary-sized tensor."""
    plan = []
    arch = type(model).__name__
    for mod_name, module in model.named_modules(remove_duplicate=False):
        for pname, p in list(module._parameters.items()) + list(module._buffers.items()):
            if p is None or vocab not in p.shape:
                continue
            is_param = pname in module._parameters
            full = f"{mod_name}.{pname}" if mod_name else pname
            if isinstance(module, nn.Embedding) and pname == "weight" and p.shape[0] == vocab or isinstance(module, nn.Linear) and pname in ("weight", "bias") and p.shape[0] == vocab:
                plan.append((module, pname, is_param, 0))
            elif p.dim() == 1 and p.shape[0] == vocab:
                plan.append((module, pname, is_param, 0))  # e.g. an MLM head's output bias
            elif p.dim() == 2 and p.shape[0] == 1 and p.shape[1] == vocab:
                plan.append((module, pname, is_param, 1))  # e.g. mBART's final_logits_bias
            else:
                raise ModelError(
                    f"unsupported architecture {arch}: tensor {full} has shape {tuple(p.shape)} with a "
                    f"vocabulary-sized ({vocab}) dimension babelscope does not know how to trim"
                )
    return plan


def _input_embeddings(model: Any) -> nn.Embedding:
    try:
        emb = model.get_input_embeddings()
    except (NotImplementedError, AttributeError):
        emb = None
    if not isinstance(emb, nn.Embedding):
        raise ModelError(f"unsupported architecture {type(model).__name__}: no token embedding matrix found")
    return emb


def _configs(model: Any) -> list[tuple[str, Any]]:
    out = [("", model.config)]
    gen = getattr(model, "generation_config", None)
    if gen is not None:
        out.append(("generation.", gen))
    return out


def _set_vocab_size(model: Any, size: int) -> None:
    model.config.vocab_size = size
    get_text = getattr(model.config, "get_text_config", None)
    if callable(get_text):
        text_cfg = get_text()
        if text_cfg is not model.config and hasattr(text_cfg, "vocab_size"):
            text_cfg.vocab_size = size


def _remap_config_ids(model: Any, mapping: dict[int, int]) -> None:
    for _prefix, cfg in _configs(model):
        for key, value in cfg.to_dict().items():
            if not key.endswith(_ID_KEY_SUFFIXES) or value is None:
                continue
            if isinstance(value, bool):
                continue
            if isinstance(value, int):
                if value >= 0:
                    setattr(cfg, key, _must(mapping, value, key))
            elif isinstance(value, (list, tuple)) and all(isinstance(v, int) for v in value):
                setattr(cfg, key, type(value)(_must(mapping, v, key) for v in value))


def _must(mapping: dict[int, int], old: int, key: str) -> int:
    if old not in mapping:
        raise ModelError(f"config {key}={old} refers to a token that was not kept")
    return mapping[old]


def parameter_count(model: Any) -> int:
    """Parameters counted once even when tied."""
    seen: set[int] = set()
    total = 0
    for p in model.parameters():
        if id(p) not in seen:
            seen.add(id(p))
            total += p.numel()
    return total
