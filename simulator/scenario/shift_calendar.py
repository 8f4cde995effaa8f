"""Rosters to shift intervals on the scenario clock.

A roster entry is written the way a support lead thinks of it: "09:00-17:00
Dublin time, Monday to Friday". The engine only knows float seconds since the
scenario ``start``, so every occurrence is turned into an absolute
``(begin, end)`` pair here, once, before the run.

Wall-clock semantics: an occurrence on local day ``D`` begins at local midnight
of ``D`` plus ``start`` minutes and ends at local midnight plus ``end`` minutes,
as read on the wall clock of the shift's region. A 09:00-17:00 Europe/Dublin
shift is therefore 09:00-17:00 UTC in winter and 08:00-16:00 UTC in summer, and
on a daylight-saving changeover day the shift still starts when the local clock
shows 09:00 (it is an hour shorter or longer only if it spans the change).

A local time that does not exist (skipped when clocks go forward) or occurs
twice (when they go back) is resolved the way :mod:`zoneinfo` does with
``fold=0``: it takes the UTC offset in force *before* the change. So 01:30 on
the spring-forward night in Dublin (01:00 -> 02:00) means 01:30 UTC (02:30 local
summer time), and 01:30 on the autumn night means the first 01:30 (00:30 UTC).

An occurrence that crosses midnight (``end`` above 24:00) belongs to the day it
starts, so the local days scanned begin before the scenario start: a Sunday
22:00-06:00 shift is on duty when a Monday 00:00 run begins.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from simulator.scenario.schema import Shift, Team
from simulator.scenario.staffing_layers import staffing_layers

MINUTES_PER_DAY = 24 * 60


def shift_intervals(shift: Shift, start: datetime, horizon: float) -> list[tuple[float, float]]:
    """Absolute ``(begin, end)`` instants, in seconds since ``start``, of every
    occurrence of ``shift`` that overlaps ``[0, horizon)``, in time order.

    Occurrences are not clipped: ``begin`` may be negative and ``end`` may pass
    ``horizon`` (the engine clips). Only occurrences with ``end > 0`` and
    ``begin < horizon`` are returned. ``start`` must be timezone-aware.
    """
    if not math.isfinite(horizon):
        raise ValueError(f"a shift roster needs a finite horizon, got {horizon}")
    zone = ZoneInfo(shift.region)
    # Work in UTC: subtracting two datetimes that share a ZoneInfo ignores their offsets.
    origin = start.astimezone(UTC)
    # An occurrence on day D ends by local midnight of D + end // 1440 + 1 days, so earlier
    # days cannot reach the scenario start.
    day = origin.astimezone(zone).date() - timedelta(days=shift.end // MINUTES_PER_DAY)
    last_day = (origin + timedelta(seconds=horizon)).astimezone(zone).date()
    intervals: list[tuple[float, float]] = []
    while day <= last_day:
        if day.weekday() in shift.days:
            # Aware + timedelta is wall-clock arithmetic; the offset is then looked up
            # for the resulting local time (fold=0).
            midnight = datetime(day.year, day.month, day.day, tzinfo=zone)
            begin = _seconds(midnight + timedelta(minutes=shift.start), origin)
            end = _seconds(midnight + timedelta(minutes=shift.end), origin)
            if end > 0 and begin < horizon:
                intervals.append((begin, end))
        day += timedelta(days=1)
    return intervals


def _seconds(local: datetime, origin: datetime) -> float:
    return (local.astimezone(UTC) - origin).total_seconds()


@dataclass(frozen=True)
class AgentSchedule:
    """One agent's working time: sorted, non-overlapping ``(begin, end)`` seconds."""

    team: str
    name: str
    shifts: tuple[tuple[float, float], ...]


