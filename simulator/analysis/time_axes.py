"""Durations on figure axes in a unit that fits the data: seconds, minutes, hours or days.

A queue wait of 40 seconds drawn as "0.67 minutes", or a re-read backlog of
90 hours drawn as "5400 minutes", makes a manager do arithmetic. Each axis
picks its unit from the largest value it shows; each number in a caption from
its own size.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

import numpy as np


@dataclass(frozen=True)
class TimeUnit:
    """A unit of an axis: its name in labels, its short form after numbers, its length."""

    name: str
    short: str
    seconds: float

    def of(self, seconds: float | np.ndarray) -> float | np.ndarray:
        """``seconds`` in this unit."""
        return np.asarray(seconds, dtype=float) / self.seconds


SECONDS = TimeUnit("seconds", "s", 1.0)
MINUTES = TimeUnit("minutes", "min", 60.0)
HOURS = TimeUnit("hours", "h", 3600.0)
DAYS = TimeUnit("days", "d", 86400.0)
UNITS = (SECONDS, MINUTES, HOURS, DAYS)
SWITCH_AT = 2.0
"""A unit is used up to this many of the next one (up to 2 min in seconds, 2 h in
minutes, 2 d in hours): ticks stay round numbers below 120 and axes never read 0.5."""


def time_unit(*seconds: float | np.ndarray | None, switch_at: float = SWITCH_AT) -> TimeUnit:
    """The unit for an axis showing ``seconds`` (any mix of numbers and arrays; NaN
    and ``None`` ignored): chosen by the largest absolute value, moving to the next
    unit at ``switch_at`` of it; minutes for no data."""
    values = np.concatenate(
        [np.ravel(np.asarray(s, dtype=float)) for s in seconds if s is not None] or [[]]
    )
    finite = np.abs(values[np.isfinite(values)])
    if finite.size == 0:
        return MINUTES
    top = float(finite.max())
    for unit, larger in pairwise(UNITS):
        if top < switch_at * larger.seconds:
            return unit
    return DAYS


def format_time(seconds: float, unit: TimeUnit | None = None) -> str:
    """``seconds`` as a short text in ``unit`` (default: the largest unit it makes at
    least one of), e.g. ``45 s``, ``14 min``, ``1.5 h``."""
    if seconds is None or not np.isfinite(seconds):
        return "-"
    unit = unit or time_unit(seconds, switch_at=1.0)
    value = float(unit.of(seconds))
    shown = f"{value:.0f}" if abs(value) >= 10 else f"{value:.2g}"
    return f"{shown} {unit.short}"
