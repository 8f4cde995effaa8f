"""``--vary`` and ``--grid`` values: parsing (YAML values, ranges, bracket-aware
commas), labels, and applying them to a scenario with errors that name the
option, the key and the fix."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from simulator.decisions.variants import (
    POLICY_PRESETS,
    grid_points,
    grid_variants,
    parse_grid,
    parse_spec,
    point_label,
    preset_note,
    vary,
    yaml_text,
)
from simulator.errors import ScenarioError


@pytest.mark.parametrize(
    ("spec", "values"),
    [
        ("teams.support.agents=4..6", [4, 5, 6]),
        ("teams.support.agents=4..12..2", [4, 6, 8, 10, 12]),
        ("teams.support.agents=4..12..3", [4, 7, 10]),
        ("teams.support.agents=2, 4..5 ,9", [2, 4, 5, 9]),
        ("teams.support.agents=-2..0", [-2, -1, 0]),
        ("handoff.policy=handback,ownership", ["handback", "ownership"]),
        ("streams.chat.per_hour=20,20.5", [20, 20.5]),
        ("handoff.intake_cutoff=15min,1h", ["15min", "1h"]),
        ("teams.support.efficiency=[1.0,0.8],[1.0, 0.9, 0.8]", [[1.0, 0.8], [1.0, 0.9, 0.8]]),
        ("x={a: 1, b: 2},'c,d'", [{"a": 1, "b": 2}, "c,d"]),
        ("x=true,null", [True, None]),
    ],
)
def test_parse_spec(spec: str, values: list[Any]) -> None:
    key, parsed = parse_spec(spec)
    assert key == spec.split("=")[0]
    assert parsed == values


def test_values_are_yaml_never_code() -> None:
    _, values = parse_spec("name=__import__('os').getcwd()")
    assert values == ["__import__('os').getcwd()"]  # a plain string, not evaluated


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("nonsense", "is not KEY=V1,V2"),
        ("teams.support.agents=", "no value after 'teams.support.agents='"),
        ("teams.support.agents= ", "no value"),
        ("teams.support.agents=4,,5", "an empty value"),
        ("teams..agents=4", "not a dotted key path"),
        ("=4", "not a dotted key path"),
        ("teams.support.agents=a..b", "'a..b' is not a range of whole numbers"),
        ("teams.support.agents=1.5..3", "not a range of whole numbers"),
        ("teams.support.agents=6..4", "ends before it starts"),
        ("teams.support.agents=4..8..0", "step of '4..8..0' must be positive"),
        ("teams.support.agents=1..10000000", "more than"),
        ("teams.support.agents=4,4..5", "listed twice"),
        ("x=[1,2", "cannot read the value"),
    ],
)
def test_bad_specs_say_what_and_how(spec: str, message: str) -> None:
    with pytest.raises(ScenarioError) as caught:
        parse_spec(spec, "--grid")
    text = caught.value.render()
    assert message in text
    assert text.startswith(f"error in --grid {spec}")
    assert "fix:" in text


def test_a_key_given_twice_is_refused() -> None:
    with pytest.raises(ScenarioError, match="given twice"):
        parse_grid(["teams.support.agents=4", "teams.support.agents=5"])


def test_grid_points_are_the_cartesian_product_first_key_slowest() -> None:
    grid = parse_grid(["a=1..2", "b=x,y,z"])
    points = grid_points(grid)
    assert points == [
        {"a": 1, "b": "x"},
        {"a": 1, "b": "y"},
        {"a": 1, "b": "z"},
        {"a": 2, "b": "x"},
        {"a": 2, "b": "y"},
        {"a": 2, "b": "z"},
    ]
    assert point_label(points[1]) == "a=1, b=y"


@pytest.mark.parametrize(
    "value",
    ["ownership", 4, 2.5, True, None, [1.0, 0.8], {"a": 1}, "2min", "yes", "1e3", "a: b", "09:00"],
)
def test_yaml_text_reads_back(value: Any) -> None:
    text = yaml_text(value)
    assert "\n" not in text
    assert yaml.safe_load(text) == value


def test_vary_applies_each_value_after_set(queue: dict[str, Any]) -> None:
    variants = vary(queue, "teams.support.agents=4..6", overrides=["seed=5"])
    assert [v.label for v in variants] == [f"teams.support.agents={n}" for n in (4, 5, 6)]
    assert [v.scenario.teams["support"].agents for v in variants] == [4, 5, 6]
    assert {v.scenario.seed for v in variants} == {5}
    assert [v.point for v in variants] == [{"teams.support.agents": n} for n in (4, 5, 6)]
    assert queue["teams"]["support"]["agents"] == 4  # the caller's dict is left alone


def test_vary_a_block_that_the_file_leaves_out(queue: dict[str, Any]) -> None:
    variants = vary(queue, "handoff.policy=handback,ownership")
    assert [v.scenario.handoff.policy.value for v in variants] == ["handback", "ownership"]


OWNERSHIP_PRESET = {
    "handoff.intake_cutoff": "15min",
    "handoff.max_overtime": "1h",
    "handoff.leftover": "wait_for_owner",
}


def test_a_policy_change_takes_the_policy_preset(queue: dict[str, Any]) -> None:
    """``--vary handoff.policy=handback,ownership`` gives ownership its own intake
    cutoff, overtime limit and leftovers, not handback's defaults."""
    assert POLICY_PRESETS["ownership"] == {
        key.removeprefix("handoff."): value for key, value in OWNERSHIP_PRESET.items()
    }
    handback, ownership = vary(queue, "handoff.policy=handback,ownership")
    assert handback.preset == {} and handback.scenario.handoff.intake_cutoff == 0
    assert ownership.preset == OWNERSHIP_PRESET
    handoff = ownership.scenario.handoff
    assert (handoff.intake_cutoff, handoff.max_overtime) == (900, 3600)
    assert handoff.leftover.value == "wait_for_owner"
    assert ownership.point == {"handoff.policy": "ownership"}  # the label stays the user's
    note = preset_note({ownership.label: ownership.preset})
    assert note is not None and note.count("\n") == 0
    assert "handoff.policy=ownership also set handoff.intake_cutoff=15min" in note


