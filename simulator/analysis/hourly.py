"""Hour-of-week statistics: for each of the week's 168 hours, how many
conversations arrive, how fast they are first answered, and how many agents are
on shift. Planners schedule from exactly this heatmap (see domain.md).

Vocabulary:

- **Hour of week**: 0 is Monday 00:00-01:00 and 167 is Sunday 23:00-24:00, on
  the wall clock of the scenario's region (:func:`report_zone`: the region of
  the first arrival profile, else the region most roster shifts are written
  in, else the zone of ``start``), daylight saving followed. A planner reads
  the week in the zone the demand was planned in: a Dublin 17:00 peak stays at
  17:00 across the clock change, where a UTC table would move it.
- **Observed hours**: the simulated time of each hour of week after
  ``warmup`` and before ``horizon``, summed over replications. A run shorter
  than a week leaves some hours unobserved: their statistics are NaN, never 0.
- **Arrivals per hour**: conversations arriving in that hour of week (all
  arrivals, deflected ones included) divided by its observed hours: the mean
  over replications and weeks.
- **FRT by hour of arrival**: conversations are placed in the hour they
  *arrived*, however late they were answered. ``frt_p90_s`` is the 90th
  percentile of first response time over answered ones, pooled over
  replications and weeks; ``frt_within_target`` is the share answered within
  ``targets.frt`` with the same rules as summary.json (over conversations that
  reached a queue; abandoned and unanswered ones are misses; those still open
  and too recent to judge at the horizon are left out).
- **Agents on shift**: agents present (on shift or in overtime) in the
  5-minute state samples falling in that hour of week, averaged.

Only conversations arriving at or after ``warmup`` count, as in summary.json.
Everything works on whole columns.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from simulator.recording import Outcome
from simulator.scenario.schema import DAY_NAMES, Scenario
from simulator.statistics.metrics import frt_undecided, stream_targets

if TYPE_CHECKING:
    from simulator.experiment import RunResult

HOURS_PER_WEEK = 168
HOUR_S = 3600.0

HOURLY_COLUMNS = (
    "day",
    "hour",
    "observed_h",
    "arrivals",
    "arrivals_per_h",
    "answered",
    "frt_p90_s",
    "frt_within_target",
    "agents_on_shift",
)
"""Columns of :func:`hourly_table`, indexed by ``hour_of_week`` 0..167."""


def report_zone(scenario: Scenario) -> tzinfo:
    """The wall clock a scenario's week is read on: the region of its first arrival
    profile, else the region most of its roster shifts are written in, else the
    zone of ``start`` (a name, or a fixed offset)."""
    for stream in scenario.streams.values():
        if stream.profile is not None:
            return ZoneInfo(stream.profile.region)
    regions = Counter(
        shift.region for team in scenario.teams.values() for shift in (team.roster or [])
    )
    if regions:
        return ZoneInfo(regions.most_common(1)[0][0])
    return scenario.start.tzinfo or ZoneInfo("UTC")


def zone_name(zone: tzinfo) -> str:
    """A zone as figures print it: its database name, else its offset (``UTC+01:00``)."""
    key = getattr(zone, "key", None)
    if key:
        return str(key)
    offset = zone.utcoffset(None)
    if not offset:
        return "UTC"
    minutes = round(offset.total_seconds() / 60)
    sign = "+" if minutes > 0 else "-"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def zone_text(zone: tzinfo, begin: datetime, end: datetime) -> str:
    """The zone's name with the local times in force from ``begin`` to ``end``, and
    when they change: ``Europe/Dublin (GMT, IST from Sun 29 Mar 02:00)``. UTC and
    fixed offsets are their name alone."""
    name = zone_name(zone)
    hours = pd.date_range(begin, end, freq="h", inclusive="left")
    if name == "UTC" or not isinstance(zone, ZoneInfo) or len(hours) == 0:
        return name
    local = hours.tz_convert(zone)
    offsets = (local.tz_localize(None) - hours.tz_convert("UTC").tz_localize(None)).to_numpy()
    changes = np.flatnonzero(offsets[1:] != offsets[:-1]) + 1
    parts = [str(local[0].tzname())]
    parts += [f"{local[i].tzname()} from {local[i].strftime('%a %d %b %H:%M')}" for i in changes]
    return f"{name} ({', '.join(parts)})"


def hour_of_week(
    seconds: np.ndarray | pd.Series | list[float], start: datetime, zone: tzinfo | None = None
) -> np.ndarray:
    """Hour of week (0 = Monday 00:00) of instants given in seconds since ``start``,
    on the wall clock of ``zone`` (default: ``start``'s). Values must be finite."""
    instants = pd.Timestamp(start) + pd.to_timedelta(np.asarray(seconds, dtype=float), unit="s")
    local = instants.tz_convert(zone or start.tzinfo)
    return (local.day_of_week * 24 + local.hour).to_numpy(dtype=np.int64)


def observed_hours(
    scenario: Scenario, replications: int = 1, zone: tzinfo | None = None
) -> np.ndarray:
    """Hours of each hour of week between ``warmup`` and ``horizon``, times ``replications``.

    The window is cut at the local hour boundaries (every 3600 s from the first
    boundary at or before warmup; a daylight-saving change moves the wall clock
    by whole hours, so the boundaries stay 3600 s apart).
    """
    zone = zone or report_zone(scenario)
    begin, end = float(scenario.warmup), float(scenario.horizon)
    local = pd.Timestamp(scenario.start).tz_convert(zone) + pd.Timedelta(seconds=begin)
    into_hour = local.minute * 60 + local.second + local.microsecond / 1e6
    edges = np.arange(begin - into_hour, end, HOUR_S)
    overlap = np.minimum(edges + HOUR_S, end) - np.maximum(edges, begin)
    cells = hour_of_week(edges + HOUR_S / 2, scenario.start, zone)  # mid-hour: no rounding
    hours = np.bincount(
        cells, weights=np.clip(overlap, 0.0, None) / HOUR_S, minlength=HOURS_PER_WEEK
    )
    return hours * replications


def _cells_frame() -> pd.DataFrame:
    index = pd.RangeIndex(HOURS_PER_WEEK, name="hour_of_week")
    return pd.DataFrame(
        {"day": [DAY_NAMES[h // 24] for h in index], "hour": index % 24}, index=index
    )


def _team_states(result: RunResult) -> pd.DataFrame:
    """Team rows of every replication's state samples within warmup..horizon."""
    states = result.states
    if states.empty:
        return pd.DataFrame({"replication": [], "at": [], "name": [], "present": []})
    scenario = result.scenario
    at = states["at"].to_numpy(dtype=float)
    keep = (
        (states["kind"] == "team").to_numpy(dtype=bool)
        & (at >= scenario.warmup)
        & (at < scenario.horizon)
    )
    teams = states.loc[keep, ["replication", "at", "name", "present"]]
    return teams.assign(name=teams["name"].astype(str), present=teams["present"].astype(float))


def hourly_table(
    result: RunResult, stream: str | None = None, zone: tzinfo | None = None
) -> pd.DataFrame:
    """Arrivals, first response and agents on shift for each hour of week.

    One row per hour of week (index ``hour_of_week`` 0..167) with the columns
    of :data:`HOURLY_COLUMNS`; ``stream`` limits the conversations to one
    stream (agents on shift always count every team); ``zone`` is the wall clock
    (default :func:`report_zone`). See the module notes for the definitions.
    """
    scenario = result.scenario
    zone = zone or report_zone(scenario)
    table = _cells_frame()
    table["observed_h"] = observed_hours(scenario, len(result.records), zone)

    conversations = result.conversations
    if stream is not None:
        conversations = conversations[(conversations["stream"] == stream).to_numpy()]
    arrived = conversations["arrived_at"].to_numpy(dtype=float, na_value=np.nan)
    counted = (arrived >= scenario.warmup) & (arrived < scenario.horizon)
    conversations = conversations[counted]
    arrived = arrived[counted]
    cells = hour_of_week(arrived, scenario.start, zone)
    outcome = conversations["outcome"].astype(str).to_numpy()
    frt = conversations["first_reply_at"].to_numpy(dtype=float, na_value=np.nan) - arrived
    answered = ~np.isnan(frt)

    observed = table["observed_h"].to_numpy()
    arrivals = np.bincount(cells, minlength=HOURS_PER_WEEK).astype(float)
    table["arrivals"] = np.where(observed > 0, arrivals, np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        table["arrivals_per_h"] = np.where(observed > 0, arrivals / observed, np.nan)
    table["answered"] = np.bincount(cells[answered], minlength=HOURS_PER_WEEK)
    table["frt_p90_s"] = (
        pd.Series(frt[answered]).groupby(cells[answered]).quantile(0.9).reindex(table.index)
    )
    target = stream_targets(scenario, conversations["stream"], "frt")
    table["frt_within_target"] = _within_target(cells, frt, outcome, arrived, target, scenario)

    teams = _team_states(result)
    if len(teams):
        total = teams.groupby(["replication", "at"], sort=False)["present"].sum()
        at = total.index.get_level_values("at").to_numpy(dtype=float)
        table["agents_on_shift"] = (
            total.groupby(hour_of_week(at, scenario.start, zone)).mean().reindex(table.index)
        )
    else:
        table["agents_on_shift"] = np.nan
    return table[list(HOURLY_COLUMNS)]


def _within_target(
    cells: np.ndarray,
    frt: np.ndarray,
    outcome: np.ndarray,
    arrived: np.ndarray,
    target: np.ndarray,
    scenario: Scenario,
) -> np.ndarray:
    """Share of judged conversations per hour of week answered within their stream's FRT
    target (``target``, NaN for a stream without one, which is left out)."""
    has_target = ~np.isnan(target)
    if not has_target.any():
        return np.full(HOURS_PER_WEEK, np.nan)
    reached = (outcome != Outcome.DEFLECTED.value) & has_target
    undecided = frt_undecided(
        outcome == Outcome.OPEN.value, frt, scenario.horizon - arrived, target
    )
    judged = np.bincount(cells[reached & ~undecided], minlength=HOURS_PER_WEEK)
    hits = np.bincount(cells[reached & (frt <= target)], minlength=HOURS_PER_WEEK)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(judged > 0, hits / judged, np.nan)


def week_grid(values: pd.Series | np.ndarray) -> pd.DataFrame:
    """168 hour-of-week values as a 7×24 table: rows Mon..Sun, columns hours 0..23."""
    array = np.asarray(values, dtype=float)
    if array.shape != (HOURS_PER_WEEK,):
        raise ValueError(f"need {HOURS_PER_WEEK} hour-of-week values, got shape {array.shape}")
    return pd.DataFrame(
        array.reshape(7, 24),
        index=pd.Index(DAY_NAMES, name="day"),
        columns=pd.RangeIndex(24, name="hour"),
    )


def extreme_cell(grid: pd.DataFrame, highest: bool = True) -> tuple[int, int] | None:
    """(row, column) of a week grid's highest (or lowest) finite cell, the first on
    ties; None when no cell has a value."""
    values = grid.to_numpy(dtype=float)
    if not np.isfinite(values).any():
        return None
    flat = np.nanargmax(values) if highest else np.nanargmin(values)
    return divmod(int(flat), values.shape[1])
