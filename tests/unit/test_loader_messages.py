"""How pydantic's errors read once the loader has rewritten them."""

from __future__ import annotations

import pytest

import simulator

SMALL = {
    "name": "x",
    "horizon": "1d",
    "streams": {"c": {"per_hour": 1, "conversation": {"handle": {"dist": "fixed", "value": "1m"}}}},
    "teams": {"t": {"serves": ["c"], "roster": [{"start": "09:00", "end": "17:00", "agents": 1}]}},
}


@pytest.mark.parametrize(
    ("members", "expect"),
    [(10_000_000, "at most 100000"), ("three", "should be a valid")],
    ids=["too-many", "neither-form"],
)
def test_a_value_that_fits_no_form_is_one_problem_at_the_users_key(members, expect) -> None:
    """``members`` is a list of names or a count; pydantic reports one error per form
    with its internal type names in the location."""
    scenario = {**SMALL, "teams": {"t": {**SMALL["teams"]["t"], "rotation": {"members": members}}}}
    scenario["streams"]["c"]["conversation"]["handle"]["value"] = "1min"
    with pytest.raises(simulator.ScenarioError) as caught:
        simulator.load_scenario(scenario)
    text = caught.value.render()
    assert "field 'teams.t.rotation.members'" in text
    assert expect in text
    assert "problems" not in text and "function-" not in text and "[" not in text.split(":")[0]


@pytest.mark.parametrize("start", [float("inf"), float("nan"), 1e300])
def test_a_clock_time_written_as_a_huge_number_is_refused_not_crashed(start) -> None:
    """Found by the command-line fuzz test: guessing the clock time meant by ``.inf``
    overflowed."""
    scenario = {**SMALL, "teams": {"t": {"serves": ["c"]}}}
    scenario["teams"]["t"]["roster"] = [{"start": start, "end": "17:00", "agents": 1}]
    scenario["streams"]["c"]["conversation"]["handle"]["value"] = "1min"
    with pytest.raises(simulator.ScenarioError) as caught:
        simulator.load_scenario(scenario)
    assert "teams.t.roster.0.start" in caught.value.render()