def test_values_the_scenario_or_the_variant_sets_beat_the_preset(queue: dict[str, Any]) -> None:
    queue["handoff"] = {"max_overtime": "2h"}
    (ownership,) = vary(queue, "handoff.policy=ownership", overrides=["handoff.leftover=handback"])
    assert ownership.preset == {"handoff.intake_cutoff": "15min"}
    assert ownership.scenario.handoff.max_overtime == 7200
    assert ownership.scenario.handoff.leftover.value == "handback"
    _, _, variants = grid_variants(
        queue, ["handoff.policy=ownership", "handoff.intake_cutoff=5min"], overrides=[]
    )
    assert variants[0].preset == {"handoff.leftover": "wait_for_owner"}
    assert variants[0].scenario.handoff.intake_cutoff == 300


def test_a_team_policy_takes_the_preset_in_its_own_block(queue: dict[str, Any]) -> None:
    (variant,) = vary(queue, "teams.support.handoff.policy=ownership")
    assert variant.preset == {
        key.replace("handoff.", "teams.support.handoff."): value
        for key, value in OWNERSHIP_PRESET.items()
    }
    assert variant.scenario.team_handoff("support").intake_cutoff == 900
    assert variant.scenario.handoff.intake_cutoff == 0  # the scenario's own is untouched
    assert preset_note({}) is None


def test_grid_variants_validate_every_point(queue: dict[str, Any]) -> None:
    grid, base, variants = grid_variants(
        queue, ["teams.support.agents=3..4", "streams.chat.per_hour=10,20"]
    )
    assert grid == {"teams.support.agents": [3, 4], "streams.chat.per_hour": [10, 20]}
    assert base.teams["support"].agents == 4
    assert [
        (v.scenario.teams["support"].agents, v.scenario.streams["chat"].per_hour) for v in variants
    ] == [(3, 10), (3, 20), (4, 10), (4, 20)]


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        (
            "teams.support.agents=-1",
            ["--grid teams.support.agents=-1", "field 'teams.support.agents'", "at least 0"],
        ),
        (
            "teams.support.agents=four",
            ["--grid teams.support.agents=four", "field 'teams.support.agents'"],
        ),
        ("handoff.policy=owner", ["field 'handoff.policy'", "'handback' or 'ownership'"]),
        ("teams.suport.agents=3", ["no team 'suport'", "did you mean 'support'?"]),
        ("streams.chats.per_hour=3", ["no stream 'chats'", "did you mean 'chat'?"]),
        ("teams.support.agentz=3", ["unknown key 'agentz'", "did you mean 'agents'?"]),
        ("nosuchkey=1", ["unknown key 'nosuchkey'", "valid keys here"]),
        ("teams.support.agents.count=3", ["'teams.support.agents' is a value, not a block"]),
    ],
)
def test_a_bad_value_names_the_option_the_key_and_the_fix(
    queue: dict[str, Any], spec: str, expected: list[str]
) -> None:
    with pytest.raises(ScenarioError) as caught:
        grid_variants(queue, [spec])
    text = caught.value.render()
    for fragment in expected:
        assert fragment in text, text
    assert "fix:" in text


def test_a_bad_base_is_blamed_on_the_scenario_not_the_variant(queue: dict[str, Any]) -> None:
    with pytest.raises(ScenarioError) as caught:
        vary(queue, "teams.support.agents=4,5", overrides=["horizon=banana"])
    assert "--vary" not in caught.value.render()
    assert "horizon" in caught.value.render()


def test_the_modelling_guide_states_the_presets_as_they_are() -> None:
    from pathlib import Path

    guide = (Path(__file__).parents[2] / "docs" / "modelling-guide.md").read_text()
    for policy, preset in POLICY_PRESETS.items():
        row = next(line for line in guide.splitlines() if line.startswith(f"| `{policy}` |"))
        for key, value in preset.items():
            assert f"`{key}: {value}`" in row
