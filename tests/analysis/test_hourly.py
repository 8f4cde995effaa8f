"""Hour-of-week tables on hand-made records: arrivals at known instants land in
the right cell of the start's time zone, and each cell's statistics follow the
summary.json rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest

from simulator.analysis.hourly import (
    HOURLY_COLUMNS,
    hour_of_week,
    hourly_table,
    observed_hours,
    report_zone,
    week_grid,
    zone_name,
    zone_text,
)
from simulator.experiment import RunResult
from simulator.recording import (
    CONVERSATION_COLUMNS,
    FOLLOWUP_COLUMNS,
    STATE_COLUMNS,
    TEAM_COLUMNS,
    ReplicationRecord,
)
from simulator.scenario.loader import load_scenario

H = 3600.0


def _scenario(**changes: Any) -> Any:
    data: dict[str, Any] = {
        "name": "hand-made",
        # A Wednesday, 10:30 on a +02:00 clock: hours of week start at :30 past in UTC.
        "start": "2026-03-04T10:30:00+02:00",
        "horizon": "3d",
        "warmup": "1h",
        "targets": {"frt": "2min"},
        "streams": {
            "chat": {"per_hour": 1, "conversation": {"handle": {"dist": "fixed", "value": "1min"}}}
        },
        "teams": {"a": {"agents": 1, "serves": ["chat"]}, "b": {"agents": 1, "serves": ["chat"]}},
    }
    data.update(changes)
    return load_scenario(data)


def _conversations(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Conversation rows with every column; unnamed times are NaN, outcome resolved."""
    full = []
    for number, row in enumerate(rows):
        full.append(
            {
                "conversation": number,
                "stream": "chat",
                "queue": "chat",
                "team": "a",
                "agent": "a-1",
                "picked_up_at": np.nan,
                "first_reply_at": np.nan,
                "ended_at": np.nan,
                "outcome": "resolved",
                "exchanges": 1,
                "handbacks": 0,
                "reassignments": 0,
                **row,
            }
        )
    frame = pd.DataFrame(full, columns=list(CONVERSATION_COLUMNS))
    for column in ("stream", "queue", "team", "agent", "outcome"):
        frame[column] = frame[column].astype("category")
    return frame


def _record(
    replication: int, conversations: pd.DataFrame, states: pd.DataFrame | None = None
) -> ReplicationRecord:
    return ReplicationRecord(
        replication,
        conversations,
        pd.DataFrame(columns=list(FOLLOWUP_COLUMNS)),
        pd.DataFrame(columns=list(TEAM_COLUMNS)),
        states if states is not None else pd.DataFrame(columns=list(STATE_COLUMNS)),
    )


def _result(scenario: Any, records: list[ReplicationRecord]) -> RunResult:
    return RunResult(scenario, 0, len(records), records, {}, 0.0)


def _cell(day: int, hour: int) -> int:
    return day * 24 + hour


WED, THU, SAT = 2, 3, 5


def test_hour_of_week_uses_the_start_offset() -> None:
    start = datetime.fromisoformat("2026-03-04T10:30:00+02:00")  # Wed 10:30 local
    seconds = [0.0, 1799.0, 1800.0, 13.5 * H - 1, 13.5 * H, 109.5 * H]
    assert hour_of_week(seconds, start).tolist() == [
        _cell(WED, 10),
        _cell(WED, 10),
        _cell(WED, 11),
        _cell(WED, 23),
        _cell(THU, 0),
        _cell(0, 0),
    ]  # the last: Monday 00:00 local


def test_hour_of_week_wraps_and_defaults_to_utc_mondays() -> None:
    monday = datetime.fromisoformat("2026-01-05T00:00:00+00:00")
    seconds = [0.0, 167.5 * H, 168 * H, 168 * H + 9.25 * H]
    assert hour_of_week(seconds, monday).tolist() == [0, 167, 0, 9]
    assert zone_name(monday.tzinfo) == "UTC"
    assert zone_name(datetime.fromisoformat("2026-01-05T00:00:00+05:30").tzinfo) == "UTC+05:30"


