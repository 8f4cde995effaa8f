"""Classes that wait while agents who serve them sit idle: a delay before routing.

In a real log, whole classes of callers can wait in almost every contact while
the agents who serve them are on duty and free: something the log does not
record (identifying the customer, a routing step) holds them before they can
reach an agent. Priority order between queues cannot reproduce that, since a
free agent always takes a waiting contact. So, per class:

- *idle share*: of the class's queue-waiting seconds, the share during which at
  least one agent of its team was on duty (inside a working session,
  :mod:`~simulator.history.on_duty`) and not handling a contact. Time is
  measured with one step function per team (on duty minus busy, from sorted
  session and contact edges), no loop over contacts;
- where the idle share is at least :data:`IDLE_SHARE` and most of the class
  waited, the fit gives the class a *delay before routing*: the distribution of
  the waits of its answered contacts that arrived while an agent was idle (for
  them the wait was that delay, not a queue). In the scenario it is the
  stream's ``bot.time`` (a step every contact passes before its queue).

What biases it: routing rules of the real system are unknown (an agent nobody
routes to looks idle), and on-duty time is a lower bound (idle time before a
session's first contact is invisible), so the idle share is an estimate; the
round-trip tests check that a simulated class with a known delay is found and
one served in priority order is not.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from simulator.history.durations import DurationFit, fit_duration

IDLE_SHARE = 0.5
"""A class whose waits overlap an idle agent at least this much gets a delay."""
WAITED_SHARE = 0.5
"""... and only if at least this share of its contacts waited at all."""
MIN_DELAYS = 30
"""Waits needed to fit a delay distribution."""


@dataclass
class ClassDelay:
    """One class's idle share and, where the data call for it, its fitted delay."""

    waiting_s: float
    idle_share: float | None
    share_waited: float | None
    delay: DurationFit | None

    def to_json(self) -> dict[str, Any]:
        return {
            "waiting_s": self.waiting_s,
            "idle_share": self.idle_share,
            "share_waited": self.share_waited,
            "delay": None
            if self.delay is None
            else {
                "n": self.delay.n,
                "mean_s": self.delay.mean_s,
                "median_s": self.delay.median_s,
                "dist": self.delay.scenario(),
            },
        }


class IdleClock:
    """How long at least one of a team's agents was idle, between any two instants."""

    def __init__(self, sessions: pd.DataFrame, answered: pd.DataFrame) -> None:
        times = np.concatenate(
            [
                sessions["start"].to_numpy(float),
                sessions["end"].to_numpy(float),
                answered["answered"].to_numpy(float),
                answered["ended"].to_numpy(float),
            ]
        )
        steps = np.concatenate(
            [
                np.ones(len(sessions)),
                -np.ones(len(sessions)),
                -np.ones(len(answered)),
                np.ones(len(answered)),
            ]
        )
        order = np.argsort(times, kind="stable")
        self.edges = times[order]
        idle = np.cumsum(steps[order])  # free agents from each edge to the next
        spans = np.diff(self.edges)
        self.cumulative = np.concatenate(([0.0], np.cumsum(np.where(idle[:-1] > 0, spans, 0.0))))
        self.idle_after = idle

    def idle_seconds(self, begin: np.ndarray, end: np.ndarray) -> np.ndarray:
        """Seconds within each ``[begin, end]`` during which some agent was idle."""
        return self._integral(end) - self._integral(begin)

    def idle_at(self, at: np.ndarray) -> np.ndarray:
        """Whether some agent was idle at each instant."""
        k = np.searchsorted(self.edges, at, side="right") - 1
        return (k >= 0) & (self.idle_after[np.clip(k, 0, None)] > 0)

    def _integral(self, at: np.ndarray) -> np.ndarray:
        if self.edges.size == 0:
            return np.zeros_like(at, dtype=float)
        k = np.clip(np.searchsorted(self.edges, at, side="right") - 1, 0, self.edges.size - 1)
        inside = np.clip(at - self.edges[k], 0.0, None)
        rising = (self.idle_after[k] > 0) & (k < self.edges.size - 1)
        return self.cumulative[k] + np.where(rising, inside, 0.0)


def class_delays(
    contacts: pd.DataFrame, wait: np.ndarray, clocks: dict[str, IdleClock], team_of: dict[str, str]
) -> dict[str, ClassDelay]:
    """Per class (``contacts['stream']``), the idle share of its waits and its delay.

    ``contacts`` are the contacts that reached a queue, ``wait`` their queue waits
    (to the answer or to abandoning), ``clocks`` an :class:`IdleClock` per team and
    ``team_of`` each class's team.
    """
    arrived = contacts["arrived"].to_numpy(float)
    answered = (contacts["outcome"] == "answered").to_numpy()
    found: dict[str, ClassDelay] = {}
    for stream, rows in contacts.groupby("stream", sort=True).indices.items():
        clock = clocks.get(team_of.get(str(stream), ""))
        waits = wait[rows]
        total = float(waits.sum())
        share_waited = float((waits > 0).mean()) if len(rows) else None
        if clock is None or total <= 0:
            found[str(stream)] = ClassDelay(total, None, share_waited, None)
            continue
        begin = arrived[rows]
        idle = float(clock.idle_seconds(begin, begin + waits).sum())
        share = idle / total
        delay = None
        if share >= IDLE_SHARE and (share_waited or 0) >= WAITED_SHARE:
            held = answered[rows] & clock.idle_at(begin) & (waits > 0)
            if held.sum() >= MIN_DELAYS:
                delay = fit_duration(waits[held])
        found[str(stream)] = ClassDelay(total, share, share_waited, delay)
    return found
