"""Row schemas: every benchmark row is checked before a prompt is built from it.

A row that lacks a field, has an empty choice or a list where text belongs would otherwise
fail deep inside prompt building (``choice[0]`` on "", iterating a string as choices) with an
IndexError. :func:`check_row` names the task, language, file, row and field instead, the way
:func:`babelscope.tasks.data.field` already does for a missing key.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from .base import TaskError


@dataclass(frozen=True)
class Spec:
    """What one field must hold.

    ``kind``: "text" (a non-empty string; numbers are accepted as their text), "int" (an
    integer or a string of digits), "text_list" (a list of at least ``min_items`` non-empty
    texts), "mapping" (a JSON object) or "list" (any JSON array). ``allowed`` limits a text or
    int to those values (texts compared case-insensitively after stripping).
    """

    kind: str = "text"
    required: bool = True
    allowed: tuple[Any, ...] | None = None
    min_items: int = 1
    #: An empty text is valid (lettered multiple choice scores the letter, not the text;
    #: TUMLU and M3Exam really have blank options). Never for texts that are continuations.
    allow_empty: bool = False


TEXT = Spec("text")
#: An option of lettered multiple choice: text, possibly blank.
OPTION = Spec("text", allow_empty=True)
OPTIONAL_TEXT = Spec("text", required=False)


def check_row(row: Mapping[str, Any], schema: Mapping[str, Spec]) -> None:
    """Raise TaskError "<task, language, file row N>: field 'F' <problem>" for the first bad field."""
    for name, spec in schema.items():
        problem = _problem(row.get(name), name in row, spec)
        if problem:
            raise TaskError(f"{row.get('_where', 'a row')}: field {name!r} {problem}")


def _problem(value: Any, present: bool, spec: Spec) -> str | None:
    if not present or value is None:
        return "is missing" if spec.required else None
    if spec.kind == "text":
        text = _text(value)
        if text is None:
            return f"must be text, not {_kind(value)}"
        if not text.strip():
            return "is empty" if spec.required and not spec.allow_empty else None
        if spec.allowed is not None and text.strip().lower() not in {str(a).lower() for a in spec.allowed}:
            return f"is {text.strip()!r}; expected one of {', '.join(map(str, spec.allowed))}"
        return None
    if spec.kind == "int":
        if isinstance(value, bool):
            return f"must be an integer, not {_kind(value)}"
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            value = int(value.strip())
        if not isinstance(value, int):
            return f"must be an integer, not {_kind(value)} {value!r}"[:200]
        if spec.allowed is not None and value not in spec.allowed:
            return f"is {value}; expected one of {', '.join(map(str, spec.allowed))}"
        return None
    if spec.kind == "text_list":
        if not isinstance(value, (list, tuple)):
            return f"must be a list of texts, not {_kind(value)}"
        if len(value) < spec.min_items:
            return f"has {len(value)} entries; needs at least {spec.min_items}"
        for i, v in enumerate(value, 1):
            text = _text(v)
            if text is None:
                return f"entry {i} must be text, not {_kind(v)}"
            if not text.strip() and not spec.allow_empty:
                return f"entry {i} is empty"
        return None
    if spec.kind == "mapping":
        return None if isinstance(value, dict) else f"must be an object, not {_kind(value)}"
    if spec.kind == "list":
        return None if isinstance(value, (list, tuple)) else f"must be a list, not {_kind(value)}"
    raise ValueError(f"unknown field kind {spec.kind!r}")


def _text(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return None


def _kind(value: Any) -> str:
    return {dict: "an object", list: "a list", tuple: "a list", bool: "true/false",
            str: "text", int: "a number", float: "a number"}.get(type(value), type(value).__name__)
