"""The issue's proof on one log the simulator writes with known truth: a desk team
with 30 s of wrap-up serving two classes (``priority`` served first, ``verified``
held two minutes before routing) and a voice team of its own. Exported without
wrap-up, fitted, then backtested against itself.

The fit replays the log's arrivals (``arrivals="trace"``): the Erlang A baseline
is given each hour's observed arrivals, so the simulation is given them too and
the MAE comparison is between equal inputs (with a fitted rate the simulation
also carries the arrival noise the baseline is spared).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from scipy.special import stdtrit

from simulator import load_scenario
from simulator.history.backtest import METRICS
from simulator.scenario.shift_calendar import shift_intervals

pytestmark = pytest.mark.slow

HANDLE = {"dist": "exponential", "mean": "4min"}
PATIENCE = {"dist": "exponential", "mean": "5min"}
WRAP_S = 30.0
REPLICATIONS = 20
TRUTH: dict[str, Any] = {
    "name": "round-trip",
    "start": "2026-03-02T00:00:00Z",
    "horizon": "4d",
    "replications": 1,
    "seed": 11,
    "streams": {
        "priority": {
            "per_hour": 12,
            "conversation": {
                "handle": HANDLE,
                "patience": PATIENCE,
                "wrap_up": {"dist": "fixed", "value": "30s"},
            },
        },
        "verified": {
            "per_hour": 8,
            "bot": {"time": {"dist": "fixed", "value": "2min"}},
            "conversation": {
                "handle": HANDLE,
                "patience": PATIENCE,
                "wrap_up": {"dist": "fixed", "value": "30s"},
            },
        },
        "phone": {
            "per_hour": 10,
            "conversation": {
                "handle": {"dist": "exponential", "mean": "3min"},
                "patience": PATIENCE,
            },
        },
    },
    "teams": {
        "desk": {
            "serves": ["priority", "verified"],
            "roster": [
                {"days": "daily", "start": "06:00", "end": "14:00", "agents": 4},
                {"days": "daily", "start": "12:00", "end": "20:00", "agents": 3},
                {"days": "daily", "start": "20:00", "end": "30:00", "agents": 2},
            ],
        },
        "voice": {
            "serves": ["phone"],
            "roster": [
                {"days": "daily", "start": "07:00", "end": "19:00", "agents": 3},
                {"days": "daily", "start": "19:00", "end": "31:00", "agents": 1},
            ],
        },
    },
}


@pytest.fixture(scope="module")
def trip(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    from simulator import run
    from simulator.history.backtest import backtest
    from simulator.history.export import export_log
    from simulator.history.fit import fit
    from simulator.history.fit_report import write_fit
    from simulator.results_writer import write_results

    folder = tmp_path_factory.mktemp("trip")
    write_results(run(load_scenario(TRUTH)), folder / "results")
    export_log(folder / "results", folder / "log.csv")
    fitted = fit(folder / "log.csv", session_gap="1h", arrivals="trace")
    write_fit(fitted, folder / "fitted.yaml")  # the scenario, its CSVs and fit.png
    tested = backtest(folder / "fitted.yaml", fitted.log, replications=REPLICATIONS, seed=3)
    return {"fit": fitted, "backtest": tested}


def test_the_log_has_no_wrap_up_column_and_the_fit_recovers_it(trip: dict[str, Any]) -> None:
    fitted = trip["fit"]
    assert "wrap" not in " ".join(fitted.log.contacts.columns)
    wrap = fitted.wrap_up["priority"]
    inside = wrap.median_ci is not None and wrap.median_ci[0] <= WRAP_S <= wrap.median_ci[1]
    assert inside or abs(wrap.chosen_s - WRAP_S) <= 0.2 * WRAP_S
    # The voice team has no wrap-up: none is fitted (a gap of zero is no wrap-up).
    assert "wrap_up" not in fitted.scenario["streams"]["phone"]["conversation"]


def test_the_teams_are_grouped_as_built(trip: dict[str, Any]) -> None:
    teams = sorted((t.streams, len(t.agents)) for t in trip["fit"].teams)
    assert teams == [(["phone"], 4), (["priority", "verified"], 9)]


def test_staffing_per_interval_is_within_half_an_agent_of_the_roster(
    trip: dict[str, Any],
) -> None:
    truth = load_scenario(TRUTH)
    fitted = trip["fit"]
    for team, streams in (("desk", "priority+verified"), ("voice", "phone")):
        duty = fitted.on_duty[streams]
        middle = (duty.edges[:-1] + duty.edges[1:]) / 2 - truth.start.timestamp()
        on_shift = np.zeros(middle.size)
        for entry in truth.teams[team].roster:
            for begin, end in shift_intervals(entry, truth.start, truth.horizon):
                on_shift += entry.agents * ((middle >= begin) & (middle < end))
        assert np.mean(np.abs(duty.weighted - on_shift)) < 0.5, team


def test_the_held_class_gets_its_delay_and_the_first_class_none(trip: dict[str, Any]) -> None:
    delays = trip["fit"].delays
    assert delays["verified"].delay is not None
    assert delays["verified"].delay.median_s == pytest.approx(120.0, rel=0.2)
    assert delays["priority"].delay is None and delays["phone"].delay is None
    # Patience starts at the queue, after the delay: fitted on the waits less it.
    low, high = trip["fit"].patience["verified"].exp_mean_ci
    assert low <= 300 <= high
    assert trip["fit"].scenario["teams"]["priority+verified"]["serves"] == [
        "priority",
        "verified",
    ]


def test_the_backtest_shows_no_bias_per_class(trip: dict[str, Any]) -> None:
    # The observed log is one more replication of (nearly) the fitted model: per
    # class over the whole log it lies inside the 99% prediction interval of the
    # simulated logs (their spread recovered from the 95% interval of their mean).
    rows = trip["backtest"].tables["by_class"].set_index("class")
    t975, t995 = stdtrit(REPLICATIONS - 1, 0.975), stdtrit(REPLICATIONS - 1, 0.995)
    for stream in ("priority", "verified", "phone"):
        row = rows.loc[stream]
        for metric in METRICS:
            low, high = row[f"simulated_{metric}_ci95"]
            spread = (high - low) / 2 * np.sqrt(REPLICATIONS) / t975
            limit = t995 * spread * np.sqrt(1 + 1 / REPLICATIONS)
            assert abs(row[f"simulated_{metric}"] - row[metric]) <= limit, (stream, metric)


def test_the_simulation_errs_no_more_than_the_baseline_hour_by_hour(trip: dict[str, Any]) -> None:
    result = trip["backtest"]
    for metric in METRICS:
        assert result.mae[metric] <= result.baseline_mae[metric], metric
