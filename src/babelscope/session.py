"""A Session: what the units of a study share, owned in one place.

The workspace, the results store (opened once, closed in ``close``), the request cache, the
loaded model and its Engine, opened corpora and the progress callback. No CLI command builds
an Engine or opens the store itself: they build a study and hand it to the pipeline, which
runs it in a Session. Only one model is held at a time (a study's units are grouped by
model), so a three-model study needs the memory of its largest model, not of all three.
"""

from __future__ import annotations

import gc
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from .languages import Language, parse_languages
from .plan import Unit

log = logging.getLogger("babelscope.session")

#: progress(description, done, total)
Progress = Callable[[str, int, int], None]


class Session:
    """Shared state of one study run. Use as a context manager, or call :meth:`close`.

    ``persist=False`` keeps the store in memory and uses no request cache: for commands whose
    users asked for no results folder (``tokenizers``, ``align --no-store``).
    """

    def __init__(self, workspace: str | Path | None = None, *, persist: bool = True,
                 progress: Progress | None = None, request_cache: Any = None):
        from .workspace import workspace_dir

        self.workspace = workspace_dir(workspace)
        self.persist = persist
        self.progress = progress
        self._store: Any = None
        #: A cache object may be handed in (a Ray worker's read-through cache, see distributed.py).
        self._cache: Any = request_cache
        self._model_key: str | None = None
        self._model: Any = None
        self._engine: Any = None
        self._corpora: dict[tuple[Any, ...], Any] = {}
        #: How many times a model was loaded in this session (bench/ and tests read it).
        self.model_loads = 0

    # -- store and cache ---------------------------------------------------------------------------
    @property
    def store(self) -> Any:
        if self._store is None:
            from .store import Store
            from .workspace import open_store

            self._store = open_store(self.workspace) if self.persist else Store(":memory:")
        return self._store

    @property
    def request_cache(self) -> Any:
        if self._cache is None and self.persist:
            from .engine.cache import RequestCache

            self._cache = RequestCache(self.workspace / "request_cache.sqlite")
        return self._cache

    # -- models ------------------------------------------------------------------------------------
    def model(self, model_json: str) -> Any:
        """The model a unit names (loaded once; a different one replaces it)."""
        if self._model_key != model_json:
            self.release_model()
            from .models import load_model

            cfg = json.loads(model_json)
            log.info("loading model %s", cfg["spec"])
            if self.progress is not None:
                self.progress(f"loading {cfg['spec']}", 0, 0)
            self._model = load_model(cfg["spec"], device=cfg.get("device"), dtype=cfg.get("dtype"),
                                     batch_size=cfg.get("batch_size") or 16, **(cfg.get("options") or {}))
            self._model_key = model_json
            self.model_loads += 1
        return self._model

    def engine(self, model_json: str) -> Any:
        """The Engine over that model, with the workspace's request cache."""
        model = self.model(model_json)
        if self._engine is None:
            from .engine.executor import Engine

            batch = json.loads(model_json).get("batch_size") or 16
            # The engine hands the model several of its batches per call (and per cache write):
            # the model length-sorts and pads within each chunk, and the choices of one question
            # stay together so their shared context is encoded once.
            self._engine = Engine(model, cache=self.request_cache, batch_size=max(64, 4 * batch),
                                  progress=self.progress, progress_every=batch)
        return self._engine

    def release_model(self) -> None:
        if self._model is not None:
            self._model = self._engine = self._model_key = None
            gc.collect()

    # -- corpora -----------------------------------------------------------------------------------
    def corpus(self, spec: str, split: str | None, languages: list[Language]) -> Any:
        key = (spec, split, tuple(lang.tag for lang in languages))
        if key not in self._corpora:
            from .corpora import open_corpus

            self._corpora[key] = open_corpus(spec, languages, split=split)
        return self._corpora[key]

    # -- lifecycle ---------------------------------------------------------------------------------
    def close(self) -> None:
        self.release_model()
        if self._store is not None:
            self._store.close()
            self._store = None
        if self._cache is not None:
            close = getattr(self._cache, "close", None)
            if close:
                close()
            self._cache = None
        self._corpora.clear()

    def __enter__(self) -> "Session":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


@dataclass
class UnitContext:
    """What an analysis sees of its unit and the session (see analyses/adapters.py)."""

    unit: Unit
    session: Session
    options: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.options = self.unit.options

    @property
    def language_filter(self) -> list[str] | None:
        """The unit's languages as given, or None for "every language the data has" (``*``)."""
        langs = [x for x in self.unit.languages if x != "*"]
        return langs or None

    @property
    def languages(self) -> list[Language]:
        return parse_languages(self.language_filter or [])

    @property
    def pivot(self) -> Language:
        return Language.parse(self.unit.pivot)

    @property
    def all_languages(self) -> list[Language]:
        """The unit's languages with the pivot first (corpus analyses compare against it)."""
        return [self.pivot] + [lang for lang in self.languages if lang != self.pivot]

    def corpus(self) -> Any:
        return self.session.corpus(self.options.get("corpus") or "udhr", self.options.get("split"),
                                   self.all_languages)

    @property
    def model(self) -> Any:
        if self.unit.model_json is None:
            raise RuntimeError(f"unit {self.unit.label} uses no model")
        return self.session.model(self.unit.model_json)

    @property
    def engine(self) -> Any:
        if self.unit.model_json is None:
            raise RuntimeError(f"unit {self.unit.label} uses no model")
        return self.session.engine(self.unit.model_json)

    @property
    def workspace(self) -> Path:
        return self.session.workspace

    @property
    def progress(self) -> Progress | None:
        return self.session.progress
