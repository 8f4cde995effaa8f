"""Arrival counts against the rate they are meant to follow, by goodness-of-fit tests.

Counts in disjoint bins of a Poisson process are independent Poisson variables, so
Pearson's statistic over bins with enough expected arrivals is close to chi-square
with as many degrees of freedom as bins (nothing is fitted). Seeds are fixed; a
p-value below 0.001 is a failure.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pytest
from scipy import stats

from simulator.model.arrivals import arrival_times, draw_day_noise, expected_counts
from simulator.scenario.schema import Stream
from simulator.units import DAY, HOUR

CONVERSATION = {"handle": {"dist": "fixed", "value": "1min"}}
SIGNIFICANCE = 0.001
START = datetime(2026, 3, 16, tzinfo=UTC)  # a Monday; Dublin moves to IST on 29 March


def stream(**fields: Any) -> Stream:
    return Stream.model_validate({"conversation": CONVERSATION, **fields})


def pooled(
    observed: np.ndarray, expected: np.ndarray, minimum: float = 5.0
) -> tuple[np.ndarray, np.ndarray]:
    """Merge runs of adjacent bins until each has at least `minimum` expected arrivals
    (the remainder joins the last bin)."""
    groups = []
    group, running = 0, 0.0
    for e in expected:
        groups.append(group)
        running += e
        if running >= minimum:
            group, running = group + 1, 0.0
    labels = np.array(groups)
    if labels[-1] == group > 0:  # the last run fell short
        labels[labels == group] = group - 1
    return np.bincount(labels, weights=observed), np.bincount(labels, weights=expected)


def chi_square_p(observed: np.ndarray, expected: np.ndarray) -> float:
    """p-value of Poisson counts in bins against their expected values, bins pooled."""
    obs, exp = pooled(observed, expected)
    assert exp.min() >= 5
    return float(stats.chi2.sf(((obs - exp) ** 2 / exp).sum(), obs.size))


def fit_p(times: np.ndarray, stream: Stream, edges: np.ndarray) -> float:
    """p-value of the counts of `times` in `edges` against the stream's expected counts."""
    return chi_square_p(np.histogram(times, bins=edges)[0], expected_counts(stream, START, edges))


WEEKS = 4
WEEKLY = {
    "per_hour": 30,
    "profile": {
        "region": "Europe/Dublin",
        "hourly": [
            0.1,
            0.05,
            0.05,
            0.05,
            0.1,
            0.2,
            0.4,
            0.8,
            1.5,
            2.0,
            2.2,
            2.0,
            1.8,
            1.9,
            2.0,
            1.8,
            1.5,
            1.2,
            1.0,
            0.8,
            0.6,
            0.4,
            0.3,
            0.2,
        ],
        "days": {
            "Mon": 1.2,
            "Tue": 1.1,
            "Wed": 1.0,
            "Thu": 1.0,
            "Fri": 0.9,
            "Sat": 0.4,
            "Sun": 0.4,
        },
    },
    "surge": {"at": "2026-03-17T09:00:00Z", "peak": 3.0, "half_life": "2d"},
    "rollout": [["2026-03-16T00:00:00Z", 0.5], ["2026-04-06T00:00:00Z", 1.0]],
}


@pytest.fixture(scope="module")
def weekly_arrivals() -> np.ndarray:
    return arrival_times(stream(**WEEKLY), START, WEEKS * 7 * DAY, np.random.default_rng(20260316))


def test_hourly_counts_follow_weekly_profile_surge_and_rollout(weekly_arrivals: np.ndarray) -> None:
    edges = np.arange(0.0, WEEKS * 7 * DAY + 1, HOUR)
    assert fit_p(weekly_arrivals, stream(**WEEKLY), edges) > SIGNIFICANCE


def test_hourly_test_rejects_a_profile_without_daylight_saving(weekly_arrivals: np.ndarray) -> None:
    """The same counts against the profile read on UTC: two of the four weeks are an
    hour off, which the test must notice (so the passing test above has power)."""
    wrong = stream(**{**WEEKLY, "profile": {**WEEKLY["profile"], "region": "UTC"}})
    edges = np.arange(0.0, WEEKS * 7 * DAY + 1, HOUR)
    assert fit_p(weekly_arrivals, wrong, edges) < SIGNIFICANCE


