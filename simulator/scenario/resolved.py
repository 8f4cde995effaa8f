"""A scenario as YAML-ready data that loads back to the same scenario: the
``scenario.yaml`` every results folder holds, re-runnable as it stands."""

from __future__ import annotations

import types
import typing
from collections.abc import Mapping
from datetime import datetime
from enum import Enum
from typing import Any

from pydantic import BaseModel

from simulator.scenario.distributions import Duration
from simulator.scenario.schema import DAY_NAMES, Scenario, Shift, clock_text

_DURATION_CHECK = typing.get_args(Duration)[1]  # the BeforeValidator that marks a duration


def resolved_scenario(
    scenario: Scenario, *, seed: int | None = None, replications: int | None = None
) -> dict[str, Any]:
    """The scenario as YAML-ready data that loads back to the same scenario.

    Durations are written with a unit (``'36000s'``: the loader refuses bare
    numbers) and shift times as clock times; fields left at a default of
    ``None`` are omitted.
    """
    data = _plain(scenario, None)
    if seed is not None:
        data["seed"] = int(seed)
    if replications is not None:
        data["replications"] = int(replications)
    return data


def _plain(value: Any, annotation: Any) -> Any:
    if isinstance(value, BaseModel):
        out: dict[str, Any] = {}
        for name, field in type(value).model_fields.items():
            item = getattr(value, name)
            if item is None and field.default is None:
                continue
            if isinstance(value, Shift) and name in ("start", "end"):
                out[name] = clock_text(item)
            elif isinstance(value, Shift) and name == "days":
                out[name] = [DAY_NAMES[day] for day in item]
            elif item is not None and _DURATION_CHECK in field.metadata:
                out[name] = _duration_text(item)
            else:
                out[name] = _plain(item, field.annotation)
        return out
    annotation, is_duration = _unwrap(annotation)
    if value is None:
        return None
    if is_duration and isinstance(value, int | float):
        return _duration_text(value)
    args = typing.get_args(annotation)
    if isinstance(value, Mapping):
        inner = args[1] if len(args) == 2 else None
        return {str(k): _plain(v, inner) for k, v in value.items()}
    if isinstance(value, list | tuple):
        inner = args[0] if args else None
        return [_plain(v, inner) for v in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    return value


def _unwrap(annotation: Any) -> tuple[Any, bool]:
    """Strip ``Optional`` and ``Annotated``; say whether a duration validator was seen."""
    is_duration = False
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            args = typing.get_args(annotation)
            is_duration = is_duration or _DURATION_CHECK in args[1:]
            annotation = args[0]
        elif origin in (typing.Union, types.UnionType):
            options = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(options) != 1:
                return annotation, is_duration
            annotation = options[0]
        else:
            return annotation, is_duration


def _duration_text(seconds: float) -> str:
    """The largest unit that states the duration exactly: ``'2w'``, ``'90s'``."""
    seconds = float(seconds)
    for unit, size in (("w", 604800.0), ("d", 86400.0), ("h", 3600.0), ("min", 60.0)):
        if seconds > 0 and (seconds / size).is_integer():
            return f"{int(seconds / size)}{unit}"
    return f"{seconds:.15g}s"
