"""A 4 x 4 transfer matrix on the real embedded default (Gemma-3-270M) with the offline UDHR task.

Small on purpose (short contexts, one demonstration, two items per cell) so it runs in well
under 90 s on two CPU cores; the point is the wiring: every (source, target) cell is
evaluated, rows carry source and target as typed language fields, the store round-trips
them, and the fit reads the matrix back. The per-item scores are checked against a direct
recomputation from the log-likelihoods the model returned (argmax = gold).
"""

from __future__ import annotations

import math

import pytest

from babelscope.conditions import parse_conditions
from babelscope.engine.executor import Engine
from babelscope.evaluation import evaluate
from babelscope.languages import Language
from babelscope.models import load_model
from babelscope.store import Store
from babelscope.tasks.base import DataSource
from babelscope.tasks.udhr_continuation import UDHRContinuation
from babelscope.transfer.fit import fit_run
from babelscope.transfer.matrix import annotate_rows, load_matrices

pytestmark = pytest.mark.e2e

LANGS = ["en", "de", "sw", "yo"]


def test_transfer_matrix_on_the_embedded_default(tmp_path):
    check_transfer_matrix(load_model("default"), tmp_path)


def check_transfer_matrix(model, tmp_path):
    """Shared with test_transfer_matrix_tiny.py (the same wiring on a tiny random model)."""
    task = UDHRContinuation(context_units=12, option_units=4)
    conds = parse_conditions("shots=1;demos=" + ",".join(LANGS))
    assert len(conds) == 4
    engine = Engine(model, batch_size=64)
    out = evaluate(engine, [task], LANGS, DataSource(), conds, limit=2, n_boot=100)
    annotate_rows(out.rows)  # the hook rows_for will call (see the h-transfer report)

    acc = [r for r in out.rows if r.metric == "acc" and r.extra["subset"] == "all"]
    assert len(acc) == 16
    cells = {(r.extra["source_language"], r.language.tag) for r in acc}
    assert cells == {(s, t) for s in LANGS for t in LANGS}
    for r in acc:
        src = Language.parse(r.extra["source_language"])
        assert isinstance(r.language, Language)
        assert (r.extra["source_iso639_3"], r.extra["source_script"], r.extra["source_family"]) == \
            (src.iso639_3, src.script, src.family)
        assert r.n == 2

    # Per item: acc is 1 exactly when the gold continuation has the highest log-likelihood.
    for s in out.samples:
        ll = [x[0] if isinstance(x, (list, tuple)) else x for x in s["logliks"]] if "logliks" in s else None
        if ll is not None:
            best = max(range(len(ll)), key=lambda i: ll[i])
            assert s["acc"] == float(best == s["target"])

    store = Store(tmp_path / "results.sqlite")
    run_id = store.start_run("eval", "test", {"pivot": "en"})
    store.add_results(run_id, out.rows, out.items, out.artifacts)
    store.finish_run(run_id)
    [m] = load_matrices(store, run_id)
    assert [s.tag for s in m.sources] == LANGS and [t.tag for t in m.targets] == LANGS
    stored = {(r["source_language"], r["language"]): r for r in store.results(run_id)
              if r["metric"] == "acc" and r["subset"] == "all"}
    assert stored.keys() == cells and all(r["source_family"] for r in stored.values())
    fit = fit_run(store, run_id, n_boot=100)
    [f] = fit["fits"]
    assert f["n_cells"] == 12
    for k in ("syntactic", "genetic", "featural"):
        rho = f["distances"][k]["spearman"]
        assert rho is None or -1 <= rho <= 1
    assert math.isfinite(f["cells"][0]["score"])
    store.close()
