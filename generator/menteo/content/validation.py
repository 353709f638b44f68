"""Turn pydantic's validation errors into `Problem`s a contributor can act on.

Pydantic knows what is wrong and where in the data; the YAML reader knows on which line. This
module joins the two and rewrites messages in the project's voice, with a fix for each.
"""

from __future__ import annotations

import re
import types
import typing
from enum import Enum
from typing import Any

from pydantic import BaseModel, ValidationError

from menteo.content.safe_yaml import Located, Path, field_label
from menteo.content.visible_text import email_line
from menteo.errors import Problem
from menteo.suggest import did_you_mean

_HINTS = {
    "string_type": "write text; quote it if YAML reads it as a number, date or yes/no",
    "int_type": "write a whole number",
    "int_parsing": "write a whole number",
    "int_from_float": "write a whole number",
    "bool_type": "write true or false",
    "bool_parsing": "write true or false",
    "date_type": "write a date as YYYY-MM-DD",
    "date_parsing": "write a date as YYYY-MM-DD",
    "date_from_datetime_parsing": "write a date as YYYY-MM-DD",
    "date_from_datetime_inexact": "write a date without a time, as YYYY-MM-DD",
    "list_type": "write a YAML list, e.g. [a, b]",
    "model_type": "write a mapping of fields",
    "model_attributes_type": "write a mapping of fields",
    "dict_type": "write a mapping of fields",
    "string_pattern_mismatch": "use lowercase letters, digits and single hyphens, e.g. platform-circle",
    "string_too_short": "fill it in",
    "too_short": "add at least one item",
}


def _model_of(annotation: Any) -> type[BaseModel] | None:
    """The model inside `Model`, `Model | None` or `list[Model]`, if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = typing.get_origin(annotation)
    if origin in (list, typing.Union, types.UnionType, typing.Annotated):
        for arg in typing.get_args(annotation):
            found = _model_of(arg)
            if found is not None:
                return found
    return None


def _fields_at(model: type[BaseModel], loc: Path) -> list[str]:
    current: type[BaseModel] | None = model
    for part in loc:
        if current is None:
            return []
        if isinstance(part, int):
            continue
        field = current.model_fields.get(part)
        current = _model_of(field.annotation) if field else None
    return sorted(current.model_fields) if current else []


def _enum_values(model: type[BaseModel], loc: Path) -> list[str]:
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        inner = _model_of(current)
        if inner is None or part not in inner.model_fields:
            return []
        current = inner.model_fields[part].annotation
    for arg in (current, *typing.get_args(current)):
        if isinstance(arg, type) and issubclass(arg, Enum):
            return [member.value for member in arg]
    return []


def _describe(error: Any, model: type[BaseModel]) -> tuple[str, str]:
    kind = error["type"]
    loc: Path = tuple(error["loc"])
    ctx = error.get("ctx") or {}
    value = error.get("input")
    if kind == "missing":
        return "required field is missing", f"add '{loc[-1]}: …'"
    if kind == "extra_forbidden":
        allowed = [f for f in _fields_at(model, loc[:-1]) if f != "body"]
        measure = "at_least" in allowed
        noun = "measure" if measure else "field"
        hint = did_you_mean(str(loc[-1]), allowed) or f"allowed {noun}s: " + ", ".join(allowed)
        return f"unknown {noun}", hint
    if kind in ("enum", "literal_error"):
        choices = _enum_values(model, loc) or [ctx.get("expected", "")]
        return f"{value!r} is not allowed", "use one of: " + ", ".join(choices)
    if kind == "string_pattern_mismatch":
        return f"{value!r} is not a valid slug", _HINTS[kind]
    if kind == "greater_than_equal":
        return f"{value!r} is too small", f"use at least {ctx['ge']}"
    if kind == "less_than_equal":
        return f"{value!r} is too large", f"use at most {ctx['le']}"
    if kind.startswith("date_"):
        if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return f"{value!r} is not a real date", "write YYYY-MM-DD"
        return f"{value!r} is not a date", "write a date as YYYY-MM-DD"
    if kind == "too_short":
        return "needs at least one item", _HINTS[kind]
    if kind == "string_too_long":
        return f"text is longer than {ctx.get('max_length')} characters", "shorten it"
    if "hint" in ctx:
        return error["msg"], str(ctx["hint"])
    shown = "nothing" if value is None else repr(value)
    message = error["msg"][0].lower() + error["msg"][1:]
    return f"{message}, got {shown}", _HINTS.get(kind, "")


def problems_from(
    exc: ValidationError, model: type[BaseModel], located: Located, path: str, prefix: Path = ()
) -> list[Problem]:
    """One `Problem` per pydantic error, located at the offending key's line."""
    problems = []
    for error in exc.errors(include_url=False):
        loc = tuple(error["loc"])
        message, hint = _describe(error, model)
        line = located.line_of((*prefix, *loc))
        value = error.get("input")
        if error["type"] == "email_address" and isinstance(value, str):
            line += email_line(value) or 0
        problems.append(Problem(path, line, field_label(loc), message, hint))
    return problems
