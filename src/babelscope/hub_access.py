"""Whether the Hugging Face Hub can be reached, decided in a second instead of a hang.

Hub clients retry for minutes when the network is down. babelscope checks first (the
HF_HUB_OFFLINE switch, then one short TCP connect) and either goes online or uses only the
local cache, so an offline user gets a clear error at once.
"""

from __future__ import annotations

import os
import socket
from functools import lru_cache
from urllib.parse import urlparse

_TRUE = {"1", "true", "yes", "on"}


def offline_reason(timeout: float = 2.0) -> str | None:
    """Why the hub is unusable ("HF_HUB_OFFLINE=1", "no network to ..."), or None if reachable."""
    for var in ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE", "TRANSFORMERS_OFFLINE"):
        if os.environ.get(var, "").strip().lower() in _TRUE:
            return f"{var}={os.environ[var]}"
    endpoint = os.environ.get("HF_ENDPOINT", "https://huggingface.co")
    return _probe(endpoint, timeout)


@lru_cache(maxsize=4)
def _probe(endpoint: str, timeout: float) -> str | None:
    url = urlparse(endpoint)
    host = url.hostname or "huggingface.co"
    port = url.port or (443 if url.scheme != "http" else 80)
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return None
    except OSError as e:
        return f"no network to {host}:{port} ({e.__class__.__name__})"
