"""fit's staffing (``--by weekday|date``) and arrivals (``--arrivals trace``): the
fitted scenario states agents on duty per interval, with the time-weighted
rounding on_duty documents, and can replay the log's own arrivals."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import Result

import simulator
from simulator import load_scenario
from simulator.errors import ScenarioError
from simulator.history.contact_log import read_contact_log
from simulator.history.fit import fit
from simulator.history.fit_report import write_fit


def test_by_weekday_writes_the_rounded_mean_per_slot_as_staffing(week_log: Path) -> None:
    result = fit(week_log, session_gap="1h")
    staffing = result.scenario["teams"]["chat"]["staffing"]
    assert staffing["by"] == "weekday" and staffing["interval"] == "15min"
    curve = np.floor(result.on_duty["chat"].by_slot_weighted + 0.5).astype(int)
    assert np.array_equal(np.array(staffing["agents"]).ravel(), curve)
    assert "roster" not in result.scenario["teams"]["chat"] and not result.files


def test_by_date_writes_each_interval_beside_the_scenario(week_log: Path, tmp_path: Path) -> None:
    result = fit(week_log, session_gap="1h", by="date", interval="30min")
    out = tmp_path / "fitted.yaml"
    write_fit(result, out)
    staffing = result.scenario["teams"]["chat"]["staffing"]
    assert staffing == {"interval": "30min", "by": "date", "file": "fitted-log-chat-staffing.csv"}
    table = pd.read_csv(tmp_path / staffing["file"])
    duty = result.on_duty["chat"]
    assert np.array_equal(table["agents"], np.floor(duty.weighted + 0.5).astype(int))
    scenario = load_scenario(out)  # the CSV is found beside the scenario
    rows = scenario.teams["chat"].staffing.dated()
    assert rows[0][0].timestamp() == duty.edges[0] and len(rows) == duty.weighted.size


def test_arrivals_trace_replays_the_log(week_log: Path, tmp_path: Path) -> None:
    result = fit(week_log, session_gap="1h", arrivals="trace")
    out = tmp_path / "fitted.yaml"
    write_fit(result, out)
    scenario = load_scenario(out)
    assert scenario.streams["chat"].per_hour is None
    conversations = simulator.run(scenario, replications=1, seed=1).conversations
    logged = read_contact_log(week_log).contacts["arrived"].to_numpy()
    simulated = np.sort(conversations["arrived_at"].to_numpy()) + scenario.start.timestamp()
    inside = np.sort(logged[logged < scenario.start.timestamp() + scenario.horizon])
    assert simulated.size == inside.size
    assert np.abs(simulated - inside).max() < 1e-5


def test_the_fit_command_takes_by_date_and_arrivals_trace(
    invoke: Callable[..., Result], week_log: Path, tmp_path: Path
) -> None:
    out = tmp_path / "fitted.yaml"
    done = invoke("fit", week_log, "--out", out, "--by", "date", "--arrivals", "trace")
    assert done.exit_code == 0, done.stderr
    assert sorted(p.name for p in tmp_path.glob("*.csv")) == [
        "fitted-log-arrivals.csv",
        "fitted-log-chat-staffing.csv",
    ]
    load_scenario(out)


def test_an_interval_that_does_not_divide_a_day_is_refused(week_log: Path) -> None:
    with pytest.raises(ScenarioError, match="does not divide a day"):
        fit(week_log, interval="7h")
    with pytest.raises(ScenarioError, match="not one of weekday, date"):
        fit(week_log, by="month")