def test_hour_of_week_follows_daylight_saving_of_a_named_zone() -> None:
    # Europe/Dublin moves from GMT to IST at 01:00 UTC on Sunday 29 March 2026.
    start = datetime(2026, 3, 28, 12, 0, tzinfo=ZoneInfo("Europe/Dublin"))  # Sat 12:00 GMT
    cells = hour_of_week([0.0, 24 * H], start)
    assert cells.tolist() == [_cell(SAT, 12), _cell(6, 13)]  # Sun 12:00 UTC is 13:00 IST
    assert zone_name(start.tzinfo) == "Europe/Dublin"


def test_observed_hours_cover_warmup_to_horizon_in_local_hours() -> None:
    scenario = _scenario()
    hours = observed_hours(scenario, replications=2)
    # Wed 11:30 local (warmup end) to Sat 10:30 local (horizon): 71 hours, twice.
    assert hours.sum() == pytest.approx(2 * 71)
    assert hours[_cell(WED, 11)] == pytest.approx(2 * 0.5)
    assert hours[_cell(WED, 12)] == pytest.approx(2 * 1.0)
    assert hours[_cell(SAT, 10)] == pytest.approx(2 * 0.5)
    assert hours[_cell(SAT, 11)] == 0 and hours[_cell(WED, 10)] == 0


def test_arrivals_land_in_their_local_hour_and_become_rates() -> None:
    scenario = _scenario()
    conversations = _conversations(
        [
            {"arrived_at": 0.5 * H},  # Wed 11:00 local, in warmup: not counted
            {"arrived_at": 1.0 * H},  # Wed 11:30 -> cell Wed 11 (half an hour seen)
            {"arrived_at": 1.5 * H},  # Wed 12:00 -> Wed 12
            {"arrived_at": 2.5 * H - 1},  # Wed 12:59:59 -> Wed 12
            {"arrived_at": 13.5 * H},  # Thu 00:00 -> Thu 0
        ]
    )
    table = hourly_table(_result(scenario, [_record(0, conversations)]))
    assert list(table.columns) == list(HOURLY_COLUMNS)
    assert list(table.index) == list(range(168))
    assert (table.loc[_cell(WED, 12), "day"], table.loc[_cell(WED, 12), "hour"]) == ("Wed", 12)
    assert table.loc[_cell(WED, 11), "arrivals"] == 1
    assert table.loc[_cell(WED, 11), "arrivals_per_h"] == pytest.approx(2.0)  # 1 in 0.5 h
    assert table.loc[_cell(WED, 12), "arrivals_per_h"] == pytest.approx(2.0)
    assert table.loc[_cell(THU, 0), "arrivals_per_h"] == pytest.approx(1.0)
    assert table.loc[_cell(WED, 13), "arrivals_per_h"] == 0.0
    assert np.isnan(table.loc[_cell(WED, 10), "arrivals_per_h"])  # never observed
    assert table["arrivals"].sum() == 4


def test_arrivals_are_averaged_over_replications_and_weeks() -> None:
    scenario = _scenario(start="2026-01-05T00:00:00Z", horizon="2w", warmup="0s")
    monday_nine = 9 * H + 60
    first = _conversations(
        [
            {"arrived_at": monday_nine},
            {"arrived_at": monday_nine + 1},
            {"arrived_at": monday_nine + 2},
            {"arrived_at": 168 * H + monday_nine},
        ]
    )
    second = _conversations([{"arrived_at": 168 * H + 10 * H}])
    table = hourly_table(_result(scenario, [_record(0, first), _record(1, second)]))
    assert table["observed_h"].tolist() == [4.0] * 168  # 2 weeks x 2 replications
    assert table.loc[9, "arrivals_per_h"] == pytest.approx(4 / 4)
    assert table.loc[10, "arrivals_per_h"] == pytest.approx(1 / 4)
    assert table.loc[11, "arrivals_per_h"] == 0.0


