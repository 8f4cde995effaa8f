"""Intervals respect what a quantity can be: no time, count or share below 0, no
share above 1, in summary.json of every shipped scenario; differences keep their
sign."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import simulator
from simulator.statistics.intervals import mean_ci, paired_difference
from simulator.statistics.metric_names import SHARES

SCENARIOS = sorted((Path(__file__).resolve().parents[2] / "scenarios").glob("*.yaml"))


def test_a_rare_event_keeps_its_interval_above_zero() -> None:
    raw = mean_ci([0.0, 0.0, 0.0, 0.3])
    assert raw["ci95"][0] < 0  # what a plain t interval says
    assert mean_ci([0.0, 0.0, 0.0, 0.3], kind="amount")["ci95"][0] == 0.0
    share = mean_ci([1.0, 1.0, 1.0, 0.7], kind="share")
    assert share["ci95"][1] == 1.0
    assert share["value"] == pytest.approx(0.925)


def test_differences_are_not_clipped() -> None:
    difference = paired_difference([1.0, 2.0, 3.0], [0.5, 1.0, 2.5])
    assert difference["ci95"][0] < 0 < -difference["diff"]


def _leaves(node: Any, key: str = "") -> list[tuple[str, dict]]:
    if isinstance(node, dict) and "ci95" in node:
        return [(key, node)]
    if isinstance(node, dict):
        return [leaf for name, child in node.items() for leaf in _leaves(child, name)]
    return []


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_no_interval_of_a_shipped_scenario_leaves_its_bounds(path: Path) -> None:
    scenario = simulator.load_scenario(path, ["horizon=2d", "warmup=0s"])
    summary = simulator.run(scenario, replications=3, seed=2).summary
    leaves = _leaves({k: summary[k] for k in ("overall", "by_stream", "by_team")})
    assert leaves
    for key, stat in leaves:
        if stat["ci95"] is None:
            continue
        low, high = stat["ci95"]
        assert low >= 0.0, (key, stat)
        if key in SHARES:
            assert high <= 1.0, (key, stat)
