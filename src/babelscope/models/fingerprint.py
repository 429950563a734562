"""Cheap identities of model files and folders, for signatures and the request cache key.

A model's numbers are comparable only with the same weights; hashing gigabytes each run is
too slow, so a fingerprint reads the config, the headers and sampled blocks (about a MiB).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any


def weights_fingerprint(folder: str | Path) -> str:
    """A cheap identity for a model folder (12 hex digits): config plus each weight file's
    name, size, safetensors header (tensor names, shapes, offsets) and 16 sampled 64 KiB
    blocks of its data - about a megabyte read, never the gigabytes. The samples make a
    fine-tuned copy with the same shapes hash differently."""
    folder = Path(folder)
    h = hashlib.sha256()
    cfg = folder / "config.json"
    if cfg.exists():
        d = json.loads(cfg.read_text(encoding="utf-8"))
        d.pop("_name_or_path", None)
        d.pop("transformers_version", None)
        h.update(json.dumps(d, sort_keys=True).encode())
    for f in sorted(folder.iterdir()):
        if f.suffix in (".safetensors",):
            h.update(f.name.encode())
            h.update(str(f.stat().st_size).encode())
            with f.open("rb") as fh:
                n = int.from_bytes(fh.read(8), "little")
                h.update(fh.read(min(n, 100_000_000)))
                _sample_blocks(fh, f.stat().st_size, h)
        elif f.suffix in (".bin", ".pt", ".pth", ".gguf"):
            h.update(_file_fingerprint(f).encode())
    return h.hexdigest()[:12]


def _sample_blocks(fh: Any, size: int, h: Any, n: int = 16, block: int = 1 << 16) -> None:
    for k in range(n):
        fh.seek(max(0, (size - block) * k // max(1, n - 1)))
        h.update(fh.read(block))


def _file_fingerprint(path: Path) -> str:
    """Name, size, the first MiB (GGUF headers live at the start) and sampled blocks."""
    h = hashlib.sha256()
    size = path.stat().st_size
    h.update(f"{path.name}\t{size}".encode())
    with path.open("rb") as fh:
        h.update(fh.read(1 << 20))
        _sample_blocks(fh, size, h)
    return h.hexdigest()[:12]
