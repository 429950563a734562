"""URIEL typology read straight from lang2vec's data files, and the distances URIEL defines.

lang2vec 1.1.2 ships the URIEL feature arrays but no distance API, so the six distances of
Littell et al. (2017) are computed here from the arrays themselves:

- syntactic / phonological / inventory: cosine distance between the languages' kNN-imputed
  feature vectors (``feature_predictions.npz``; URIEL's own distances use the imputed
  vectors, so every language has one);
- genetic: 1 - shared Glottolog clades / the longer of the two clade paths
  (``family_features.npz``: one 0/1 column per clade);
- geographic: orthodromic distance divided by the antipodal distance. The file stores, per
  language, its great-circle distance to 299 anchor points divided by pi; since
  ``cos(pi * v_i) = anchor_i . p`` the language's unit position vector ``p`` is a 3-unknown
  least-squares solve, and the distance is ``arccos(p_a . p_b) / pi``;
- featural: cosine distance between the concatenation of all of the above vectors (imputed
  syntax, phonology, inventory; clade membership; the 299 anchor distances).

Imputed vectors hide how little is known about most languages (4,613 of URIEL's 7,970 have
no measured feature at all), so each language also carries how many features were measured
(``features.npz``, any source) per kind. A language with none is flagged, and planning
never ranks it as if its typology were known.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import BabelscopeError
from ..languages import Language

#: The distance kinds, in display order.
DISTANCES = ("syntactic", "phonological", "inventory", "genetic", "geographic", "featural")
#: Typological kinds (feature prefix in URIEL): what "has typological features" means.
TYPOLOGICAL = {"syntactic": "S_", "phonological": "P_", "inventory": "INV_"}


class TypologyError(BabelscopeError):
    """URIEL has no entry (or no measured features) for a language that needs one."""


def data_dir() -> Path:
    """lang2vec's data folder, found without importing lang2vec (its import needs pkg_resources)."""
    import importlib.util

    spec = importlib.util.find_spec("lang2vec")
    if spec is None or not spec.submodule_search_locations:
        raise TypologyError("URIEL data not found: install lang2vec (pip install 'lang2vec>=1.1.2')")
    return Path(list(spec.submodule_search_locations)[0]) / "data"


@dataclass(frozen=True)
class Profile:
    """One language's URIEL vectors, and how many of its typological features were measured."""

    code: str
    syntactic: np.ndarray
    phonological: np.ndarray
    inventory: np.ndarray
    clades: frozenset[str]
    position: np.ndarray  # unit vector on the sphere
    measured: dict[str, int]
    geo: np.ndarray  # great-circle distances to URIEL's 299 anchors, divided by pi

    @property
    def has_typology(self) -> bool:
        return any(self.measured.get(k, 0) > 0 for k in TYPOLOGICAL)

    def featural(self) -> np.ndarray:
        return np.concatenate([self.syntactic, self.phonological, self.inventory])


