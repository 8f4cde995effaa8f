"""Arrivals: the weekly mean rate, its hour-of-week shape, and the day-to-day
variation beyond Poisson.

The period runs from the first contact's local day at 00:00 in ``region`` (where
a fitted scenario starts) to the end of the hour of the last arrival; rates are
measured over the hours the log *covers*, from the hour of its first arrival: a
log cut at midnight UTC but read on another clock starts and ends mid-day, and
counting the rest of those days as hours without arrivals would bias every rate
low. Each hour of that period falls in
one slot of the week (local weekday and hour; a clock change gives a slot one
hour more or less); a slot's rate is its arrivals over its hours observed.
``per_hour`` is the mean of the 168 slot rates (the weekly mean the scenario
multiplies by the profile), the profile grid the slot rates over that mean.

Daily noise (the scenario's ``noise.daily_cv``, a mean-1 gamma factor per day):
a day's count N is Poisson given its expectation E·X, so ``Var(N/E) = 1/E +
cv²``. With R = N/E, ``cv² = max(0, Σ(R−1)²/(D−W) − mean(1/E))`` over the D
whole days (a partial last day is left out), W being the number of distinct
weekdays seen: the profile was fitted to these same days, one level per
weekday, which uses W of the D degrees of freedom. With no weekday seen twice
the noise cannot be told from the profile and is not fitted (``None``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

HOURS_PER_WEEK = 168


@dataclass
class Period:
    """The stretch a log covers: from its first local midnight to the end of the
    hour of its last arrival."""

    start: pd.Timestamp  # local midnight of the first day (aware, in region)
    end: pd.Timestamp  # whole hours after start
    region: str
    covered_s: float  # UTC epoch seconds of the first arrival's hour: the log's own start

    @property
    def start_s(self) -> float:
        return self.start.timestamp()

    @property
    def end_s(self) -> float:
        return self.end.timestamp()

    @property
    def hours(self) -> int:
        return round((self.end_s - self.start_s) / 3600)

    @property
    def days(self) -> int:
        """Local dates touched, the last one possibly in part."""
        return len(self.midnights())

    def midnights(self) -> pd.DatetimeIndex:
        """Each local day's start inside the period."""
        return pd.date_range(self.start, self.end, freq="D", inclusive="left")


@dataclass
class ArrivalFit:
    """Fitted arrivals of one stream; every number with its sample size."""

    n: int
    hours: float
    per_hour: float
    per_hour_ci: tuple[float, float]
    grid: list[list[float]]
    slot_counts: list[int]
    slot_hours: list[int]
    daily_cv: float | None
    days: int
    unseen_slots: int


def log_period(arrived_s: np.ndarray, region: str) -> Period:
    """From the first arrival's local midnight to the end of the last arrival's hour."""
    first = pd.Timestamp(float(np.nanmin(arrived_s)), unit="s", tz="UTC").tz_convert(region)
    start = first.normalize()
    hours = math.floor((float(np.nanmax(arrived_s)) - start.timestamp()) / 3600) + 1
    skipped = math.floor((float(np.nanmin(arrived_s)) - start.timestamp()) / 3600)
    return Period(
        start, start + pd.Timedelta(hours=hours), region, start.timestamp() + 3600.0 * skipped
    )


def slot_of_week(epoch_s: np.ndarray, region: str, slot_s: float) -> np.ndarray:
    """The slot of the week (Monday 00:00 local = 0) each UTC epoch second falls in."""
    local = pd.to_datetime(np.asarray(epoch_s, dtype=float), unit="s", utc=True).tz_convert(region)
    seconds = (
        local.day_of_week.to_numpy() * 86400
        + local.hour.to_numpy() * 3600
        + local.minute.to_numpy() * 60
        + local.second.to_numpy()
    )
    return (seconds // slot_s).astype(int)


def fit_arrivals(arrived_s: np.ndarray, period: Period) -> ArrivalFit:
    """Fit the stream whose arrival times (UTC epoch seconds) are ``arrived_s``."""
    arrived_s = np.asarray(arrived_s, dtype=float)
    hour_starts = np.arange(period.covered_s, period.end_s, 3600.0)
    hour_slot = slot_of_week(hour_starts, period.region, 3600)
    slot_hours = np.bincount(hour_slot, minlength=HOURS_PER_WEEK)
    counts = np.bincount(
        slot_of_week(arrived_s, period.region, 3600), minlength=HOURS_PER_WEEK
    ).astype(float)
    seen = slot_hours > 0
    rate = np.zeros(HOURS_PER_WEEK)
    rate[seen] = counts[seen] / slot_hours[seen]
    if not seen.all():  # a log shorter than a week: an unseen slot takes its hour's mean
        by_hour = rate.reshape(7, 24)
        seen_grid = seen.reshape(7, 24)
        hour_mean = (by_hour * seen_grid).sum(0) / np.maximum(seen_grid.sum(0), 1)
        rate = np.where(seen_grid, by_hour, hour_mean[None, :]).ravel()
    per_hour = float(rate.mean())
    n = arrived_s.size
    hours = float(hour_starts.size)
    daily_cv, expected = _daily_cv(arrived_s, period, hour_starts, rate[hour_slot])
    # The weekly mean weights slots equally; with whole weeks that is n / hours, whose
    # variance is n (Poisson) plus cv²·ΣE² (each day's forecast error).
    spread = max(n, 1) + (daily_cv or 0.0) ** 2 * float(np.sum(expected**2))
    half = 1.96 * math.sqrt(spread) / hours
    grid = (rate / per_hour if per_hour > 0 else np.ones(HOURS_PER_WEEK)).reshape(7, 24)
    return ArrivalFit(
        n=n,
        hours=hours,
        per_hour=per_hour,
        per_hour_ci=(per_hour - half, per_hour + half),
        grid=np.round(grid, 4).tolist(),
        slot_counts=counts.astype(int).tolist(),
        slot_hours=slot_hours.tolist(),
        daily_cv=daily_cv,
        days=period.days,
        unseen_slots=int((~seen).sum()),
    )


def _daily_cv(
    arrived_s: np.ndarray, period: Period, hour_starts: np.ndarray, hour_rate: np.ndarray
) -> tuple[float | None, np.ndarray]:
    """The daily forecast-error cv beyond Poisson (see the module docstring), and the
    whole days' expected counts."""
    midnights = period.midnights()
    day_edges = np.r_[[t.timestamp() for t in midnights], period.end_s]
    day_edges[0] = period.covered_s
    expected = np.add.reduceat(hour_rate, np.searchsorted(hour_starts, day_edges[:-1]))
    observed = np.histogram(arrived_s, bins=day_edges)[0]
    whole = np.diff(day_edges) >= 23 * 3600  # a clock change makes a day of 23 or 25 hours
    expected, observed = expected[whole], observed[whole]
    weekdays = set(midnights[whole].day_of_week)
    freedom = observed.size - len(weekdays)
    positive = expected > 0
    if freedom <= 0 or not positive.any():
        return None, expected
    ratio = observed[positive] / expected[positive]
    cv2 = ((ratio - 1) ** 2).sum() / freedom - float(np.mean(1 / expected[positive]))
    return math.sqrt(max(cv2, 0.0)), expected
