"""A stream's arrival rate by hour of the week, as a planner checks it against the plan."""

from __future__ import annotations

import numpy as np

from simulator.scenario.schema import DAY_NAMES, Stream


def week_rates(stream: Stream) -> np.ndarray:
    """Arrivals per hour in each of the 168 local hours (Mon 00:00 first) on the profile's
    wall clock, before surge, rollout and noise."""
    if stream.profile is None:
        return np.full(168, stream.per_hour)
    cells = np.asarray(stream.profile.week_grid(), dtype=float).ravel()
    return stream.per_hour * cells / cells.mean()


def _hour(index: int) -> str:
    return f"{DAY_NAMES[index // 24]} {index % 24:02d}:00"


def busiest_and_quietest(stream: Stream) -> str:
    """``busiest Mon 17:00 (34/h), quietest Sun 03:00 (0/h), Europe/Dublin``; the first such
    hour of the week where several tie. A replayed trace has no rate model to read."""
    if stream.arrivals is not None:
        return "replays recorded arrivals (no rate model)"
    rates = week_rates(stream)
    busiest, quietest = int(np.argmax(rates)), int(np.argmin(rates))
    region = stream.profile.region if stream.profile is not None else "UTC"
    return (
        f"busiest {_hour(busiest)} ({rates[busiest]:.3g}/h), "
        f"quietest {_hour(quietest)} ({rates[quietest]:.3g}/h), {region}"
    )
