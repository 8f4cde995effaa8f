"""Captions say what each figure shows for this run: computed from small hand-made
tables, every number in the sentence is checked."""

from __future__ import annotations

import numpy as np
import pandas as pd

from simulator.analysis import captions
from simulator.analysis.hourly import week_grid

MON, TUE, WED = 0, 1, 2


def _grid(cells: dict[tuple[int, int], float]) -> pd.DataFrame:
    values = np.full(168, np.nan)
    for (day, hour), value in cells.items():
        values[day * 24 + hour] = value
    return week_grid(values)


def test_frt_caption_names_the_worst_hour_and_the_hours_over_target() -> None:
    grid = _grid({(MON, 9): 60.0, (TUE, 18): 840.0, (WED, 10): 700.0})
    text = captions.frt_p90_caption(grid, 600.0, "Europe/Dublin", teams=3)
    assert text.startswith(
        "First reply p90 by hour of week for 3 teams, Europe/Dublin time: worst hour "
        "Tue 18:00, 14 min; 2 of 3 hours with replies over the 10 min target."
    )
    assert "worst hour Tue 18:00, 14 min." in captions.frt_p90_caption(grid, None, "UTC", 1)
    assert "No first reply" in captions.frt_p90_caption(_grid({}), 600.0, "UTC", 1)


def test_within_target_caption_names_the_lowest_hour_and_counts_those_short_of_80() -> None:
    grid = _grid({(MON, 9): 95.0, (TUE, 18): 42.0, (WED, 10): 79.5})
    text = captions.within_target_caption(grid, 3600.0, "UTC")
    assert text.startswith(
        "Share of customers first answered within 1 h, by the hour they wrote in, UTC time: "
        "lowest Tue 18:00 at 42%; 2 hours below 80%."
    )
    assert captions.within_target_caption(grid, None, "UTC").startswith("No first-reply target")


def test_arrivals_and_agents_captions_name_the_busiest_and_emptiest_hours() -> None:
    arrivals = _grid({(MON, 9): 12.0, (TUE, 17): 30.5, (WED, 3): 0.5})
    assert captions.arrivals_caption(arrivals, "UTC", streams=2).startswith(
        "New conversations per hour of an average week, 2 streams together, UTC time: "
        "busiest Tue 17:00 with 30.5 an hour, quietest Wed 03:00 with 0.5."
    )
    agents = _grid({(MON, 9): 4.0, (MON, 10): 6.5, (MON, 3): 0.0, (MON, 4): 0.0})
    assert captions.agents_caption(agents, "UTC", teams=1).startswith(
        "Agents on shift in 1 team (overtime included), UTC time: most at Mon 10:00 (6.5), "
        "fewest at Mon 03:00 (0.0); nobody on shift in 2 hours of the week."
    )


def test_occupancy_caption_names_the_busiest_team_and_those_past_85() -> None:
    by_team = {
        "tiger": {"occupancy": {"value": 0.91, "ci95": [0.88, 0.94]}},
        "generalists": {"occupancy": {"value": 0.645}},
        "empty": {"occupancy": {"value": None}},
    }
    assert captions.occupancy_caption(by_team).startswith(
        "Share of on-shift time spent on replies and wrap-up: team tiger is busiest at 91%, "
        "team generalists least busy at 64%; over 85%: tiger."
    )


def test_headline_caption_gives_the_p90_its_interval_and_the_target() -> None:
    summary = {
        "replications": 10,
        "overall": {
            "frt_s": {
                "p90": {"value": 2520.0, "ci95": [2280.0, 2820.0]},
                "within_target": {"value": 0.874},
            },
            "abandon_rate": {"value": 0.031},
        },
    }
    assert captions.headline_caption(summary, {"frt": 3600.0}).startswith(
        "90% of customers got a first reply within 42 min (95% interval 38 min to 47 min), "
        "against a 1 h target; 87% within the target; 3.1% left before a reply. Dots are "
        "averages over 10 replications"
    )


def test_shift_end_caption_names_the_shift_end_leaving_most_work() -> None:
    table = pd.DataFrame(
        {
            "weekday": [0, 4, 4],
            "clock": ["17:00", "17:00", "17:00"],
            "kind": ["handed_back", "handed_back", "waiting_for_owner"],
            "per_end": [2.0, 3.0, 1.0],
            "wait_mean_h": [1.0, 2.0, 6.0],
            "wait_p90_h": [2.0, 3.0, 8.0],
        }
    )
    # Fri 17:00: 3 + 1 a time, waiting (3 x 2 h + 1 x 6 h) / 4 = 3 h on average.
    assert captions.shift_end_week_caption(table, "Europe/Dublin").startswith(
        "The shift end leaving most work is Fri 17:00 Europe/Dublin time: 4.0 open "
        "conversations each time, waiting 3 h on average for someone."
    )
    empty = table.iloc[:0]
    assert captions.shift_end_week_caption(empty, "UTC").startswith("No conversation was left")


def test_response_caption_gives_the_share_within_target_per_stream() -> None:
    times = pd.DataFrame(
        {
            "stream": pd.Categorical(["a", "a", "b", "b", "b"]),
            "measure": "frt",
            "seconds": [30.0, 90.0, 50.0, np.nan, 20.0],
        }
    )
    assert captions.response_caption(times, {"frt": 60.0}).startswith(
        "First reply within the 1 min target: 60% of all conversations, 50% of stream a, "
        "67% of stream b; the slowest 10% of those answered waited over 1.3 min; "
        "20.0% were never answered."
    )