def team_schedules(
    team_name: str, team: Team, start: datetime, horizon: float
) -> list[AgentSchedule]:
    """One schedule per agent of ``team``.

    Without a roster the team has ``team.agents`` always-on agents named
    ``"{team}.{k}"`` working ``((0.0, inf),)``. With a roster, each entry
    contributes its ``agents`` people, each working every occurrence of that
    entry, named ``"{team}.{label}.{k}"`` (``label`` defaults to ``shift{i}``,
    the entry's 1-based position), ``k`` counting from 1.

    Staffing per interval adds, after them, one agent per layer (see
    :mod:`simulator.scenario.staffing_layers`); consecutive layers with the same shifts
    are named like a roster entry labelled ``staffing{g}``, ``g`` counting
    from 1, so a roster that works the same hours names its agents alike.
    """
    schedules = _roster_schedules(team_name, team, start, horizon)
    if team.staffing is None:
        return schedules
    group, previous = 0, None
    for layer in staffing_layers(team.staffing, start, horizon):
        if layer != previous:
            group, k, previous = group + 1, 0, layer
        k += 1
        schedules.append(AgentSchedule(team_name, f"{team_name}.staffing{group}.{k}", layer))
    return schedules


def _roster_schedules(
    team_name: str, team: Team, start: datetime, horizon: float
) -> list[AgentSchedule]:
    if team.roster is None:
        return [
            AgentSchedule(team_name, f"{team_name}.{k + 1}", ((0.0, math.inf),))
            for k in range(team.agents or 0)
        ]
    if team.rotation is not None:
        return _rotation_schedules(team_name, team, start, horizon)
    schedules: list[AgentSchedule] = []
    for i, entry in enumerate(team.roster):
        shifts = merged(shift_intervals(entry, start, horizon))
        label = entry.label or f"shift{i + 1}"
        schedules.extend(
            AgentSchedule(team_name, f"{team_name}.{label}.{k + 1}", shifts)
            for k in range(entry.agents)
        )
    return schedules


def _rotation_schedules(
    team_name: str, team: Team, start: datetime, horizon: float
) -> list[AgentSchedule]:
    """Members of a rotation pool take the roster's slots in turn.

    Slots (one per person an entry needs, per occurrence) are filled in time
    order. A date listed in ``assignments`` (the slot's local start date) takes
    its members in the order given; otherwise the next member in round-robin
    order who is free at the slot's start takes it, so nobody works two slots at
    once and a pool as large as the peak of open slots always suffices.
    """
    assert team.rotation is not None and team.roster is not None
    members = team.rotation.names()
    assignments = team.rotation.assignments or {}
    slots: list[tuple[float, float, str]] = []
    for entry in team.roster:
        zone = ZoneInfo(entry.region)
        for begin, end in shift_intervals(entry, start, horizon):
            day = (start + timedelta(seconds=begin)).astimezone(zone).date().isoformat()
            slots += [(begin, end, day)] * entry.agents
    slots.sort(key=lambda slot: (slot[0], slot[1]))
    worked: dict[str, list[tuple[float, float]]] = {name: [] for name in members}
    taken_on: dict[str, int] = {}
    turn = 0
    for begin, end, day in slots:
        listed = assignments.get(day)
        if listed is not None and taken_on.get(day, 0) < len(listed):
            person = listed[taken_on.get(day, 0)]
            taken_on[day] = taken_on.get(day, 0) + 1
        else:
            for step in range(len(members)):
                candidate = members[(turn + step) % len(members)]
                if not worked[candidate] or worked[candidate][-1][1] <= begin:
                    person = candidate
                    turn = (turn + step + 1) % len(members)
                    break
            else:
                raise ValueError(
                    f"rotation of team '{team_name}' has nobody free at {begin:g}s; add members"
                )
        worked[person].append((begin, end))
    return [
        AgentSchedule(team_name, f"{team_name}.{person}", merged(sorted(worked[person])))
        for person in members
    ]


def merged(intervals: list[tuple[float, float]]) -> tuple[tuple[float, float], ...]:
    """Join time-ordered intervals that touch or overlap (a shift longer than a day
    overlaps the next one)."""
    merged: list[tuple[float, float]] = []
    for begin, end in intervals:
        if merged and begin <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((begin, end))
    return tuple(merged)
