"""Test helper: read tables, scripts and external references back out of a report's HTML."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Cell:
    text: str
    attrs: dict[str, str]


@dataclass
class Table:
    caption: str = ""
    classes: str = ""
    head: list[Cell] = field(default_factory=list)
    rows: list[list[Cell]] = field(default_factory=list)

    def column(self, label: str) -> int:
        return [h.text for h in self.head].index(label)

    def records(self) -> list[dict[str, Cell]]:
        labels = [h.text for h in self.head]
        return [dict(zip(labels, r)) for r in self.rows]


class ReportParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[Table] = []
        self.scripts: list[tuple[dict[str, str], str]] = []
        self.attr_values: list[tuple[str, str, str]] = []  # (tag, attr, value)
        self.tags: list[str] = []
        self._stack: list[Table] = []
        self._cell: Cell | None = None
        self._in_head = False
        self._row: list[Cell] | None = None
        self._caption: list[str] | None = None
        self._script: tuple[dict[str, str], list[str]] | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        self.tags.append(tag)
        for k, v in a.items():
            self.attr_values.append((tag, k, v))
        if tag == "table":
            self._stack.append(Table(classes=a.get("class", "")))
        elif tag == "thead":
            self._in_head = True
        elif tag == "tbody":
            self._in_head = False
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = Cell("", a)
        elif tag == "caption":
            self._caption = []
        elif tag == "script":
            self._script = (a, [])

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._cell.text = self._cell.text.strip()
            self._row.append(self._cell)
            self._cell = None
        elif tag == "tr" and self._row is not None and self._stack:
            t = self._stack[-1]
            if self._in_head:
                t.head = self._row
            else:
                t.rows.append(self._row)
            self._row = None
        elif tag == "caption" and self._caption is not None:
            self._stack[-1].caption = "".join(self._caption).strip()
            self._caption = None
        elif tag == "table" and self._stack:
            self.tables.append(self._stack.pop())
        elif tag == "script" and self._script is not None:
            self.scripts.append((self._script[0], "".join(self._script[1])))
            self._script = None

    def handle_data(self, data):
        if self._script is not None:
            self._script[1].append(data)
        if self._cell is not None:
            self._cell.text += data
        if self._caption is not None:
            self._caption.append(data)


def parse_report(text: str) -> ReportParser:
    p = ReportParser()
    p.feed(text)
    p.close()
    return p


def table_by_caption(p: ReportParser, caption: str, nth: int = 0) -> Table:
    found = [t for t in p.tables if t.caption == caption]
    assert len(found) > nth, f"no table {caption!r}; have {[t.caption for t in p.tables]}"
    return found[nth]
