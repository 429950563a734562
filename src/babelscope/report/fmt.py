"""Text safety and number formatting for the HTML report.

Everything a report shows may come from a dataset, a model or a user's command line, so every
string goes through :func:`esc` and every JSON blob embedded in a ``<script>`` goes through
:func:`json_for_script`. Numbers are formatted per column, so a column's figures share their
decimals and line up when right-aligned.
"""

from __future__ import annotations

import html
import json
import math
from datetime import datetime
from typing import Any, Callable, Iterable

#: Shown for a missing value (with a tooltip saying why, when known).
DASH = "\u2014"


def esc(value: Any) -> str:
    """HTML-escape any value's text (quotes included, so it is also safe inside attributes)."""
    return html.escape("" if value is None else str(value), quote=True)


def json_for_script(obj: Any) -> str:
    """JSON that cannot end or confuse the ``<script>`` element it is embedded in.

    ``<``, ``>`` and ``&`` become \\u escapes (so no ``</script>`` or ``<!--``), and U+2028/2029
    are escaped because older JavaScript parsers treat them as line ends. The result still
    parses as the same JSON.
    """
    text = json.dumps(obj, ensure_ascii=False, default=str, allow_nan=False)
    return (
        text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
        .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    )


def is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def number_format(values: Iterable[Any]) -> Callable[[float], str]:
    """A formatter suited to a whole column of numbers.

    All-integral columns (token and byte counts) get thousands separators and no decimals;
    otherwise the decimals follow the column's typical magnitude, and tiny values that would
    print as zero switch to scientific notation.
    """
    nums = [float(v) for v in values if is_number(v)]
    if nums and all(x.is_integer() for x in nums) and any(abs(x) >= 2 for x in nums):
        return lambda x: f"{x:,.0f}"
    mags = sorted(abs(x) for x in nums if x != 0)
    typical = mags[len(mags) // 2] if mags else 1.0
    if typical >= 1000:
        decimals = 0
    elif typical >= 100:
        decimals = 1
    elif typical >= 0.1:
        decimals = 3
    else:
        decimals = 4

    def fmt(x: float) -> str:
        if x != 0 and abs(x) < 0.5 * 10 ** -decimals:
            return f"{x:.2e}"
        return f"{x:,.{decimals}f}"

    return fmt


def full_number(x: Any) -> str:
    """The exact value, for tooltips."""
    if isinstance(x, float):
        return repr(x)
    return str(x)


def fmt_time(ts: float | None) -> str:
    """A timestamp in local time with its UTC offset (unambiguous when shared)."""
    if ts is None:
        return DASH
    return datetime.fromtimestamp(ts).astimezone().isoformat(sep=" ", timespec="seconds")


def fmt_duration(seconds: float | None) -> str:
    if seconds is None or seconds < 0:
        return DASH
    if seconds < 60:
        return f"{seconds:.1f} s"
    m, s = divmod(int(round(seconds)), 60)
    h, m = divmod(m, 60)
    return f"{h} h {m:02d} min" if h else f"{m} min {s:02d} s"


def slug(text: str) -> str:
    """An id-safe fragment of ``text`` (letters, digits, hyphens)."""
    out = "".join(c if c.isascii() and c.isalnum() else "-" for c in text.lower())
    return "-".join(p for p in out.split("-") if p) or "x"
