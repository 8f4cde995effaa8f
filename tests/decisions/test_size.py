"""``staffsim size`` and ``simulator.size``: the answers queueing theory knows,
the search, rosters, the per-interval curve, size.json and bad input.

The theory checks use always-on single-queue scenarios with exponential times,
where the simulator is M/M/c (or M/M/c+M with patience): the formula's answer
must be the one computed here independently, and the simulated answer the same
plus or minus one agent (one more or fewer where simulation noise straddles the
target). Fixed seeds keep every run reproducible.
"""

from __future__ import annotations

import copy
import json
import math
from typing import Any

import numpy as np
import pytest

import simulator
from simulator.decisions.sizing.size import size
from simulator.decisions.sizing.size_search import mean_interval
from simulator.decisions.sizing.staffing_shapes import ScaledRoster, curve_roster
from simulator.scenario.shift_calendar import team_schedules
from tests.conftest import written
from tests.decisions.reference import factorial_erlang_c, plain_erlang_a

MM: dict[str, Any] = {
    "name": "mm",
    "horizon": "40h",
    "warmup": "4h",
    "replications": 5,
    "seed": 3,
    "streams": {
        "chat": {
            "per_hour": 100,
            "conversation": {"handle": {"dist": "exponential", "mean": "6min"}},
        }
    },
    "teams": {"support": {"agents": 10, "serves": ["chat"]}},
}
"""100 conversations an hour, 6-minute exponential replies: offered load 10 agents."""

LAM, MU = 100 / 3600, 1 / 360


def mm(**changes: Any) -> simulator.Scenario:
    config = copy.deepcopy(MM)
    conversation = config["streams"]["chat"]["conversation"]
    if "patience" in changes:
        conversation["patience"] = {"dist": "exponential", "mean": changes.pop("patience")}
    config.update(changes)
    return simulator.load_scenario(config)


def first_c(meets) -> int:
    return next(c for c in range(1, 100) if meets(c))


def assert_bracketed(result) -> None:
    """The answer met the target and one agent fewer (if allowed) was tried and missed."""
    tried = {c.agents: c for c in result.candidates}
    assert tried[result.total].met
    if result.total > 1:
        assert result.total - 1 in tried and not tried[result.total - 1].met


def test_erlang_c_answer_for_the_share_that_waits():
    expected = first_c(lambda c: factorial_erlang_c(c, LAM / MU) <= 0.2)
    assert expected == 14
    result = size(mm(), team="support", target="queue_wait_s.share_waited<=0.2", confidence=None)
    assert result.formula == "Erlang C"
    assert result.analytic_agents == expected
    assert abs(result.agents - expected) <= 1
    assert result.analytic_achieved == pytest.approx(
        factorial_erlang_c(expected, LAM / MU), rel=1e-9
    )
    assert_bracketed(result)


def test_erlang_a_answer_for_abandonment():
    theta = 1 / 180
    expected = first_c(lambda c: plain_erlang_a(LAM, MU, c, theta)[1] <= 0.05)
    assert expected == 13
    result = size(mm(patience="3min"), team="support", target="abandon_rate<=0.05", confidence=None)
    assert result.formula == "Erlang A"
    assert result.analytic_agents == expected
    assert abs(result.agents - expected) <= 1
    assert_bracketed(result)


def test_erlang_c_answer_for_first_response_within_target():
    """FRT is the wait plus typing the first reply: P(W + S <= t), a hypoexponential."""
    t = 900.0

    def within(c: int) -> float:
        waits, r = factorial_erlang_c(c, LAM / MU), c * MU - LAM
        if r <= 0:
            return 0.0
        hypo = 1 - (MU * math.exp(-r * t) - r * math.exp(-MU * t)) / (MU - r)
        return (1 - waits) * (1 - math.exp(-MU * t)) + waits * hypo

    expected = first_c(lambda c: within(c) >= 0.8)
    result = size(
        mm(targets={"frt": "15min"}),
        team="support",
        target="frt.within_target>=0.8",
        confidence=None,
    )
    assert result.analytic_agents == expected
    assert abs(result.agents - expected) <= 1
    assert_bracketed(result)


def test_confidence_asks_the_interval_bound_to_meet_the_target():
    scenario = mm(horizon="20h", warmup="2h")
    mean_only = size(
        scenario, team="support", target="queue_wait.share_waited<=0.2", confidence=None
    )
    confident = size(
        scenario, team="support", target="queue_wait.share_waited<=0.2", confidence=0.95
    )
    assert confident.agents >= mean_only.agents
    chosen = next(c for c in confident.candidates if c.agents == confident.total)
    assert chosen.interval is not None and chosen.bound == chosen.interval[1] <= 0.2
    # The same seed for every candidate: a head count tried by both searches saw the
    # same customers and gives the same mean.
    means = {c.agents: c.value for c in mean_only.candidates}
    for candidate in confident.candidates:
        if candidate.agents in means:
            assert candidate.value == means[candidate.agents]


