"""heliport (HPLT's language identifier, ~200 ISO 639-3 labels, fast Rust core).

heliport scores are not probabilities: with its confidence thresholds on (the default) it
labels an unsure text ``und``. We report prob 1.0 for a confident label and 0.0 for ``und``,
so the LCB's ``p > 0.3`` rule becomes "heliport is confident".
"""

from __future__ import annotations

from functools import cached_property
from typing import Sequence

from ..errors import ModelError
from .base import LanguageIdentifier, Prediction


#: heliport names the standard variety where others name the macrolanguage; fold only these, so
#: a dialect label (arz, Egyptian Arabic) still differs from the macrolanguage (ar).
STANDARD_VARIETY = {
    "cmn": "zh", "arb": "ar", "pes": "fa", "swh": "sw", "zsm": "ms", "ekk": "et", "lvs": "lv",
    "npi": "ne", "ory": "or", "plt": "mg", "uzn": "uz", "khk": "mn", "azj": "az", "gaz": "om",
    "quy": "qu", "ydd": "yi", "als": "sq", "pbt": "ps", "lus": "lus", "nob": "nb",
}


class HeliportIdentifier(LanguageIdentifier):
    name = "heliport"

    @cached_property
    def _model(self):
        try:
            import heliport
        except ImportError as e:
            raise ModelError("LID backend 'heliport' needs `pip install heliport`") from e
        return heliport.Identifier()

    @property
    def version(self) -> str:
        from importlib.metadata import version

        return f"heliport-{version('heliport')}"

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        out = []
        for text in texts:
            label = self._model.identify(text) if text.strip() else "und"
            # heliport labels carry a script suffix in some builds ("zho_Hans"): keep the language.
            label = str(label).split("_")[0]
            label = STANDARD_VARIETY.get(label, label)
            out.append(Prediction("unknown", 0.0) if label == "und" else Prediction(label, 1.0))
        return out
