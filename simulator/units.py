"""Durations with units, and the scenario clock.

Every time in the simulator is float seconds since the scenario's ``start``.
In YAML a duration always carries a unit (``45s``, ``2min``, ``1.5h``, ``3d``,
``1w``): a bare number is ambiguous (seconds? minutes?) and is refused with a
message that shows the fix.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime, timedelta

from simulator.errors import ScenarioError

SECONDS_PER_UNIT: dict[str, float] = {
    "s": 1.0,
    "sec": 1.0,
    "second": 1.0,
    "seconds": 1.0,
    "min": 60.0,
    "minute": 60.0,
    "minutes": 60.0,
    "h": 3600.0,
    "hour": 3600.0,
    "hours": 3600.0,
    "d": 86400.0,
    "day": 86400.0,
    "days": 86400.0,
    "w": 604800.0,
    "week": 604800.0,
    "weeks": 604800.0,
}
HOUR = 3600.0
DAY = 86400.0
WEEK = 7 * DAY
MAX_DURATION = 100 * 365.25 * DAY
"""Longest duration read (100 years): anything longer is a typo, and huge values
such as ``1e308w`` would overflow to infinity once added to a clock."""

_DURATION = re.compile(r"^\s*([0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\s*([a-zA-Z]+)\s*$")


def parse_duration(value: object) -> float:
    """Seconds in a duration string such as ``'2min'``; raises ValueError with the fix."""
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"expected a duration such as '2min', got {value}")
    if isinstance(value, int | float):  # bool is an int too
        raise ValueError(
            f"a duration needs a unit: write '{value}s', '{value}min' or '{value}h', "
            f"not the bare number {value}"
        )
    if isinstance(value, timedelta):
        return _bounded(value.total_seconds(), str(value))
    if not isinstance(value, str):
        raise ValueError(f"expected a duration such as '2min', got {value!r}")
    match = _DURATION.match(value)
    if not match:
        raise ValueError(
            f"'{value}' is not a duration; write a number and a unit, e.g. '90s', "
            "'2min', '1.5h', '3d' or '1w'"
        )
    number, unit = match.groups()
    factor = SECONDS_PER_UNIT.get(unit.lower())
    if factor is None:
        raise ValueError(f"unknown time unit '{unit}' in '{value}'; use s, min, h, d or w")
    return _bounded(float(number) * factor, value)


def _bounded(seconds: float, text: str) -> float:
    if not seconds <= MAX_DURATION:  # also catches inf and nan
        raise ValueError(
            f"'{text[:40]}' is longer than 100 years; write a duration of at most 100 years "
            "(e.g. '52w' for a year)"
        )
    return seconds


def format_duration(seconds: float) -> str:
    """A short human form of a duration, for tables and messages."""
    if seconds != seconds:  # NaN
        return "-"
    for unit, size in (("d", DAY), ("h", HOUR), ("min", 60.0)):
        if abs(seconds) >= size:
            return f"{seconds / size:.3g}{unit}"
    return f"{seconds:.3g}s"


def seconds_since(start: datetime, moment: datetime) -> float:
    """Seconds from the scenario start to a timezone-aware moment."""
    if moment.tzinfo is None:
        raise ScenarioError(
            f"the time {moment.isoformat()} has no time zone",
            fix="add 'Z' for UTC or an offset such as '+01:00'",
        )
    # Subtract in UTC: two datetimes sharing one ZoneInfo would subtract wall clocks.
    return (moment.astimezone(UTC) - start.astimezone(UTC)).total_seconds()
