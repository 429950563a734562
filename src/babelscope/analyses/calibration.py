"""Calibrating alignment against measured scores: does MEXA predict this model's performance?

The paper reports that alignment correlates with benchmark accuracy (mean Pearson 0.90). That
is a claim about *their* models; a user should check it on their own. Given measured
per-language scores (a babelscope run in the store, or a CSV of language,score), this fits
score ~ a * alignment (+ b) on the languages that have both, reports Pearson and Spearman with
bootstrap confidence intervals over languages, and predicts a score for the languages that only
have alignment. Those predictions are estimates from a fit on a handful of languages, and every
output labels them so.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import numpy as np

from ..errors import BabelscopeError, ConfigError, LanguageError
from ..languages import Language
# The statistics (correlations, their bootstrap intervals, the line fit) live in metrics/; this
# module reads measured scores and builds the calibration. Re-exported for existing callers.
from ..metrics.correlation import (  # noqa: F401
    Correlation, bootstrap_correlations, fit_line, pearson, r_squared, rankdata, spearman,
)
from ..results import ResultRow
from .base import AnalysisOutput

#: Fewer shared languages than this make a line fit and a correlation meaningless.
MIN_LANGUAGES = 3
#: Below this many languages, bootstrap intervals over languages say little; outputs note it.
FEW_LANGUAGES = 8
#: Metric names taken as "the" score of a run when it holds several.
PREFERRED_METRICS = ("acc", "accuracy", "acc_norm", "exact_match", "score", "f1", "chrf")


# -- the calibration ----------------------------------------------------------------------------


@dataclass(frozen=True)
class CalibrationPoint:
    language: Language
    alignment: float
    measured: float | None
    predicted: float

    @property
    def is_estimate(self) -> bool:
        """True for a language with alignment only: its score is predicted, not measured."""
        return self.measured is None

    def to_dict(self) -> dict[str, Any]:
        return {
            "language": self.language.tag, "language_name": self.language.name,
            "alignment": self.alignment, "measured": self.measured,
            "predicted": _clean(self.predicted),
            "kind": "estimate" if self.is_estimate else "measured",
        }


@dataclass
class Calibration:
    """A fit of measured score on alignment, its correlations, and estimates for the rest."""

    source: str
    aggregate: str
    slope: float
    intercept: float
    with_intercept: bool
    pearson: Correlation
    spearman: Correlation
    r2: float
    points: list[CalibrationPoint] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)

    @property
    def fitted(self) -> list[CalibrationPoint]:
        return [p for p in self.points if not p.is_estimate]

    @property
    def estimates(self) -> list[CalibrationPoint]:
        return [p for p in self.points if p.is_estimate]

    def predict(self, alignment: float) -> float:
        return self.slope * alignment + self.intercept

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source, "alignment_aggregate": self.aggregate,
            "fit": {"slope": _clean(self.slope), "intercept": _clean(self.intercept),
                    "with_intercept": self.with_intercept, "r2": _clean(self.r2),
                    "n_languages": len(self.fitted)},
            "pearson": self.pearson.to_dict(), "spearman": self.spearman.to_dict(),
            "measured": [p.to_dict() for p in self.fitted],
            "estimates": [p.to_dict() for p in self.estimates],
            "estimates_note": "scores predicted from alignment by the fit above, not measured",
            "measured_without_alignment": list(self.unmatched),
            "note": self.note,
        }

    @property
    def note(self) -> str:
        n = len(self.fitted)
        if n < FEW_LANGUAGES:
            return (f"only {n} languages in the fit: correlations and their bootstrap intervals "
                    "over so few languages are unreliable")
        return ""

    def to_output(self) -> AnalysisOutput:
        """Rows for the languages without a measured score (labelled estimates) + the scatter."""
        rows = [
            ResultRow("alignment_calibration", "estimated_score", p.language, _clean(p.predicted),
                      extra={"estimate": True, "alignment": p.alignment, "aggregate": self.aggregate,
                             "source": self.source})
            for p in self.estimates
        ]
        return AnalysisOutput(rows=rows, artifacts={"alignment_calibration": self.to_dict()})


def check_overlap(languages: list[Language], measured: Mapping[Language, float], source: str = "") -> None:
    """Fail (before any model work, when called early) unless enough languages have both."""
    shared = [lang for lang in languages if lang in measured]
    if len(shared) < MIN_LANGUAGES:
        raise ConfigError(
            f"--against {source}: only {len(shared)} language(s) have both an alignment and a "
            f"measured score ({', '.join(lang.tag for lang in shared) or 'none'}); a fit needs at "
            f"least {MIN_LANGUAGES}. Aligned: {', '.join(lang.tag for lang in languages)}; "
            f"measured: {', '.join(sorted(lang.tag for lang in measured))}"
        )


def calibrate(
    alignment: Mapping[Language, float],
    measured: Mapping[Language, float],
    source: str = "",
    aggregate: str = "mean",
    intercept: bool = True,
    n_boot: int = 2000,
    seed: int = 0,
) -> Calibration:
    """Fit measured ~ alignment on the shared languages; predict the others (as estimates)."""
    check_overlap(list(alignment), measured, source)
    shared = [lang for lang in alignment if lang in measured]
    x = np.array([alignment[lang] for lang in shared], dtype=np.float64)
    y = np.array([measured[lang] for lang in shared], dtype=np.float64)
    a, b = fit_line(x, y, intercept)
    r2 = r_squared(x, y, a, b)
    p, s = bootstrap_correlations(x, y, n_boot=n_boot, seed=seed)
    points = [
        CalibrationPoint(lang, float(alignment[lang]), float(measured[lang]) if lang in measured else None,
                         a * float(alignment[lang]) + b)
        for lang in alignment
    ]
    unmatched = sorted(lang.tag for lang in measured if lang not in alignment)
    return Calibration(source, aggregate, a, b, intercept, p, s, r2, points, unmatched)


# -- where measured scores come from ------------------------------------------------------------

_LANG_COLUMNS = ("language", "lang", "tag", "code", "language_code")
_SCORE_COLUMNS = ("score", "value", "accuracy", "acc", "measured")


def read_scores_csv(path: str | Path) -> dict[Language, float]:
    """Per-language scores from a CSV of ``language,score`` (header optional).

    With a header, the language column is one of language/lang/tag/code and the score column
    one of score/value/accuracy/acc; without one, the first two columns. Errors name the file
    and line.
    """
    path = Path(path)
    if not path.is_file():
        raise BabelscopeError(f"--against: no file {path}")
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            rows = [(i, r) for i, r in enumerate(csv.reader(fh), start=1) if r and any(c.strip() for c in r)]
    except UnicodeDecodeError as e:
        raise BabelscopeError(f"{path}: not UTF-8 text ({e})") from e
    if not rows:
        raise BabelscopeError(f"{path}: empty; expected lines of language,score")
    lang_col, score_col = 0, 1
    first_line, first = rows[0]
    if len(first) >= 2 and not _is_number(first[1]):
        header = [c.strip().lower() for c in first]
        lang_col = _find_column(header, _LANG_COLUMNS, path, "language")
        score_col = _find_column(header, _SCORE_COLUMNS, path, "score")
        rows = rows[1:]
    out: dict[Language, float] = {}
    seen: dict[Language, int] = {}
    for line, r in rows:
        if len(r) <= max(lang_col, score_col):
            raise BabelscopeError(f"{path}:{line}: expected language,score, got {','.join(r)!r}")
        raw_lang, raw_score = r[lang_col].strip(), r[score_col].strip()
        try:
            lang = Language.parse(raw_lang)
        except LanguageError as e:
            raise BabelscopeError(f"{path}:{line}: {e}") from e
        if not _is_number(raw_score) or not math.isfinite(float(raw_score)):
            raise BabelscopeError(f"{path}:{line}: score {raw_score!r} for {raw_lang} is not a number")
        if lang in seen:
            raise BabelscopeError(
                f"{path}:{line}: {raw_lang} is the same language ({lang.tag}) as line {seen[lang]}"
            )
        seen[lang] = line
        out[lang] = float(raw_score)
    if not out:
        raise BabelscopeError(f"{path}: no score rows after the header")
    return out


def scores_from_run(store: Any, spec: str) -> tuple[dict[Language, float], str]:
    """Per-language scores of a run in the store: ``RUN[:NAME[:METRIC]]``.

    RUN is a run id, a unique prefix or "latest". When the run holds several (name, metric,
    variant) groups, NAME/METRIC pick one; a common accuracy metric is preferred; otherwise the
    error lists the choices. Returns the scores and a description of what was read.
    """
    run_id, _, rest = spec.partition(":")
    name, _, metric = rest.partition(":")
    run = store.run(run_id)
    rows = [r for r in store.results(run.run_id) if r.get("name") != "alignment" and r.get("value") is not None]
    if name:
        rows = [r for r in rows if r.get("name") == name]
    if metric:
        rows = [r for r in rows if r.get("metric") == metric]
    tasks = [r for r in rows if r.get("kind") == "task"]
    rows = tasks or rows
    groups: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for r in rows:
        groups.setdefault((r["name"], r["metric"], r.get("variant") or ""), []).append(r)
    if not groups:
        raise BabelscopeError(
            f"--against {spec}: run {run.run_id} has no per-language scores"
            + (f" named {name!r}" if name else "") + (f" with metric {metric!r}" if metric else "")
        )
    if len(groups) > 1 and not metric:
        for m in PREFERRED_METRICS:
            picked = {k: v for k, v in groups.items() if k[1] == m}
            if picked:
                groups = picked
                break
    if len(groups) > 1:
        choices = ", ".join(
            f"{run.run_id}:{n}:{m}" + (f" (variant {v})" if v else "") for n, m, v in sorted(groups)
        )
        raise BabelscopeError(f"--against {spec}: run {run.run_id} holds several scores; pick one of: {choices}")
    (gname, gmetric, gvariant), chosen = next(iter(groups.items()))
    out: dict[Language, float] = {}
    for r in chosen:
        lang = Language.parse(r["language"])
        if lang in out:
            raise BabelscopeError(
                f"--against {spec}: run {run.run_id} has two {gname}:{gmetric} rows for {lang.tag}"
            )
        out[lang] = float(r["value"])
    desc = f"run {run.run_id} {gname}:{gmetric}" + (f" ({gvariant})" if gvariant else "")
    return out, desc


def load_measured(spec: str, workspace: str | Path | None = None) -> tuple[dict[Language, float], str]:
    """``--against``: a CSV file (by extension or because it exists), else a run in the store."""
    path = Path(spec).expanduser()
    if spec.lower().endswith(".csv") or path.is_file():
        return read_scores_csv(path), f"csv {path}"
    from ..workspace import open_store

    store = open_store(workspace, create=False)
    try:
        return scores_from_run(store, spec)
    finally:
        store.close()


def _find_column(header: list[str], names: tuple[str, ...], path: Path, what: str) -> int:
    for n in names:
        if n in header:
            return header.index(n)
    raise BabelscopeError(
        f"{path}:1: header {','.join(header)!r} has no {what} column (one of {', '.join(names)})"
    )


def _is_number(text: str) -> bool:
    try:
        float(text.strip())
    except ValueError:
        return False
    return True


def _clean(x: float | None) -> float | None:
    if x is None:
        return None
    return None if math.isnan(x) or math.isinf(x) else float(x)
