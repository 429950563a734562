"""The Multi-IF section: instruction following per language and turn.

Multi-IF's finding is that models follow instructions worse as a conversation goes on (turn k
keeps every earlier instruction and adds one) and worse outside English, so the section is laid
out along both axes: every accuracy per (turn, language) with its CI, a languages x turns
matrix of the overall score with the change from the first turn to the last, and per-turn means
over languages. The numbers are the stored rows (tasks/multi_if.py): prompt-level (every
instruction followed) and instruction-level accuracy, strict and loose, and their mean.
"""

from __future__ import annotations

from typing import Any

from .charts import Bar, hbar_chart
from .fmt import esc, is_number
from .sections import SectionContext, ordered, language_label, num_of, rollups
from .tables import Column, Num, render_table

METRICS = ("prompt_strict", "inst_strict", "prompt_loose", "inst_loose", "overall")
HEADLINE = "overall"
LABELS = {"prompt_strict": "prompt strict", "inst_strict": "inst strict", "prompt_loose": "prompt loose",
          "inst_loose": "inst loose", "overall": "overall"}
METRIC_HELP = {
    "prompt_strict": "share of conversations whose response followed every instruction of the turn, as written",
    "inst_strict": "share of the turn's instructions followed, as written",
    "prompt_loose": "prompt-level, also passing when the response passes without its first/last line or '*'",
    "inst_loose": "instruction-level, loose reading",
    "overall": "mean of the four accuracies",
}
LANG_COLS = [Column("language", "Language", code=True), Column("language_name", "Name"),
             Column("script", "Script", code=True), Column("family", "Family")]


def turn_number(variant: Any) -> int:
    """"turn2" -> 2 (anything else sorts first)."""
    text = str(variant or "")
    return int(text[4:]) if text.startswith("turn") and text[4:].isdigit() else 0


def render(ctx: SectionContext) -> str:
    rows = ctx.rows
    present = set(ordered(r["metric"] for r in rows))
    metrics = [m for m in METRICS if m in present] + [m for m in ordered(r["metric"] for r in rows) if m not in METRICS]
    turns = sorted(ordered(str(r.get("variant") or "") for r in rows), key=turn_number)
    langs: dict[str, dict[str, Any]] = {}
    cells: dict[tuple[str, str, str], dict[str, Any]] = {}
    for r in rows:
        langs.setdefault(str(r.get("language")), r)
        cells.setdefault((str(r.get("variant") or ""), str(r.get("language")), r["metric"]), r)
    headline = HEADLINE if HEADLINE in present else (metrics[0] if metrics else "")
    helps = "".join(f"<li><b>{esc(LABELS.get(m, m))}</b>: {esc(METRIC_HELP[m])}</li>" for m in metrics if m in METRIC_HELP)
    parts = [f'<p class="lede">Multi-turn instruction following: {len(langs)} language(s), {len(turns)} turn(s); '
             "turn k keeps every earlier instruction and adds one. 95% bootstrap CIs over conversations "
             f'in brackets.</p><ul class="help">{helps}</ul>', checkers_note(rows)]
    parts.append(turn_matrix(langs, cells, turns, headline))
    parts.append(per_turn_table(langs, cells, turns, metrics))
    parts.append(detail_table(langs, cells, turns, metrics))
    charts = [chart(langs, cells, t, headline) for t in turns]
    parts.append('<div class="charts">' + "".join(c for c in charts if c) + "</div>")
    parts.append(rollups(rows, variant_label="turn", metrics=metrics))
    return "".join(parts)


def checkers_note(rows: list[dict[str, Any]]) -> str:
    """Which checker variant produced the numbers: the same ids mean different things in IFEval's,
    M-IFEval's, Multi-IF's and babelscope's code, and scores differ by points between them."""
    names = ordered(str(r.get("checkers") or "babelscope") for r in rows)
    if not names:
        return ""
    return f'<p class="note">Checked with the <b>{esc(", ".join(names))}</b> checkers.</p>'


def _label(r: dict[str, Any]) -> dict[str, Any]:
    return {"language": r.get("language") or "", "language_name": r.get("language_name") or "",
            "script": r.get("script") or "", "family": r.get("family") or ""}


