"""Every shipped scenario validates, runs, and conserves conversations per stream."""

from __future__ import annotations

from pathlib import Path

import pytest

import simulator

SCENARIOS = sorted((Path(__file__).parent.parent / "scenarios").glob("*.yaml"))


def test_scenarios_are_shipped() -> None:
    assert SCENARIOS, "scenarios/ holds no YAML file"


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_shipped_scenario_runs_and_conserves(path: Path) -> None:
    scenario = simulator.load_scenario(path)
    result = simulator.run(scenario, replications=2, seed=3)
    blocks = [result.summary["overall"], *result.summary["by_stream"].values()]
    for block in blocks:
        counts = {name: stat["value"] for name, stat in block["counts"].items()}
        assert counts["arrived"] > 0
        assert counts["arrived"] == pytest.approx(
            counts["deflected"] + counts["abandoned"] + counts["resolved"] + counts["open"]
        )
    for record in result.records:
        outcomes = record.conversations["outcome"].value_counts()
        assert outcomes.sum() == len(record.conversations)


def test_every_tiger_team_member_works_at_least_one_full_day() -> None:
    """The write-up's rule: each of the 8 rotating members worked at least one
    full (8-hour) day on the launch inbox."""
    scenario = simulator.load_scenario(
        Path(__file__).parent.parent / "scenarios" / "inbox_launch_tiger.yaml"
    )
    result = simulator.run(scenario, replications=1, seed=5)
    tiger = result.agents.query("team == 'tiger'")
    members = scenario.teams["tiger"].rotation.names()
    assert sorted(tiger["agent"]) == sorted(f"tiger.{m}" for m in members)
    assert (tiger["on_shift_s"] >= 8 * 3600).all(), tiger[["agent", "on_shift_s"]]
