"""Property-based bad-input suite (hypothesis): malformed input never ends in a traceback.

The contract, for every generated input: either it is accepted, or babelscope raises a
BabelscopeError (which the CLI prints without a traceback and turns into exit 2) whose message
names the file (and, for row data, the row or line) or the spec at fault. Anything else (an
IndexError, a UnicodeDecodeError, a KeyError) fails the property. Corpus folders go through
the real entry point (`babelscope corpora files:DIR`), so exit code and stderr are checked too.

Example counts are fixed and small (``EXAMPLES`` per property) so the suite runs in seconds;
the module prints how many cases it tried.
"""

from __future__ import annotations

import json
import string
import sys
import tempfile
from collections import Counter
from pathlib import Path

import pytest

hypothesis = pytest.importorskip("hypothesis", reason="hypothesis is not installed (dev extra)")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from babelscope.errors import BabelscopeError  # noqa: E402

EXAMPLES = 60
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
TRIED: Counter = Counter()


@pytest.fixture(scope="module", autouse=True)
def _report_counts():
    yield
    total = sum(TRIED.values())
    print(f"\nbad-input suite: {total} generated cases over {len(TRIED)} properties, all held "
          f"({', '.join(f'{k} {v}' for k, v in sorted(TRIED.items()))})", file=sys.stderr)


# -- value strategies ---------------------------------------------------------------------------

TEXTS = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)
ODD_VALUES = st.one_of(
    TEXTS, st.just(""), st.just("   "), st.integers(-3, 5), st.floats(allow_nan=True), st.booleans(),
    st.none(), st.lists(TEXTS, max_size=3), st.dictionaries(TEXTS, TEXTS, max_size=2),
)
GARBAGE_LINE = st.one_of(
    st.text(max_size=30), st.just("{"), st.just("[1, 2]"), st.just('"just a string"'), st.just("null"),
)


def _check(err: BaseException, *names: str) -> None:
    """The contract: a BabelscopeError whose message names one of ``names``."""
    assert isinstance(err, BabelscopeError), f"{type(err).__name__}: {err}"
    msg = str(err)
    assert any(n in msg for n in names), f"message does not name {names}: {msg}"


# -- task rows ----------------------------------------------------------------------------------

XCOPA_KEYS = ("premise", "choice1", "choice2", "question", "label")


@st.composite
def xcopa_rows(draw):
    row = {}
    for k in XCOPA_KEYS:
        if draw(st.integers(0, 9)) == 0:
            continue  # the key is missing
        row[k] = draw(ODD_VALUES)
    return row


@SETTINGS
@given(rows=st.lists(st.one_of(xcopa_rows(), GARBAGE_LINE), min_size=1, max_size=4))
def test_xcopa_rows(rows):
    from babelscope.tasks.base import Condition, DataSource, get_task

    TRIED["xcopa jsonl rows"] += 1
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "data" / "it" / "test.it.jsonl"
        path.parent.mkdir(parents=True)
        lines = [r if isinstance(r, str) else json.dumps(r) for r in rows]
        path.write_text("\n".join(x.replace("\n", " ") for x in lines) + "\n", encoding="utf-8")
        try:
            get_task("xcopa").items("it", DataSource(Path(d)), Condition())
        except Exception as e:  # noqa: BLE001 - the property is about which exceptions
            _check(e, str(path))
            assert " row " in str(e) or "cannot read" in str(e)


MMLU_KEYS = ("question", "option_a", "option_b", "option_c", "option_d", "answer")


@SETTINGS
@given(cells=st.lists(st.lists(st.one_of(TEXTS, st.just(""), st.just('"'), st.just(",")), min_size=0, max_size=8),
                      min_size=1, max_size=4),
       header=st.one_of(st.just(list(MMLU_KEYS)), st.lists(st.sampled_from(MMLU_KEYS + ("x",)), max_size=6)))
def test_global_mmlu_csv_rows(cells, header):
    from babelscope.tasks.base import Condition, DataSource, get_task

    TRIED["global_mmlu csv rows"] += 1
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "de" / "test.csv"
        path.parent.mkdir(parents=True)
        import csv

        with path.open("w", encoding="utf-8", newline="") as f:
            w = csv.writer(f)
            w.writerow(header)
            w.writerows(cells)
        try:
            get_task("global_mmlu").items("de", DataSource(Path(d)), Condition())
        except Exception as e:  # noqa: BLE001
            _check(e, str(path), "test file")


@SETTINGS
@given(lines=st.lists(st.text(alphabet=string.printable + "äö\u202e", max_size=25), min_size=1, max_size=5))
def test_mgsm_tsv_rows(lines):
    from babelscope.tasks.base import Condition, DataSource, get_task

    TRIED["mgsm tsv rows"] += 1
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "mgsm_de.tsv"
        path.write_text("\n".join(x.replace("\n", " ").replace("\r", " ") for x in lines) + "\n", encoding="utf-8")
        try:
            get_task("mgsm").items("de", DataSource(Path(d)), Condition())
        except Exception as e:  # noqa: BLE001
            _check(e, str(path), "mgsm")


@SETTINGS
@given(data=st.binary(max_size=60))
def test_task_file_with_arbitrary_bytes(data):
    from babelscope.tasks.base import Condition, DataSource, get_task

    TRIED["task file bytes"] += 1
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "data" / "sw" / "test.sw.jsonl"
        path.parent.mkdir(parents=True)
        path.write_bytes(data)
        try:
            get_task("xcopa").items("sw", DataSource(Path(d)), Condition())
        except Exception as e:  # noqa: BLE001
            _check(e, str(path))


