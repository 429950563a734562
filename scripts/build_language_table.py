"""Build src/babelscope/data/languages.tsv from URIEL (lang2vec) family data and langcodes.

The table maps every ISO 639-3 code URIEL knows to its top-level family and English name, so
that resolving a language at run time needs no 240 MB numpy load. Macrolanguages (swa, zho,
ara, fas, ...) inherit the family of their individual languages. Run it again after upgrading
lang2vec or langcodes; the output is committed.
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import langcodes
import lang2vec
import numpy as np

OUT = Path(os.environ.get("BABELSCOPE_LANGUAGE_TABLE_OUT") or
           Path(__file__).resolve().parents[1] / "src" / "babelscope" / "data" / "languages.tsv")
UNCLASSIFIED = "Isolate/unclassified"

#: ISO 639-3 macrolanguage memberships langcodes does not apply (it keeps nb and nn as
#: languages of their own): Norwegian Bokmål and Nynorsk are members of nor.
EXTRA_MACROLANGUAGES = {"nob": "nor", "nno": "nor"}

#: Languages URIEL lists without a family tree, and no macrolanguage fills in, although
#: Glottolog (glottolog.org, v5) classifies them; the family named is Glottolog's top node,
#: spelled as URIEL spells it.
GLOTTOLOG_FAMILIES = {
    "zgh": "Afro-Asiatic",  # Standard Moroccan Tamazight, stan1324: Afro-Asiatic > Berber
    "ltg": "Indo-European",  # Latgalian, east2282: Indo-European > Balto-Slavic > East Baltic
}


def main() -> None:
    d = np.load(os.path.join(os.path.dirname(lang2vec.__file__), "data", "family_features.npz"), allow_pickle=True)
    feats = [str(f)[2:] for f in d["feats"]]
    langs = [str(x) for x in d["langs"]]
    member = d["data"][:, :, 0] > 0.5
    sizes = member.sum(axis=0)
    family: dict[str, str] = {}
    for i, code in enumerate(langs):
        cols = np.flatnonzero(member[i])
        if len(cols):
            # The root of the language's tree is the node with the most member languages.
            family[code] = feats[int(cols[np.argmax(sizes[cols])])]
        else:
            # URIEL lists the language but places it in no family tree: an isolate (Basque,
            # Burushaski, ...) or a language it leaves unclassified (sign languages, some creoles).
            family[code] = UNCLASSIFIED
    classified = {c for c, f in family.items() if f != UNCLASSIFIED}
    macro_of = {code: langcodes.get(code).prefer_macrolanguage().to_alpha3() for code in family}
    macro_of.update(EXTRA_MACROLANGUAGES)
    macro_votes: dict[str, Counter] = {}
    for code, fam in family.items():
        macro = macro_of[code]
        if macro != code and code in classified:
            macro_votes.setdefault(macro, Counter())[fam] += 1
    for macro, votes in macro_votes.items():
        # A macrolanguage URIEL lists without a tree (que) takes its members' family.
        if macro not in classified:
            family[macro] = votes.most_common(1)[0][0]
    for code in family:
        # An individual language URIEL lists without a tree (nob, nno) takes its
        # macrolanguage's family when URIEL classifies that (nor).
        if code not in classified and macro_of.get(code, code) in classified:
            family[code] = family[macro_of.get(code, code)]
    family.update(GLOTTOLOG_FAMILIES)
    rows = []
    for code in sorted(family):
        try:
            name = langcodes.get(code).display_name()
        except Exception:
            name = ""
        rows.append(f"{code}\t{family[code]}\t{name}")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text("iso639_3\tfamily\tname\n" + "\n".join(rows) + "\n", encoding="utf-8")
    print(f"wrote {len(rows)} languages to {OUT}")


if __name__ == "__main__":
    main()
