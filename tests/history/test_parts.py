"""Each fitting mechanism on samples whose answer is known."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from simulator.history.arrivals import log_period
from simulator.history.durations import fit_duration
from simulator.history.on_duty import on_duty, sessions
from simulator.history.patience import fit_patience, kaplan_meier
from simulator.history.teams import group_teams
from simulator.history.wrap_up import fit_wrap_up, wrap_up_gaps

DAY = pd.Timestamp("2026-03-02T00:00:00Z").timestamp()


def test_handle_family_is_chosen_by_aic_among_those_ks_accepts() -> None:
    rng = np.random.default_rng(1)
    sigma2 = np.log1p(1.5**2)
    lognormal = rng.lognormal(np.log(200) - sigma2 / 2, np.sqrt(sigma2), 4000)
    fitted = fit_duration(lognormal)
    assert fitted.chosen == "lognormal"
    best = next(c for c in fitted.candidates if c.family == "lognormal")
    assert best.mean_s == pytest.approx(200, rel=0.1) and best.cv == pytest.approx(1.5, rel=0.1)
    assert fitted.scenario()["dist"] == "lognormal"
    # Two sharp modes: every family is rejected, so the data are kept as they are.
    bimodal = np.r_[rng.normal(30, 1, 2000), rng.normal(600, 5, 2000)]
    kept = fit_duration(bimodal)
    assert kept.chosen == "empirical"
    assert len(kept.scenario()["values"]) == 101


def test_exponential_patience_from_censored_waits_is_unbiased() -> None:
    rng = np.random.default_rng(2)
    patience = rng.exponential(300, 5000)
    offered = rng.exponential(200, 5000)  # the wait the queue would have imposed
    abandoned = patience < offered
    fitted = fit_patience(np.minimum(patience, offered), abandoned)
    assert fitted.exp_mean_ci[0] <= 300 <= fitted.exp_mean_ci[1]
    assert fitted.chosen == "exponential"
    # Averaging only the abandoned waits would have said about 120 s.
    assert np.minimum(patience, offered)[abandoned].mean() < 150


def test_a_clearly_better_lognormal_patience_replaces_the_exponential() -> None:
    rng = np.random.default_rng(3)
    sigma2 = np.log1p(2.0**2)
    patience = rng.lognormal(np.log(300) - sigma2 / 2, np.sqrt(sigma2), 5000)
    offered = rng.exponential(400, 5000)
    fitted = fit_patience(np.minimum(patience, offered), patience < offered)
    assert fitted.chosen == "lognormal"
    mean, cv = fitted.parameters["lognormal"]
    assert mean == pytest.approx(300, rel=0.2) and cv == pytest.approx(2.0, rel=0.2)


def test_kaplan_meier_without_censoring_is_the_empirical_survival() -> None:
    waits = np.array([5.0, 1.0, 3.0, 3.0, 8.0])
    times, survival = kaplan_meier(waits, np.ones(5, dtype=bool))
    np.testing.assert_allclose(times, [1, 3, 5, 8])
    np.testing.assert_allclose(survival, [0.8, 0.4, 0.2, 0.0])
    # Censored at 3 (answered): the two later events share the remaining mass.
    times, survival = kaplan_meier(
        np.array([1.0, 3.0, 5.0, 8.0]), np.array([True, False, True, True])
    )
    np.testing.assert_allclose(survival, [0.75, 0.375, 0.0])


def test_on_duty_is_time_weighted_and_heads_are_counted_apart() -> None:
    # ann works 00:00-00:07:30 and 00:40-01:00 (one session: gap 32.5 min < 1 h).
    found = sessions(
        np.array(["ann", "ann", "bob"]),
        DAY + np.array([0.0, 2400.0, 600.0]),
        DAY + np.array([450.0, 3600.0, 900.0]),
        3600.0,
        "UTC",
    )
    assert len(found.frame) == 2
    period = log_period(np.array([DAY, DAY + 3000.0]), "UTC")
    duty = on_duty(found, period, 900.0)
    np.testing.assert_allclose(duty.weighted[:4], [1 + 300 / 900, 1, 1, 1])
    np.testing.assert_allclose(duty.heads[:4], [2, 1, 1, 1])
    split = sessions(
        np.array(["ann", "ann"]),
        DAY + np.array([0.0, 2400.0]),
        DAY + np.array([450.0, 3600.0]),
        900.0,
        "UTC",
    )
    assert len(split.frame) == 2
    assert duty.curve()[0] == 1  # 1.33 rounds half up to 1; 1.5 would give 2


def _contacts(rows: list[tuple[float, float | None, float, str, str | None, str]]) -> pd.DataFrame:
    frame = pd.DataFrame(
        rows, columns=["arrived", "answered", "ended", "outcome", "agent", "stream"]
    )
    frame[["arrived", "answered", "ended"]] = frame[["arrived", "answered", "ended"]].astype(float)
    return frame


def test_wrap_up_counts_gaps_only_while_someone_waited() -> None:
    contacts = _contacts(
        [
            (0, 0, 100, "answered", "ann", "chat"),
            (50, 130, 200, "answered", "ann", "chat"),  # waiting at 100: gap 30 counts
            (500, 500, 600, "answered", "ann", "chat"),  # nobody waiting at 200: idle
            (590, 610, 700, "answered", "ann", "chat"),  # waiting at 600: gap 10 counts
        ]
    )
    gaps = wrap_up_gaps(contacts, 900.0)
    assert sorted(gaps["gap"]) == [10.0, 30.0]
    assert fit_wrap_up(np.array([0.0, 0.0, 0.2, 30.0])).chosen_s is None  # a mass at zero
    assert fit_wrap_up(np.array([28.0, 30.0, 31.0])).chosen_s == 30.0


def test_overlapping_agents_make_one_team() -> None:
    contacts = _contacts(
        [
            (0, 0, 10, "answered", "ann", "chat"),
            (0, 0, 10, "answered", "ann", "email"),
            (0, 0, 10, "answered", "bob", "email"),
            (0, 0, 10, "answered", "cy", "phone"),
            (0, None, 10, "abandoned", None, "fax"),
        ]
    )
    teams = {tuple(t.streams): t.agents for t in group_teams(contacts)}
    assert teams == {("chat", "email"): ["ann", "bob"], ("phone",): ["cy"], ("fax",): []}


def test_a_log_shorter_than_a_week_staffs_unseen_days_like_the_seen_ones() -> None:
    # One Monday, ann on duty 09:00-10:00: every weekday's 09:00 slots get her too.
    found = sessions(
        np.array(["ann"]), np.array([DAY + 9 * 3600.0]), np.array([DAY + 10 * 3600.0]), 900.0, "UTC"
    )
    duty = on_duty(found, log_period(np.array([DAY, DAY + 86000.0]), "UTC"), 3600.0)
    week = duty.by_slot_weighted.reshape(7, 24)
    np.testing.assert_allclose(week[:, 9], 1.0)
    assert week.sum() == pytest.approx(7.0)


def test_daily_noise_beyond_poisson_is_recovered() -> None:
    from simulator.history.arrivals import fit_arrivals

    rng = np.random.default_rng(4)
    days = 56
    factor = rng.gamma(1 / 0.2**2, 0.2**2, days)  # daily cv 0.2
    counts = rng.poisson(24 * 50 * factor)
    arrived = np.concatenate(
        [DAY + 86400 * d + rng.uniform(0, 86400, c) for d, c in enumerate(counts)]
    )
    fitted = fit_arrivals(arrived, log_period(arrived, "UTC"))
    # The estimate of a cv from 56 days has a standard error of about cv/sqrt(2·49).
    assert fitted.daily_cv == pytest.approx(0.2, abs=0.06)
    assert fitted.per_hour_ci[0] <= 50 <= fitted.per_hour_ci[1]
    steady = rng.poisson(24 * 50, days)
    calm = np.concatenate(
        [DAY + 86400 * d + rng.uniform(0, 86400, c) for d, c in enumerate(steady)]
    )
    assert fit_arrivals(calm, log_period(calm, "UTC")).daily_cv < 0.03
