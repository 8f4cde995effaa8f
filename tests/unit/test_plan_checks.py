"""Warnings before wrong answers: each fires on a plan that has the problem, not on one without."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest

from simulator.plan_checks import per_agent_hour, plan_warnings
from simulator.scenario.schema import Scenario

BASE: dict[str, Any] = {
    "name": "plan",
    "start": "2026-01-05T00:00:00Z",  # a Monday
    "horizon": "1w",
    "targets": {"frt": "10min"},
    "streams": {
        "chat": {
            "per_hour": 10,
            "conversation": {"handle": {"dist": "fixed", "value": "6min"}},
        }
    },
    "teams": {"support": {"agents": 2, "serves": ["chat"]}},
}
OFFICE = {"days": "Mon-Fri", "start": "09:00", "end": "17:00", "agents": 4}
WEEKDAY_PROFILE = {
    "days": {"Mon": 1, "Tue": 1, "Wed": 1, "Thu": 1, "Fri": 1},
    "hourly": [0] * 9 + [1] * 8 + [0] * 7,
}


def warnings(**changes: Any) -> list[str]:
    raw = copy.deepcopy(BASE)
    for path, value in changes.items():
        *parents, key = path.split("__")
        node = raw
        for part in parents:
            node = node[part]
        node[key] = value
    return plan_warnings(Scenario.model_validate(raw))


def matching(found: list[str], text: str) -> list[str]:
    return [line for line in found if text in line]


def test_a_plan_with_room_raises_no_warning() -> None:
    assert warnings() == []  # 10/h at 6min each: 1 agent busy of 2


def test_overload_names_the_hours_the_worst_and_both_rates() -> None:
    found = warnings(streams__chat__per_hour=12, teams__support__agents=1)
    assert len(found) == 1
    assert found[0].startswith(
        "team 'support': offered load above staffed capacity in 168 of 168 hours; worst "
    )
    assert found[0].endswith("(12.0 arrivals/h against capacity 10.0/h)")


def test_overload_at_the_peak_only() -> None:
    profile = {"hourly": [1] * 17 + [4] + [1] * 6}  # 17:00 is 4x the other hours
    found = matching(
        warnings(streams__chat__profile=profile, teams__support__agents=3),
        "offered load",
    )
    assert len(found) == 1
    assert re.search(r"in 7 of 168 hours; worst \w{3} 2026-01-\d\d 17:00", found[0])
    assert "(35.6 arrivals/h against capacity 30.0/h)" in found[0]


def test_arrivals_with_nobody_on_shift() -> None:
    found = warnings(teams__support={"serves": ["chat"], "roster": [OFFICE]})
    assert matching(found, "arrivals in 128 hours with nobody on shift")
    assert matching(found, "first Mon 2026-01-05 00:00")
    covered = warnings(
        streams__chat__profile=WEEKDAY_PROFILE,
        teams__support={"serves": ["chat"], "roster": [OFFICE]},
    )
    assert not matching(covered, "nobody on shift")


def test_roster_that_never_covers_a_day_with_arrivals() -> None:
    found = warnings(teams__support={"serves": ["chat"], "roster": [OFFICE]})
    assert matching(found, "the roster never covers Sat, Sun, which have arrivals")
    daily = {**OFFICE, "days": "daily", "start": "00:00", "end": "24:00"}
    assert not matching(
        warnings(teams__support={"serves": ["chat"], "roster": [daily]}), "never covers"
    )


def test_frt_target_below_the_typical_first_reply() -> None:
    found = warnings(targets={"frt": "2min"})
    assert matching(found, "targets.frt (2min) is below the typical first reply of stream 'chat'")
    assert not matching(warnings(targets={"frt": "10min"}), "typical first reply")


def test_concurrency_that_adds_nothing_under_serial_attention() -> None:
    found = warnings(teams__support__concurrency=2)
    assert matching(found, "team 'support': concurrency 2 adds no capacity")
    shared = warnings(teams__support__concurrency=2, teams__support__attention="shared")
    assert not matching(shared, "adds no capacity")
    talking = {
        "handle": {"dist": "fixed", "value": "2min"},
        "exchanges": 3,
        "reply_delay": {"dist": "fixed", "value": "1min"},
    }
    assert not matching(
        warnings(teams__support__concurrency=2, streams__chat__conversation=talking),
        "adds no capacity",
    )


def test_zero_agents() -> None:
    assert matching(warnings(teams__support__agents=0), "team 'support' has agents: 0")
    assert not matching(warnings(), "agents: 0")


@pytest.mark.parametrize(
    ("concurrency", "attention", "expected"),
    [(1, "serial", 7.5), (2, "serial", 10.0), (2, "shared", 2 / (6 / 0.6 + 2) * 60)],
)
def test_capacity_follows_the_guide_worked_example(
    concurrency: int, attention: str, expected: float
) -> None:
    raw = copy.deepcopy(BASE)
    raw["streams"]["chat"]["conversation"] = {
        "handle": {"dist": "fixed", "value": "2min"},
        "exchanges": 3,
        "reply_delay": {"dist": "fixed", "value": "1min"},
    }
    team = {"agents": 1, "serves": ["chat"], "concurrency": concurrency, "attention": attention}
    if attention == "shared":
        team["efficiency"] = [1.0, 0.6]
    raw["teams"]["support"] = team
    assert per_agent_hour(Scenario.model_validate(raw), "support") == pytest.approx(expected)
