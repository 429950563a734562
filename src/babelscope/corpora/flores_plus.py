"""FLORES+ (``openlanguagedata/flores_plus`` on the Hugging Face Hub; gated).

The dataset ships one parquet file per language and split, ``<split>/<code>.parquet``
(``devtest/deu_Latn.parquet``), with columns ``id``, ``iso_639_3``, ``iso_15924``,
``glottocode``, ``text``, ``url``, ``domain``, ``topic``, ``has_image``, ``has_hyperlink``,
``last_updated``. We fetch only the files of the requested languages with huggingface_hub
and read them with pyarrow (no ``datasets`` dependency: same files, fewer moving parts).

Offline (HF_HUB_OFFLINE or no network) only the local hub cache is used, and a file that is
not there is a clear CorpusError at once, never a retry loop.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Iterable, Mapping

from ..errors import CorpusError
from ..languages import Language
from .base import ParallelCorpus
from .flores import resolve_splits

REPO_ID = "openlanguagedata/flores_plus"
_CODE = re.compile(r"^[a-z]{3}_[A-Z][a-z]{3}$")
_HELP = ("FLORES+ is gated: accept its terms at https://huggingface.co/datasets/"
         f"{REPO_ID} and log in (`hf auth login`); for a local FLORES-200 copy use flores200:<dir>")


def corpus_from_rows(rows: Iterable[Mapping[str, Any]], name: str, version: str,
                     split_of: str | None = None) -> ParallelCorpus:
    """Map FLORES+ rows to a ParallelCorpus keyed ``<iso_639_3>_<iso_15924>``, ids ``split:id``.

    Each row needs ``iso_639_3``, ``iso_15924``, ``id``, ``text`` and a split (its ``split``
    key or ``split_of``). Languages must hold the same ids: otherwise CorpusError.
    """
    texts: dict[str, dict[str, str]] = {}
    for n, row in enumerate(rows):
        try:
            code = f"{row['iso_639_3']}_{row['iso_15924']}"
            split = row.get("split") or split_of
            seg = f"{split}:{int(row['id']):04d}"
            text = row["text"]
        except (KeyError, TypeError, ValueError) as e:
            raise CorpusError(f"{name}: row {n} lacks a FLORES+ field ({e!r}): {dict(row)!r:.200}") from e
        texts.setdefault(code, {})[seg] = text
    if not texts:
        raise CorpusError(f"{name}: no rows")
    for code in texts:
        texts[code] = dict(sorted(texts[code].items(), key=lambda kv: _id_key(kv[0])))
    ids = {code: set(t) for code, t in texts.items()}
    ref_code = max(ids, key=lambda c: len(ids[c]))
    bad = [c for c in ids if ids[c] != ids[ref_code]]
    if bad:
        listed = "; ".join(f"{c} has {len(ids[c])} sentences" for c in bad[:10])
        raise CorpusError(f"{name}: languages are not aligned: {listed}; {ref_code} has {len(ids[ref_code])}")
    languages = {code: Language.parse(code) for code in texts}
    return ParallelCorpus(name=name, version=version, texts=texts, languages=languages)


def _id_key(seg: str) -> tuple[int, int]:
    split, _, num = seg.partition(":")
    return (0 if split == "dev" else 1, int(num))


def read_parquet_rows(path: Path, split: str) -> list[dict[str, Any]]:
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path, columns=["id", "iso_639_3", "iso_15924", "text"])
    except Exception as e:  # pyarrow raises several types for a bad or foreign file
        raise CorpusError(f"flores_plus: cannot read {path}: {e}") from e
    return [{**r, "split": split} for r in table.to_pylist()]


def open_flores_plus(languages: list[Language] | None = None, split: str | None = None,
                     revision: str | None = None, cache_dir: str | Path | None = None) -> ParallelCorpus:
    """Download (or take from the hub cache) the requested languages' parquet files."""
    from ..hub_access import offline_reason

    splits = resolve_splits(split, "flores_plus")
    offline = offline_reason()
    codes = _codes_for(languages, offline)
    paths: list[tuple[Path, str]] = []
    for s in splits:
        for code in codes:
            paths.append((_fetch(f"{s}/{code}.parquet", offline, revision, cache_dir), s))
    rows = [r for p, s in paths for r in read_parquet_rows(p, s)]
    version = _snapshot_of(paths[0][0]) if paths else "?"
    corpus = corpus_from_rows(rows, f"flores_plus:{'+'.join(splits)}", version)
    corpus.meta["sources"] = {str(p): s for p, s in paths}
    return corpus


def _codes_for(languages: list[Language] | None, offline: str | None) -> list[str]:
    """FLORES+ file codes for the languages: given codes as is, else matched on the listing."""
    if languages is not None and all(_CODE.match(lang.query) for lang in languages):
        return [lang.query for lang in languages]
    if offline:
        if languages is None:
            raise CorpusError(
                f"flores_plus: the hub is unreachable ({offline}), so its language list cannot "
                f"be read; name the languages (FLORES+ codes such as deu_Latn) to use the local "
                f"hub cache. {_HELP}"
            )
        # Offline: the listing is out of reach, so guess the usual code and try the cache.
        return list(dict.fromkeys(
            lang.query if _CODE.match(lang.query) else f"{lang.iso639_3}_{lang.script}"
            for lang in languages
        ))
    from huggingface_hub import HfApi

    try:
        files = HfApi().list_repo_files(REPO_ID, repo_type="dataset")
    except Exception as e:
        raise CorpusError(f"flores_plus: cannot list {REPO_ID}: {e}. {_HELP}") from e
    available = sorted({Path(f).stem for f in files if f.startswith("devtest/") and f.endswith(".parquet")})
    if languages is None:
        return available
    from .flores import select_codes

    chosen = select_codes(available, languages)
    picked: list[str] = []
    for lang in languages:
        corpus = ParallelCorpus("flores_plus", "", {c: {} for c in chosen}, chosen)
        picked.append(corpus.code_for(lang))
    return list(dict.fromkeys(picked))


def _fetch(filename: str, offline: str | None, revision: str | None,
           cache_dir: str | Path | None = None) -> Path:
    from huggingface_hub import hf_hub_download
    from huggingface_hub.errors import GatedRepoError, RepositoryNotFoundError

    try:
        return Path(hf_hub_download(REPO_ID, filename, repo_type="dataset", revision=revision,
                                    cache_dir=cache_dir, local_files_only=bool(offline), etag_timeout=5))
    except (GatedRepoError, RepositoryNotFoundError) as e:
        raise CorpusError(f"flores_plus: no access to {REPO_ID} ({e.__class__.__name__}). {_HELP}") from e
    except Exception as e:
        where = f"not in the local hub cache and the hub is unreachable ({offline})" if offline else str(e)
        raise CorpusError(f"flores_plus: cannot get {filename}: {where}. {_HELP}") from e


def _snapshot_of(path: Path) -> str:
    """The commit hash in a hub cache path (``.../snapshots/<commit>/...``)."""
    parts = path.parts
    return parts[parts.index("snapshots") + 1] if "snapshots" in parts else "?"
