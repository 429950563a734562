"""babelscope: how well a language model serves each of the world's languages.

The public API is small; heavy modules (torch, transformers) load only when used::

    from babelscope import Language, RunConfig, run, load_model
    Language.parse("swh_Latn").tag        # 'sw'
    run(RunConfig(languages=["en", "sw", "yo"]))
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

_LAZY = {
    "Language": "babelscope.languages:Language",
    "parse_languages": "babelscope.languages:parse_languages",
    "RunConfig": "babelscope.config:RunConfig",
    "run": "babelscope.runner:run",
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
