"""Rosters become exact UTC instants: time zones, daylight saving, midnight and the horizon."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from simulator.scenario.schema import DEFAULT_START, Shift, Team
from simulator.scenario.shift_calendar import AgentSchedule, shift_intervals, team_schedules
from simulator.units import DAY, HOUR, WEEK

DUBLIN = ZoneInfo("Europe/Dublin")


def shift(**fields: object) -> Shift:
    return Shift.model_validate({"agents": 1, **fields})


def test_weekdays_nine_to_five_utc_over_one_week() -> None:
    office = shift(days="Mon-Fri", start="09:00", end="17:00")
    assert shift_intervals(office, DEFAULT_START, WEEK) == [
        (d * DAY + 9 * HOUR, d * DAY + 17 * HOUR) for d in range(5)
    ]


def test_new_york_offset_differs_between_winter_and_summer() -> None:
    monday = shift(region="America/New_York", days="Mon", start="09:00", end="17:00")
    # EST (UTC-5): 14:00-22:00 UTC on Monday 2026-01-05.
    assert shift_intervals(monday, DEFAULT_START, DAY) == [(14 * HOUR, 22 * HOUR)]
    # EDT (UTC-4): 13:00-21:00 UTC on Monday 2026-07-06.
    summer = datetime(2026, 7, 6, tzinfo=UTC)
    assert shift_intervals(monday, summer, DAY) == [(13 * HOUR, 21 * HOUR)]


def test_dublin_shift_follows_the_wall_clock_across_the_spring_change() -> None:
    daily = shift(region="Europe/Dublin", start="09:00", end="17:00")
    saturday = datetime(2026, 3, 28, tzinfo=UTC)  # clocks go forward Sunday 01:00 UTC
    assert shift_intervals(daily, saturday, 3 * DAY) == [
        (9 * HOUR, 17 * HOUR),  # Saturday, GMT
        (DAY + 8 * HOUR, DAY + 16 * HOUR),  # Sunday (change day), IST
        (2 * DAY + 8 * HOUR, 2 * DAY + 16 * HOUR),
    ]


def test_nonexistent_and_ambiguous_local_times_use_the_offset_before_the_change() -> None:
    night = shift(region="Europe/Dublin", days="Sun", start="01:30", end="03:00")
    # Spring: 01:30 does not exist; read with GMT it is 01:30 UTC. 03:00 IST is 02:00 UTC.
    spring = datetime(2026, 3, 29, tzinfo=UTC)
    assert shift_intervals(night, spring, DAY) == [(1.5 * HOUR, 2 * HOUR)]
    # Autumn: 01:30 happens twice; the first (IST) is 00:30 UTC. 03:00 GMT is 03:00 UTC.
    autumn = datetime(2026, 10, 25, tzinfo=UTC)
    assert shift_intervals(night, autumn, DAY) == [(0.5 * HOUR, 3 * HOUR)]


def test_start_in_the_shift_zone_is_measured_in_real_seconds() -> None:
    # Same ZoneInfo on both sides: naive subtraction would lose the DST hour.
    start = datetime(2026, 3, 28, tzinfo=DUBLIN)  # 00:00 GMT
    sunday = shift(region="Europe/Dublin", days="Sun", start="09:00", end="17:00")
    assert shift_intervals(sunday, start, 2 * DAY) == [(DAY + 8 * HOUR, DAY + 16 * HOUR)]


def test_overnight_shift_started_before_the_run_is_included_as_its_tail() -> None:
    sunday_night = shift(days="Sun", start="22:00", end="30:00")
    assert shift_intervals(sunday_night, DEFAULT_START, WEEK) == [
        (-2 * HOUR, 6 * HOUR),  # Sun 2026-01-04 22:00 - Mon 06:00
        (6 * DAY + 22 * HOUR, 7 * DAY + 6 * HOUR),  # Sun 2026-01-11, runs past the horizon
    ]


def test_night_shift_written_as_people_write_it_ends_the_next_morning() -> None:
    written = shift(days="Sun", start="22:00", end="06:00")
    assert written.end == 30 * 60
    assert written == shift(days="Sun", start="22:00", end="30:00")


def test_shift_that_ends_when_it_starts_is_refused_with_the_24_hour_fix() -> None:
    with pytest.raises(ValueError, match=r'ends when it starts.*"33:00"'):
        shift(start="09:00", end="09:00")


def test_start_mid_shift_keeps_the_real_begin() -> None:
    noon = datetime(2026, 1, 5, 12, tzinfo=UTC)
    office = shift(days="Mon", start="09:00", end="17:00")
    assert shift_intervals(office, noon, HOUR) == [(-3 * HOUR, 5 * HOUR)]


def test_horizon_rule_end_after_zero_and_begin_before_horizon() -> None:
    evening = shift(days="Sun", start="20:00", end="24:00")  # ends exactly at the start
    assert shift_intervals(evening, DEFAULT_START, WEEK) == [(6 * DAY + 20 * HOUR, 7 * DAY)]
    daily = shift(start="09:00", end="17:00")
    # Begins exactly at the horizon: left out.
    assert shift_intervals(daily, DEFAULT_START, DAY + 9 * HOUR) == [(9 * HOUR, 17 * HOUR)]
    # Begins before the horizon: kept whole, not clipped.
    assert shift_intervals(daily, DEFAULT_START, DAY + 10 * HOUR) == [
        (9 * HOUR, 17 * HOUR),
        (DAY + 9 * HOUR, DAY + 17 * HOUR),
    ]


def test_no_occurrence_in_range_gives_nothing() -> None:
    saturday = shift(days="Sat", start="09:00", end="17:00")
    assert shift_intervals(saturday, DEFAULT_START, 2 * DAY) == []


def test_infinite_horizon_is_refused() -> None:
    with pytest.raises(ValueError, match="finite horizon"):
        shift_intervals(shift(start="09:00", end="17:00"), DEFAULT_START, math.inf)


def test_always_on_team() -> None:
    team = Team(agents=3, serves=["chat"])
    assert team_schedules("support", team, DEFAULT_START, WEEK) == [
        AgentSchedule("support", f"support.{k}", ((0.0, math.inf),)) for k in (1, 2, 3)
    ]
    assert team_schedules("empty", Team(agents=0, serves=["chat"]), DEFAULT_START, WEEK) == []


def test_roster_names_counts_and_shifts() -> None:
    team = Team.model_validate(
        {
            "serves": ["chat"],
            "roster": [
                {
                    "region": "Europe/Dublin",
                    "days": "Mon-Fri",
                    "start": "09:00",
                    "end": "17:00",
                    "agents": 2,
                    "label": "eu",
                },
                {
                    "region": "America/New_York",
                    "days": ["Mon", "Tue", "Wed"],
                    "start": "09:00",
                    "end": "17:00",
                    "agents": 1,
                },
            ],
        }
    )
    schedules = team_schedules("support", team, DEFAULT_START, WEEK)
    assert [s.name for s in schedules] == ["support.eu.1", "support.eu.2", "support.shift2.1"]
    assert {s.team for s in schedules} == {"support"}
    assert schedules[0].shifts == tuple((d * DAY + 9 * HOUR, d * DAY + 17 * HOUR) for d in range(5))
    assert schedules[1].shifts == schedules[0].shifts
    assert schedules[2].shifts == tuple(
        (d * DAY + 14 * HOUR, d * DAY + 22 * HOUR) for d in range(3)
    )


def test_touching_and_overlapping_occurrences_are_merged() -> None:
    around_the_clock = Team.model_validate(
        {"serves": ["chat"], "roster": [{"start": "00:00", "end": "24:00", "agents": 1}]}
    )
    (agent,) = team_schedules("t", around_the_clock, DEFAULT_START, 2 * DAY)
    assert agent.shifts == ((0.0, 2 * DAY),)
    two_day_shifts = Team.model_validate(
        {"serves": ["chat"], "roster": [{"start": "00:00", "end": "48:00", "agents": 1}]}
    )
    (agent,) = team_schedules("t", two_day_shifts, DEFAULT_START, 3 * DAY)
    assert agent.shifts == ((-DAY, 4 * DAY),)