def test_mean_interval_is_the_student_t_interval():
    mean, (low, high) = mean_interval([1.0, 2.0, 3.0, None], 0.95)
    assert mean == 2.0
    assert high - mean == mean - low == pytest.approx(4.302652729911275 * 1.0 / math.sqrt(3))
    assert mean_interval([1.0, 2.0], None) == (1.5, None)
    assert mean_interval([None], 0.95) == (None, None)


# --------------------------------------------------------------------------- rosters


ROSTER: dict[str, Any] = {
    "name": "roster",
    "horizon": "24h",
    "warmup": "1h",
    "replications": 3,
    "seed": 5,
    "streams": {
        "chat": {
            "per_hour": 30,
            "conversation": {
                "handle": {"dist": "exponential", "mean": "6min"},
                "patience": {"dist": "exponential", "mean": "4min"},
            },
        }
    },
    "teams": {
        "support": {
            "serves": ["chat"],
            "roster": [
                {"label": "early", "start": "00:00", "end": "12:00", "agents": 2},
                {"label": "late", "start": "12:00", "end": "24:00", "agents": 1},
            ],
        }
    },
}


def test_dhondt_keeps_the_roster_shape_and_nests():
    from simulator.decisions.sizing.size_intervals import Intervals

    config = copy.deepcopy(ROSTER)
    base = [3, 3, 3, 2, 1, 1]
    labels = ["emea", "emea-late", "amer", "amer-late", "apac", "weekend"]
    config["teams"]["support"]["roster"] = [
        {"label": label, "start": f"{2 * i:02d}:00", "end": f"{2 * i + 8:02d}:00", "agents": n}
        for i, (label, n) in enumerate(zip(labels, base, strict=True))
    ]
    scenario = simulator.load_scenario(config)
    shape = ScaledRoster(scenario.teams["support"], scenario, Intervals.build(scenario, 3600.0))
    assert shape.counts(sum(base)) == base
    assert shape.counts(len(base)) == [1] * len(base)
    assert shape.counts(2 * sum(base)) == [2 * n for n in base]
    previous = shape.counts(len(base))
    for total in range(len(base) + 1, 60):
        counts = shape.counts(total)
        assert sum(counts) == total
        assert all(now >= before for now, before in zip(counts, previous, strict=True))
        previous = counts
    assert list(shape.allocation(24)) == labels


def test_a_roster_is_sized_per_entry():
    scenario = simulator.load_scenario(copy.deepcopy(ROSTER))
    result = size(scenario, team="support", target="abandon_rate<=0.08", confidence=None)
    assert set(result.agents) == {"early", "late"}
    assert sum(result.agents.values()) == result.total
    assert min(result.agents.values()) >= 1
    assert isinstance(result.analytic_agents, int)
    assert [e.agents for e in result.sized.teams["support"].roster] == list(result.agents.values())
    assert_bracketed(result)
    assert result.to_json()["analytic_roster"] == result.analytic_allocation


# --------------------------------------------------------------------------- per interval


