"""A reference of a file format, generated from its pydantic models.

Every block (a nested model) gets one table, listed once with every place it
is used (``streams.NAME.conversation``): each key with its type and unit, its
default, its bounds, an example and its meaning. Meanings are the docstrings
written under each field; a docstring may end in ``Example: `...`.``, which
fills the example column.
"""

from __future__ import annotations

import types
from datetime import datetime
from enum import Enum
from typing import Annotated, Any, Union, get_args, get_origin

import annotated_types
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from simulator.units import format_duration

EXAMPLE = " Example: "

# What the validators a type carries make of a value, by the validator's name.
_VALIDATED = {
    "_duration": "duration",
    "_clock_minutes": 'clock time "HH:MM"',
    "_days": "days (Mon-Fri, daily, [Sat, Sun])",
    "_time_zone": "time zone",
    "_aware": "date-time with offset",
    "_name": "name",
}
_PLAIN = {
    bool: "true/false",
    int: "whole number",
    float: "number",
    str: "text",
    datetime: "date-time",
}
_BOUNDS = (
    (annotated_types.Ge, "ge", ">="),
    (annotated_types.Gt, "gt", ">"),
    (annotated_types.Le, "le", "<="),
    (annotated_types.Lt, "lt", "<"),
    (annotated_types.MinLen, "min_length", "length >="),
)


def _unwrap(annotation: Any) -> tuple[Any, list[Any]]:
    """The bare type of an ``Annotated`` and its metadata (nested FieldInfos flattened)."""
    metadata: list[Any] = []
    if get_origin(annotation) is Annotated:
        annotation, *found = get_args(annotation)
        for item in found:
            metadata.extend(item.metadata if isinstance(item, FieldInfo) else [item])
    return annotation, metadata


def _validator_kind(metadata: list[Any]) -> str | None:
    for item in metadata:
        name = getattr(getattr(item, "func", None), "__name__", "")
        if name in _VALIDATED:
            return _VALIDATED[name]
    return None


def _options(annotation: Any) -> list[Any]:
    """The types a union allows, ``None`` left out."""
    if get_origin(annotation) in (Union, types.UnionType):
        return [arg for arg in get_args(annotation) if arg is not type(None)]
    return [annotation]


def type_text(annotation: Any, metadata: list[Any] | None = None) -> str:
    """A type as a reader of the file meets it: ``duration``, ``list of name``, ``one of: ...``."""
    options = _options(annotation)
    if len(options) > 1:
        return " or ".join(type_text(option) for option in options)
    bare, inner = _unwrap(options[0])
    kind = _validator_kind([*(metadata or []), *inner])
    if kind is not None:
        return kind
    if isinstance(bare, type) and issubclass(bare, Enum):
        return "one of: " + ", ".join(str(member.value) for member in bare)
    if isinstance(bare, type) and issubclass(bare, BaseModel):
        return f"block ({bare.__name__})"
    origin = get_origin(bare)
    if origin is list:
        return f"list of {type_text(get_args(bare)[0])}"
    if origin is dict:
        key, value = get_args(bare)
        return f"map of {type_text(key)} to {type_text(value)}"
    return _PLAIN.get(bare, str(bare))


def _field_metadata(field: FieldInfo) -> list[Any]:
    """A field's own metadata and that of the type it allows (through ``| None``)."""
    found = list(field.metadata)
    options = _options(field.annotation)
    if len(options) == 1:
        found.extend(_unwrap(options[0])[1])
    return found


def _number(value: float) -> str:
    return f"{int(value):,}" if float(value).is_integer() else f"{value:g}"


def bounds_text(field: FieldInfo) -> str:
    """``>= 0, <= 1`` from the field's constraints, durations written with a unit."""
    metadata = _field_metadata(field)
    duration = type_text(field.annotation, field.metadata) == "duration"
    parts = []
    for item in metadata:
        for kind, attribute, symbol in _BOUNDS:
            if isinstance(item, kind):
                value = getattr(item, attribute)
                shown = format_duration(value) if duration else _number(value)
                parts.append(f"{symbol} {shown}")
    return ", ".join(parts)


def default_text(field: FieldInfo) -> str:
    """The default as it would be written in the file; ``required`` when there is none."""
    if field.default is PydanticUndefined and field.default_factory is None:
        return "required"
    value = field.get_default(call_default_factory=True)
    kind = type_text(field.annotation, field.metadata)
    if value is None:
        return "none"
    if kind == "duration":
        return format_duration(value)
    if kind.startswith("days"):
        return "daily" if sorted(value) == list(range(7)) else str(value)
    if kind.startswith("list of days"):
        return "[daily]" if value == [list(range(7))] else str(value)
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, BaseModel):
        shown = value.model_dump(exclude_defaults=True)
        return str(shown.get("value", "its defaults")) if "dist" in shown else "its defaults"
    return str(value)


def _nested(annotation: Any) -> list[tuple[str, type[BaseModel]]]:
    """Models inside a field's type, each with the path step that reaches it."""
    found: list[tuple[str, type[BaseModel]]] = []
    for option in _options(annotation):
        bare, _ = _unwrap(option)
        if isinstance(bare, type) and issubclass(bare, BaseModel):
            found.append(("", bare))
        elif get_origin(bare) is list:
            found += [(".N" + step, model) for step, model in _nested(get_args(bare)[0])]
        elif get_origin(bare) is dict:
            found += [(".NAME" + step, model) for step, model in _nested(get_args(bare)[1])]
    return found


def blocks(root: type[BaseModel]) -> dict[type[BaseModel], list[str]]:
    """Every model reachable from ``root``, in reading order, with every path where it is used
    (the format has no recursive blocks)."""
    places: dict[type[BaseModel], list[str]] = {root: [""]}

    def walk(model: type[BaseModel], path: str) -> None:
        for key, field in model.model_fields.items():
            for step, inner in _nested(field.annotation):
                where = f"{path}.{key}{step}".lstrip(".")
                places.setdefault(inner, []).append(where)
                walk(inner, where)

    walk(root, "")
    return places


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def field_rows(model: type[BaseModel]) -> list[str]:
    """The table of one block's keys."""
    rows = [
        "| key | type | default | bounds | example | meaning |",
        "|---|---|---|---|---|---|",
    ]
    for key, field in model.model_fields.items():
        meaning, _, example = " ".join((field.description or "").split()).partition(EXAMPLE)
        cells = (
            f"`{field.alias or key}`",
            type_text(field.annotation, field.metadata),
            default_text(field),
            bounds_text(field),
            example.removesuffix("."),
            meaning,
        )
        rows.append("| " + " | ".join(_cell(cell) for cell in cells) + " |")
    return rows


def render(root: type[BaseModel], top: str) -> list[str]:
    """Markdown lines: one heading and table per block reachable from ``root``."""
    lines: list[str] = []
    for model, paths in blocks(root).items():
        where = ", ".join(f"`{path}`" for path in paths if path) or top
        summary = " ".join((model.__doc__ or "").split())
        lines += [f"### {model.__name__}", "", f"Used at: {where}.", "", summary, ""]
        lines += [*field_rows(model), ""]
    return lines


def undocumented(root: type[BaseModel]) -> list[str]:
    """``Block.key`` of every field reachable from ``root`` without a description."""
    return [
        f"{model.__name__}.{key}"
        for model in blocks(root)
        for key, field in model.model_fields.items()
        if not field.description
    ]
