"""Model specs -> loaded models.

A spec is ``default`` (the embedded Gemma-3-270M as an fp32 HF folder), ``default-gguf`` (its
original Q4_K_M GGUF through llama.cpp), ``hf:<hub id or local folder>[@revision]``,
``gguf:<path>`` (llama.cpp, see llamacpp.py), ``gguf-hf:<path>`` (the GGUF dequantised into
transformers: the path ``gguf:`` took before llama.cpp), ``api:<base_url>#<model>`` or
``chat:<base_url>#<model>`` (OpenAI-compatible endpoints, see api.py); an existing folder or
``.gguf`` file also works without the prefix. Hub ids
load online; offline (HF_HUB_OFFLINE=1, or the hub unreachable within a few seconds) they load
from the local Hugging Face cache or fail at once with a ModelError - never a minute of
retries.
"""

from __future__ import annotations

import os
import socket
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from ..errors import ConfigError, ModelError
from ..registry import Registry
from .fingerprint import _file_fingerprint, _sample_blocks, weights_fingerprint  # noqa: F401

#: Model backends beyond the built-in specs, added by plugins through the ``babelscope.backends``
#: entry-point group: ``scheme = "module:loader"``, where ``loader(target, device=, dtype=,
#: **options)`` returns a Model (models.base); the spec is then ``scheme:target``.
MODEL_BACKENDS = Registry("backends", {}, what="model backend", normalise=lambda s: s.strip().lower())

SPEC_HELP = ("use 'default', 'default-gguf', 'hf:<hub id or folder>[@revision]', 'gguf:<file.gguf>' "
             "(llama.cpp), 'gguf-hf:<file.gguf>' (dequantised into transformers), "
             "'api:<base_url>#<model>' (OpenAI-compatible completions) or 'chat:<base_url>#<model>'")
#: Spec kinds served by another module than transformers (see _load_other).
OTHER_KINDS = ("default-gguf", "gguf", "api", "chat")
#: Options only the API / llama.cpp backends take; transformers models ignore them.
BACKEND_ONLY_OPTIONS = ("concurrency", "timeout", "retries", "backoff", "key_env", "body", "n_ctx", "n_threads",
                        "seed", "chat_format")
_DTYPES = {
    "float32": "float32", "fp32": "float32", "float": "float32",
    "bfloat16": "bfloat16", "bf16": "bfloat16",
    "float16": "float16", "fp16": "float16", "half": "float16",
}


@dataclass(frozen=True)
class ModelSpec:
    """A parsed model spec: ``kind`` is "default", "default-gguf", "hf", "gguf" (llama.cpp),
    "gguf-hf" (transformers), "api" or "chat" (``target`` is then ``<base_url>#<model>[?options]``)."""

    kind: str
    target: str = ""
    revision: str | None = None

    def __str__(self) -> str:
        if self.kind in ("default", "default-gguf"):
            return self.kind
        return f"{self.kind}:{self.target}" + (f"@{self.revision}" if self.revision else "")


def parse_model_spec(spec: str) -> ModelSpec:
    """Parse a spec string; ModelError (naming the spec) if it is not one of the known forms."""
    s = (spec or "").strip()
    if not s:
        raise ModelError(f"empty model spec; {SPEC_HELP}")
    if s in ("default", "default-gguf"):
        return ModelSpec(s)
    for kind in ("gguf-hf", "gguf"):
        if s.startswith(kind + ":"):
            path = s[len(kind) + 1:]
            if not path:
                raise ModelError(f"model spec {spec!r} names no file; {SPEC_HELP}")
            return ModelSpec(kind, path)
    for kind in ("api", "chat"):
        if s.startswith(kind + ":"):
            from .openai_http import display_url

            target = s[len(kind) + 1:]
            if not target.startswith(("http://", "https://")):
                raise ModelError(f"model spec {display_url(target)!r}: {kind}: needs a base URL, "
                                 f"e.g. {kind}:http://127.0.0.1:8000/v1#my-model")
            return ModelSpec(kind, target)
    if s.startswith("hf:"):
        target = s[len("hf:"):]
        revision = None
        if not Path(target).expanduser().exists() and "@" in target:
            target, revision = target.rsplit("@", 1)
            if not revision:
                raise ModelError(f"model spec {spec!r} has an empty revision after '@'")
        if not target:
            raise ModelError(f"model spec {spec!r} names no model; {SPEC_HELP}")
        return ModelSpec("hf", target, revision)
    scheme, sep, rest = s.partition(":")
    if sep and scheme in MODEL_BACKENDS:  # a plugin backend (entry point babelscope.backends)
        return ModelSpec(scheme, rest)
    p = Path(s).expanduser()
    if p.is_dir():
        return ModelSpec("hf", s)
    if p.suffix.lower() == ".gguf":
        return ModelSpec("gguf", s)
    hint = f" (for a hub model write 'hf:{s}')" if "/" in s and ":" not in s else ""
    raise ModelError(f"unknown model spec {spec!r}{hint}; {SPEC_HELP}")


