"""What each language costs on a model behind an API: billed tokens, per language.

Two numbers, both from the endpoint's own ``usage`` (its tokenizer, its billing), so they hold
for models whose tokenizer nobody can load locally:

- :func:`usage_rows`: the tokens an evaluation was billed for, summed per task and language
  (requests answered from the request cache cost nothing and count nothing).
- :func:`billed_premium_rows`: billed prompt tokens per parallel sentence, relative to the
  pivot - the tokenizer premium as a user pays it. The per-request overhead the endpoint adds
  to any prompt (a BOS token, a chat template) is measured on an empty prompt and taken off,
  so the ratio compares the languages, not the wrapper.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from .engine.requests import GenerationRequest, LoglikelihoodRequest
from .errors import ConfigError
from .languages import Language
from .results import ResultRow
from .tasks.base import MULTIPLE_CHOICE

USAGE_METRICS = ("prompt_tokens", "completion_tokens", "total_tokens", "requests_billed")


def item_request_keys(item: Any) -> list[str]:
    """The request keys :func:`babelscope.evaluation.execute` sends for one item."""
    if item.kind == MULTIPLE_CHOICE:
        return [LoglikelihoodRequest(item.context, c).key() for c in item.continuations]
    return [GenerationRequest(context=item.context, stop=item.stop, max_tokens=item.max_tokens).key()]


def usage_rows(slices: Sequence[Any], model: Any) -> list[ResultRow]:
    """Billed tokens per (task, language, condition) slice, from ``model.usage`` (OpenAIModel).

    A request shared by several slices (the same prompt in two tasks) is counted once, in the
    first slice that sent it. Empty when the model keeps no usage (a local backend).
    """
    usage: Mapping[str, Any] = getattr(model, "usage", None) or {}
    if not usage:
        return []
    counted: set[str] = set()
    rows: list[ResultRow] = []
    for s in slices:
        p = c = billed = 0
        for it in s.items:
            for k in item_request_keys(it):
                u = usage.get(k)
                if u is None or k in counted:
                    continue
                counted.add(k)
                p += u.prompt_tokens
                c += u.completion_tokens
                billed += 1
        values = {"prompt_tokens": p, "completion_tokens": c, "total_tokens": p + c, "requests_billed": billed}
        for metric in USAGE_METRICS:
            rows.append(ResultRow(
                name=f"{s.task.name}:usage", metric=metric, language=s.language, value=float(values[metric]),
                variant="" if s.condition.is_default() else s.condition.name, kind="usage",
                corpus_code=s.code, n=len(s.items),
                extra={"task": s.task.name, "condition": s.condition.name, "model": getattr(model, "name", "")},
            ))
    return rows


def billed_premium_rows(model: Any, texts: Mapping[Language | str, Sequence[str]],
                        pivot: Language | str = "en") -> list[ResultRow]:
    """Billed prompt tokens per parallel sentence and their ratio to the pivot's.

    ``texts`` maps each language to the same sentences (aligned, equal counts); ``model``
    needs ``count_prompt_tokens`` (the API backends have it).
    """
    counter = getattr(model, "count_prompt_tokens", None)
    if counter is None:
        raise ConfigError(f"model {getattr(model, 'name', '?')!r} reports no billed tokens "
                          "(only api:/chat: endpoints do)")
    langs = {Language.parse(k) if not isinstance(k, Language) else k: list(v) for k, v in texts.items()}
    piv = Language.parse(pivot) if not isinstance(pivot, Language) else pivot
    if piv not in langs:
        raise ConfigError(f"pivot {piv.tag} is not among the languages given")
    sizes = {len(v) for v in langs.values()}
    if len(sizes) != 1 or 0 in sizes:
        raise ConfigError(f"parallel texts must have the same, non-zero number of sentences per language "
                          f"(got {', '.join(f'{k.tag}={len(v)}' for k, v in langs.items())})")
    order = list(langs)
    flat = [""] + [t for lang in order for t in langs[lang]]
    counts = counter(flat)
    overhead, counts = counts[0], counts[1:]
    n = sizes.pop()
    per_lang = {lang: sum(counts[i * n:(i + 1) * n]) - overhead * n for i, lang in enumerate(order)}
    rows = []
    for lang in order:
        tps = per_lang[lang] / n
        rows.append(ResultRow(name="billed_tokens", metric="tokens_per_sentence", language=lang, value=tps,
                              variant=getattr(model, "name", ""), kind="usage", n=n,
                              extra={"overhead_per_request": overhead}))
        ratio = per_lang[lang] / per_lang[piv] if per_lang[piv] else float("nan")
        rows.append(ResultRow(name="billed_tokens", metric="premium", language=lang, value=ratio,
                              variant=getattr(model, "name", ""), kind="usage", n=n,
                              extra={"pivot": piv.tag}))
    return rows