@pytest.mark.parametrize(
    ("fields", "horizon", "width"),
    [
        # A surge much shorter than an hour: the rate falls steeply inside a block.
        (
            {
                "per_hour": 3000,
                "surge": {"at": "2026-03-16T01:20:00Z", "peak": 10.0, "half_life": "5min"},
            },
            4 * HOUR,
            60.0,
        ),
        # A ramp up, a sudden drop, a ramp down: the bound must use the left limit at the step.
        (
            {
                "per_hour": 6000,
                "surge": [
                    ["2026-03-16T01:00:00Z", 1.0],
                    ["2026-03-16T01:30:00Z", 4.0],
                    ["2026-03-16T01:30:00Z", 0.5],
                    ["2026-03-16T02:10:00Z", 2.0],
                ],
            },
            4 * HOUR,
            120.0,
        ),
        # The same for a rollout share that steps down.
        (
            {
                "per_hour": 6000,
                "rollout": [
                    ["2026-03-16T01:00:00Z", 0.1],
                    ["2026-03-16T01:40:00Z", 1.0],
                    ["2026-03-16T01:40:00Z", 0.2],
                ],
            },
            3 * HOUR,
            120.0,
        ),
        # Half-hour offset and a half-hour daylight-saving change (Lord Howe, 5 April 2026).
        (
            {
                "per_hour": 600,
                "profile": {
                    "region": "Australia/Lord_Howe",
                    "hourly": [float(h % 5) for h in range(24)],
                },
                "rollout": [["2026-04-04T00:00:00Z", 0.2], ["2026-04-05T12:00:00Z", 1.0]],
            },
            24 * DAY,
            900.0,
        ),
        (
            {
                "per_hour": 600,
                "profile": {"region": "Asia/Kolkata", "hourly": [float(h % 3) for h in range(24)]},
            },
            3 * DAY,
            900.0,
        ),
    ],
)
def test_counts_follow_the_rate_inside_hours(
    fields: dict[str, Any], horizon: float, width: float
) -> None:
    s = stream(**fields)
    times = arrival_times(s, START, horizon, np.random.default_rng(99))
    edges = np.arange(0.0, horizon + 1, width)
    assert fit_p(times, s, edges) > SIGNIFICANCE


NOISE_DAYS = 2000
NOISE_CV = 0.3


def daily_counts(s: Stream, seed: int) -> tuple[np.ndarray, np.ndarray | None]:
    """Counts per day over NOISE_DAYS, and the day noise the generator drew first."""
    rng = np.random.default_rng(seed)
    noise = draw_day_noise(s, NOISE_DAYS * DAY, copy.deepcopy(rng))
    times = arrival_times(s, START, NOISE_DAYS * DAY, rng)
    return np.bincount((times // DAY).astype(np.int64), minlength=NOISE_DAYS), noise


def cv_squared(counts: np.ndarray) -> float:
    """The day multiplier's squared cv, from var = mean + cv²·mean² of mixed Poisson counts."""
    mean = counts.mean()
    return float((counts.var(ddof=1) - mean) / mean**2)


def bootstrap_se(counts: np.ndarray, rng: np.random.Generator, resamples: int = 1000) -> float:
    """Standard error of :func:`cv_squared` by resampling days."""
    samples = counts[rng.integers(0, counts.size, size=(resamples, counts.size))]
    mean = samples.mean(axis=1)
    return float(((samples.var(axis=1, ddof=1) - mean) / mean**2).std(ddof=1))


def test_day_noise_widens_the_daily_spread_to_its_cv() -> None:
    noisy = stream(per_hour=20, noise={"daily_cv": NOISE_CV})
    counts, noise = daily_counts(noisy, seed=8)
    # Given the multipliers drawn first, days are plain Poisson at the noisy rate.
    edges = np.arange(NOISE_DAYS + 1) * DAY
    assert chi_square_p(counts, expected_counts(noisy, START, edges, noise)) > SIGNIFICANCE
    # Without them, the spread beyond Poisson estimates the cv.
    estimate = cv_squared(counts)
    tolerance = 4 * bootstrap_se(counts, np.random.default_rng(1))
    assert abs(estimate - NOISE_CV**2) < tolerance
    assert tolerance < NOISE_CV**2 / 4  # enough days to say something


def test_without_noise_daily_counts_are_poisson() -> None:
    counts, noise = daily_counts(stream(per_hour=20), seed=8)
    assert noise is None
    assert abs(cv_squared(counts)) < 4 * bootstrap_se(counts, np.random.default_rng(1))
    assert chi_square_p(counts, np.full(NOISE_DAYS, 20.0 * 24)) > SIGNIFICANCE