def load_model(spec: str | ModelSpec, device: str | None = None, dtype: str | None = None, **options: Any):
    """Load a model from a spec. ``options`` go to the backend (HFModel: batch_size, max_length,
    ...; API models: concurrency, timeout, retries, key_env; llama.cpp: n_ctx, n_threads)."""
    from .default import DEFAULT_MODEL_NAME, default_model_path, default_model_source

    ms = spec if isinstance(spec, ModelSpec) else parse_model_spec(spec)
    if ms.kind in OTHER_KINDS:
        return _load_other(ms, **options)
    for k in BACKEND_ONLY_OPTIONS:  # a command may pass them for whichever backend the spec names
        options.pop(k, None)
    if ms.kind == "default":
        path = default_model_path()
        return load_hf_folder(path, name=DEFAULT_MODEL_NAME, revision=default_model_source(),
                              device=device, dtype=dtype, **options)
    if ms.kind == "gguf-hf":
        return load_gguf(ms.target, device=device, dtype=dtype, **options)
    if ms.kind != "hf":  # a plugin backend: its loader takes the text after the scheme
        return MODEL_BACKENDS.load(ms.kind)(ms.target, device=device, dtype=dtype, **options)
    local = Path(ms.target).expanduser()
    if local.is_dir():
        return load_hf_folder(local, device=device, dtype=dtype, **options)
    if local.is_absolute() or ms.target.startswith((".", "~")):
        raise ModelError(f"model folder {ms.target!r} does not exist")
    return load_hub(ms.target, ms.revision, device=device, dtype=dtype, **options)


def _load_other(ms: ModelSpec, **options: Any):
    """llama.cpp (``gguf:``, ``default-gguf``) and OpenAI-compatible endpoints (``api:``, ``chat:``)."""
    if ms.kind in ("api", "chat"):
        from .api import CHAT, COMPLETIONS, OpenAIModel, parse_endpoint_target

        base, model, spec_options = parse_endpoint_target(ms.target, f"{ms.kind}:{ms.target}")
        kwargs = {k: v for k, v in options.items() if k in ("concurrency", "timeout", "retries", "backoff", "key_env", "body")}
        kwargs.update(spec_options)  # the spec's own options win over defaults passed by a command
        return OpenAIModel(base, model, kind=CHAT if ms.kind == "chat" else COMPLETIONS, **kwargs)
    from .llamacpp import load_llamacpp

    kwargs = {k: v for k, v in options.items() if k in ("n_ctx", "n_threads", "seed", "chat_format")}
    if ms.kind == "default-gguf":
        from .default import DEFAULT_MODEL_NAME
        from .default_gguf import default_gguf_path, default_gguf_revision

        return load_llamacpp(default_gguf_path(), name=DEFAULT_MODEL_NAME, revision=default_gguf_revision(), **kwargs)
    return load_llamacpp(ms.target, **kwargs)


# -- the three sources ------------------------------------------------------------------------
def load_hf_folder(path: str | Path, *, name: str | None = None, revision: str = "",
                   device: str | None = None, dtype: str | None = None, **options: Any):
    path = Path(path).expanduser().resolve()
    if not (path / "config.json").exists():
        raise ModelError(f"{path}: not a Hugging Face model folder (no config.json)")
    return _load(str(path), name=name or path.name, revision=revision, weights_hash=weights_fingerprint(path),
                 local_only=True, device=device, dtype=dtype, **options)


def load_hub(repo: str, revision: str | None = None, *, device: str | None = None,
             dtype: str | None = None, **options: Any):
    online = hub_reachable()
    try:
        from transformers.utils import cached_file

        cfg_file = cached_file(repo, "config.json", revision=revision, local_files_only=not online)
    except Exception as e:  # noqa: BLE001 - transformers raises OSError/ValueError/EnvironmentError
        where = "the hub" if online else "the local Hugging Face cache (offline: the hub is unreachable)"
        raise ModelError(f"model {repo!r}{'@' + revision if revision else ''} not found in {where}: "
                         f"{_first_line(e)}") from e
    folder = Path(cfg_file).parent
    model = _load(repo, name=repo, revision="", weights_hash="", local_only=not online, device=device,
                  dtype=dtype, hub_revision=revision, **options)
    model.revision = getattr(model.model.config, "_commit_hash", None) or revision or ""
    if not model.revision:
        model.weights_hash = weights_fingerprint(folder)
    return model


