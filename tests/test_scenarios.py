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
            counts["deflected"] + counts["abandoned"] + counts["resolved"] + counts["open"])
    for record in result.records:
        outcomes = record.conversations["outcome"].value_counts()
        assert outcomes.sum() == len(record.conversations)