# -- corpus folders, through the real entry point ----------------------------------------------

FILE_CONTENT = st.one_of(
    st.binary(max_size=40),                                                    # binary
    st.text(max_size=40).map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.text(alphabet="abcäéß\n ", max_size=40).map(lambda t: t.encode("latin-1")),  # not UTF-8
    st.lists(st.text(alphabet=string.ascii_letters + " ", max_size=8), max_size=5)
      .map(lambda ls: "\n".join(ls).encode("utf-8")),                          # varying line counts
    st.just(b""), st.just(b"\n\n\n"),
)


@SETTINGS
@given(files=st.dictionaries(st.sampled_from(["en", "eng", "de", "sw", "zz-notalang", "English"]), FILE_CONTENT,
                             min_size=1, max_size=3))
def test_corpus_folder_via_cli(files, capsys, monkeypatch):
    from babelscope.cli import main

    TRIED["corpus folders (CLI)"] += 1
    with tempfile.TemporaryDirectory() as d:
        for stem, data in files.items():
            (Path(d) / f"{stem}.txt").write_bytes(data)
        monkeypatch.setattr(sys, "argv", ["babelscope", "corpora", f"files:{d}", "--json"])
        try:
            main()
            code = 0
        except SystemExit as e:
            code = e.code
        err = capsys.readouterr().err
        assert code in (0, 2), err
        assert "Traceback" not in err
        if code == 2:  # names the folder or one of its files
            flat = "".join(err.split())
            assert any(n.replace(" ", "") in flat for n in [d] + [f"{s}.txt" for s in files]), err


# -- completions files --------------------------------------------------------------------------

@SETTINGS
@given(kind=st.sampled_from(["csv", "jsonl"]), content=st.one_of(
    st.binary(max_size=50),
    st.lists(st.one_of(st.dictionaries(st.sampled_from(["completion", "response", "language", "lang", "x"]),
                                       ODD_VALUES, max_size=3).map(json.dumps), GARBAGE_LINE), max_size=4)
      .map(lambda ls: "\n".join(x.replace("\n", " ") for x in ls).encode("utf-8")),
))
def test_completions_file(kind, content):
    from babelscope.analyses.fidelity_io import read_completions

    TRIED["completions files"] += 1
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / f"out.{kind}"
        path.write_bytes(content)
        try:
            rows = read_completions(path)
        except Exception as e:  # noqa: BLE001
            _check(e, str(path))
            return
        assert rows and all(r["language"].strip() for r in rows)


# -- specs --------------------------------------------------------------------------------------

@SETTINGS
@given(spec=st.one_of(
    st.text(max_size=20),
    st.tuples(st.sampled_from(["hf:", "gguf:", "hf:x@", "HF:", "default ", "gguf"]), st.text(max_size=10))
      .map("".join),
))
def test_model_spec(spec):
    from babelscope.models.loading import parse_model_spec

    TRIED["model specs"] += 1
    try:
        parse_model_spec(spec)
    except Exception as e:  # noqa: BLE001
        _check(e, repr(spec), "empty model spec")


@SETTINGS
@given(spec=st.tuples(st.sampled_from(["files:", "flores200:", "udhr:", "nope:", "", "files", "flores200"]),
                      st.text(alphabet=string.ascii_letters + "/._-~ ", max_size=12)).map("".join))
def test_corpus_spec(spec):
    from babelscope.corpora import open_corpus

    if spec.strip().lower() in ("udhr", "flores_plus", "flores+", "floresplus"):
        return  # real corpora (installed / on the hub), not bad input
    TRIED["corpus specs"] += 1
    try:
        open_corpus(spec)
    except Exception as e:  # noqa: BLE001
        _check(e, spec.strip().partition(":")[2] or spec.strip(), repr(spec))


# -- study files --------------------------------------------------------------------------------

STUDY_KEYS = ("models", "languages", "analyses", "tasks", "max_segments", "workspace", "pivot", "corpus", "nonsense")


@st.composite
def study_toml(draw):
    lines = []
    for key in draw(st.lists(st.sampled_from(STUDY_KEYS), unique=True, max_size=5)):
        value = draw(st.one_of(ODD_VALUES, st.lists(st.sampled_from(["default", "it", "sw", "xx-nope", "xcopa",
                                                                       "tokenizers", ""]), max_size=3)))
        lines.append(f"{key} = {json.dumps(value, ensure_ascii=False)}")
    if draw(st.booleans()):
        lines.append("[tasks.xcopa]")
        lines.append(f"limit = {json.dumps(draw(ODD_VALUES))}")
    return "\n".join(lines) + "\n"


@SETTINGS
@given(content=st.one_of(study_toml().map(lambda t: t.encode("utf-8")), st.binary(max_size=40)),
       suffix=st.sampled_from([".toml", ".toml", ".yaml", ".txt"]))
def test_study_file(content, suffix):
    from babelscope.study import load_study

    TRIED["study files"] += 1
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / f"study{suffix}"
        path.write_bytes(content)
        try:
            load_study(path)
        except Exception as e:  # noqa: BLE001
            _check(e, str(path))
