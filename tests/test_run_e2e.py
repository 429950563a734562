"""`babelscope run` end to end on the real embedded default (Gemma-3-270M) and real UDHR text.

A few languages and segments keep it to about a minute; the numbers are checked against
independent computations (the model's own tokenizer, a one-text-at-a-time forward pass).
"""

from __future__ import annotations

import json
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest

from babelscope.config import DEFAULT_LANGUAGES
from babelscope.languages import Language

pytestmark = pytest.mark.e2e

LANGS = "en,de,sw,zh-Hans"


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "babelscope", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=900)


class _Refs(HTMLParser):
    """Collects every URL-bearing attribute, to prove the report loads nothing from outside."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.urls += [v for k, v in attrs if k in ("src", "href") and v and not v.startswith("#")]


def test_default_languages_span_scripts_and_resource_levels():
    langs = [Language.parse(x) for x in DEFAULT_LANGUAGES]
    assert len(langs) >= 24 and len({lang.script for lang in langs}) >= 10
    codes = {lang.iso639_3 for lang in langs}
    # every one of these, not any: low-resource (Joshi et al. 2020 classes 1-2: Yoruba, Hausa,
    # Amharic, Swahili) and high-resource (class 5) languages, by ISO 639-3 code
    low = {"yor", "hau", "amh", "swa"}
    high = {"eng", "deu", "fra", "spa", "zho", "jpn", "ara"}
    assert low <= codes, f"low-resource languages missing from the default run: {sorted(low - codes)}"
    assert high <= codes, f"high-resource languages missing from the default run: {sorted(high - codes)}"
    assert len({lang.script for lang in langs}) >= 13 and len({lang.family for lang in langs}) >= 11


@pytest.fixture(scope="module")
def run_out(tmp_path_factory):
    ws = tmp_path_factory.mktemp("ws")
    p = _cli("--quiet", "run", "--languages", LANGS, "--max-segments", "6", "--workspace", str(ws), "--json",
             cwd=ws)
    assert p.returncode == 0, p.stderr[-3000:]
    return ws, json.loads(p.stdout)


def test_run_writes_rows_on_the_language_axis_and_a_self_contained_report(run_out):
    ws, out = run_out
    rows = out["rows"]
    assert {r["name"] for r in rows} >= {"tokenizers", "bits_per_byte", "alignment"}
    for r in rows:
        assert r["language"] and r["iso639_3"] and r["script"] and r["family"], r
    assert {r["language"] for r in rows if r["name"] == "bits_per_byte"} == {"en", "de", "sw", "zh-Hans"}
    report = Path(out["report"])
    html = report.read_text(encoding="utf-8")
    refs = _Refs()
    refs.feed(html)
    assert refs.urls == [] and "<script src" not in html
    for tag in ("sw", "zh-Hans", "Swahili"):
        assert tag in html


def test_tokenizer_counts_and_premium_match_the_models_own_tokenizer(run_out):
    from babelscope.corpora import open_corpus
    from babelscope.models import load_model

    _, out = run_out
    rows = [r for r in out["rows"] if r["name"] == "tokenizers"]
    assert len({r["variant"] for r in rows}) >= 5  # at least five real LLM tokenizers
    tokens = {r["language"]: r["value"] for r in rows if r["variant"] == "gemma3" and r["metric"] == "tokens"}
    premium = {r["language"]: r["value"] for r in rows if r["variant"] == "gemma3" and r["metric"] == "premium"}
    langs = [Language.parse(x) for x in LANGS.split(",")]
    corpus = open_corpus("udhr", langs)
    codes = [corpus.code_for(x) for x in langs]
    ids = corpus.shared_ids(codes)
    tok = load_model("default").tokenizer  # the GGUF's own tokenizer, not the npm copy the run used
    expected = {x.tag: sum(len(tok.encode(s)) for s in corpus.segments(c, ids)) for x, c in zip(langs, codes)}
    assert tokens == expected
    assert premium == pytest.approx({k: v / expected["en"] for k, v in expected.items()})


def test_alignment_rows_are_per_layer_with_consistent_aggregates(run_out):
    _, out = run_out
    al = [r for r in out["rows"] if r["name"] == "alignment"]
    per_layer: dict[str, dict[int, float]] = {}
    aggs: dict[tuple[str, str], float] = {}
    for r in al:
        if r["metric"] == "score":
            per_layer.setdefault(r["language"], {})[int(r["layer"])] = r["value"]
            assert r["n"] == 6
        elif r["metric"] in ("mean", "max"):
            aggs[(r["language"], r["metric"])] = r["value"]
    assert set(per_layer) == {"de", "sw", "zh-Hans"}
    for lang, layers in per_layer.items():
        assert sorted(layers) == list(range(19))  # embeddings + 18 layers
        vals = np.array([layers[k] for k in sorted(layers)])
        assert ((vals >= 0) & (vals <= 1)).all()
        assert aggs[(lang, "mean")] == pytest.approx(vals.mean())
        assert aggs[(lang, "max")] == pytest.approx(vals.max())


def test_rerun_reuses_the_request_cache_and_gives_equal_numbers(run_out):
    ws, out = run_out
    p = _cli("--quiet", "run", "--languages", LANGS, "--analyses", "bits_per_byte,alignment", "--max-segments", "6",
             "--workspace", str(ws), "--json", "--no-report", cwd=ws)
    assert p.returncode == 0, p.stderr[-3000:]
    again_out = json.loads(p.stdout)
    again = again_out["rows"]
    assert out["requests"]["computed"] > 0
    assert again_out["requests"]["computed"] == 0 and again_out["requests"]["cached"] == again_out["requests"]["unique"]

    def key(r):
        return (r["name"], r["metric"], r["language"], r.get("variant"), r.get("layer"))

    first = {key(r): r["value"] for r in out["rows"] if r["name"] in ("bits_per_byte", "alignment")}
    assert {key(r): r["value"] for r in again} == pytest.approx(first)
