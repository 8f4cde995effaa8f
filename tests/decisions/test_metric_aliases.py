"""One name per statistic: every command reads a name through the same registry, so
``frt.p90`` and ``frt_s.p90`` (with or without ``overall.``) mean the same statistic in
``size --target``, ``sweep --metric``, ``compare`` and summary.json look-ups, and print
the same way."""

from __future__ import annotations

from typing import Any

import pytest

import simulator
from simulator.decisions.compare import compare
from simulator.decisions.sweep import sweep, sweep_table
from simulator.decisions.targets import parse_target
from simulator.errors import ScenarioError
from simulator.statistics.metric_names import display_name, lookup, resolve_metric

SCENARIO: dict[str, Any] = {
    "name": "aliases",
    "horizon": "12h",
    "seed": 3,
    "replications": 2,
    "targets": {"frt": "2min"},
    "streams": {
        "chat": {
            "per_hour": 20,
            "conversation": {"handle": {"dist": "exponential", "mean": "2min"}},
        }
    },
    "teams": {"live": {"agents": 2, "serves": ["chat"]}},
}

ALIASES = [
    ("frt.p90", "overall.frt_s.p90", "frt_s.p90"),
    ("frt.within_target", "frt_s.within_target", "frt_s.within_target"),
    ("queue_wait.mean", "overall.queue_wait_s.mean", "queue_wait_s.mean"),
    ("by_stream.chat.frt.p90", "by_stream.chat.frt_s.p90", "by_stream.chat.frt_s.p90"),
    ("by_team.live.per_agent_hour", "by_team.live.per_agent_hour", "by_team.live.per_agent_hour"),
    (
        "by_team.live.frt.within_target",
        "by_team.live.frt_s.within_target",
        "by_team.live.frt_s.within_target",
    ),
]


@pytest.fixture(scope="module")
def swept() -> simulator.SweepResult:
    return sweep(SCENARIO, ["teams.live.agents=2,3"])


@pytest.fixture(scope="module")
def compared() -> simulator.CompareResult:
    return compare([SCENARIO, {**SCENARIO, "teams": {"live": {"agents": 3, "serves": ["chat"]}}}])


@pytest.mark.parametrize(("short", "full", "printed"), ALIASES)
def test_one_statistic_in_every_command(
    short: str,
    full: str,
    printed: str,
    swept: simulator.SweepResult,
    compared: simulator.CompareResult,
) -> None:
    streams, teams = ["chat"], ["live"]
    assert resolve_metric(short, streams, teams) == resolve_metric(full, streams, teams)
    assert display_name(short) == display_name(full) == printed
    # sweep --metric: the same rows and the same table
    assert swept.metric(short).equals(swept.metric(full))
    assert not swept.metric(short).empty
    assert sweep_table(swept, [short]) == sweep_table(swept, [full])
    # compare: the same paired differences
    assert compared.differences_of(short) == compared.differences_of(full)
    # summary.json
    summary = swept.summaries[0]
    assert lookup(summary, short) == lookup(summary, full) is not None


@pytest.mark.parametrize(
    ("short", "full", "bound"),
    [
        ("frt.p90", "overall.frt_s.p90", "<=2min"),
        ("frt.within_target", "frt_s.within_target", ">=80%"),
        ("by_stream.chat.queue_wait.p90", "by_stream.chat.queue_wait_s.p90", "<=1min"),
        ("by_team.live.per_agent_hour", "by_team.live.per_agent_hour", "<=6"),
        ("by_team.live.concurrency_held", "by_team.live.concurrency_held", "<=2.5"),
        ("by_team.live.frt.within_target", "by_team.live.frt_s.within_target", ">=80%"),
    ],
)
def test_size_targets_read_either_form_and_print_one(short: str, full: str, bound: str) -> None:
    one, other = parse_target(short + bound), parse_target(full + bound)
    assert one.path == other.path
    assert one.label == other.label
    assert one.name == display_name(full)


def test_compared_throughput_per_team(compared: simulator.CompareResult) -> None:
    """Three agents answer the same customers as two: fewer conversations per agent-hour."""
    (entry,) = compared.differences_of("by_team.live.per_agent_hour")
    assert entry["diff"] < 0


def test_a_team_statistic_more_agents_do_not_lower_is_refused() -> None:
    with pytest.raises(ScenarioError) as caught:
        parse_target("by_team.live.handbacks<=3")
    assert "by_team.live.{occupancy,per_agent_hour" in caught.value.fix


def test_size_sizes_to_a_team_throughput() -> None:
    """per_agent_hour falls as agents are added: size finds the smallest team whose
    agents each answer at most 8 conversations an hour (20 an hour arrive: 3 agents)."""
    result = simulator.size(
        simulator.load_scenario(SCENARIO),
        team="live",
        target="by_team.live.per_agent_hour<=8",
        confidence=None,
    )
    assert result.agents == 3


def test_size_sizes_to_a_teams_share_within_target() -> None:
    """A team's share within target rises with agents: size returns the smallest
    simulated head count whose share meets 50%; one fewer was tried and misses."""
    result = simulator.size(
        simulator.load_scenario(SCENARIO),
        team="live",
        target="by_team.live.frt.within_target>=50%",
        confidence=None,
    )
    tried = {c.agents: c for c in result.candidates}
    assert tried[result.agents].met and tried[result.agents].value >= 0.5
    assert not tried[result.agents - 1].met
    assert result.summary["by_team"]["live"]["frt_s"]["within_target"]["value"] >= 0.5
