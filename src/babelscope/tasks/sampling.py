"""Which N items ``--limit N`` evaluates: a seeded sample stratified by subject or subset.

The first N items in file order are rarely a fair slice: TUMLU's files are per subject, so
``--limit 20`` was all biology; Global-MMLU is sorted by subject. The sample here

- allocates N over strata (an item's subject, else its first subset, else one stratum) in
  proportion to their sizes, by largest remainder (ties: the larger stratum, then its name);
- within a stratum takes the items with the smallest ``sha256(seed:stratum:id)``, so the same
  ids are taken in every language of a parallel benchmark (ids and strata agree there), and
  a bigger N keeps every item a smaller N took;
- returns them in dataset order.

``mode="head"`` keeps the first N (the old behaviour, ``--limit-mode head``).
"""

from __future__ import annotations

import hashlib
from typing import Sequence, TypeVar

from ..errors import ConfigError

LIMIT_MODES = ("sample", "head")
DEFAULT_SEED = 1234

T = TypeVar("T")


def stratum_of(item) -> str:
    """The stratum an item is sampled in: its subject, else its first subset, else ''."""
    meta = getattr(item, "meta", None) or {}
    subject = meta.get("subject")
    if subject:
        return str(subject)
    subsets = getattr(item, "subsets", ())
    return str(subsets[0]) if subsets else ""


def allocate(sizes: dict[str, int], n: int) -> dict[str, int]:
    """N split over strata in proportion to ``sizes`` (largest remainder), never above a size."""
    total = sum(sizes.values())
    if n >= total:
        return dict(sizes)
    quotas = {k: n * v / total for k, v in sizes.items()}
    out = {k: int(q) for k, q in quotas.items()}
    left = n - sum(out.values())
    order = sorted(sizes, key=lambda k: (-(quotas[k] - out[k]), -sizes[k], k))
    for k in order[:left]:
        out[k] += 1
    return out


def _rank(seed: int, stratum: str, item_id: str) -> str:
    return hashlib.sha256(f"{seed}:{stratum}:{item_id}".encode("utf-8")).hexdigest()


def sample_items(items: Sequence[T], n: int | None, mode: str = "sample", seed: int = DEFAULT_SEED) -> list[T]:
    """The items ``--limit n`` keeps (all of them when ``n`` is None)."""
    if mode not in LIMIT_MODES:
        raise ConfigError(f"--limit-mode must be one of {', '.join(LIMIT_MODES)}, not {mode!r}")
    items = list(items)
    if n is None or n >= len(items):
        return items
    if n < 0:
        raise ConfigError(f"--limit must be at least 0, not {n}")
    if mode == "head":
        return items[:n]
    strata: dict[str, list[int]] = {}
    for i, it in enumerate(items):
        strata.setdefault(stratum_of(it), []).append(i)
    quota = allocate({k: len(v) for k, v in strata.items()}, n)
    keep: set[int] = set()
    for k, idx in strata.items():
        ranked = sorted(idx, key=lambda i: (_rank(seed, k, str(getattr(items[i], "id", i))), i))
        keep.update(ranked[: quota[k]])
    return [it for i, it in enumerate(items) if i in keep]
