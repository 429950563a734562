"""`babelscope run`: resolve languages, open sources, run analyses, store rows, write the report.

The runner owns the order of work and the store transactions; the analyses own the numbers.
Each analysis's rows are written in one transaction as soon as it finishes, so an interrupted
run keeps every finished analysis, and the request cache lets a rerun skip finished model work.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from .analyses.base import AnalysisOutput
from .analyses.registry import ANALYSES
from .config import RunConfig, signature
from .corpora.base import ParallelCorpus
from .languages import Language, parse_languages

log = logging.getLogger("babelscope.run")

#: A progress callback: (description, done, total). The CLI draws it with rich.
Progress = Callable[[str, int, int], None]


@dataclass
class RunContext:
    """What analyses see: resolved languages, the opened corpus, the model on demand."""

    config: RunConfig
    languages: list[Language]
    pivot: Language
    corpus: ParallelCorpus
    workspace: Path
    progress: Progress | None = None
    _model: Any = field(default=None, repr=False)
    _engine: Any = field(default=None, repr=False)

    @property
    def model(self) -> Any:
        if self._model is None:
            from .models import load_model

            self._model = load_model(self.config.model, device=self.config.device, dtype=self.config.dtype,
                                     batch_size=self.config.batch_size)
        return self._model

    @property
    def engine(self) -> Any:
        if self._engine is None:
            from .engine.cache import RequestCache
            from .engine.executor import Engine

            cache = RequestCache(self.workspace / "request_cache.sqlite")
            # The engine hands the model several batches per call (and per cache write); the
            # model then batches by its own sequence and token budgets.
            self._engine = Engine(self.model, cache=cache, batch_size=max(64, 4 * self.config.batch_size),
                                  progress=self.progress)
        return self._engine

    @property
    def all_languages(self) -> list[Language]:
        """The requested languages with the pivot first (analyses compare against it)."""
        return [self.pivot] + [lang for lang in self.languages if lang != self.pivot]


@dataclass
class RunResult:
    run_id: str
    report: Path | None
    rows: int
    seconds: float
    #: Model requests asked / answered from the request cache / computed (None: no model work).
    requests: dict[str, int] | None = None


def run(
    config: RunConfig,
    workspace: str | Path | None = None,
    progress: Progress | None = None,
    write_report: bool = True,
) -> RunResult:
    """Run the configured analyses end to end and return the run id and report path."""
    from .corpora import open_corpus
    from .workspace import open_store, workspace_dir

    t0 = time.perf_counter()
    ws = workspace_dir(workspace)
    languages = parse_languages(config.languages)
    pivot = Language.parse(config.pivot)
    wanted = [pivot] + [lang for lang in languages if lang != pivot]
    corpus = open_corpus(config.corpus, wanted, split=config.split)
    for lang in wanted:  # fail before any work when a language is missing
        corpus.code_for(lang)
    entries = [ANALYSES[a] for a in config.analyses]

    ctx = RunContext(config, languages, pivot, corpus, ws, progress)
    if any(e.needs_model for e in entries):
        from .models.base import Capability, require

        require(ctx.model, *_needed_capabilities(config.analyses, Capability))
    sig = signature(_signature_parts(ctx, needs_model=any(e.needs_model for e in entries)))

    store = open_store(ws)
    run_id = store.start_run("run", sig, config.model_dump())
    n_rows = 0
    status = "failed"
    try:
        for entry in entries:
            log.info("analysis %s", entry.name)
            out: AnalysisOutput = entry.load()(ctx)
            store.add_results(run_id, out.rows, out.items, out.artifacts)
            n_rows += len(out.rows)
        status = "finished"
    finally:
        store.finish_run(run_id, status)
    report = None
    if write_report:
        from .report import write_report as _write

        report = _write(store, run_id)
    store.close()
    stats = None
    if ctx._engine is not None:
        from dataclasses import asdict

        stats = asdict(ctx._engine.stats)
    return RunResult(run_id, report, n_rows, time.perf_counter() - t0, stats)


def _needed_capabilities(analyses: list[str], Capability: Any) -> list[Any]:
    needed = []
    if "bits_per_byte" in analyses:
        needed.append(Capability.LOGLIKELIHOOD)
    if "alignment" in analyses:
        needed.append(Capability.HIDDEN_STATES)
    return needed


def _signature_parts(ctx: RunContext, needs_model: bool) -> dict[str, Any]:
    parts: dict[str, Any] = {}
    if needs_model:
        parts["model"] = ctx.model.signature
    parts["corpus"] = f"{ctx.corpus.name}@{ctx.corpus.version}"
    parts["pivot"] = ctx.pivot.tag
    parts["langs"] = len(ctx.languages)
    return parts


# -- analysis adapters: RunContext -> the analysis's own API ----------------------------------


def analysis_tokenizers(ctx: RunContext) -> AnalysisOutput:
    from .analyses.tokenization import run_tokenizers
    from .tokenizer_specs import DEFAULT_TOKENIZERS, load_tokenizer

    specs = ctx.config.tokenizers or list(DEFAULT_TOKENIZERS)
    tokenizers = [load_tokenizer(s) for s in specs]
    if ctx.config.model != "default" and any(e.needs_model for e in map(ANALYSES.get, ctx.config.analyses) if e):
        # The model's own tokenizer first, unless it is one of the named ones already.
        tokenizers.insert(0, ctx.model.tokenizer)
    return run_tokenizers(ctx.corpus, ctx.all_languages, ctx.pivot, tokenizers)


def analysis_bits_per_byte(ctx: RunContext) -> AnalysisOutput:
    from .analyses.perplexity import DEFAULT_MAX_SEGMENTS, run_bits_per_byte

    return run_bits_per_byte(ctx.engine, ctx.corpus, ctx.all_languages, pivot=ctx.pivot,
                             max_segments=ctx.config.max_segments or DEFAULT_MAX_SEGMENTS)
