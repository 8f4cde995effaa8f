"""Staffing per interval to agents' working times on the scenario clock.

A workforce plan says how many agents are on duty in each interval; the model
needs people with shifts, because shift-end rules (intake cutoff, overtime,
hand-backs) act when a person leaves. Agent layer k works wherever the count
is at least k, and each contiguous run of such intervals is one shift, so a
falling head count ends the shifts of the top layers.

Weekday rows follow the region's wall clock exactly as a roster does
(:mod:`simulator.scenario.shift_calendar`): an interval boundary is local midnight plus
whole minutes, resolved with ``fold=0``. A run that crosses midnight is one
shift, so a staffing block and a roster that put the same people on duty at
the same times give the same shifts.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from simulator.scenario.schema import DAY_SECONDS, Staffing, StaffingBy

Shifts = tuple[tuple[float, float], ...]
_Edge = Callable[[int], float]
"""From an interval boundary's index to seconds since the scenario start."""


def staffing_layers(staffing: Staffing, start: datetime, horizon: float) -> list[Shifts]:
    """One entry per agent layer (bottom first): its shifts ``(begin, end)`` in
    seconds since ``start`` that overlap ``[0, horizon)``, in time order."""
    if staffing.by is StaffingBy.WEEKDAY:
        counts, edge = _weekly(staffing, start, horizon)
    else:
        counts, edge = _dated(staffing, start)
    layers = []
    padded = np.concatenate(([0], counts, [0]))
    for layer in range(1, int(counts.max(initial=0)) + 1):
        change = np.flatnonzero(np.diff((padded >= layer).astype(np.int8)))
        shifts = tuple(
            (edge(int(first)), edge(int(after)))
            for first, after in zip(change[::2], change[1::2], strict=True)
        )
        layers.append(tuple((b, e) for b, e in shifts if e > 0 and b < horizon and e > b))
    return layers


def _weekly(staffing: Staffing, start: datetime, horizon: float) -> tuple[np.ndarray, _Edge]:
    """Counts of every interval from the local day before ``start`` to the day after
    the horizon ends (a run cut there begins before 0 or ends after the horizon)."""
    assert staffing.agents is not None
    zone = ZoneInfo(staffing.region or "UTC")
    origin = start.astimezone(UTC)
    first = origin.astimezone(zone).date() - timedelta(days=1)
    last = (origin + timedelta(seconds=horizon)).astimezone(zone).date() + timedelta(days=1)
    days = [first + timedelta(days=k) for k in range((last - first).days + 1)]
    counts = np.concatenate([staffing.agents[day.weekday()] for day in days]).astype(np.int64)
    per_day = round(DAY_SECONDS / staffing.interval)
    minutes = round(staffing.interval / 60)

    def edge(index: int) -> float:
        day, slot = divmod(index, per_day)
        if day == len(days):  # the end of the last day
            day, slot = day - 1, per_day
        local = days[day]
        midnight = datetime(local.year, local.month, local.day, tzinfo=zone)
        instant = midnight + timedelta(minutes=slot * minutes)  # wall-clock arithmetic
        return (instant.astimezone(UTC) - origin).total_seconds()

    return counts, edge


def _dated(staffing: Staffing, start: datetime) -> tuple[np.ndarray, _Edge]:
    """Counts on the file's grid of intervals, gaps holding nobody."""
    rows = staffing.dated()
    first = rows[0][0]
    offset = (first - start).total_seconds()
    slots = [round((at - first).total_seconds() / staffing.interval) for at, _ in rows]
    counts = np.zeros(slots[-1] + 1, dtype=np.int64)
    counts[slots] = [agents for _, agents in rows]

    def edge(index: int) -> float:
        return offset + index * staffing.interval

    return counts, edge
