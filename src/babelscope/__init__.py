"""babelscope: how well a language model serves each of the world's languages.

The public API is small; heavy modules (torch, transformers) load only when used::

    import babelscope as bs
    bs.Language.parse("swh_Latn").tag     # 'sw'
    res = bs.evaluate(models=["default"], tasks=["xcopa"], languages=["it", "sw"],
                      data_dir="../shared/data/xcopa", limit=20)
    res.rows                              # list of dicts; res.to_pandas()
    res.report("out.html")
    res = bs.run("study.toml")            # a study file: models x languages x analyses x tasks
    bs.list_runs(); bs.show_run("latest"); bs.compare_runs(run_a, run_b)   # finished runs
"""

from __future__ import annotations

from typing import Any

from .version import __version__

_LAZY = {
    "Language": "babelscope.languages:Language",
    "parse_languages": "babelscope.languages:parse_languages",
    "RunConfig": "babelscope.config:RunConfig",
    "run": "babelscope.api:run",
    "evaluate": "babelscope.api:evaluate",
    "plan": "babelscope.api:plan",
    "Result": "babelscope.api:Result",
    "list_runs": "babelscope.runs:list_runs",
    "show_run": "babelscope.runs:show_run",
    "run_rows": "babelscope.runs:run_rows",
    "export_run": "babelscope.runs:export_run",
    "report_run": "babelscope.runs:report_run",
    "compare_runs": "babelscope.runs:compare_runs",
    "language_card": "babelscope.advice:language_card",
    "plan_transfer": "babelscope.advice:plan_transfer",
    "fit_transfer": "babelscope.advice:fit_transfer",
    "Study": "babelscope.study:Study",
    "load_study": "babelscope.study:load_study",
    "Session": "babelscope.session:Session",
    "Signature": "babelscope.signature:Signature",
    "load_model": "babelscope.models:load_model",
    "open_corpus": "babelscope.corpora:open_corpus",
    "load_tokenizer": "babelscope.tokenizer_specs:load_tokenizer",
    "Store": "babelscope.store:Store",
    "BabelscopeError": "babelscope.errors:BabelscopeError",
}

__all__ = ["__version__", *_LAZY]


def __getattr__(name: str) -> Any:
    target = _LAZY.get(name)
    if target is None:
        raise AttributeError(f"module 'babelscope' has no attribute {name!r}")
    from importlib import import_module

    module, _, attr = target.partition(":")
    return getattr(import_module(module), attr)
