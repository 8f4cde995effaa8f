"""Agents on duty, read off who answered what and when.

A log does not say when agents were on shift, only when they worked. An agent
is taken to be on duty from the answer of the first contact of a working
session to the end of its last one; a session ends where the gap from the
latest end so far to the next answer exceeds ``session_gap``. Idle time before
a session's first contact and after its last is invisible, so on duty is a
lower bound of who was on shift, close to it when agents are busy.

Per interval two counts are kept: *time-weighted* (agent-seconds on duty in the
interval over its length, so an agent there for half of it counts ½) and
*heads* (agents on duty at any moment of it, the count a per-interval scan
gives). The time-weighted count is what staffing means; heads overstate it
wherever sessions start or end mid-interval.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from simulator.history.arrivals import Period, slot_of_week
from simulator.units import WEEK


@dataclass
class Sessions:
    """Working sessions: one row per session (agent, start, end, contacts, crosses
    local midnight)."""

    frame: pd.DataFrame

    @property
    def single_contact(self) -> pd.DataFrame:
        return self.frame[self.frame["contacts"] == 1]

    @property
    def across_midnight(self) -> pd.DataFrame:
        return self.frame[self.frame["across_midnight"]]


def sessions(
    agent: np.ndarray,
    answered: np.ndarray,
    ended: np.ndarray,
    session_gap_s: float,
    region: str,
) -> Sessions:
    """Split each agent's answered contacts into working sessions (one sort, no loop)."""
    frame = pd.DataFrame({"agent": agent, "answered": answered, "ended": ended})
    frame = frame.sort_values(["agent", "answered"], kind="stable").reset_index(drop=True)
    latest_end = frame.groupby("agent", sort=False)["ended"].cummax().to_numpy()
    new_agent = np.r_[True, frame["agent"].to_numpy()[1:] != frame["agent"].to_numpy()[:-1]]
    gap = frame["answered"].to_numpy() - np.r_[np.nan, latest_end[:-1]]
    new_session = new_agent | (gap > session_gap_s)
    frame["session"] = np.cumsum(new_session) - 1
    grouped = frame.groupby("session", sort=True)
    out = pd.DataFrame(
        {
            "agent": grouped["agent"].first(),
            "start": grouped["answered"].min(),
            "end": grouped["ended"].max(),
            "contacts": grouped.size(),
        }
    ).reset_index(drop=True)
    start_day = pd.to_datetime(out["start"], unit="s", utc=True).dt.tz_convert(region).dt.date
    end_day = pd.to_datetime(out["end"], unit="s", utc=True).dt.tz_convert(region).dt.date
    out["across_midnight"] = (start_day != end_day).to_numpy()
    return Sessions(out)


@dataclass
class OnDuty:
    """Agents on duty per interval of the period, and averaged per slot of the week."""

    interval_s: float
    edges: np.ndarray  # UTC epoch seconds, len = intervals + 1
    weighted: np.ndarray  # agent-seconds on duty / interval seconds
    heads: np.ndarray  # agents on duty at some moment of the interval
    slot: np.ndarray  # slot of the week of each interval
    by_slot_weighted: np.ndarray  # mean over the weeks, per slot of the week
    by_slot_heads: np.ndarray
    by_slot_samples: np.ndarray  # intervals averaged per slot

    def curve(self) -> np.ndarray:
        """Whole agents per slot of the week: the time-weighted mean rounded half up
        (so 2.5 agents on average become 3, 2.49 become 2)."""
        return np.floor(self.by_slot_weighted + 0.5).astype(int)


def on_duty(found: Sessions, period: Period, interval_s: float) -> OnDuty:
    """Time-weighted and head counts of agents on duty per interval of the hours
    ``period`` covers (from its first arrival's hour)."""
    edges = np.arange(period.covered_s, period.end_s + interval_s / 2, interval_s)
    origin = period.start_s  # sums of epoch seconds would lose milliseconds
    starts = np.sort(found.frame["start"].to_numpy(dtype=float)) - origin
    ends = np.sort(found.frame["end"].to_numpy(dtype=float)) - origin
    # ∫ on-duty count up to t = Σ max(0, t − start) − Σ max(0, t − end), by cumsums.
    time_on = _area(starts, edges - origin) - _area(ends, edges - origin)
    weighted = np.diff(time_on) / interval_s
    begun = np.searchsorted(starts, edges[1:] - origin)  # started before the interval ends
    finished = np.searchsorted(ends, edges[:-1] - origin, side="right")  # ended by its start
    heads = (begun - finished).astype(float)
    slots = round(WEEK / interval_s)
    slot = slot_of_week(edges[:-1], period.region, interval_s) % slots
    samples = np.bincount(slot, minlength=slots)
    return OnDuty(
        interval_s=interval_s,
        edges=edges,
        weighted=weighted,
        heads=heads,
        slot=slot,
        by_slot_weighted=_slot_means(slot, weighted, samples),
        by_slot_heads=_slot_means(slot, heads, samples),
        by_slot_samples=samples,
    )


def _slot_means(slot: np.ndarray, values: np.ndarray, samples: np.ndarray) -> np.ndarray:
    """Mean per slot of the week; a slot the log never covers (a log shorter than a
    week) takes the mean of the covered slots at the same time of day, as the
    arrival profile does, so that staffing and demand are filled alike."""
    means = np.bincount(slot, values, minlength=samples.size) / np.maximum(samples, 1)
    by_day = means.reshape(7, -1)
    seen = (samples > 0).reshape(7, -1)
    time_of_day = (by_day * seen).sum(0) / np.maximum(seen.sum(0), 1)
    return np.where(seen, by_day, time_of_day[None, :]).ravel()


def _area(times: np.ndarray, at: np.ndarray) -> np.ndarray:
    """Σ over ``times`` (sorted) of max(0, at − time), for each of ``at``."""
    before = np.searchsorted(times, at, side="right")
    cumulative = np.r_[0.0, np.cumsum(times)]
    return before * at - cumulative[before]
