"""Sortable HTML tables.

A table is columns plus dict rows. Numeric cells carry their raw value in ``data-value`` so the
inline script sorts numbers as numbers (missing values last) whatever their display format;
text cells sort by their text. A missing number shows as an em dash whose tooltip says why.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

from .fmt import DASH, esc, full_number, is_number, number_format


@dataclass(frozen=True)
class Column:
    """``numeric`` right-aligns and sorts numerically; ``code`` shows text in monospace;
    ``count`` formats a numeric column as whole numbers (a column of 0s and 1s would otherwise
    read as rates)."""

    key: str
    label: str
    numeric: bool = False
    tip: str = ""
    code: bool = False
    count: bool = False


@dataclass(frozen=True)
class Num:
    """A number with what the reader may need beside it: why it is missing, its CI, a note."""

    value: float | None
    reason: str = ""
    ci_low: float | None = None
    ci_high: float | None = None
    note: str = ""


def _as_num(v: Any) -> Num:
    if isinstance(v, Num):
        return v
    return Num(v if is_number(v) else None)


def render_table(
    columns: Sequence[Column],
    rows: Sequence[dict[str, Any]],
    caption: str = "",
    empty: str = "no rows",
    css_class: str = "",
) -> str:
    """A ``<table class="sortable">`` (escaped); ``caption`` is plain text."""
    formats = {
        c.key: _count if c.count else number_format([_as_num(r.get(c.key)).value for r in rows])
        for c in columns if c.numeric
    }
    head = "".join(_head_cell(c) for c in columns)
    body = []
    for r in rows:
        cells = []
        for c in columns:
            if c.numeric:
                cells.append(_num_cell(_as_num(r.get(c.key)), formats[c.key]))
            else:
                v = r.get(c.key)
                text = "" if v is None else str(v)
                inner = f"<code>{esc(text)}</code>" if c.code and text else esc(text)
                cells.append(f"<td>{inner}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    if not body:
        body.append(f'<tr><td class="empty" colspan="{len(columns)}">{esc(empty)}</td></tr>')
    cap = f"<caption>{esc(caption)}</caption>" if caption else ""
    cls = ("sortable " + css_class).strip()
    return (
        f'<div class="table-wrap"><table class="{esc(cls)}">{cap}<thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


def _count(x: float) -> str:
    return f"{x:,.0f}"


def _head_cell(c: Column) -> str:
    attrs = f' scope="col" data-type="{"num" if c.numeric else "text"}"'
    if c.numeric:
        attrs += ' class="num"'
    if c.tip:
        attrs += f' title="{esc(c.tip)}"'
    return f"<th{attrs}>{esc(c.label)}</th>"


def _num_cell(n: Num, fmt: Any) -> str:
    if n.value is None:
        why = n.reason or "no value"
        return f'<td class="num na" data-value="" title="{esc(why)}">{DASH}</td>'
    tip = full_number(n.value)
    text = esc(fmt(float(n.value)))
    if is_number(n.ci_low) and is_number(n.ci_high):
        tip += f" (95% CI {full_number(n.ci_low)} to {full_number(n.ci_high)})"
        text += f' <span class="ci">[{esc(fmt(float(n.ci_low)))}, {esc(fmt(float(n.ci_high)))}]</span>'
    if n.note:
        tip += f"; {n.note}"
    return f'<td class="num" data-value="{esc(full_number(n.value))}" title="{esc(tip)}">{text}</td>'
