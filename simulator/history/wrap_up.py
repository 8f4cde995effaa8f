"""After-contact work (wrap-up), read off the gaps between an agent's contacts.

The gap from ending one contact to answering the next is wrap-up only when the
agent had something to take: a gap while nobody was waiting is idleness. A gap
counts when a contact of a stream that agent serves (one it answered in the
log) was waiting both when the contact ended and just before the next answer;
idle spells inside such a gap (the queue emptied and refilled) cannot be ruled
out, so they inflate the mean but hardly the median. The scenario therefore
gets a *fixed* wrap-up at the median of the counted gaps (none when the median
is under a second: most gaps are zero, a mass at zero), and the report keeps
mean, median, the share at zero and the count.

Waiting is counted by sorted arrays: waiting at t = arrivals at or before t
minus queue exits (answers, abandonments) at or before t, one searchsorted per
stream, no loop over contacts.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from simulator.history.durations import seconds

ZERO_S = 1.0
"""Gaps shorter than this count as no wrap-up."""


@dataclass
class WrapUpFit:
    """Counted gaps of one stream (by the contact just ended) and the value chosen."""

    n: int
    mean_s: float | None
    median_s: float | None
    median_ci: tuple[float, float] | None
    share_zero: float | None
    chosen_s: float | None

    def scenario(self) -> dict[str, Any] | None:
        if self.chosen_s is None:
            return None
        return {"dist": "fixed", "value": seconds(self.chosen_s)}


def waiting_counter(contacts: pd.DataFrame) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per stream, sorted queue entry and exit times (answered or abandoned)."""
    reached = contacts[contacts["outcome"] != "deflected"]
    exits = np.where(reached["outcome"] == "answered", reached["answered"], reached["ended"])
    out = {}
    for stream, rows in reached.groupby("stream", sort=True, observed=True).indices.items():
        out[stream] = (np.sort(reached["arrived"].to_numpy()[rows]), np.sort(exits[rows]))
    return out


def waiting_at(
    counter: dict[str, tuple[np.ndarray, np.ndarray]], streams: list[str], t: np.ndarray
) -> np.ndarray:
    """Contacts of ``streams`` waiting at each time of ``t``."""
    total = np.zeros(t.size, dtype=int)
    for stream in streams:
        entries, exits = counter[stream]
        total += np.searchsorted(entries, t, side="right") - np.searchsorted(exits, t, side="right")
    return total


def wrap_up_gaps(
    contacts: pd.DataFrame, session_gap_s: float, held: Collection[str] = ()
) -> pd.DataFrame:
    """Every counted gap: the stream of the contact ended and the gap in seconds.

    Contacts of ``held`` classes (held before routing, :mod:`~simulator.history.
    class_delays`) do not count as waiting: an agent could not have taken them.
    """
    answered = contacts[(contacts["outcome"] == "answered") & contacts["agent"].notna()]
    answered = answered.sort_values(["agent", "answered"], kind="stable")
    counter = waiting_counter(contacts)
    serves = answered.groupby("agent", sort=False)["stream"].unique()
    rows = []
    for agent, group in answered.groupby("agent", sort=False).indices.items():
        ends = answered["ended"].to_numpy()[group][:-1]
        nexts = answered["answered"].to_numpy()[group][1:]
        gap = nexts - ends
        usable = (gap >= 0) & (gap <= session_gap_s)
        streams = [stream for stream in serves[agent] if stream not in held]
        busy = (waiting_at(counter, streams, ends) > 0) & (
            waiting_at(counter, streams, np.nextafter(nexts, -np.inf)) > 0
        )
        keep = usable & busy
        rows.append(
            pd.DataFrame(
                {"stream": answered["stream"].to_numpy()[group][:-1][keep], "gap": gap[keep]}
            )
        )
    if not rows:
        return pd.DataFrame({"stream": [], "gap": []})
    return pd.concat(rows, ignore_index=True)


def fit_wrap_up(gaps: np.ndarray) -> WrapUpFit:
    """Summarise counted gaps and choose the scenario's wrap-up (the median)."""
    gaps = np.sort(np.asarray(gaps, dtype=float))
    n = gaps.size
    if n == 0:
        return WrapUpFit(0, None, None, None, None, None)
    median = float(np.median(gaps))
    # Distribution-free 95% interval of the median: order statistics n/2 ± 1.96·√n/2.
    half = 1.96 * math.sqrt(n) / 2
    low = gaps[max(math.floor(n / 2 - half), 0)]
    high = gaps[min(math.ceil(n / 2 + half), n - 1)]
    return WrapUpFit(
        n=n,
        mean_s=float(gaps.mean()),
        median_s=median,
        median_ci=(float(low), float(high)),
        share_zero=float((gaps < ZERO_S).mean()),
        chosen_s=median if median >= ZERO_S else None,
    )
