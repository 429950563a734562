"""py3langid: the default identifier (97 languages, model inside the wheel, BSD-3).

Chosen as default because it is small, fast, offline and did best on our UDHR smoke test
(Amharic, Yoruba, Zulu included), where fastText's compressed model is weak.
"""

from __future__ import annotations

from functools import cached_property
from typing import Sequence

from ..errors import ModelError
from .base import LanguageIdentifier, Prediction


class Py3LangidIdentifier(LanguageIdentifier):
    name = "py3langid"

    @cached_property
    def _model(self):
        try:
            from py3langid.langid import MODEL_FILE, LanguageIdentifier as _LI
        except ImportError as e:  # pragma: no cover - depends on the environment
            raise ModelError("LID backend 'py3langid' needs `pip install py3langid`") from e
        return _LI.from_model_file(MODEL_FILE, norm_probs=True)

    @property
    def version(self) -> str:
        from importlib.metadata import version

        return f"py3langid-{version('py3langid')}"

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        out = []
        for text in texts:
            if not text.strip():
                out.append(Prediction("unknown", 0.0))
                continue
            label, prob = self._model.classify(text)
            out.append(Prediction(str(label), float(prob)))
        return out
