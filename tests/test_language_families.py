"""The family table against URIEL for every language babelscope ships data or tasks for.

Expected families are computed here straight from lang2vec's URIEL file (the language's
top-level tree node: the node with the most member languages). Where URIEL has no tree for a
language, the expectation is Glottolog's classification (glottolog.org), written out below.
"""

from __future__ import annotations

import os

import numpy as np
import pytest

from babelscope.config import DEFAULT_LANGUAGES
from babelscope.languages import Language
from babelscope.tasks.base import TASKS, get_task

#: Glottolog top-level families for shipped languages URIEL places in no tree.
GLOTTOLOG = {
    "eus": "Isolate/unclassified",  # Basque, basq1248: an isolate
    "ltg": "Indo-European",         # Latgalian, east2282 (East Baltic)
    "nob": "Indo-European",         # Norwegian Bokmål, norw1259 (North Germanic)
    "nno": "Indo-European",         # Norwegian Nynorsk, norw1262 (North Germanic)
    "que": "Quechuan",              # Quechua (macrolanguage), quec1387
    "zgh": "Afro-Asiatic",          # Standard Moroccan Tamazight, stan1324 (Berber)
}


@pytest.fixture(scope="module")
def uriel() -> dict[str, str]:
    import lang2vec

    d = np.load(os.path.join(os.path.dirname(lang2vec.__file__), "data", "family_features.npz"),
                allow_pickle=True)
    feats = [str(f)[2:] for f in d["feats"]]
    member = d["data"][:, :, 0] > 0.5
    sizes = member.sum(axis=0)
    out = {}
    for i, code in enumerate(str(x) for x in d["langs"]):
        cols = np.flatnonzero(member[i])
        if len(cols):
            out[code] = feats[int(cols[np.argmax(sizes[cols])])]
    return out


def shipped_languages(flores_dir=None) -> set[Language]:
    langs = {lang for name in TASKS for lang in get_task(name).language_codes().values()}
    langs |= {Language.parse(x) for x in DEFAULT_LANGUAGES}
    if flores_dir is not None and flores_dir.is_dir():
        langs |= {Language.parse(f.stem) for f in flores_dir.glob("*.dev")}
    return langs


def test_the_four_reported_languages_have_their_glottolog_family():
    assert Language.parse("nb").family == "Indo-European"
    assert Language.parse("nn").family == "Indo-European"
    assert Language.parse("que").family == "Quechuan"
    assert Language.parse("qu").family == "Quechuan"  # XCOPA's code
    assert Language.parse("zgh").family == "Afro-Asiatic"


def test_every_shipped_language_has_uriels_or_glottologs_family(uriel, shared_data):
    langs = shipped_languages(shared_data / "flores200" / "flores200_dataset" / "dev")
    assert len(langs) > 200
    wrong, unknown = [], []
    for lang in sorted(langs, key=lambda x: x.tag):
        want = uriel.get(lang.iso639_3) or GLOTTOLOG.get(lang.iso639_3)
        if want is None:
            unknown.append(f"{lang.tag} ({lang.iso639_3}, {lang.name}): table says {lang.family}")
        elif lang.family != want:
            wrong.append(f"{lang.tag} ({lang.iso639_3}, {lang.name}): {lang.family} != {want}")
    assert not wrong, wrong
    assert not unknown, "no URIEL tree and no Glottolog entry in this test: " + "; ".join(unknown)
