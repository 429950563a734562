"""FLORES+ loader: parquet files of the hub dataset's shape, read from a hub-cache layout offline."""

from __future__ import annotations

import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from babelscope.corpora import open_corpus
from babelscope.corpora.flores_plus import REPO_ID, corpus_from_rows, open_flores_plus
from babelscope.errors import CorpusError
from babelscope.languages import Language, parse_languages

COMMIT = "0123456789abcdef0123456789abcdef01234567"


def _parquet(path: Path, iso3: str, script: str, texts: list[str]) -> None:
    """A file with the published FLORES+ columns."""
    path.parent.mkdir(parents=True, exist_ok=True)
    n = len(texts)
    pq.write_table(pa.table({
        "id": list(range(1, n + 1)), "iso_639_3": [iso3] * n, "iso_15924": [script] * n,
        "glottocode": ["x"] * n, "text": texts, "url": [""] * n, "domain": ["wikinews"] * n,
        "topic": ["t"] * n, "has_image": ["no"] * n, "has_hyperlink": ["no"] * n,
        "last_updated": ["2.1"] * n,
    }), path)


@pytest.fixture()
def hub_cache(tmp_path: Path) -> Path:
    """The huggingface_hub cache layout: refs/main -> snapshots/<commit>/<split>/<code>.parquet."""
    repo = tmp_path / ("datasets--" + REPO_ID.replace("/", "--"))
    (repo / "refs").mkdir(parents=True)
    (repo / "refs" / "main").write_text(COMMIT)
    snap = repo / "snapshots" / COMMIT
    _parquet(snap / "devtest/eng_Latn.parquet", "eng", "Latn", ["Three.", "Four."])
    _parquet(snap / "devtest/deu_Latn.parquet", "deu", "Latn", ["Drei.", "Vier."])
    _parquet(snap / "dev/eng_Latn.parquet", "eng", "Latn", ["One."])
    _parquet(snap / "dev/deu_Latn.parquet", "deu", "Latn", ["Eins."])
    return tmp_path


def test_offline_loads_from_the_hub_cache(hub_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    langs = parse_languages("eng_Latn,deu_Latn")
    c = open_flores_plus(langs, split="all", cache_dir=hub_cache)
    assert c.texts["deu_Latn"] == {"dev:0001": "Eins.", "devtest:0001": "Drei.", "devtest:0002": "Vier."}
    assert c.version == COMMIT
    assert c.code_for(Language.parse("de")) == "deu_Latn"
    # Offline without FLORES codes: the usual code is guessed from the language.
    c2 = open_flores_plus(parse_languages("en,de"), cache_dir=hub_cache)
    assert sorted(c2.codes()) == ["deu_Latn", "eng_Latn"]


def test_offline_missing_file_fails_fast(hub_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    t0 = time.perf_counter()
    with pytest.raises(CorpusError, match=r"devtest/fra_Latn\.parquet.*HF_HUB_OFFLINE=1.*gated"):
        open_flores_plus(parse_languages("fra_Latn"), cache_dir=hub_cache)
    with pytest.raises(CorpusError, match="language list cannot be read"):
        open_corpus("flores+")
    assert time.perf_counter() - t0 < 5


def test_rows_must_align() -> None:
    rows = [
        {"id": 1, "iso_639_3": "eng", "iso_15924": "Latn", "text": "A", "split": "dev"},
        {"id": 2, "iso_639_3": "eng", "iso_15924": "Latn", "text": "B", "split": "dev"},
        {"id": 1, "iso_639_3": "fra", "iso_15924": "Latn", "text": "A'", "split": "dev"},
    ]
    with pytest.raises(CorpusError, match="fra_Latn has 1 sentences; eng_Latn has 2"):
        corpus_from_rows(rows, "flores_plus:dev", "x")
    with pytest.raises(CorpusError, match=r"row 0 lacks a FLORES\+ field"):
        corpus_from_rows([{"id": 1, "text": "A"}], "flores_plus:dev", "x", split_of="dev")


def test_split_conflict_is_reported() -> None:
    with pytest.raises(CorpusError, match="names split 'dev' but --split is 'devtest'"):
        open_corpus("flores_plus:dev", parse_languages("en"), split="devtest")


def test_unreachable_hub_is_detected_without_waiting(monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    from babelscope.hub_access import offline_reason

    with socket.socket() as s:  # a local port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    for var in ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE", "TRANSFORMERS_OFFLINE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{port}")
    t0 = time.perf_counter()
    reason = offline_reason()
    assert reason is not None and f"127.0.0.1:{port}" in reason
    assert time.perf_counter() - t0 < 3
