"""The shapes of staffing that sizing scales: how a number becomes a team.

The search (:mod:`simulator.decisions.sizing.size_search`) looks for a number, but a
team is staffed by agents always on shift, by a roster, or, per interval, by a
curve of agents per interval of the week. Each shape here turns that number
into a :class:`~simulator.scenario.schema.Team` and says how many agents it
puts on shift in each interval, which is what the formula needs; keeping them
apart leaves the search with one question, the smallest number that meets the
target:

- :class:`AlwaysOn`: ``agents`` always on shift; the head count is that number.
- :class:`ScaledRoster`: the planner's roster scaled by the D'Hondt rule, so
  that candidates are nested (see :mod:`simulator.decisions.sizing.size`).
- :func:`curve_roster`: an agents-needed curve as a weekly roster of shifts of
  at most :data:`MAX_SHIFT_S`.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np

from simulator.decisions.sizing.size_intervals import Intervals
from simulator.scenario.schema import DAY_NAMES, Scenario, Shift, Team, clock_text, days_text
from simulator.scenario.shift_calendar import shift_intervals
from simulator.units import HOUR

MAX_SHIFT_S = 8 * HOUR
"""The longest shift of a roster made from an agents-needed curve."""


class AlwaysOn:
    """A team of ``agents`` always on shift: the head count is the number of agents."""

    minimum = 1

    def __init__(self, team: Team) -> None:
        self.team = team

    def team_at(self, total: int) -> Team:
        return self.team.model_copy(update={"agents": int(total)})

    def allocation(self, total: int) -> int:
        return int(total)

    def on_shift(self, total: int, intervals: Intervals) -> np.ndarray:
        return np.full(intervals.slot.size, float(total))


class ScaledRoster:
    """A roster scaled to a total head count by the D'Hondt rule (see
    :mod:`simulator.decisions.sizing.size`)."""

    def __init__(self, team: Team, scenario: Scenario, intervals: Intervals) -> None:
        assert team.roster is not None
        self.team = team
        self.entries = list(team.roster)
        self.base = np.array([entry.agents for entry in self.entries], dtype=float)
        self.labels = _unique(
            [entry.label or f"shift{i + 1}" for i, entry in enumerate(self.entries)]
        )
        self.minimum = len(self.entries)
        self.current = int(self.base.sum())
        middles = intervals.midpoints
        self.present = np.zeros((len(self.entries), middles.size))
        for row, entry in enumerate(self.entries):
            for begin, end in shift_intervals(entry, scenario.start, scenario.horizon):
                self.present[row] += (middles >= begin) & (middles < end)
        self.present = np.minimum(self.present, 1.0)

    def counts(self, total: int) -> list[int]:
        """Head count per entry for ``total`` agents (D'Hondt, at least one each)."""
        counts = np.ones(len(self.entries))
        for _ in range(max(int(total) - len(self.entries), 0)):
            counts[int(np.argmax(self.base / (counts + 1)))] += 1  # ties: first entry
        return [int(c) for c in counts]

    def team_at(self, total: int) -> Team:
        roster = [
            entry.model_copy(update={"agents": count})
            for entry, count in zip(self.entries, self.counts(total), strict=True)
        ]
        return self.team.model_copy(update={"roster": roster})

    def allocation(self, total: int) -> dict[str, int]:
        return dict(zip(self.labels, self.counts(total), strict=True))

    def on_shift(self, total: int, intervals: Intervals) -> np.ndarray:
        return np.asarray(self.counts(total), dtype=float) @ self.present


def _unique(labels: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
        out.append(label if seen[label] == 1 else f"{label}#{seen[label]}")
    return out


# --------------------------------------------------------------------------- curve to roster


def curve_roster(curve: np.ndarray, slot_s: float, region: str) -> list[Shift]:
    """A weekly roster whose head count on shift follows ``curve`` (agents per slot
    from Monday 00:00 on ``region``'s wall clock).

    Agent layer k covers every slot where the curve is at least k: each run of
    such slots is split evenly into shifts of at most :data:`MAX_SHIFT_S` (a seat
    held for days would hide the handoffs at shift end; a layer on all week is
    cut at Monday 00:00 first). Shifts equal in start, end and days become one
    entry with that many agents, labelled like ``Mon-Fri 08:00-16:00``.
    """
    curve = np.asarray(curve, dtype=int)
    slot_min = round(slot_s / 60)
    entries: dict[tuple[tuple[int, ...], int, int], int] = {}
    for layer in range(1, int(curve.max(initial=0)) + 1):
        grouped: dict[tuple[int, int], list[int]] = {}
        for day, start, end in _layer_shifts(curve >= layer, slot_min):
            grouped.setdefault((start, end), []).append(day)
        for (start, end), days in grouped.items():
            key = (tuple(sorted(set(days))), start, end)
            entries[key] = entries.get(key, 0) + 1
    shifts = []
    for (days, start, end), agents in sorted(
        entries.items(), key=lambda item: (item[0][1], item[0][2], item[0][0])
    ):
        label = f"{days_text(days)} {clock_text(start)}-{clock_text(end)}"
        shifts.append(
            Shift(
                region=region,
                days=list(days),
                start=clock_text(start),
                end=clock_text(end),
                agents=agents,
                label=label,
            )
        )
    return shifts


def _layer_shifts(on: np.ndarray, slot_min: int) -> list[tuple[int, int, int]]:
    """(day, start minute, end minute) shifts covering the slots where ``on`` holds,
    runs wrapping from Sunday into Monday included."""
    slots = on.size
    if not on.any():
        return []
    starts = [i for i in range(slots) if on[i] and not on[i - 1]]
    if not starts:  # on all week: start the run at Monday 00:00
        starts, lengths = [0], [slots]
    else:
        lengths = []
        for first in starts:
            length = 0
            while on[(first + length) % slots] and length < slots:
                length += 1
            lengths.append(length)
    shifts = []
    per_shift = max(1, int(MAX_SHIFT_S // (slot_min * 60)))
    for first, length in zip(starts, lengths, strict=True):
        pieces = math.ceil(length / per_shift)
        cuts = np.linspace(0, length, pieces + 1).round().astype(int)
        for begin, after in itertools.pairwise(cuts):
            day, minute = divmod((first + int(begin)) * slot_min, 24 * 60)
            shifts.append((day % 7, minute, minute + int(after - begin) * slot_min))
    return shifts


def shift_yaml(shift: Shift) -> dict[str, Any]:
    """A roster entry as scenario YAML writes it (day names, HH:MM clock times)."""
    return {
        "label": shift.label,
        "region": shift.region,
        "days": [DAY_NAMES[d] for d in shift.days],
        "start": clock_text(shift.start),
        "end": clock_text(shift.end),
        "agents": shift.agents,
    }
