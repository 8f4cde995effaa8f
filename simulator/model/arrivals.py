"""Arrival times for one stream: an exact non-homogeneous Poisson process.

A stream's rate at ``t`` seconds after the scenario start is (model.md, "Arrivals")::

    per_hour/3600 × profile(local hour of week) × surge(t) × rollout(t) × noise(UTC day)

Arrivals are drawn by *thinning* (Lewis and Shedler): candidates from a
homogeneous Poisson process at a rate ``bound`` are each kept with probability
``rate(t)/bound``. The result is exactly the non-homogeneous process, with no
time step and no inverse of the integrated rate, whenever ``bound ≥ rate`` on
the stretch where it is used.

One bound for the whole horizon would waste most candidates (a launch peak is
several times the night rate), so the horizon is cut into blocks, each with its
own bound. Block edges are every instant where a factor can jump or turn: each
hour since start (these include the UTC day edges of the noise), each change of
local hour in the profile's region (daylight-saving transitions and offsets such
as Asia/Kolkata's +5:30 included), the surge and rollout knots, and knots every
quarter half-life after a launch. Inside a block the profile and noise are
constant and surge and rollout are each monotone, so each is largest at one end
of the block (at the right end its left limit, because a piecewise-linear list
may jump there): the product of those end maxima is a provable bound. All blocks
are drawn at once with numpy: Poisson candidate counts per block, uniform
positions inside blocks, one uniform per candidate to accept.

The same blocks make :func:`expected_counts` accurate: on each one the integrand
is a constant times linear × exponential, over at most a quarter half-life, which
an 8-point Gauss-Legendre rule integrates to rounding error.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo

import numpy as np

from simulator.scenario.schema import Profile, RolloutPoint, Stream, Surge
from simulator.units import DAY, HOUR, seconds_since

Side = Literal["left", "right"]
"""``right``: the value at t (every factor is right-continuous); ``left``: the limit from below."""

_DECAY_KNOTS = 4 * 64  # a knot every quarter half-life for 64 half-lives, when 0.5**64 ~ 0
_NODES, _WEIGHTS = np.polynomial.legendre.leggauss(8)


class _Linear:
    """Piecewise linear through (knot, value) points, holding the end values outside.

    A repeated knot is a jump; the value there is the last point's (right-continuous).
    """

    def __init__(self, knots: np.ndarray, values: np.ndarray) -> None:
        self.knots = knots
        self.values = values

    def __call__(self, t: np.ndarray, side: Side = "right") -> np.ndarray:
        if self.knots.size == 1:  # a constant (no surge, no rollout): what the rest gives
            return np.full(np.shape(t), self.values[0], dtype=float)
        i = np.searchsorted(self.knots, t, side=side)
        lo = np.clip(i - 1, 0, self.knots.size - 1)
        hi = np.minimum(i, self.knots.size - 1)
        span = self.knots[hi] - self.knots[lo]
        weight = np.divide(t - self.knots[lo], span, out=np.zeros(np.shape(t)), where=span > 0)
        return self.values[lo] + weight * (self.values[hi] - self.values[lo])


_ONE = _Linear(np.zeros(1), np.ones(1))


class _Decay:
    """The launch surge: 1 before ``at``, then ``1 + (peak-1) * 0.5**((t-at)/half_life)``."""

    def __init__(self, at: float, peak: float, half_life: float) -> None:
        self.at = at
        self.peak = peak
        self.half_life = half_life
        self.knots = at + half_life / 4 * np.arange(_DECAY_KNOTS + 1)

    def __call__(self, t: np.ndarray, side: Side = "right") -> np.ndarray:
        after = t >= self.at if side == "right" else t > self.at
        elapsed = np.maximum(t - self.at, 0.0) / self.half_life
        return np.where(after, 1.0 + (self.peak - 1.0) * 0.5**elapsed, 1.0)


def _surge(surge: Surge | None, start: datetime) -> _Linear | _Decay:
    if surge is None:
        return _ONE
    if surge.points is not None:
        return _Linear(
            np.array([seconds_since(start, p.at) for p in surge.points]),
            np.array([p.multiplier for p in surge.points]),
        )
    assert surge.at is not None and surge.peak is not None and surge.half_life is not None
    return _Decay(seconds_since(start, surge.at), surge.peak, surge.half_life)


def _rollout(points: list[RolloutPoint] | None, start: datetime) -> _Linear:
    if points is None:
        return _ONE
    return _Linear(
        np.array([seconds_since(start, p.at) for p in points]), np.array([p.share for p in points])
    )


class _WeeklyProfile:
    """The hour-of-week multiplier (mean 1 over the week), read on the region's wall clock."""

    def __init__(self, profile: Profile, start: datetime) -> None:
        cells = np.asarray(profile.week_grid(), dtype=float).ravel()
        self.cells = cells / cells.mean()
        self.zone = ZoneInfo(profile.region)
        self.epoch = start.timestamp()

    def _offset(self, epoch_seconds: float) -> float:
        offset = datetime.fromtimestamp(epoch_seconds, self.zone).utcoffset()
        assert offset is not None
        return offset.total_seconds()

    def _offsets(self, lo: float, hi: float) -> tuple[np.ndarray, np.ndarray]:
        """Epoch instants near [lo, hi] where the UTC offset changes, and the offsets
        before, between and after them.

        Samples the offset every UTC hour and bisects to the second between samples
        that differ (tzdata transitions fall on whole seconds and never come twice
        within an hour).
        """
        hours = np.arange(math.floor(lo / HOUR), math.ceil(hi / HOUR) + 1) * HOUR
        samples = [self._offset(u) for u in hours]
        changes: list[float] = []
        offsets = [samples[0]]
        for u, before, after in zip(hours[:-1], samples[:-1], samples[1:], strict=True):
            if after != before:
                a, b = int(u), int(u + HOUR)
                while b - a > 1:
                    m = (a + b) // 2
                    a, b = (m, b) if self._offset(m) == before else (a, m)
                changes.append(b)
                offsets.append(after)
        return np.array(changes, dtype=float), np.array(offsets)

    def edges(self, lo: float, hi: float) -> np.ndarray:
        """Scenario times in [lo, hi] where the local hour changes."""
        ulo, uhi = lo + self.epoch, hi + self.epoch
        changes, offsets = self._offsets(ulo, uhi)
        bounds = np.clip(np.concatenate(([ulo], changes, [uhi])), ulo, uhi)
        found = [changes]
        for a, b, offset in zip(bounds[:-1], bounds[1:], offsets, strict=True):
            first, last = math.ceil((a + offset) / HOUR), math.floor((b + offset) / HOUR)
            found.append(np.arange(first, last + 1) * HOUR - offset)
        u = np.concatenate(found)
        return u[(u >= ulo) & (u <= uhi)] - self.epoch

    def __call__(self, t: np.ndarray) -> np.ndarray:
        if t.size == 0:
            return np.zeros(t.shape)
        u = t + self.epoch
        changes, offsets = self._offsets(float(u.min()), float(u.max()))
        local = u + offsets[np.searchsorted(changes, u, side="right")]
        days = np.floor(local / DAY)
        weekday = (days + 3) % 7  # 1970-01-01 was a Thursday; Monday is 0
        hour = np.floor((local - days * DAY) / HOUR)
        return self.cells[(weekday * 24 + hour).astype(np.int64)]


