"""Strict/loose, prompt/instruction-level accuracy per turn and language, with bootstrap CIs.

Every number is tied to the checker variant that produced it (``checkers`` on each group, in
each row's ``extra`` and in the run signature): IFEval's, M-IFEval's, Multi-IF's or
babelscope's semantics of the same instruction ids differ by points.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ...ifeval import CheckContext, FollowResult, follow, get_variant
from ...ifeval.variants import CheckerVariant
from ...languages import Language
from ...results import ResultRow
from .data import MAX_TURNS, MULTI_IF, Conversation, resolve_checkers
from .responses import Responses

METRICS = ("prompt_strict", "inst_strict", "prompt_loose", "inst_loose")


@dataclass
class TurnScores:
    """Per-conversation results of one (turn, language): the unit the bootstrap resamples."""

    turn: int
    language: str
    results: list[FollowResult] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    #: The data's layout (names the rows: multi_if, ifeval, m_ifeval) and the checker variant.
    benchmark: str = MULTI_IF
    checkers: str = "babelscope"

    def values(self, idx: np.ndarray | None = None) -> dict[str, float]:
        res = self.results if idx is None else [self.results[i] for i in idx]
        if not res:
            return {m: float("nan") for m in (*METRICS, "overall")}
        inst_s = sum(sum(r.strict) for r in res)
        inst_l = sum(sum(r.loose) for r in res)
        n_inst = sum(len(r.strict) for r in res)
        d = {
            "prompt_strict": sum(r.prompt_strict for r in res) / len(res),
            "inst_strict": inst_s / max(1, n_inst),
            "prompt_loose": sum(r.prompt_loose for r in res) / len(res),
            "inst_loose": inst_l / max(1, n_inst),
        }
        d["overall"] = sum(d.values()) / 4
        return d


def score(
    conversations: Sequence[Conversation],
    responses: Responses,
    lid: Any = None,
    turns: int = MAX_TURNS,
    checkers: str | CheckerVariant | None = None,
    seed: int = 0,
) -> list[TurnScores]:
    """Check every answered turn with the ``checkers`` variant (default: babelscope's rewrite;
    the conversations must have been loaded with the same one); a turn without a stored
    response is skipped (not failed). ``seed`` fixes the draws some published checkers make."""
    # a caller's own CheckerVariant is used as given (resolve_checkers names it, and the name
    # would look up the registered variant instead)
    variant = checkers if isinstance(checkers, CheckerVariant) else get_variant(resolve_checkers(checkers, list(conversations)))
    todo = [(conv, t, turn) for conv in conversations for t, turn in enumerate(conv.turns[:turns], start=1)
            if (conv.key, t) in responses]
    # The draws the variant's authors make over the whole run, in their order (IFEval's letter draw).
    draws = variant.plan_draws([(f"{c.key}#turn{t}", turn.instruction_ids, turn.kwargs) for c, t, turn in todo], seed)
    groups: dict[tuple[int, str], TurnScores] = {}
    for conv, t, turn in todo:
        tag = conv.lang.tag
        ctx = CheckContext(language=conv.language, lid=lid, item=f"{conv.key}#turn{t}", seed=seed, draws=draws)
        res = follow(responses[(conv.key, t)], turn.instruction_ids, turn.kwargs, ctx, checkers=variant)
        lid = ctx.lid  # keep the identifier a context loaded for the next one
        g = groups.setdefault((t, tag), TurnScores(t, tag, benchmark=conv.benchmark, checkers=variant.name))
        g.results.append(res)
        g.keys.append(conv.key)
    return [groups[k] for k in sorted(groups)]


def bootstrap_ci(group: TurnScores, n_boot: int = 1000, seed: int = 0, alpha: float = 0.05) -> dict[str, tuple[float, float]]:
    """Percentile bootstrap CIs over conversations for every metric (metrics.instruction_following)."""
    from ...metrics.instruction_following import accuracy_cis, item_statistics

    stats = item_statistics([r.strict for r in group.results], [r.loose for r in group.results])
    return accuracy_cis(stats, n_boot=n_boot, seed=seed, alpha=alpha)


def result_rows(groups: Sequence[TurnScores], n_boot: int = 1000, seed: int = 0, name: str | None = None) -> list[ResultRow]:
    """Rows per (turn, language, metric); variant = "turn<k>"; name = the data's benchmark
    (multi_if, ifeval, m_ifeval) unless given; ``extra["checkers"]`` names the variant."""
    rows = []
    for g in groups:
        vals = g.values()
        cis = bootstrap_ci(g, n_boot, seed) if n_boot else {}
        lang = Language.parse(g.language)
        n_inst = sum(len(r.strict) for r in g.results)
        for m, v in vals.items():
            lo, hi = cis.get(m, (None, None))
            rows.append(ResultRow(
                name=name or g.benchmark, metric=m, language=lang, value=v, variant=f"turn{g.turn}", kind="task",
                n=len(g.results), ci_low=lo, ci_high=hi, extra={"instructions": n_inst, "checkers": g.checkers},
            ))
    return rows


def item_records(groups: Sequence[TurnScores], name: str | None = None) -> list[tuple[str, str, str, dict[str, Any]]]:
    """Per (conversation, turn) verdicts for the Store."""
    out = []
    for g in groups:
        for key, r in zip(g.keys, g.results):
            out.append((name or g.benchmark, g.language, f"{key}#turn{g.turn}", {
                "turn": g.turn, "checkers": g.checkers, "instruction_ids": list(r.instruction_ids),
                "strict": list(r.strict), "loose": list(r.loose),
            }))
    return out