def load_gguf(path: str | Path, *, device: str | None = None, dtype: str | None = None, **options: Any):
    p = Path(path).expanduser().resolve()
    if not p.is_file():
        raise ModelError(f"GGUF file {str(path)!r} does not exist")
    return _load(str(p.parent), name=p.stem, revision="", weights_hash=_file_fingerprint(p),
                 local_only=True, device=device, dtype=dtype, gguf_file=p.name, **options)


def _load(source: str, *, name: str, revision: str, weights_hash: str, local_only: bool,
          device: str | None, dtype: str | None, gguf_file: str | None = None,
          hub_revision: str | None = None, **options: Any):
    import torch
    from transformers import AutoConfig, AutoModel, AutoModelForCausalLM, AutoTokenizer

    from transformers.utils import logging as hf_logging

    from .hf import HFModel

    hf_logging.disable_progress_bar()  # babelscope draws its own progress; this one ignores --quiet
    dev = resolve_device(device)
    dt = resolve_dtype(dtype, dev)
    common: dict[str, Any] = dict(local_files_only=local_only)
    if gguf_file:
        common["gguf_file"] = gguf_file
    if hub_revision:
        common["revision"] = hub_revision
    try:
        config = AutoConfig.from_pretrained(source, **common)
        tok = AutoTokenizer.from_pretrained(source, **common)
        cls = AutoModelForCausalLM if is_causal(config) else AutoModel
        model = cls.from_pretrained(source, dtype=getattr(torch, dt), **common)
    except (OSError, ValueError, KeyError) as e:
        raise ModelError(f"cannot load model {name!r} from {source}: {_first_line(e)}") from e
    model.to(dev)
    return HFModel(model, tok, name=name, revision=revision, weights_hash=weights_hash,
                   causal=cls is AutoModelForCausalLM, **options)


# -- helpers ----------------------------------------------------------------------------------
def is_causal(config: Any) -> bool:
    """Causal LM by its declared architectures; BERT-likes (which *also* have a causal head
    class in transformers) load as encoders."""
    archs = list(getattr(config, "architectures", None) or [])
    if archs:
        return any(a.endswith(("ForCausalLM", "LMHeadModel", "ForConditionalGeneration")) for a in archs)
    from transformers.models.auto.modeling_auto import (
        MODEL_FOR_CAUSAL_LM_MAPPING_NAMES,
        MODEL_FOR_MASKED_LM_MAPPING_NAMES,
    )

    mt = getattr(config, "model_type", "")
    return mt in MODEL_FOR_CAUSAL_LM_MAPPING_NAMES and mt not in MODEL_FOR_MASKED_LM_MAPPING_NAMES


def resolve_device(device: str | None) -> str:
    import torch

    if device in (None, "", "auto"):
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise ConfigError(f"--device {device}: CUDA is not available on this machine (use --device cpu)")
    if not (device == "cpu" or device.startswith(("cuda", "mps"))):
        raise ConfigError(f"--device {device!r}: use cpu, cuda, cuda:N or mps")
    return device


def resolve_dtype(dtype: str | None, device: str) -> str:
    """float32 on CPU (exact and, without bf16 kernels, not slower); bf16 on a GPU that has it."""
    if dtype in (None, "", "auto"):
        if device.startswith("cuda"):
            import torch

            return "bfloat16" if torch.cuda.is_bf16_supported() else "float16"
        return "float32"
    key = str(dtype).lower().replace("torch.", "")
    if key not in _DTYPES:
        raise ConfigError(f"--dtype {dtype!r}: use one of float32, bfloat16, float16 (or auto)")
    return _DTYPES[key]


def hub_reachable(timeout: float = 3.0) -> bool:
    """False at once when HF_HUB_OFFLINE is set, else whether the hub answers a TCP connect.

    The probe (DNS included) runs in a thread with a hard timeout, so a machine without
    network decides within ``timeout`` seconds instead of waiting out HTTP retries.
    """
    if os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on"):
        return False
    host = urlparse(os.environ.get("HF_ENDPOINT", "https://huggingface.co")).hostname or "huggingface.co"
    ok: list[bool] = []

    def probe() -> None:
        try:
            with socket.create_connection((host, 443), timeout=timeout):
                ok.append(True)
        except OSError:
            pass

    t = threading.Thread(target=probe, daemon=True)
    t.start()
    t.join(timeout)
    return bool(ok)


def _first_line(e: BaseException) -> str:
    text = str(e).strip().splitlines()
    return text[0] if text else type(e).__name__
