"""fit: a scenario recovered from a log the simulator wrote, and the log's quirks named.

The round trip runs :data:`WEEK_SCENARIO` (one week, known numbers), exports
replication 0 and fits it: each fitted number must hold the true one inside its
own 95% interval. The fixed seed makes each check deterministic; the intervals
are what make the tolerance honest.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import yaml
from click.testing import Result

from simulator import load_scenario
from simulator.history.contact_log import read_contact_log
from simulator.history.fit import fit
from simulator.scenario.shift_calendar import shift_intervals
from tests.history.conftest import WEEK_SCENARIO


@pytest.fixture(scope="module")
def week_fit(week_log: Path):  # type: ignore[no-untyped-def]
    # Night agents idle for more than 15 minutes between contacts: an hour's gap
    # keeps one shift one session (see test_on_duty_follows_the_roster).
    return fit(week_log, session_gap="1h")


def test_rates_and_durations_fall_inside_their_intervals(week_fit) -> None:  # type: ignore[no-untyped-def]
    arrivals = week_fit.arrivals["chat"]
    low, high = arrivals.per_hour_ci
    assert low <= 20 <= high  # the profile has mean 1, so the weekly mean rate is per_hour
    handle = week_fit.handle["chat"]
    assert handle.mean_ci[0] <= 240 <= handle.mean_ci[1]
    assert handle.chosen in ("exponential", "gamma")  # gamma with cv 1 is the exponential
    patience = week_fit.patience["chat"]
    assert patience.exp_mean_ci[0] <= 300 <= patience.exp_mean_ci[1]
    assert patience.chosen == "exponential"
    wrap = week_fit.wrap_up["chat"]
    assert wrap.n > 100
    assert wrap.median_ci[0] <= 30 <= wrap.median_ci[1]
    assert abs(wrap.chosen_s - 30) <= 6  # within 20%


def test_the_fitted_profile_follows_the_true_one(week_fit) -> None:  # type: ignore[no-untyped-def]
    stream = load_scenario(WEEK_SCENARIO).streams["chat"]
    true = np.asarray(stream.profile.week_grid())
    true = true / true.mean()
    fitted = np.asarray(week_fit.arrivals["chat"].grid)
    counts = np.asarray(week_fit.arrivals["chat"].slot_counts).reshape(7, 24)
    # Each slot is one Poisson count: its sd relative to the expectation is 1/sqrt(expected).
    expected = true * 20
    z = (fitted * week_fit.arrivals["chat"].per_hour - expected) / np.sqrt(np.maximum(expected, 1))
    assert counts.sum() == week_fit.arrivals["chat"].n
    assert np.mean(np.abs(z) < 1.96) > 0.9


def test_on_duty_follows_the_roster(week_fit) -> None:  # type: ignore[no-untyped-def]
    scenario = load_scenario(WEEK_SCENARIO)
    duty = week_fit.on_duty["chat"]
    middle = (duty.edges[:-1] + duty.edges[1:]) / 2 - scenario.start.timestamp()
    on_shift = np.zeros(middle.size)
    for entry in scenario.teams["support"].roster:
        for begin, end in shift_intervals(entry, scenario.start, scenario.horizon):
            on_shift += entry.agents * ((middle >= begin) & (middle < end))
    # On duty is a lower bound (idle minutes before a session's first contact and
    # after its last are invisible): a small negative bias, no positive one.
    difference = duty.weighted - on_shift
    assert -0.2 < difference.mean() <= 0.0
    assert np.mean(duty.curve()[duty.slot] == on_shift) > 0.85
    assert (duty.heads >= duty.weighted - 1e-9).all()


def test_the_fitted_scenario_is_valid_and_serves_its_stream(week_fit) -> None:  # type: ignore[no-untyped-def]
    scenario = load_scenario(week_fit.scenario)
    assert scenario.horizon == 7 * 86400
    assert scenario.start.isoformat() == "2026-03-02T00:00:00+00:00"
    conversation = scenario.streams["chat"].conversation
    assert conversation.wrap_up.mean_s == pytest.approx(30, abs=6)
    assert scenario.teams["chat"].serves == ["chat"]


def _two_team_log(tmp_path: Path) -> Path:
    from simulator import run
    from simulator.history.export import export_log
    from simulator.results_writer import write_results

    spec = {
        "name": "two-teams",
        "start": "2026-03-02T00:00:00Z",
        "horizon": "1d",
        "replications": 1,
        "seed": 3,
        "streams": {
            name: {
                "per_hour": rate,
                "conversation": {"handle": {"dist": "exponential", "mean": "3min"}},
            }
            for name, rate in (("chat", 20), ("email", 10), ("phone", 15))
        },
        "teams": {
            "front": {"agents": 3, "serves": ["chat", "email"]},
            "voice": {"agents": 2, "serves": ["phone"]},
        },
    }
    write_results(run(load_scenario(spec)), tmp_path / "run")
    export_log(tmp_path / "run", tmp_path / "log.csv")
    return tmp_path / "log.csv"


def test_streams_are_grouped_into_the_teams_that_served_them(tmp_path: Path) -> None:
    result = fit(_two_team_log(tmp_path))
    assert sorted(t.streams for t in result.teams) == [["chat", "email"], ["phone"]]
    assert {len(t.agents) for t in result.teams} == {3, 2}
    merged = fit(read_contact_log(tmp_path / "log.csv"), one_team=True)
    assert [t.streams for t in merged.teams] == [["chat", "email", "phone"]]


EDGE_LOG = """arrived_at,answered_at,ended_at,outcome,agent,stream
2026-03-02T09:00:00Z,2026-03-02T09:00:00Z,2026-03-02T09:05:00Z,answered,ann,chat
2026-03-02T09:10:00Z,2026-03-02T09:10:00Z,2026-03-02T09:20:00Z,answered,ann,chat
2026-03-02T14:00:00Z,2026-03-02T14:00:10Z,2026-03-02T14:04:00Z,answered,bob,chat
2026-03-02T23:50:00Z,2026-03-02T23:50:00Z,2026-03-03T00:10:00Z,answered,cid,chat
2026-03-03T00:12:00Z,2026-03-03T00:12:00Z,2026-03-03T00:20:00Z,answered,cid,chat
2026-03-02T10:00:00Z,,2026-03-02T10:03:00Z,abandoned,,billing
2026-03-02T11:00:00Z,,2026-03-02T11:09:00Z,abandoned,,billing
"""


def test_edge_cases_are_named_in_the_report(tmp_path: Path) -> None:
    from simulator.history.fit_report import fit_json, fit_table

    path = tmp_path / "edge.csv"
    path.write_text(EDGE_LOG, encoding="utf-8")
    result = fit(path)
    document = fit_json(result)
    sessions = document["teams"]["chat"]["sessions"]
    assert [s["agent"] for s in sessions["single_contact"]["first"]] == ["bob"]
    assert [s["agent"] for s in sessions["across_midnight"]["first"]] == ["cid"]
    assert document["teams"]["billing"]["agents"] == []
    # Nothing is dropped: the lone contact, the night session and the unanswered
    # stream all count in their class's figures.
    assert result.classes["contacts"].to_dict() == {"billing": 2, "chat": 5}
    assert result.classes.loc["billing", "abandoned"] == 2
    assert result.patience["billing"].events == 2
    assert load_scenario(result.scenario).teams["billing"].agents == 0
    table = fit_table(result)
    assert "1 of one contact, 1 across midnight" in table
    assert "nobody answered its streams" in table
    assert "stream 'billing': nobody answered it" in table


def test_priorities_become_queues_served_in_order(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    rows = ["arrived_at,answered_at,ended_at,outcome,agent,stream,priority"]
    for minute in range(0, 50, 5):
        for priority in (1, 3):
            stamp = f"2026-03-02T09:{minute:02d}:00Z"
            end = f"2026-03-02T09:{minute + 2:02d}:00Z"
            rows.append(f"{stamp},{stamp},{end},answered,ann,chat,{priority}")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = fit(path)
    assert list(result.scenario["streams"]) == ["chat-p3", "chat-p1"]
    (team,) = result.scenario["teams"].values()
    assert team["serves"] == ["chat-p3", "chat-p1"]


def test_fit_command_writes_the_scenario_and_its_report(
    invoke: Callable[..., Result], week_log: Path, tmp_path: Path
) -> None:
    out = tmp_path / "fitted.yaml"
    done = invoke("fit", week_log, "--out", out, "--session-gap", "1h", "--wrap-up", "none")
    assert done.exit_code == 0, done.stderr
    assert "patience" in done.stdout and "team chat" in done.stdout
    scenario = load_scenario(out)
    assert scenario.streams["chat"].conversation.wrap_up is None
    report = json.loads((tmp_path / "fitted-fit" / "fit.json").read_text())
    assert report["streams"]["chat"]["handle"]["n"] > 0
    assert (tmp_path / "fitted-fit" / "fit.png").stat().st_size > 0
    assert yaml.safe_load(out.read_text())["name"] == "fitted-log"


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("arrived_at,outcome\n", "no contacts"),
        ("", "the file is empty"),
        ("arrived_at,agent\n2026-03-02T09:00:00Z,ann\n", "row 1 (the header), column 'outcome'"),
        (
            "arrived_at,answered_at,ended_at,outcome,agent\n"
            "2026-03-02T09:00:00Z,soon,2026-03-02T09:05:00Z,answered,ann\n",
            "row 2, column 'answered_at'",
        ),
        (
            "arrived_at,answered_at,ended_at,outcome,agent\n"
            "2026-03-02T09:00:00Z,2026-03-02T08:00:00Z,2026-03-02T09:05:00Z,answered,ann\n",
            "row 2, column 'answered_at'",
        ),
    ],
    ids=["header-only", "empty", "missing-column", "unparseable-time", "answered-before-arrived"],
)
def test_bad_logs_exit_2_naming_row_and_column(
    invoke: Callable[..., Result], tmp_path: Path, text: str, named: str
) -> None:
    log = tmp_path / "log.csv"
    log.write_text(text, encoding="utf-8")
    done = invoke("fit", log, "--out", tmp_path / "fitted.yaml")
    assert done.exit_code == 2
    assert named in done.stderr and "Traceback" not in done.stderr
    assert str(log) in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["log.csv"]


def test_a_log_read_on_another_clock_counts_only_the_hours_it_covers(week_log: Path) -> None:
    # The log runs Monday to Monday UTC: on New York's clock it starts Sunday 19:00
    # and ends Sunday 20:00 (a clock change in between), so its first and last
    # local days are partial. Counting their empty hours would bias the rate ~10% low.
    result = fit(week_log, region="America/New_York")
    low, high = result.arrivals["chat"].per_hour_ci
    assert low <= 20 <= high
    assert result.period.start.isoformat() == "2026-03-01T00:00:00-05:00"
    assert result.scenario["horizon"] == "187h"


def test_skipped_bad_rows_and_nameless_answers_are_reported(
    invoke: Callable[..., Result], tmp_path: Path
) -> None:
    log = tmp_path / "log.csv"
    log.write_text(
        EDGE_LOG + "sometime,,,deflected,,chat\n"
        "2026-03-02T12:00:00Z,2026-03-02T12:00:00Z,2026-03-02T12:03:00Z,answered,,chat\n",
        encoding="utf-8",
    )
    done = invoke("fit", log, "--out", tmp_path / "f.yaml")
    assert done.exit_code == 2 and "row 9, column 'arrived_at'" in done.stderr
    done = invoke("fit", log, "--out", tmp_path / "f.yaml", "--skip-bad-rows")
    assert done.exit_code == 0, done.stderr
    assert "left out: 1 row with an unreadable or empty arrived_at" in done.stdout
    assert "1 answered contacts name no agent" in done.stdout
    report = json.loads((tmp_path / "f-fit" / "fit.json").read_text())
    assert report["log"]["bad_rows"]["with an unreadable or empty arrived_at"]["first_rows"] == [9]


def test_a_bad_wrap_up_is_exit_2_before_anything_is_written(
    invoke: Callable[..., Result], week_log: Path, tmp_path: Path
) -> None:
    done = invoke("fit", week_log, "--out", tmp_path / "f.yaml", "--wrap-up", "30")
    assert done.exit_code == 2 and "--wrap-up" in done.stderr
    assert list(tmp_path.iterdir()) == []