def test_frt_by_hour_of_arrival_follows_the_summary_rules() -> None:
    scenario = _scenario()
    at = 1.5 * H  # Wed 12:00 local
    rows = [
        {"arrived_at": at + k, "first_reply_at": at + k + 60.0 * (k + 1)} for k in range(10)
    ]  # FRT 1, 2, ..., 10 minutes
    rows += [
        {"arrived_at": at + 20, "outcome": "abandoned", "ended_at": at + 400},  # a miss
        {"arrived_at": at + 30, "outcome": "deflected", "ended_at": at + 40},  # not judged
        # Answered late, in the next hour: FRT counts in the hour it *arrived*.
        {"arrived_at": at + 3000, "first_reply_at": at + 3000 + 1200},
        # Open and unanswered within one target of the horizon: cannot be judged yet.
        {"arrived_at": scenario.horizon - 30, "outcome": "open"},
        # Open and unanswered long before the horizon: a miss.
        {"arrived_at": scenario.horizon - 1000, "outcome": "open"},
    ]
    table = hourly_table(_result(scenario, [_record(0, _conversations(rows))]))
    noon = table.loc[_cell(WED, 12)]
    expected = np.percentile([60.0 * k for k in range(1, 11)] + [1200.0], 90)
    assert noon["answered"] == 11
    assert noon["frt_p90_s"] == pytest.approx(expected)
    assert noon["frt_within_target"] == pytest.approx(2 / 12)  # 2 of 11 answered + 1 abandoned
    assert noon["arrivals"] == 13  # deflected ones arrive too
    last = table.loc[_cell(SAT, 10)]  # horizon Sat 10:30 local
    assert last["frt_within_target"] == 0.0  # the old open one: judged, missed
    assert np.isnan(last["frt_p90_s"])
    assert np.isnan(table.loc[_cell(THU, 5), "frt_within_target"])  # nobody arrived


def test_no_target_gives_no_share() -> None:
    scenario = _scenario(targets={})
    rows = [{"arrived_at": 2 * H, "first_reply_at": 2 * H + 30}]
    table = hourly_table(_result(scenario, [_record(0, _conversations(rows))]))
    assert table["frt_within_target"].isna().all()
    assert table.loc[_cell(WED, 12), "frt_p90_s"] == pytest.approx(30.0)


def test_agents_on_shift_per_hour_all_teams_together() -> None:
    scenario = _scenario()
    states = pd.DataFrame(
        [
            (0.5 * H, "team", "a", 0, 9, 0, 0),  # in warmup: left out
            (1.0 * H, "team", "a", 0, 2, 0, 0),
            (1.0 * H, "team", "b", 0, 1, 0, 0),
            (1.0 * H + 300, "team", "a", 0, 4, 0, 0),
            (1.0 * H + 300, "team", "b", 0, 1, 0, 0),
            (1.0 * H + 300, "queue", "chat", 7, 0, 0, 0),
            (13.5 * H, "team", "a", 0, 0, 0, 0),
            (13.5 * H, "team", "b", 0, 3, 0, 0),
        ],
        columns=list(STATE_COLUMNS),
    )
    states["kind"] = states["kind"].astype("category")
    states["name"] = states["name"].astype("category")
    result = _result(scenario, [_record(0, _conversations([]), states)])
    table = hourly_table(result)
    assert table.loc[_cell(WED, 11), "agents_on_shift"] == pytest.approx((3 + 5) / 2)
    assert table.loc[_cell(THU, 0), "agents_on_shift"] == pytest.approx(3.0)
    assert np.isnan(table.loc[_cell(WED, 10), "agents_on_shift"])
    assert table["arrivals"].sum() == 0