def _value(r: dict[str, Any] | None) -> float | None:
    return float(r["value"]) if r is not None and is_number(r.get("value")) else None


def turn_matrix(langs, cells, turns: list[str], metric: str) -> str:
    """Languages x turns of the headline score, and its change from the first turn to the last."""
    out = []
    for lang, first in langs.items():
        row = _label(first)
        for i, t in enumerate(turns):
            r = cells.get((t, lang, metric))
            row[f"t{i}"] = num_of(r) if r else Num(None, reason="no conversation of this language reached this turn")
        a, b = _value(cells.get((turns[0], lang, metric))), _value(cells.get((turns[-1], lang, metric)))
        row["change"] = Num(b - a if a is not None and b is not None and len(turns) > 1 else None,
                            reason="needs the first and the last turn")
        out.append(row)
    cols = list(LANG_COLS) + [Column(f"t{i}", t, numeric=True, tip=f"{metric} at {t}") for i, t in enumerate(turns)]
    if len(turns) > 1:
        cols.append(Column("change", f"{turns[-1]} - {turns[0]}", numeric=True,
                           tip="change from the first turn to the last (negative: the model loses instructions)"))
    return render_table(cols, out, caption=f"{LABELS.get(metric, metric)} by language and turn")


def per_turn_table(langs, cells, turns: list[str], metrics: list[str]) -> str:
    """Per turn: each accuracy's mean over languages (each language once), conversations summed."""
    out = []
    for t in turns:
        have = [lang for lang in langs if any((t, lang, m) in cells for m in metrics)]
        row: dict[str, Any] = {"turn": t, "languages": len(have)}
        for m in metrics:
            vals = [v for v in (_value(cells.get((t, lang, m))) for lang in have) if v is not None]
            row["m:" + m] = Num(sum(vals) / len(vals) if vals else None, reason="no value")
        row["n"] = sum(int(next((cells[(t, lang, m)].get("n") or 0 for m in metrics if (t, lang, m) in cells), 0))
                       for lang in have)
        out.append(row)
    cols = [Column("turn", "Turn"), Column("languages", "Languages", numeric=True, count=True)]
    cols += [Column("m:" + m, f"mean {LABELS.get(m, m)}", numeric=True, tip=METRIC_HELP.get(m, "")) for m in metrics]
    cols.append(Column("n", "conversations", numeric=True, count=True, tip="conversations scored at this turn, all languages"))
    return render_table(cols, out, caption="Per turn: mean over languages")


def detail_table(langs, cells, turns: list[str], metrics: list[str]) -> str:
    out = []
    for t in turns:
        for lang, first in langs.items():
            rs = [cells.get((t, lang, m)) for m in metrics]
            if not any(rs):
                continue
            row = {"turn": t, **_label(first)}
            for m, r in zip(metrics, rs):
                row["m:" + m] = num_of(r)
            some = next(r for r in rs if r)
            row["n"], row["instructions"] = some.get("n"), some.get("instructions")
            out.append(row)
    cols = [Column("turn", "Turn")] + list(LANG_COLS)
    cols += [Column("m:" + m, LABELS.get(m, m), numeric=True, tip=METRIC_HELP.get(m, "")) for m in metrics]
    cols += [Column("n", "conversations", numeric=True, count=True, tip="conversations scored"),
             Column("instructions", "instructions", numeric=True, count=True, tip="instructions checked")]
    return render_table(cols, out, caption="Per turn and language")


def chart(langs, cells, turn: str, metric: str) -> str:
    rows = [r for r in (cells.get((turn, lang, metric)) for lang in langs) if r is not None]
    if not rows:
        return ""
    rows.sort(key=lambda r: (not is_number(r.get("value")), -(r["value"] if is_number(r.get("value")) else 0)))
    bars = [Bar(language_label(r), r.get("value"), tip=language_label(r), reason=num_of(r).reason) for r in rows]
    title = f"{LABELS.get(metric, metric)}, {turn}"
    svg = hbar_chart(bars, lambda x: f"{x:.2f}", title=title, high_is_bad=False)
    return f'<figure class="chart-box"><figcaption>{esc(title)}</figcaption>{svg}</figure>'
