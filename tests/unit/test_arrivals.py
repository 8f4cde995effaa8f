"""Unit tests of one stream's arrival rate and arrival times."""

from __future__ import annotations

import itertools
import math
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from scipy import integrate, stats

from simulator.model.arrivals import (
    arrival_times,
    draw_day_noise,
    expected_counts,
    rate_function,
)
from simulator.scenario.schema import Stream
from simulator.units import DAY, HOUR

START = datetime(2026, 3, 2, tzinfo=UTC)  # a Monday
CONVERSATION = {"handle": {"dist": "fixed", "value": "1min"}}
# Every cell different, so a wrong weekday or hour cannot go unnoticed.
GRID = [[1.0 + day * 24 + hour for hour in range(24)] for day in range(7)]
GRID_MEAN = float(np.mean(GRID))


def stream(**fields: Any) -> Stream:
    return Stream.model_validate({"per_hour": 36, "conversation": CONVERSATION, **fields})


def at(moment: str) -> float:
    """Seconds from START to an ISO time."""
    return (datetime.fromisoformat(moment) - START).total_seconds()


def base(s: Stream) -> float:
    return s.per_hour / HOUR


@pytest.mark.parametrize(
    ("region", "moment", "weekday", "hour"),
    [
        # Dublin: GMT until 01:00 UTC on Sunday 29 March 2026, then IST (UTC+1).
        ("Europe/Dublin", "2026-03-29T00:30:00Z", 6, 0),
        ("Europe/Dublin", "2026-03-29T00:59:59Z", 6, 0),
        ("Europe/Dublin", "2026-03-29T01:00:00Z", 6, 2),
        ("Europe/Dublin", "2026-03-29T01:30:00Z", 6, 2),
        ("Europe/Dublin", "2026-03-30T08:30:00Z", 0, 9),
        # New York: EST (UTC-5) until 07:00 UTC on Sunday 8 March 2026, then EDT (UTC-4).
        ("America/New_York", "2026-03-08T06:30:00Z", 6, 1),
        ("America/New_York", "2026-03-08T07:30:00Z", 6, 3),
        ("America/New_York", "2026-03-03T03:00:00Z", 0, 22),
        # Kolkata, UTC+5:30: a UTC hour spans two local hours.
        ("Asia/Kolkata", "2026-03-03T03:45:00Z", 1, 9),
        ("Asia/Kolkata", "2026-03-03T04:29:59Z", 1, 9),
        ("Asia/Kolkata", "2026-03-03T04:30:00Z", 1, 10),
        ("Asia/Kolkata", "2026-03-08T20:00:00Z", 0, 1),
    ],
)
def test_profile_reads_the_local_hour_of_week(
    region: str, moment: str, weekday: int, hour: int
) -> None:
    s = stream(profile={"region": region, "grid": GRID})
    rate = rate_function(s, START)(np.array([at(moment)]))
    assert rate[0] == pytest.approx(base(s) * GRID[weekday][hour] / GRID_MEAN, rel=1e-12)