def test_week_grid_is_seven_days_by_24_hours() -> None:
    grid = week_grid(np.arange(168.0))
    assert grid.shape == (7, 24)
    assert list(grid.index) == ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    assert grid.loc["Tue", 3] == 27.0
    with pytest.raises(ValueError, match="168"):
        week_grid(np.arange(24.0))


# --------------------------------------------------------------------------- the region's clock

DUBLIN_PEAK_PROFILE = {"region": "Europe/Dublin", "hourly": [1.0] * 24}


def test_the_week_is_read_on_the_first_profile_region_then_the_roster_then_the_start() -> None:
    shift = {"days": "daily", "start": "09:00", "end": "17:00", "agents": 1}
    rostered = {
        "serves": ["chat"],
        "roster": [
            {**shift, "region": "America/New_York"},
            {**shift, "region": "Asia/Tokyo"},
            {**shift, "region": "Asia/Tokyo", "start": "18:00", "end": "23:00"},
        ],
    }
    chat = {"per_hour": 1, "conversation": {"handle": {"dist": "fixed", "value": "1min"}}}
    profiled = {**chat, "profile": DUBLIN_PEAK_PROFILE}
    assert report_zone(_scenario()).utcoffset(None) == timedelta(hours=2)  # the start's offset
    assert zone_name(report_zone(_scenario())) == "UTC+02:00"
    assert zone_name(report_zone(_scenario(teams={"a": rostered}))) == "Asia/Tokyo"  # most shifts
    both = _scenario(teams={"a": rostered}, streams={"chat": profiled})
    assert zone_name(report_zone(both)) == "Europe/Dublin"


def test_zone_text_names_the_region_and_its_clock_change_in_a_dst_week() -> None:
    dublin, new_york = ZoneInfo("Europe/Dublin"), ZoneInfo("America/New_York")
    week = (datetime(2026, 3, 23, tzinfo=UTC), datetime(2026, 3, 30, tzinfo=UTC))
    # Dublin moves from GMT to IST at 01:00 UTC on Sunday 29 March 2026 (02:00 IST).
    assert zone_text(dublin, *week) == "Europe/Dublin (GMT, IST from Sun 29 Mar 02:00)"
    assert zone_text(new_york, *week) == "America/New_York (EDT)"  # it changed on 8 March
    march = (datetime(2026, 3, 2, tzinfo=UTC), datetime(2026, 3, 10, tzinfo=UTC))
    assert zone_text(new_york, *march) == "America/New_York (EST, EDT from Sun 08 Mar 03:00)"
    assert zone_text(ZoneInfo("UTC"), *week) == "UTC"
    assert zone_text(timezone(timedelta(hours=5, minutes=30)), *week) == "UTC+05:30"


def test_arrivals_keep_their_local_hour_across_the_clock_change() -> None:
    """17:00 in Dublin is 17:00 UTC before 29 March 2026 and 16:00 UTC after: both
    arrivals land in Monday 17:00 on the region's clock, an hour apart on UTC's."""
    scenario = _scenario(
        start="2026-03-23T00:00:00Z",
        horizon="2w",
        warmup="0s",
        streams={
            "chat": {
                "per_hour": 1,
                "profile": DUBLIN_PEAK_PROFILE,
                "conversation": {"handle": {"dist": "fixed", "value": "1min"}},
            }
        },
    )
    monday_17_gmt, next_monday_17_ist = 17 * H, (7 * 24 + 16) * H
    conversations = _conversations(
        [{"arrived_at": monday_17_gmt}, {"arrived_at": next_monday_17_ist}]
    )
    result = _result(scenario, [_record(0, conversations)])
    local = hourly_table(result)
    assert local.loc[_cell(0, 17), "arrivals"] == 2
    assert local["observed_h"].sum() == pytest.approx(14 * 24)  # the lost hour is still an hour
    utc = hourly_table(result, zone=ZoneInfo("UTC"))
    assert (utc.loc[_cell(0, 17), "arrivals"], utc.loc[_cell(0, 16), "arrivals"]) == (1, 1)
