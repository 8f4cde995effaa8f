"""The week as sizing sees it: intervals of the statistics window, and the
target's statistic in each.

Per-interval sizing (``--per-interval``) asks whether the target holds in each
interval *of the week* (slots counted from Monday 00:00 on the wall clock of
the scenario's start), pooling every week of the horizon as the hour-of-week
heatmaps of a run do. The search and the staffing shapes need the same cut
of the week, so it is made in one place: where the intervals fall
(:class:`Intervals`), the time zone a roster built on them is written in
(:func:`curve_zone`; named in figures by :func:`week_zone_text`), the
statistic per interval measured exactly as summary.json measures it
(:func:`slot_statistics`), and a per-interval curve read as 168 hours for the
heatmaps (:func:`to_hours`).
"""

from __future__ import annotations

import dataclasses
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from simulator.analysis.hourly import zone_text
from simulator.decisions.targets import Target
from simulator.errors import ScenarioError
from simulator.scenario.schema import Scenario
from simulator.units import DAY, HOUR, WEEK

if TYPE_CHECKING:
    from simulator.experiment import RunResult

MIN_JUDGED = 30
"""Conversations (over all replications) an interval needs before the simulation judges it."""


@dataclass(frozen=True)
class Intervals:
    """The statistics window (warmup to horizon) cut at the wall-clock boundaries of
    ``slot_s``-long intervals in the start's time zone; ``slot[i]`` is interval i's
    place in the week (0 = Monday 00:00)."""

    edges: np.ndarray
    slot: np.ndarray
    slot_s: float
    zone: str

    @property
    def lengths(self) -> np.ndarray:
        return np.diff(self.edges)

    @property
    def slots_per_week(self) -> int:
        return round(WEEK / self.slot_s)

    @property
    def midpoints(self) -> np.ndarray:
        return (self.edges[:-1] + self.edges[1:]) / 2

    @staticmethod
    def build(scenario: Scenario, slot_s: float) -> Intervals:
        begin, end = float(scenario.warmup), float(scenario.horizon)
        first = _week_seconds(scenario.start, np.array([begin]))[0] % slot_s
        cuts = np.arange(begin - first, end, slot_s)
        edges = np.clip(np.concatenate((cuts, [end])), begin, end)
        edges = np.unique(edges)
        middles = (edges[:-1] + edges[1:]) / 2
        slot = (_week_seconds(scenario.start, middles) // slot_s).astype(np.int64)
        return Intervals(edges, slot, slot_s, curve_zone(scenario.start))


def _week_seconds(start: datetime, seconds: np.ndarray) -> np.ndarray:
    """Seconds since Monday 00:00 on the wall clock of ``start``'s time zone."""
    instants = pd.Timestamp(start) + pd.to_timedelta(np.asarray(seconds, dtype=float), unit="s")
    local = instants.tz_convert(start.tzinfo)
    since_midnight = local.hour * 3600 + local.minute * 60 + local.second + local.microsecond / 1e6
    return np.asarray(local.day_of_week * DAY + since_midnight, dtype=float)


def curve_zone(start: datetime) -> str:
    """A time-zone database name for the start's clock (``UTC``, ``Europe/Dublin``,
    ``Etc/GMT-1`` for a fixed +01:00)."""
    key = getattr(start.tzinfo, "key", None)
    if key:
        return str(key)
    offset = start.utcoffset() or timedelta(0)
    hours = offset.total_seconds() / 3600
    if hours == 0:
        return "UTC"
    if hours.is_integer():
        return f"Etc/GMT{-int(hours):+d}"  # the Etc zones' signs are inverted
    raise ScenarioError(
        "the scenario's start has a fractional fixed UTC offset, which cannot be a roster region",
        source="start",
        fix="write start with a zone name or with Z (UTC)",
    )


def week_zone_text(scenario: Scenario) -> str:
    """The clock sizing cuts the week on (the start's zone), by name with its
    daylight-saving changes over the statistics window."""
    start = scenario.start
    return zone_text(
        start.tzinfo or UTC,
        start + timedelta(seconds=scenario.warmup),
        start + timedelta(seconds=scenario.horizon),
    )


def slot_statistics(
    run: RunResult, goal: Target, grid: Intervals
) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[float | None]]:
    """The target's statistic per slot of the week (mean over replications, by
    arrival time), its standard error (infinite with fewer than two replications
    that have data), whether each slot had enough conversations to judge, and
    the per-replication whole-horizon values (from ``run.replication_metrics``).

    Uses :func:`~simulator.statistics.metrics.replication_metrics` itself, so the
    statistic is defined exactly as in summary.json: each replication's
    conversations are relabelled by their slot of the week, as if each slot were
    a stream, and the by-stream blocks read back.
    """
    from simulator.statistics.metrics import replication_metrics

    scenario, records = run.scenario, run.records
    slots = grid.slots_per_week
    labels = [f"slot{k}" for k in range(slots)]
    stream_proxy = next(iter(scenario.streams.values()))
    by_slot = scenario.model_copy(update={"streams": dict.fromkeys(labels, stream_proxy)})
    values = np.full((len(records), slots), np.nan)
    reached = np.zeros(slots)
    overall: list[float | None] = [goal.statistic(tree) for tree in run.replication_metrics]
    for row, record in enumerate(records):
        conversations = record.conversations
        if goal.stream is not None:
            conversations = conversations[(conversations["stream"] == goal.stream).to_numpy()]
        arrived = conversations["arrived_at"].to_numpy(dtype=float, na_value=np.nan)
        slot = _week_seconds(scenario.start, np.nan_to_num(arrived)) // grid.slot_s
        relabelled = conversations.assign(
            stream=pd.Categorical(
                np.asarray(labels, dtype=object)[slot.astype(np.int64) % slots], categories=labels
            )
        )
        proxy = dataclasses.replace(record, conversations=relabelled)
        metrics = replication_metrics(proxy, by_slot)["by_stream"]
        for k, label in enumerate(labels):
            block = metrics[label]
            value = _leaf(block, goal.metric)
            values[row, k] = np.nan if value is None else value
            counts = block["counts"]
            reached[k] += counts["arrived"] - counts["deflected"]
    valid = np.sum(~np.isnan(values), axis=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # slots without any data
        means = np.nanmean(values, axis=0)
        spread = np.nanstd(values, axis=0, ddof=1)
    errors = np.where(valid >= 2, spread / np.sqrt(np.maximum(valid, 1)), np.inf)
    return means, np.nan_to_num(errors, nan=np.inf), reached >= MIN_JUDGED, overall


def _leaf(block: dict, metric: str) -> float | None:
    node: Any = block
    for key in metric.split("."):
        node = node.get(key) if isinstance(node, dict) else None
    return node


def to_hours(curve: np.ndarray, slot_s: float) -> np.ndarray:
    """A per-slot weekly curve as 168 hourly values (the most in each hour)."""
    per_hour = HOUR / slot_s
    if per_hour >= 1:
        return np.asarray(curve, dtype=float).reshape(168, round(per_hour)).max(axis=1)
    return np.repeat(np.asarray(curve, dtype=float), round(1 / per_hour))
