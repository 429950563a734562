"""What to do about a language, from Python: its card, and transfer planning and fitting.

``babelscope card`` and ``babelscope transfer`` print what these return. They gather what
the lower layers need (a store of earlier runs when there is one, a tokenizer and a parallel
corpus for lexical overlap) so that neither the CLI nor a notebook has to assemble them, and
they close every store they open.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

from .errors import ConfigError
from .workspace import reading_store
from .languages import Language

#: Named candidate sets for transfer planning.
NAMED_SETS = {"default": "the default run's languages", "results": "every language with results in the store"}

WorkspaceArg = str | Path | None


def language_card(language: str | Language, run: str | None = None, pivot: str = "en",
                  tokenizers: Sequence[str] | None = None, measure: bool = True,
                  workspace: WorkspaceArg = None) -> dict[str, Any]:
    """A language's card: identity, coverage, premiums, stored results, nearest languages, diagnosis."""
    from .card import build_card

    lang = language if isinstance(language, Language) else Language.parse(language)
    Language.parse(pivot)  # an unknown pivot fails before any tokenizer loads
    with reading_store(workspace, required=run is not None) as store:
        return build_card(lang, store=store, run_id=run, pivot=pivot,
                          tokenizers=list(tokenizers) if tokenizers else None, measure=measure)


def fit_transfer(run: str, metric: str = "acc", task: str | None = None, n_boot: int = 1000,
                 workspace: WorkspaceArg = None) -> dict[str, Any]:
    """How well typological distances predict a stored run's measured transfer matrix."""
    from .transfer.fit import fit_run

    with reading_store(workspace, required=True) as store:
        return fit_run(store, run, metric=metric, task=task, n_boot=n_boot)


def plan_transfer(target: str | Language, candidates: Sequence[str] = (), tokenizer: str | None = "gemma3",
                  corpus: str = "udhr", served_from: str | None = None, served_metric: str = "acc",
                  served_weight: float = 0.5, workspace: WorkspaceArg = None) -> Any:
    """Rank source languages for ``target`` (a TransferPlan; ``.to_dict()`` for JSON).

    ``candidates``: languages, or one named set (``default`` | ``results``); empty means the
    languages with results in the store, else the default run's. ``tokenizer=None`` (or
    "none") skips lexical overlap.
    """
    from .transfer.planning import plan_transfer as rank

    tgt = target if isinstance(target, Language) else Language.parse(target)
    cands = _candidates(list(candidates), tgt, workspace)
    served = None
    if served_from:
        from .transfer.served import served_scores

        with reading_store(workspace, required=True) as store:
            served = served_scores(store, served_from, served_metric, cands)
    tok = corp = None
    if tokenizer is not None and tokenizer.strip().lower() != "none":
        from .corpora import open_corpus
        from .tokenizer_specs import load_tokenizer

        tok = load_tokenizer(tokenizer)
        corp = open_corpus(corpus, [tgt, *cands])
    return rank(tgt, cands, tokenizer=tok, corpus=corp, served=served, served_weight=served_weight)


def _candidates(names: list[str], target: Language, workspace: WorkspaceArg) -> list[Language]:
    from .config import DEFAULT_LANGUAGES
    from .languages import parse_languages

    if len(names) == 1 and names[0] in NAMED_SETS:
        which = names[0]
    elif names:
        return parse_languages(names)
    else:
        which = "results"
    if which == "results":
        from .transfer.served import stored_languages

        with reading_store(workspace, required=False) as store:
            if store is not None:
                langs = [lang for lang in stored_languages(store) if lang != target]
                if len(langs) >= 2 or names:
                    return langs
    return [lang for lang in parse_languages(DEFAULT_LANGUAGES) if lang != target]


def check_transfer_args(target: str | None, fit: str | None) -> None:
    """Exactly one of a target to plan for and a run to fit."""
    if fit is not None and target is not None:
        raise ConfigError("give either a TARGET to plan for or --fit RUN, not both")
    if fit is None and target is None:
        raise ConfigError("give a TARGET language (e.g. babelscope transfer rn) or --fit RUN")