@pytest.mark.parametrize("slot_minutes", [60, 30, 240])
def test_a_curve_becomes_a_roster_with_that_many_on_shift(slot_minutes):
    rng = np.random.default_rng(slot_minutes)
    slots = 7 * 24 * 60 // slot_minutes
    curve = rng.integers(0, 4, slots)
    curve[: slots // 3] = np.maximum(curve[: slots // 3], 1)  # a run longer than 48h
    curve[-2:] = 5  # Sunday night into Monday
    curve[:2] = 5
    shifts = curve_roster(curve, slot_minutes * 60.0, "UTC")
    team = simulator.scenario.schema.Team(serves=["chat"], roster=shifts)
    start = simulator.scenario.schema.DEFAULT_START  # a Monday 00:00 UTC
    schedules = team_schedules("t", team, start, 14 * 86400.0)
    middles = (np.arange(slots) + 0.5) * slot_minutes * 60.0 + 7 * 86400.0  # second week
    on_shift = np.zeros(slots)
    for schedule in schedules:
        for begin, end in schedule.shifts:
            on_shift += (middles >= begin) & (middles < end)
    assert on_shift.tolist() == curve.tolist()
    assert all(shift.label for shift in shifts)
    assert all(shift.end - shift.start <= max(8 * 60, slot_minutes) for shift in shifts)
    assert curve_roster(np.full(slots, 2), slot_minutes * 60.0, "UTC")[0].agents == 2


PROFILED: dict[str, Any] = {
    "name": "profiled",
    "horizon": "2d",
    "warmup": "1h",
    "replications": 3,
    "seed": 7,
    "targets": {"frt": "5min"},
    "streams": {
        "chat": {
            "per_hour": 40,
            "profile": {
                "hourly": [
                    0.3,
                    0.2,
                    0.2,
                    0.2,
                    0.3,
                    0.5,
                    0.8,
                    1.0,
                    1.3,
                    1.5,
                    1.6,
                    1.6,
                    1.5,
                    1.5,
                    1.6,
                    1.7,
                    1.8,
                    1.6,
                    1.3,
                    1.0,
                    0.8,
                    0.6,
                    0.5,
                    0.4,
                ]
            },
            "conversation": {
                "handle": {"dist": "exponential", "mean": "4min"},
                "patience": {"dist": "exponential", "mean": "5min"},
            },
        }
    },
    "teams": {"support": {"agents": 8, "serves": ["chat"]}},
}


def test_per_interval_sizes_a_curve_that_meets_the_target_in_every_interval():
    scenario = simulator.load_scenario(copy.deepcopy(PROFILED))
    result = size(
        scenario,
        team="support",
        target="frt.within_target>=0.7",
        per_interval="4h",
        confidence=None,
    )
    per = result.per_interval
    assert per is not None and per.slot_s == 4 * 3600
    assert per.agents.shape == (42,)
    observed = np.isfinite(per.analytic)
    assert observed[:12].all() and not observed[12:].any()  # Monday and Tuesday only
    assert result.agents == int(per.agents.max())
    assert per.met_everywhere
    judged = per.judged & np.isfinite(per.achieved)
    assert all(value >= 0.7 - 0.05 for value in per.achieved[judged])
    document = result.to_json()["per_interval"]
    assert len(document["agents"]) == 7 and len(document["agents"][0]) == 6
    assert [len(grid) for _, grid in result.heatmaps] == [7, 7]
    assert all(grid.shape == (7, 24) for _, grid in result.heatmaps)


# --------------------------------------------------------------------------- command line


def test_size_command_writes_size_json_and_the_heatmap(write_scenario, invoke, workdir):
    config = copy.deepcopy(MM)
    config.update(horizon="12h", warmup="1h", replications=3)
    config["streams"]["chat"]["per_hour"] = 40
    config["streams"]["chat"]["conversation"]["patience"] = {"dist": "exponential", "mean": "3min"}
    path = write_scenario(config, name="mm.yaml")
    result = invoke(
        "size",
        path,
        "--team",
        "support",
        "--target",
        "abandon_rate<=0.1",
        "--confidence",
        "none",
        "--out",
        "out",
    )
    assert result.exit_code == 0, result.output + str(result.exception)
    assert "Erlang A" in result.output and "simulated" in result.output
    document = json.loads((workdir / "out" / "size.json").read_text())
    assert {"team", "target", "agents", "analytic_agents", "achieved"} <= set(document)
    assert document["team"] == "support"
    assert document["target"] == "abandon_rate<=0.1"
    assert isinstance(document["agents"], int) and isinstance(document["analytic_agents"], int)
    assert 0 <= document["achieved"] <= 0.1
    assert document["search"] and document["seed"] == 3
    png = (workdir / "out" / "figures" / "size_heatmap.png").read_bytes()
    assert png.startswith(b"\x89PNG") and len(png) > 20_000
    sized = simulator.load_scenario(workdir / "out" / "scenario.yaml")
    assert sized.teams["support"].agents == document["agents"]
    assert (workdir / "out" / "summary.json").exists()


@pytest.mark.parametrize(
    ("arguments", "in_stderr"),
    [
        (["--team", "support", "--target", "frt.p90<=banana"], "'banana' is not a duration"),
        (["--team", "support", "--target", "frt.p99x<=2min"], "is not a statistic"),
        (["--team", "nobody", "--target", "frt.p90<=2min"], "no team 'nobody'"),
        (
            ["--team", "support", "--target", "frt.p90<=2min", "--per-interval", "7min"],
            "--per-interval",
        ),
        (
            ["--team", "support", "--target", "frt.p90<=2min", "--per-interval", "soon"],
            "--per-interval",
        ),
        (["--team", "support", "--target", "frt.p90<=2min", "--confidence", "2"], "--confidence"),
        (["--team", "support", "--target", "frt.p90<=2min", "-r", "1"], "--replications"),
        (["--team", "support", "--target", "frt.p90<=1min"], "no number of agents can meet"),
        (["--team", "support", "--target", "frt.within_target>=0.8"], "frt target"),
        (
            ["--team", "support", "--target", "frt.p90<=5min", "--set", "teams.support.agents=x"],
            "teams.support.agents",
        ),
    ],
)
def test_bad_input_exits_2_and_writes_nothing(
    write_scenario, invoke, workdir, arguments, in_stderr
):
    path = write_scenario(copy.deepcopy(MM), name="mm.yaml")
    result = invoke("size", path, *arguments, "--out", "out")
    assert result.exit_code == 2, result.output
    assert in_stderr in result.stderr
    assert "fix:" in result.stderr or "--set" in arguments
    assert "Traceback" not in result.stderr
    assert written(workdir) == []


def test_python_api_mirrors_the_command():
    assert simulator.size is size
    result = simulator.size(
        mm(horizon="8h", warmup="1h", replications=2),
        team="support",
        target="queue_wait.mean<=5min",
        confidence=None,
    )
    frame = result.search
    assert list(frame.columns) == ["agents", "value", "low", "high", "bound", "met", "analytic"]
    assert len(frame) == len(result.candidates)
    assert result.summary["replications"] == 2
