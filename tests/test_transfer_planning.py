"""URIEL distances against values computed straight from lang2vec's data files; planning; bad input.

The expected values here never go through babelscope.transfer: each test opens the .npz files
itself and computes the distance with a naive formula (Python loops, or a grid search where
babelscope solves a least-squares system), so a wrong column slice, language-index mix-up
(the files order languages differently) or formula slip fails.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from babelscope.errors import BabelscopeError, ConfigError, LanguageError
from babelscope.transfer.planning import plan_transfer
from babelscope.transfer.uriel import TypologyError, data_dir, language_distances

PAIRS = [("rn", "rw"), ("en", "de"), ("yo", "sw"), ("ja", "ko"), ("fr", "hi")]
ISO = {"rn": "run", "rw": "kin", "en": "eng", "de": "deu", "yo": "yor", "sw": "swa", "ja": "jpn",
       "ko": "kor", "fr": "fra", "hi": "hin"}


def _npz(name):
    return np.load(data_dir() / name)


def _row(z, code):
    langs = [str(x) for x in z["langs"]]
    return z["data"][langs.index(code), :, 0].astype(float)


def _naive_cosine_distance(a, b):
    dot = sum(x * y for x, y in zip(a, b))
    na = math.sqrt(sum(x * x for x in a))
    nb = math.sqrt(sum(y * y for y in b))
    return 1 - dot / (na * nb)


def _columns(z, prefix):
    return [i for i, f in enumerate(z["feats"]) if str(f).startswith(prefix)]


def _latlon_by_grid(geo_row, anchors):
    """Independent of babelscope's least squares: search the globe for the point whose
    great-circle distances to the anchors (/pi) match the stored row, then refine."""
    def search(lats, lons):
        la, lo = np.meshgrid(np.radians(lats), np.radians(lons), indexing="ij")
        la, lo = la.ravel(), lo.ravel()
        alat, alon = np.radians(anchors[:, 0]), np.radians(anchors[:, 1])
        c = (np.sin(la)[:, None] * np.sin(alat)[None] + np.cos(la)[:, None] * np.cos(alat)[None]
             * np.cos(lo[:, None] - alon[None]))
        d = np.arccos(np.clip(c, -1, 1)) / math.pi
        k = ((d - geo_row[None]) ** 2).sum(1).argmin()
        return math.degrees(la[k]), math.degrees(lo[k])

    lat, lon = search(np.arange(-90, 90.1, 2.0), np.arange(-180, 180, 2.0))
    for step, span in ((0.2, 2.5), (0.02, 0.25)):
        lat, lon = search(np.arange(lat - span, lat + span, step), np.arange(lon - span, lon + span, step))
    return lat, lon


def _great_circle_over_pi(a, b):
    la1, lo1, la2, lo2 = map(math.radians, (*a, *b))
    c = math.sin(la1) * math.sin(la2) + math.cos(la1) * math.cos(la2) * math.cos(lo1 - lo2)
    return math.acos(max(-1.0, min(1.0, c))) / math.pi


@pytest.mark.parametrize("a,b", PAIRS)
def test_typological_distances_match_the_data_files(a, b):
    pred = _npz("feature_predictions.npz")
    got = language_distances(a, b)
    for kind, prefix in (("syntactic", "S_"), ("phonological", "P_"), ("inventory", "INV_")):
        cols = _columns(pred, prefix)
        expect = _naive_cosine_distance(_row(pred, ISO[a])[cols], _row(pred, ISO[b])[cols])
        assert got[kind] == pytest.approx(expect, abs=1e-9), kind


@pytest.mark.parametrize("a,b", PAIRS)
def test_genetic_and_featural_distances_match_the_data_files(a, b):
    fam = _npz("family_features.npz")
    names = [str(f) for f in fam["feats"]]
    ca = {names[i] for i, v in enumerate(_row(fam, ISO[a])) if v == 1}
    cb = {names[i] for i, v in enumerate(_row(fam, ISO[b])) if v == 1}
    got = language_distances(a, b)
    assert got["genetic"] == pytest.approx(1 - len(ca & cb) / max(len(ca), len(cb)))
    pred, geo = _npz("feature_predictions.npz"), _npz("geocoord_features.npz")
    cols = _columns(pred, "S_") + _columns(pred, "P_") + _columns(pred, "INV_")
    va = list(_row(pred, ISO[a])[cols]) + list(_row(fam, ISO[a])) + list(_row(geo, ISO[a]))
    vb = list(_row(pred, ISO[b])[cols]) + list(_row(fam, ISO[b])) + list(_row(geo, ISO[b]))
    assert got["featural"] == pytest.approx(_naive_cosine_distance(va, vb), abs=1e-9)


def test_known_genetic_values():
    # Kirundi and Kinyarwanda share all 12 Glottolog clades; English and French share only
    # Indo-European (1 of 12 for French): 1 - 1/12. Read off the data file by hand.
    assert language_distances("rn", "rw")["genetic"] == 0.0
    assert language_distances("en", "fr")["genetic"] == pytest.approx(1 - 1 / 12)


@pytest.mark.parametrize("a,b", [("rn", "rw"), ("en", "ja"), ("yo", "fr")])
def test_geographic_distance_matches_a_grid_search_of_the_anchor_distances(a, b):
    geo = _npz("geocoord_features.npz")
    anchors = np.array([[float(x) for x in str(f)[3:].split("_")] for f in geo["feats"]])
    pa = _latlon_by_grid(_row(geo, ISO[a]), anchors)
    pb = _latlon_by_grid(_row(geo, ISO[b]), anchors)
    assert language_distances(a, b)["geographic"] == pytest.approx(_great_circle_over_pi(pa, pb), abs=2e-3)


def test_kinyarwanda_ranks_first_for_kirundi_and_the_order_is_deterministic():
    first = plan_transfer("rn", ["fr", "en", "lg", "sw", "rw"])
    again = plan_transfer("rn", ["rw", "sw", "lg", "en", "fr"])
    assert [c.language.tag for c in first.ranked] == [c.language.tag for c in again.ranked]
    assert first.ranked[0].language.tag == "rw"
    # The score is the mean of the six distances shown (recomputed here from the row itself).
    top = first.ranked[0]
    assert top.score == pytest.approx(sum(top.distances.values()) / 6)
    assert [c.rank for c in first.ranked] == [1, 2, 3, 4, 5]
    assert {c.language.tag for c in first.ranked[:3]} == {"rw", "lg", "sw"}  # the Bantu languages


def test_candidate_without_typological_features_is_flagged_not_ranked():
    plan = plan_transfer("rn", ["rw", "sw", "aaa"])  # Ghotuo: in URIEL, no measured feature
    assert [c.language.tag for c in plan.ranked] == ["rw", "sw"]
    assert plan.unranked[0].language.tag == "aaa"
    assert "no measured typological features" in plan.unranked[0].flags[0]
    assert plan.unranked[0].rank is None and plan.unranked[0].score is None


def test_served_weight_blends_with_typology():
    from babelscope.languages import Language

    served = {Language.parse("en"): 1.0, Language.parse("rw"): 0.0, Language.parse("sw"): 0.5}
    plan = plan_transfer("rn", ["rw", "sw", "en"], served=served, served_weight=1.0)
    # With weight 1 only (1 - served) counts: en (0), sw (0.5), rw (1).
    assert [c.language.tag for c in plan.ranked] == ["en", "sw", "rw"]


def test_lexical_overlap_against_a_hand_count():
    from babelscope.transfer.lexical import shared_subword_share

    # segment 1: target types {1,2,3}, shared {2,3}; segment 2: target types {4}, shared {}
    ov = shared_subword_share([[1, 2, 3, 3], [4]], [[2, 3, 9], [5]])
    assert ov.value == pytest.approx(2 / 4) and ov.segments == 2


@pytest.mark.parametrize("target,cands,err,needle", [
    ("xx", ["rw", "sw"], LanguageError, "xx"),
    ("rn", ["rw", "qqx"], LanguageError, "qqx"),
    ("aaa", ["rw", "sw"], TypologyError, "aaa"),
    ("rn", ["rw"], ConfigError, "at least two"),
    ("rn", ["rn", "rw"], ConfigError, "target rn"),
])
def test_bad_input_names_the_culprit(target, cands, err, needle):
    with pytest.raises(err) as e:
        plan_transfer(target, cands)
    assert needle in str(e.value)
    assert isinstance(e.value, BabelscopeError)


def _cli(*args, cwd):
    return subprocess.run([sys.executable, "-m", "babelscope", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=300)


def test_cli_transfer_json_shows_each_distance(tmp_path: Path):
    p = _cli("transfer", "rn", "--candidates", "rw,sw,lg,en,fr", "--json", cwd=tmp_path)
    assert p.returncode == 0, p.stderr[-2000:]
    out = json.loads(p.stdout)
    assert out["ranked"][0]["language"] == "rw"
    for c in out["ranked"]:
        assert set(c["distances"]) == {"syntactic", "phonological", "inventory", "genetic", "geographic", "featural"}
        assert all(isinstance(v, float) for v in c["distances"].values())
        assert 0 <= c["lexical_overlap"] <= 1
    # Kinyarwanda shares far more subwords with Kirundi than English does on the same UDHR text.
    by = {c["language"]: c for c in out["ranked"]}
    assert by["rw"]["lexical_overlap"] > 3 * by["en"]["lexical_overlap"]


@pytest.mark.parametrize("args,needle", [
    (["transfer", "xx", "--candidates", "rw,sw", "--tokenizer", "none"], "xx"),
    (["transfer", "aaa", "--candidates", "rw,sw", "--tokenizer", "none"], "aaa"),
    (["transfer", "rn", "--candidates", "rw", "--tokenizer", "none"], "at least two"),
    (["transfer", "--fit", "nope", "--workspace", "missing-ws"], "no results store"),
])
def test_cli_bad_input_exits_2(tmp_path: Path, args, needle):
    p = _cli(*args, cwd=tmp_path)
    assert p.returncode == 2, p.stderr[-2000:]
    assert needle in p.stderr


def test_served_scores_from_the_store_scale_and_flip(tmp_path):
    from babelscope.languages import Language
    from babelscope.results import ResultRow
    from babelscope.store import Store
    from babelscope.transfer.served import served_scores

    store = Store(tmp_path / "s.sqlite")
    rid = store.start_run("eval", "sig", {})
    L = {t: Language.parse(t) for t in ("en", "de", "sw")}
    rows = [ResultRow("t", "acc", L["en"], 0.8, kind="task", extra={"subset": "all"}),
            ResultRow("t", "acc", L["de"], 0.6, kind="task", extra={"subset": "all"}),
            ResultRow("t", "acc", L["sw"], 0.3, kind="task", extra={"subset": "all"}),
            ResultRow("t", "acc", L["sw"], 0.9, kind="task", variant="x", extra={"subset": "x"}),  # a subset: ignored
            ResultRow("bits_per_byte", "bits_per_byte", L["en"], 1.0), ResultRow("bits_per_byte", "bits_per_byte", L["sw"], 3.0)]
    store.add_results(rid, rows)
    # min-max over the candidates: en 1, de (0.6-0.3)/(0.8-0.3) = 0.6, sw 0
    assert served_scores(store, rid, "acc", list(L.values())) == pytest.approx({L["en"]: 1.0, L["de"]: 0.6, L["sw"]: 0.0})
    # lower is better for bits per byte: en best
    assert served_scores(store, rid, "bits_per_byte", list(L.values())) == {L["en"]: 1.0, L["sw"]: 0.0}
    with pytest.raises(BabelscopeError, match="chrf"):
        served_scores(store, rid, "chrf", list(L.values()))
    store.close()


def test_python_api_plans_and_fits_like_the_cli(tmp_path: Path):
    """`bs.plan_transfer` is what `babelscope transfer --json` prints (same ranking, same numbers),
    and the Python API raises the same error the CLI turns into exit 2."""
    import babelscope as bs
    from babelscope.errors import BabelscopeError

    p = _cli("transfer", "rn", "--candidates", "rw,sw,en", "--tokenizer", "none", "--json", cwd=tmp_path)
    assert p.returncode == 0, p.stderr[-2000:]
    plan = bs.plan_transfer("rn", ["rw", "sw", "en"], tokenizer=None, workspace=tmp_path / "ws")
    assert json.loads(json.dumps(plan.to_dict())) == json.loads(p.stdout)
    with pytest.raises(BabelscopeError, match="no results store"):
        bs.fit_transfer("latest", workspace=tmp_path / "missing")
    assert not (tmp_path / "missing").exists()
