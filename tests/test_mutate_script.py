"""scripts/mutate.py's configuration and its survivor bookkeeping stay valid as the code moves.

`make mutate` is not part of `make test` (it takes minutes), so a renamed test file, a removed
function named in SKIP or a malformed row in tests/MUTATION_SURVIVORS.md would only show on the
next mutation run; these checks catch them here.
"""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def mutate():
    spec = importlib.util.spec_from_file_location("mutate_script", REPO / "scripts" / "mutate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_group_names_existing_files(mutate):
    for group, (globs, tests) in mutate.GROUPS.items():
        for glob in globs:
            assert list(REPO.glob(glob)), (group, glob)
        for test in tests:
            assert (REPO / test).is_file(), (group, test)


def test_every_skipped_function_exists(mutate, tmp_path):
    # _skip_functions exits naming the function when a file no longer defines it
    for rel, names in mutate.SKIP.items():
        copy = tmp_path / Path(rel).name
        shutil.copy(REPO / rel, copy)
        mutate._skip_functions(copy, names)
        assert copy.read_text(encoding="utf-8").count("# pragma: no mutate block") == len(names), rel


def test_every_survivor_row_has_a_disposition(mutate):
    rows = mutate.dispositions()
    assert len(rows) > 100
    kinds = ("equivalent", "killed", "out of scope")
    bad = {name: d for name, d in rows.items() if not d.startswith(kinds)}
    assert not bad


def test_a_survivor_needs_a_standing_disposition(mutate, tmp_path):
    md = tmp_path / "s.md"
    md.write_text(
        "| mutant | change | disposition |\n|---|---|---|\n"
        "| `bootstrap.x_a__mutmut_1` | `x` → `y` | equivalent: same value |\n"
        "| `bootstrap.x_a__mutmut_2` | `x` → `z` | killed: test_a (added after the run) |\n"
        "| `checkers.x__spec__mutmut_1` | `a` → `b` | killed when switched on before import |\n",
        encoding="utf-8")
    rows = mutate.dispositions(md)
    assert rows["bootstrap.x_a__mutmut_1"] == "equivalent: same value"
    survivors = ["babelscope.metrics.bootstrap.x_a__mutmut_1", "babelscope.metrics.bootstrap.x_a__mutmut_2",
                 "babelscope.ifeval.checkers.x__spec__mutmut_1", "babelscope.metrics.bootstrap.x_a__mutmut_3"]
    # _2's row says a test kills it, so surviving makes the row stale; _3 has no row
    assert mutate.undispositioned(survivors, rows) == survivors[1::2]


def test_planted_bugs_still_apply():
    # scripts/check_planted_bugs.py (issue 16's acceptance) replaces one exact line per bug; when
    # the code moves, the line must still be there once, or the check would test nothing
    spec = importlib.util.spec_from_file_location("planted", REPO / "scripts" / "check_planted_bugs.py")
    planted = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(planted)
    assert set(planted.BUGS) == {"alpha", "premium_unpaired", "one_sided", "fidelity_per_group"}
    for name, (path, old, new) in planted.BUGS.items():
        assert (REPO / path).read_text(encoding="utf-8").count(old) == 1, name
        assert old != new
