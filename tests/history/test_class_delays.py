"""A class held before it can reach an agent is found, and given a delay; a class
served in priority order is not (issue: classes as they behaved)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from simulator.history.class_delays import IdleClock

HANDLE = {"dist": "exponential", "mean": "4min"}
TWO_CLASSES: dict[str, Any] = {
    "name": "two-classes",
    "start": "2026-03-02T00:00:00Z",
    "horizon": "4d",
    "replications": 1,
    "seed": 3,
    "streams": {
        "walk_in": {"per_hour": 15, "conversation": {"handle": HANDLE}},
        "identified": {
            "per_hour": 10,
            # identification before routing: every contact waits two minutes
            "bot": {"time": {"dist": "fixed", "value": "2min"}},
            "conversation": {"handle": HANDLE},
        },
    },
    "teams": {"support": {"agents": 4, "serves": ["walk_in", "identified"]}},
}


def test_the_idle_clock_integrates_free_agents() -> None:
    sessions = pd.DataFrame({"start": [0.0, 0.0], "end": [100.0, 100.0]})
    answered = pd.DataFrame({"answered": [0.0, 10.0], "ended": [50.0, 100.0]})
    clock = IdleClock(sessions, answered)
    # one agent free from 0 to 10 (the second has not answered yet), none until 50,
    # then the first is free to 100
    assert clock.idle_seconds(np.array([0.0, 20.0]), np.array([100.0, 60.0])).tolist() == [
        60.0,
        10.0,
    ]
    assert clock.idle_at(np.array([5.0, 30.0, 70.0, 150.0])).tolist() == [True, False, True, False]


@pytest.fixture(scope="module")
def fitted(tmp_path_factory: pytest.TempPathFactory):
    from simulator import load_scenario, run
    from simulator.history.export import export_log
    from simulator.history.fit import fit
    from simulator.results_writer import write_results

    folder = tmp_path_factory.mktemp("classes") / "results"
    write_results(run(load_scenario(TWO_CLASSES)), folder)
    log = Path(folder.parent / "log.csv")
    export_log(folder, log)
    return fit(log, session_gap="1h")


def test_a_class_held_while_agents_sit_idle_gets_its_delay(fitted) -> None:
    held = fitted.delays["identified"]
    assert held.idle_share >= 0.5
    assert held.delay is not None
    assert held.delay.median_s == pytest.approx(120.0, rel=0.2)
    bot = fitted.scenario["streams"]["identified"]["bot"]
    assert "time" in bot and "deflection" not in bot


def test_held_contacts_do_not_pass_for_work_an_agent_could_take(fitted) -> None:
    # Agents sat idle while identified customers were held: read as wrap-up, that
    # idleness would add minutes of unavailability the scenario does not have.
    for spec in fitted.scenario["streams"].values():
        assert "wrap_up" not in spec["conversation"]


def test_a_class_served_in_order_gets_none(fitted) -> None:
    served = fitted.delays["walk_in"]
    assert served.delay is None
    assert "bot" not in fitted.scenario["streams"]["walk_in"]


def test_the_backtest_reports_each_class_and_the_fitted_delay_reproduces_it(fitted) -> None:
    from simulator import load_scenario
    from simulator.history.backtest import backtest

    result = backtest(load_scenario(fitted.scenario), fitted.log, replications=3, seed=1)
    rows = result.tables["by_class"].set_index("class")
    assert set(rows.index) == {"identified", "walk_in"}
    held, free = rows.loc["identified"], rows.loc["walk_in"]
    assert held["share_waited"] == pytest.approx(1.0, abs=0.02)  # observed
    assert held["simulated_share_waited"] >= 0.95  # the fitted delay holds them too
    assert free["simulated_share_waited"] < 0.5
    # The baseline is given the fitted delay as well: it holds every contact too.
    assert held["erlang_a_share_waited"] == pytest.approx(1.0)
    assert free["erlang_a_share_waited"] < 0.5
