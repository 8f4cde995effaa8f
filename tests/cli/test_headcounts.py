"""Head counts a planner varies: ``--set``, ``--vary`` and ``--grid`` reach roster entries
by position or by label, and ``headcount_scale`` multiplies a team's head counts
(each rounded half up on its own)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

import simulator
from simulator.decisions.variants import grid_variants
from simulator.errors import ScenarioError
from tests.cli.conftest import SMALL
from tests.conftest import written

ROSTERED: dict[str, Any] = copy.deepcopy(SMALL)
ROSTERED["teams"]["support"] = {
    "concurrency": 1,
    "serves": ["chat"],
    "roster": [
        {"label": "early", "start": "00:00", "end": "06:00", "agents": 3},
        {"label": "late", "start": "04:00", "end": "10:00", "agents": 2},
        {"label": "tail", "start": "06:00", "end": "12:00", "agents": 1},
    ],
}
"""The small scenario with a three-entry roster instead of always-on agents."""


def roster_agents(scenario: simulator.Scenario) -> list[int]:
    return [entry.agents for entry in scenario.teams["support"].roster or []]


@pytest.fixture
def rostered() -> dict[str, Any]:
    return copy.deepcopy(ROSTERED)


def test_set_reaches_a_roster_entry_by_position_and_by_label(rostered) -> None:
    by_position = simulator.load_scenario(rostered, ["teams.support.roster.1.agents=7"])
    by_label = simulator.load_scenario(rostered, ["teams.support.roster.late.agents=7"])
    assert roster_agents(by_position) == roster_agents(by_label) == [3, 7, 1]


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("teams.support.roster.lat.agents=4", "did you mean 'late'?"),
        ("teams.support.roster.3.agents=4", "from 0 to 2"),
    ],
)
def test_a_bad_position_or_label_exits_2_naming_the_key_and_the_labels(
    rostered, write_scenario, invoke, key, expected
) -> None:
    path = write_scenario(rostered)
    result = invoke("run", path, "--set", key)
    assert result.exit_code == 2, result.output
    assert f"--set {key}" in result.stderr
    assert "early, late, tail" in result.stderr
    assert expected in result.stderr
    assert "Traceback" not in result.stderr
    assert written(path.parent) == []


def test_a_list_without_labels_offers_positions_only(rostered) -> None:
    for entry in rostered["teams"]["support"]["roster"]:
        del entry["label"]
    with pytest.raises(ScenarioError) as caught:
        simulator.load_scenario(rostered, ["teams.support.roster.late.agents=4"])
    assert caught.value.fix == "number its entries from 0 to 2"


@pytest.mark.parametrize(
    ("scale", "expected"),
    [
        (1.5, [5, 3, 2]),  # 4.5 -> 5, 3 -> 3, 1.5 -> 2: half up, not half to even
        (0.5, [2, 1, 1]),  # 1.5 -> 2, 1 -> 1, 0.5 -> 1
        (0.1, [1, 1, 1]),  # a roster entry keeps one person
        (2, [6, 4, 2]),
    ],
)
def test_headcount_scale_rounds_each_roster_entry_half_up(rostered, scale, expected) -> None:
    scaled = simulator.load_scenario(rostered, [f"teams.support.headcount_scale={scale}"])
    assert roster_agents(scaled) == expected
    assert scaled.teams["support"].headcount_scale is None  # applied once, at load


def test_headcount_scale_rounds_in_decimal(small) -> None:
    # 50 x 0.29 is 14.499999999999998 in binary floating point; the planner means 14.5.
    small["teams"]["support"]["agents"] = 50
    scaled = simulator.load_scenario(small, ["teams.support.headcount_scale=0.29"])
    assert scaled.teams["support"].agents == 15
    small["teams"]["support"]["agents"] = 1
    none_left = simulator.load_scenario(small, ["teams.support.headcount_scale=0.4"])
    assert none_left.teams["support"].agents == 0  # always-on agents may round to none


def test_headcount_scale_scales_staffing_counts(small) -> None:
    small["teams"]["support"] = {
        "serves": ["chat"],
        "staffing": {"interval": "12h", "by": "weekday", "agents": [[1, 3]] * 7},
    }
    scaled = simulator.load_scenario(small, ["teams.support.headcount_scale=1.5"])
    staffing = scaled.teams["support"].staffing
    assert staffing is not None and staffing.agents == [[2, 5]] * 7


def test_headcount_scale_refuses_staffing_from_a_file(small, tmp_path) -> None:
    (tmp_path / "staffing.csv").write_text("start,agents\n2026-01-05T00:00:00Z,2\n")
    small["teams"]["support"] = {
        "serves": ["chat"],
        "staffing": {"interval": "1h", "by": "date", "file": str(tmp_path / "staffing.csv")},
    }
    simulator.load_scenario(small)  # valid unscaled
    with pytest.raises(ScenarioError) as caught:
        simulator.load_scenario(small, ["teams.support.headcount_scale=2"])
    assert "by: date" in caught.value.render() and "scale the counts in the file" in (
        caught.value.render()
    )


def test_a_scale_past_the_people_limit_is_refused(small, invoke, write_scenario) -> None:
    small["teams"]["support"]["agents"] = 1_000_000
    result = invoke("validate", write_scenario(small), "--set", "teams.support.headcount_scale=500")
    assert result.exit_code == 2
    assert "--set teams.support.headcount_scale=500" in result.stderr
    assert "500,000,000" in result.stderr and "a smaller scale" in result.stderr


def test_headcount_scale_leaves_backups_and_unscaled_teams_alone(rostered) -> None:
    rostered["teams"]["support"]["backup"] = [
        {"start": "00:00", "end": "12:00", "agents": 2, "queue_length": 3}
    ]
    plain = simulator.load_scenario(rostered)
    scaled = simulator.load_scenario(rostered, ["teams.support.headcount_scale=3"])
    assert [b.agents for b in scaled.teams["support"].backup] == [2]
    assert simulator.load_scenario(rostered, ["teams.support.headcount_scale=1"]) == plain


def test_a_scaled_team_runs_exactly_as_the_counts_written_out(rostered) -> None:
    scaled = simulator.load_scenario(rostered, ["teams.support.headcount_scale=1.5"])
    written_out = simulator.load_scenario(
        rostered,
        [f"teams.support.roster.{k}.agents={n}" for k, n in enumerate([5, 3, 2])],
    )
    assert scaled == written_out
    first = simulator.run(scaled, replications=2, seed=3)
    second = simulator.run(written_out, replications=2, seed=3)
    assert first.summary == second.summary


def test_grid_varies_an_entry_by_label_and_the_team_scale(rostered) -> None:
    grid, _, variants = grid_variants(
        rostered,
        ["teams.support.roster.tail.agents=1,4", "teams.support.headcount_scale=1,2"],
    )
    assert grid["teams.support.headcount_scale"] == [1, 2]
    assert [roster_agents(v.scenario) for v in variants] == [
        [3, 2, 1],
        [6, 4, 2],
        [3, 2, 4],
        [6, 4, 8],
    ]


def test_sweep_over_headcount_scale_runs_from_the_command_line(
    rostered, write_scenario, invoke, workdir
) -> None:
    path = write_scenario(rostered)
    result = invoke(
        "sweep", path, "--grid", "teams.support.headcount_scale=0.5,2", "-r", "2", "--quiet"
    )
    assert result.exit_code == 0, result.stderr
    folder = Path(result.stdout.strip().removeprefix("results: "))
    records = json.loads((workdir / folder / "sweep.json").read_text())
    assert [r["point"] for r in records] == [
        {"teams.support.headcount_scale": 0.5},
        {"teams.support.headcount_scale": 2},
    ]
    fewer, more = (r["summary"]["overall"]["frt_s"]["within_target"]["value"] for r in records)
    assert more > fewer  # twice the people answer more first replies in time


@pytest.mark.parametrize("command", ["compare", "sweep"])
def test_vary_and_grid_blame_themselves_for_a_bad_label(
    rostered, write_scenario, invoke, command
) -> None:
    path = write_scenario(rostered)
    option = "--vary" if command == "compare" else "--grid"
    result = invoke(command, path, option, "teams.support.roster.night.agents=1,2")
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"error in {option} teams.support.roster.night.agents=")
    assert "early, late, tail" in result.stderr


def test_size_takes_a_roster_set_by_label(rostered, write_scenario, invoke, workdir) -> None:
    path = write_scenario(rostered)
    result = invoke(
        "size",
        path,
        "--team",
        "support",
        "--target",
        "abandon_rate<=0.5",
        "--set",
        "teams.support.roster.early.agents=6",
        "-r",
        "2",
        "--quiet",
    )
    assert result.exit_code == 0, result.stderr
    folder = Path(result.stdout.strip().removeprefix("results: "))
    sized = json.loads((folder / "size.json").read_text())["agents"]
    # The roster keeps the shape the --set gave it (6:2:1), not the file's (3:2:1).
    assert sized["early"] >= 3 * sized["late"] >= 3 * sized["tail"]
    bad = invoke(
        "size", path, "--team", "support", "--target", "abandon_rate<=0.5",
        "--set", "teams.support.roster.dawn.agents=6",
    )  # fmt: skip
    assert bad.exit_code == 2 and "early, late, tail" in bad.stderr