@pytest.mark.parametrize(
    "region",
    ["Europe/Dublin", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe", "Asia/Kathmandu"],
)
def test_profile_matches_the_wall_clock_all_year(region: str) -> None:
    """Random instants over a year, DST changes included, against datetime's own local time."""
    s = stream(profile={"region": region, "grid": GRID})
    t = np.random.default_rng(7).uniform(-DAY, 366 * DAY, size=3000)
    zone = ZoneInfo(region)
    local = [(START + timedelta(seconds=float(x))).astimezone(zone) for x in t]
    expected = [GRID[m.weekday()][m.hour] / GRID_MEAN for m in local]
    np.testing.assert_allclose(rate_function(s, START)(t), base(s) * np.array(expected), rtol=1e-12)


def test_hourly_and_days_profile_is_normalised_to_the_weekly_mean() -> None:
    hourly = [0.0] * 8 + [2.0] * 10 + [1.0] * 6
    days = {"Mon": 1.0, "Tue": 1.0, "Wed": 1.0, "Thu": 1.0, "Fri": 1.0, "Sat": 0.5, "Sun": 0.5}
    s = stream(profile={"hourly": hourly, "days": days})
    week = expected_counts(s, START, np.array([0.0, 7 * DAY]))
    assert week[0] == pytest.approx(s.per_hour * 7 * 24, rel=1e-12)


def test_surge_decay_halves_the_excess_every_half_life() -> None:
    s = stream(surge={"at": "2026-03-03T09:00:00Z", "peak": 5.0, "half_life": "2d"})
    launch = at("2026-03-03T09:00:00Z")
    t = launch + np.array([-1.0, 0.0, 2 * DAY, 4 * DAY, 6 * DAY])
    np.testing.assert_allclose(
        rate_function(s, START)(t) / base(s), [1.0, 5.0, 3.0, 2.0, 1.5], rtol=1e-12
    )


def test_surge_points_interpolate_and_hold_their_ends() -> None:
    s = stream(
        surge=[
            ["2026-03-03T00:00:00Z", 1.0],
            ["2026-03-05T00:00:00Z", 4.0],
            ["2026-03-09T00:00:00Z", 2.0],
        ]
    )
    t = np.array(
        [
            at("2026-03-02T12:00:00Z"),
            at("2026-03-04T00:00:00Z"),
            at("2026-03-05T00:00:00Z"),
            at("2026-03-08T00:00:00Z"),
            at("2026-03-20T00:00:00Z"),
        ]
    )
    np.testing.assert_allclose(
        rate_function(s, START)(t) / base(s), [1.0, 2.5, 4.0, 2.5, 2.0], rtol=1e-12
    )


def test_repeated_surge_point_is_a_step() -> None:
    s = stream(
        surge=[
            ["2026-03-03T00:00:00Z", 1.0],
            ["2026-03-04T00:00:00Z", 3.0],
            ["2026-03-04T00:00:00Z", 1.0],
        ]
    )
    step = at("2026-03-04T00:00:00Z")
    t = np.array([step - 1.0, step, step + 1.0])
    np.testing.assert_allclose(
        rate_function(s, START)(t) / base(s), [3.0 - 2.0 / DAY, 1.0, 1.0], rtol=1e-12
    )


def test_rollout_interpolates_the_share() -> None:
    s = stream(rollout=[["2026-03-02T00:00:00Z", 0.5], ["2026-03-30T00:00:00Z", 1.0]])
    t = np.array([-DAY, 0.0, 7 * DAY, 14 * DAY, 28 * DAY, 60 * DAY])
    np.testing.assert_allclose(
        rate_function(s, START)(t) / base(s), [0.5, 0.5, 0.625, 0.75, 1.0, 1.0], rtol=1e-12
    )


def test_day_noise_multiplies_each_day() -> None:
    s = stream()
    noise = np.array([0.5, 2.0])
    rate = rate_function(s, START, day_noise=noise)
    np.testing.assert_allclose(
        rate(np.array([0.0, DAY - 1, DAY, 2 * DAY - 1])) / base(s), [0.5, 0.5, 2.0, 2.0]
    )
    with pytest.raises(ValueError, match="day_noise"):
        rate(np.array([2 * DAY]))


@pytest.mark.parametrize(
    ("fields", "edges"),
    [
        (
            {
                "profile": {"region": "Europe/Dublin", "grid": GRID},  # on UTC in early March
                "surge": {"at": "2026-03-03T09:00:00Z", "peak": 3.0, "half_life": "5h"},
                "rollout": [["2026-03-02T00:00:00Z", 0.5], ["2026-03-12T00:00:00Z", 1.0]],
            },
            np.arange(0.0, 5 * DAY + 1, HOUR),
        ),
        # A half-life much shorter than an hour, starting mid-hour.
        (
            {"surge": {"at": "2026-03-02T01:20:00Z", "peak": 20.0, "half_life": "3min"}},
            4800.0 + np.arange(0.0, 4 * HOUR + 1, HOUR),
        ),
    ],
)
def test_expected_counts_match_numerical_integration(
    fields: dict[str, Any], edges: np.ndarray
) -> None:
    """Bins on which the rate is smooth, so adaptive quadrature is reliable."""
    s = stream(**fields)
    rate = rate_function(s, START)
    quad = [
        integrate.quad(lambda x: rate(np.array([x]))[0], a, b, epsabs=0, epsrel=1e-10)[0]
        for a, b in itertools.pairwise(edges)
    ]
    np.testing.assert_allclose(expected_counts(s, START, edges), quad, rtol=1e-9)


def test_expected_counts_are_additive_over_uneven_bins() -> None:
    s = stream(
        profile={"region": "Asia/Kolkata", "grid": GRID},
        surge={"at": "2026-03-03T09:10:00Z", "peak": 4.0, "half_life": "7min"},
    )
    fine = np.sort(np.random.default_rng(3).uniform(0, 3 * DAY, size=500))
    fine = np.concatenate(([0.0], fine, [3 * DAY]))
    total = expected_counts(s, START, np.array([0.0, 3 * DAY]))
    assert expected_counts(s, START, fine).sum() == pytest.approx(total[0], rel=1e-12)


def test_times_are_sorted_and_inside_the_horizon() -> None:
    s = stream(
        per_hour=200,
        profile={"region": "Asia/Kolkata", "grid": GRID},
        surge={"at": "2026-03-02T10:00:00Z", "peak": 3.0, "half_life": "1h"},
    )
    horizon = 3.5 * DAY
    times = arrival_times(s, START, horizon, np.random.default_rng(1))
    assert times.dtype == np.float64
    assert times.size > 0
    assert np.all(np.diff(times) >= 0)
    assert times[0] >= 0 and times[-1] < horizon


def test_same_generator_state_gives_the_same_arrivals() -> None:
    s = stream(
        noise={"daily_cv": 0.2},
        surge={"at": "2026-03-02T10:00:00Z", "peak": 3.0, "half_life": "1h"},
    )
    first = arrival_times(s, START, 2 * DAY, np.random.default_rng(11))
    second = arrival_times(s, START, 2 * DAY, np.random.default_rng(11))
    np.testing.assert_array_equal(first, second)


def test_constant_rate_counts_are_poisson() -> None:
    """Counts over many replications: mean within its confidence interval, and dispersion
    (variance/mean) consistent with Poisson by the chi-square dispersion test."""
    s = stream(per_hour=50)
    horizon = DAY
    rng = np.random.default_rng(2026)
    counts = np.array([arrival_times(s, START, horizon, rng).size for _ in range(400)])
    mean = s.per_hour * horizon / HOUR
    assert abs(counts.mean() - mean) < 4 * math.sqrt(mean / counts.size)
    dispersion = ((counts - counts.mean()) ** 2).sum() / counts.mean()
    degrees = counts.size - 1
    p = 2 * min(stats.chi2.sf(dispersion, degrees), stats.chi2.cdf(dispersion, degrees))
    assert p > 0.001


def test_zero_profile_hours_have_no_arrivals() -> None:
    hourly = [0.0] * 7 + [1.0] * 12 + [0.0] * 5  # open 07:00-19:00 local
    s = stream(
        per_hour=100,
        profile={
            "region": "Asia/Kolkata",
            "hourly": hourly,
            "days": {"Mon": 1, "Tue": 1, "Wed": 1, "Thu": 1, "Fri": 1},
        },
    )
    times = arrival_times(s, START, 14 * DAY, np.random.default_rng(5))
    zone = ZoneInfo("Asia/Kolkata")
    local = [(START + timedelta(seconds=float(x))).astimezone(zone) for x in times]
    assert times.size > 1000
    assert all(7 <= m.hour < 19 and m.weekday() < 5 for m in local)


def test_zero_rollout_share_has_no_arrivals() -> None:
    s = stream(per_hour=100, rollout=[["2026-03-03T00:00:00Z", 0.0], ["2026-03-04T00:00:00Z", 1.0]])
    times = arrival_times(s, START, 3 * DAY, np.random.default_rng(5))
    assert times.size > 0 and times.min() >= DAY


def test_day_noise_draws_once_per_started_day_and_only_when_asked() -> None:
    noisy = stream(noise={"daily_cv": 0.3})
    assert draw_day_noise(noisy, 2.5 * DAY, np.random.default_rng(0)).size == 3
    assert draw_day_noise(noisy, 2 * DAY, np.random.default_rng(0)).size == 2
    rng = np.random.default_rng(0)
    assert draw_day_noise(stream(noise={"daily_cv": 0.0}), 2 * DAY, rng) is None
    assert draw_day_noise(stream(), 2 * DAY, rng) is None
    assert rng.random() == np.random.default_rng(0).random()


def test_zero_cv_is_the_same_as_no_noise() -> None:
    quiet = arrival_times(stream(noise={"daily_cv": 0.0}), START, 2 * DAY, np.random.default_rng(4))
    plain = arrival_times(stream(), START, 2 * DAY, np.random.default_rng(4))
    np.testing.assert_array_equal(quiet, plain)