class _Shape:
    """One stream's rate without the day noise, on the scenario clock."""

    def __init__(self, stream: Stream, start: datetime) -> None:
        self.base = stream.per_hour / HOUR
        self.profile = _WeeklyProfile(stream.profile, start) if stream.profile else None
        self.surge = _surge(stream.surge, start)
        self.rollout = _rollout(stream.rollout, start)

    def knots(self, lo: float, hi: float) -> np.ndarray:
        """Sorted block edges from lo to hi: inside each block the profile is constant
        and surge and rollout are each monotone and smooth."""
        hours = np.arange(math.ceil(lo / HOUR), math.floor(hi / HOUR) + 1) * HOUR
        parts = [np.array([lo, hi]), hours, self.surge.knots, self.rollout.knots]
        if self.profile is not None:
            parts.append(self.profile.edges(lo, hi))
        knots = np.unique(np.concatenate(parts))
        return knots[(knots >= lo) & (knots <= hi)]

    def level(self, t: np.ndarray) -> np.ndarray:
        """Per-second base rate times the profile: constant within a block."""
        return self.base * (self.profile(t) if self.profile is not None else np.ones(t.shape))

    def trend(self, t: np.ndarray) -> np.ndarray:
        """Surge times rollout."""
        return self.surge(t) * self.rollout(t)

    def trend_bound(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """The largest trend on each block [a, b): each factor peaks at an end."""
        surge = np.maximum(self.surge(a), self.surge(b, "left"))
        rollout = np.maximum(self.rollout(a), self.rollout(b, "left"))
        return surge * rollout


def _noise(day_noise: np.ndarray | None, t: np.ndarray) -> np.ndarray | float:
    """The day multiplier in force at t (day k is [k, k+1) days since start)."""
    if day_noise is None:
        return 1.0
    day = np.floor(t / DAY).astype(np.int64)
    if day.size and (day.min() < 0 or day.max() >= day_noise.size):
        raise ValueError(
            f"day_noise covers days 0..{day_noise.size - 1} since start; "
            f"times reach days {day.min()}..{day.max()}"
        )
    return day_noise[day]


def draw_day_noise(stream: Stream, horizon: float, rng: np.random.Generator) -> np.ndarray | None:
    """One mean-1 gamma multiplier per UTC day since start (``ceil(horizon/1d)`` draws),
    or None, drawing nothing, when the stream has no noise or ``daily_cv`` is 0."""
    cv = stream.noise.daily_cv if stream.noise is not None else 0.0
    if cv == 0:
        return None
    return rng.gamma(1.0 / cv**2, cv**2, size=math.ceil(horizon / DAY))


def arrival_times(
    stream: Stream, start: datetime, horizon: float, rng: np.random.Generator
) -> np.ndarray:
    """Sorted float64 arrival instants in seconds since `start` within [0, horizon) for one stream.

    Draws the day noise first (see :func:`draw_day_noise`), then thins block by block.
    """
    day_noise = draw_day_noise(stream, horizon, rng)
    shape = _Shape(stream, start)
    edges = shape.knots(0.0, horizon)
    a, b = edges[:-1], edges[1:]
    length, middle = b - a, (a + b) / 2
    level = shape.level(middle) * _noise(day_noise, middle)
    bound = level * shape.trend_bound(a, b)
    block = np.repeat(np.arange(a.size), rng.poisson(bound * length))
    uniform = rng.random((2, block.size))
    t = a[block] + uniform[0] * length[block]
    keep = (uniform[1] * bound[block] < level[block] * shape.trend(t)) & (t < horizon)
    return np.sort(t[keep])


def replayed(stream: Stream, name: str, start: datetime, horizon: float) -> np.ndarray:
    """A trace's arrival instants for stream ``name`` within [0, horizon), sorted:
    the same in every replication (times outside the run are left out)."""
    assert stream.arrivals is not None
    times = stream.arrivals.times(name, start)
    return times[(times >= 0) & (times < horizon)]


def arrival_counts(name: str, stream: Stream, start: datetime, edges: np.ndarray) -> np.ndarray:
    """Arrivals of stream ``name`` expected in each [edges[i], edges[i+1]): the
    trace's own count when it replays one, else :func:`expected_counts`."""
    if stream.arrivals is None:
        return expected_counts(stream, start, edges)
    counts, _ = np.histogram(stream.arrivals.times(name, start), np.asarray(edges, dtype=float))
    return counts.astype(float)


def rate_function(
    stream: Stream, start: datetime, day_noise: np.ndarray | None = None
) -> Callable[[np.ndarray], np.ndarray]:
    """Vectorised arrivals-per-second at times t (seconds since start), for tests and
    analytic sizing. Without `day_noise` it is the mean rate over the forecast error."""
    shape = _Shape(stream, start)

    def rate(t: np.ndarray) -> np.ndarray:
        t = np.asarray(t, dtype=float)
        return shape.level(t) * shape.trend(t) * _noise(day_noise, t)

    return rate


def expected_counts(
    stream: Stream, start: datetime, edges: np.ndarray, day_noise: np.ndarray | None = None
) -> np.ndarray:
    """Expected number of arrivals in each [edges[i], edges[i+1]): the integral of
    :func:`rate_function`, exact to rounding error (see the module docstring)."""
    edges = np.asarray(edges, dtype=float)
    if edges.ndim != 1 or edges.size < 2 or np.any(np.diff(edges) < 0):
        raise ValueError("edges must be a non-decreasing 1-d array of at least two times")
    shape = _Shape(stream, start)
    pieces = np.union1d(shape.knots(edges[0], edges[-1]), edges)
    half = np.diff(pieces) / 2
    middle = pieces[:-1] + half
    nodes = middle[:, None] + half[:, None] * _NODES
    integral = (
        shape.level(middle) * _noise(day_noise, middle) * half * (shape.trend(nodes) @ _WEIGHTS)
    )
    cumulative = np.concatenate(([0.0], np.cumsum(integral)))
    return np.diff(cumulative[np.searchsorted(pieces, edges)])