class Uriel:
    """The URIEL arrays, loaded once; lookups by ISO 639-3 code."""

    def __init__(self, directory: Path | None = None):
        d = directory or data_dir()
        pred = np.load(d / "feature_predictions.npz")
        feats = [str(f) for f in pred["feats"]]
        self.langs = [str(x) for x in pred["langs"]]
        self._index = {c: i for i, c in enumerate(self.langs)}
        data = pred["data"][:, :, 0]
        self._kinds = {k: [i for i, f in enumerate(feats) if f.startswith(p)] for k, p in TYPOLOGICAL.items()}
        self._pred = {k: data[:, idx].astype(np.float64) for k, idx in self._kinds.items()}

        measured = np.load(d / "features.npz")
        mfeats = [str(f) for f in measured["feats"]]
        mlangs = {str(c): i for i, c in enumerate(measured["langs"])}
        known = (measured["data"] != -1).any(axis=2)  # lang x feature: measured by any source
        self._measured_rows = mlangs
        self._measured = {k: known[:, [i for i, f in enumerate(mfeats) if f.startswith(p)]].sum(axis=1)
                          for k, p in TYPOLOGICAL.items()}

        fam = np.load(d / "family_features.npz")
        self._fam_index = {str(c): i for i, c in enumerate(fam["langs"])}
        self._fam_names = [str(f) for f in fam["feats"]]
        self._fam = fam["data"][:, :, 0]

        geo = np.load(d / "geocoord_features.npz")
        self._geo_index = {str(c): i for i, c in enumerate(geo["langs"])}
        anchors = np.array([[float(x) for x in str(f)[3:].split("_")] for f in geo["feats"]])
        self._anchor_vecs = unit_vectors(anchors[:, 0], anchors[:, 1])
        self._geo = geo["data"][:, :, 0].astype(np.float64)

    def has(self, code: str) -> bool:
        return code in self._index

    def profile(self, code: str) -> Profile:
        """The profile of ISO 639-3 ``code``; TypologyError when URIEL does not list it."""
        i = self._index.get(code)
        if i is None:
            raise TypologyError(f"URIEL (lang2vec) has no language {code!r}")
        mi = self._measured_rows.get(code)
        measured = {k: int(v[mi]) if mi is not None else 0 for k, v in self._measured.items()}
        fi = self._fam_index.get(code)
        clades = frozenset(self._fam_names[j] for j in np.where(self._fam[fi] == 1)[0]) if fi is not None else frozenset()
        gi = self._geo_index.get(code)
        geo = self._geo[gi] if gi is not None else np.zeros(self._geo.shape[1])
        position = self._position(geo) if gi is not None else np.full(3, np.nan)
        return Profile(code, self._pred["syntactic"][i], self._pred["phonological"][i],
                       self._pred["inventory"][i], clades, position, measured, geo)

    def _position(self, anchor_dists: np.ndarray) -> np.ndarray:
        cosines = np.cos(math.pi * anchor_dists)
        p, *_ = np.linalg.lstsq(self._anchor_vecs, cosines, rcond=None)
        return p / np.linalg.norm(p)

    def coordinates(self, code: str) -> tuple[float, float]:
        """(latitude, longitude) in degrees, recovered from the anchor distances."""
        x, y, z = self.profile(code).position
        return math.degrees(math.asin(max(-1.0, min(1.0, z)))), math.degrees(math.atan2(y, x))


def unit_vectors(lat_deg: np.ndarray, lon_deg: np.ndarray) -> np.ndarray:
    lat, lon = np.radians(lat_deg), np.radians(lon_deg)
    return np.stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)], axis=-1)


@lru_cache(maxsize=1)
def uriel() -> Uriel:
    return Uriel()


def cosine_distance(a: np.ndarray, b: np.ndarray) -> float | None:
    na, nb = float(np.linalg.norm(a)), float(np.linalg.norm(b))
    if na == 0 or nb == 0:
        return None  # an all-zero vector has no direction: no distance, not "maximally far"
    return float(max(0.0, 1.0 - float(a @ b) / (na * nb)))


def genetic_distance(a: frozenset[str], b: frozenset[str]) -> float | None:
    if not a or not b:
        return None  # an isolate or an unclassified language: unknown, not "unrelated"
    return 1.0 - len(a & b) / max(len(a), len(b))


def geographic_distance(a: np.ndarray, b: np.ndarray) -> float | None:
    if np.isnan(a).any() or np.isnan(b).any():
        return None
    return float(math.acos(max(-1.0, min(1.0, float(a @ b)))) / math.pi)


def distances(a: Profile, b: Profile) -> dict[str, float | None]:
    """All six URIEL distances between two profiles (None where one side lacks the data)."""
    geo = geographic_distance(a.position, b.position)
    fa, fb = a.featural(), b.featural()
    fam_names = sorted(a.clades | b.clades)
    # Clade columns outside the union are zero on both sides, so they change no cosine.
    fa = np.concatenate([fa, [1.0 if c in a.clades else 0.0 for c in fam_names], a.geo])
    fb = np.concatenate([fb, [1.0 if c in b.clades else 0.0 for c in fam_names], b.geo])
    return {
        "syntactic": cosine_distance(a.syntactic, b.syntactic),
        "phonological": cosine_distance(a.phonological, b.phonological),
        "inventory": cosine_distance(a.inventory, b.inventory),
        "genetic": genetic_distance(a.clades, b.clades),
        "geographic": geo,
        "featural": cosine_distance(fa, fb),
    }


def uriel_code(language: Language | str) -> str:
    """The ISO 639-3 code URIEL knows ``language`` by (macrolanguage first, then its main member)."""
    lang = Language.parse(language)
    return lang.iso639_3


def language_distances(a: Language | str, b: Language | str) -> dict[str, Any]:
    """Convenience: distances between two languages by any tag (TypologyError if one is absent)."""
    u = uriel()
    return distances(u.profile(uriel_code(a)), u.profile(uriel_code(b)))
