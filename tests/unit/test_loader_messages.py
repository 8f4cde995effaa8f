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


@pytest.mark.parametrize(
    ("team", "expect"),
    [
        ({"concurrency": {"other": 2, "total": 3}}, "caps queue 'other', which the team does not"),
        ({"concurrency": {"c": 5, "total": 3}}, "caps queue 'c' at 5, above the total 3"),
        ({"concurrency": {"c": 2}, "per_queue": {"c": 2}}, "give the caps in one of them"),
        ({"attention": "shared", "switch_cost": {"dist": "fixed", "value": "30s"}}, "serial"),
    ],
    ids=["unserved-queue", "above-total", "twice", "switch-shared"],
)
def test_caps_per_queue_and_switch_cost_errors_say_the_fix(team, expect) -> None:
    scenario = {**SMALL, "teams": {"t": {**SMALL["teams"]["t"], **team}}}
    scenario["streams"]["c"]["conversation"]["handle"]["value"] = "1min"
    with pytest.raises(simulator.ScenarioError) as caught:
        simulator.load_scenario(scenario)
    text = caught.value.render()
    assert "teams.t" in text and expect in text and "fix:" in text


@pytest.mark.parametrize(
    ("handoff", "path", "expect", "fix"),
    [
        (
            {"policy": "ownership", "continue_in": "c"},
            "handoff",
            "continue_in needs leftover: wait_for_owner",
            "set leftover: wait_for_owner or remove continue_in",
        ),
        (
            {"policy": "ownership", "leftover": "wait_for_owner", "continue_in": "mail"},
            "handoff.continue_in",
            "keeps conversations in 'mail' at shift end, but does not serve it",
            "fix: add 'mail' to teams.t.serves",
        ),
    ],
    ids=["without-keeping", "unserved"],
)
def test_continue_in_errors_say_the_fix(handoff, path, expect, fix) -> None:
    """The owner's inbox only makes sense for conversations the owner keeps, and must
    be a queue the owner's team serves (its cap is the team's)."""
    scenario = {**SMALL, "handoff": handoff}
    scenario["streams"]["c"]["conversation"]["handle"]["value"] = "1min"
    scenario["streams"]["m"] = {**scenario["streams"]["c"], "queue": "mail"}
    scenario["teams"]["o"] = {**SMALL["teams"]["t"], "serves": ["mail"], "handoff": {}}
    with pytest.raises(simulator.ScenarioError) as caught:
        simulator.load_scenario(scenario)
    text = caught.value.render()
    assert path in text and expect in text and fix in text
