"""Rates that say what they are: per_hour is the weekly mean, per_open_hour the rate while open."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from simulator.model.arrivals import expected_counts
from simulator.scenario.rates import busiest_and_quietest, week_rates
from simulator.scenario.schema import DEFAULT_START, Stream
from simulator.units import WEEK

CONVERSATION = {"handle": {"dist": "fixed", "value": "1min"}}
OFFICE_HOURS = {
    "region": "Europe/Dublin",
    "days": {"Mon": 1, "Tue": 1, "Wed": 1, "Thu": 1, "Fri": 1},
    "hourly": [0] * 9 + [1] * 8 + [0] * 7,
}


def stream(**fields: Any) -> Stream:
    return Stream.model_validate({"conversation": CONVERSATION, **fields})


def test_per_open_hour_is_the_rate_in_the_open_hours() -> None:
    chat = stream(per_open_hour=60, profile=OFFICE_HOURS)
    assert chat.per_hour == pytest.approx(60 * 40 / 168)
    rates = week_rates(chat)
    assert rates[9] == pytest.approx(60) and rates[8] == 0  # Mon 09:00 open, 08:00 closed
    # The engine's own arrivals over a winter week (Dublin on UTC): 60 an hour for 40 hours.
    assert expected_counts(chat, DEFAULT_START, [0.0, WEEK]).sum() == pytest.approx(2400)


def test_uneven_open_hours_average_to_per_open_hour() -> None:
    profile = {"hourly": [0] * 12 + [1, 3] + [0] * 10}
    rates = week_rates(stream(per_open_hour=20, profile=profile))
    assert rates[rates > 0].mean() == pytest.approx(20)
    assert rates.max() == pytest.approx(30)


def test_without_a_profile_both_rates_are_the_same() -> None:
    assert stream(per_open_hour=12).per_hour == stream(per_hour=12).per_hour == 12


@pytest.mark.parametrize(
    ("fields", "says"),
    [({}, "a stream needs per_hour"), ({"per_hour": 10, "per_open_hour": 60}, "exactly one of")],
    ids=["neither", "both"],
)
def test_exactly_one_rate(fields: dict[str, Any], says: str) -> None:
    with pytest.raises(ValidationError, match=says):
        stream(**fields)


def test_bad_per_open_hour_is_named() -> None:
    with pytest.raises(ValidationError, match="per_open_hour: Input should be greater than 0"):
        stream(per_open_hour=-1)


def test_busiest_and_quietest_hour_on_the_profile_clock() -> None:
    text = busiest_and_quietest(stream(per_open_hour=60, profile=OFFICE_HOURS))
    assert text == "busiest Mon 09:00 (60/h), quietest Mon 00:00 (0/h), Europe/Dublin"
    assert busiest_and_quietest(stream(per_hour=5)).endswith("(5/h), UTC")
