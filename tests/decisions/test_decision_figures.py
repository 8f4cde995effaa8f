"""The figures of ``size`` and ``roster`` read like the run report's: agents in its
greens (red marks a missed target), the team in its palette colour, durations in
the unit their range calls for, the week on the scenario's clock by name with its
daylight-saving change, and a caption computed from the numbers drawn.

The figures are built from hand-made results (no simulation) and read through
their matplotlib artists, not their pixels.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from matplotlib.colors import to_hex

import simulator
from simulator.analysis.figures import TARGET_STYLE
from simulator.analysis.palette import Colours
from simulator.decisions.roster.roster import Outcome, RosterResult, Round
from simulator.decisions.roster.roster_report import roster_figure
from simulator.decisions.roster.shift_cover import Cover
from simulator.decisions.sizing.size_figures import size_caption, size_heatmap
from simulator.decisions.sizing.size_intervals import week_zone_text
from simulator.decisions.targets import parse_target

TWO_TEAMS: dict[str, Any] = {
    "name": "two-teams",
    "start": "2026-03-23T00:00:00Z",
    "horizon": "2w",
    "streams": {
        "chat": {"per_hour": 10, "conversation": {"handle": {"dist": "fixed", "value": "4min"}}}
    },
    "teams": {
        "day": {"agents": 2, "serves": ["chat"]},
        "night": {"agents": 1, "serves": ["chat"]},
    },
}


def _scenario(zone: str | None = None) -> simulator.Scenario:
    """:data:`TWO_TEAMS`, starting on ``zone``'s clock (a name, as the Python API
    allows) or in UTC."""
    if zone is None:
        return simulator.load_scenario(TWO_TEAMS)
    return simulator.load_scenario(
        {**TWO_TEAMS, "start": datetime(2026, 3, 23, tzinfo=ZoneInfo(zone))}
    )


def test_the_sizing_clock_is_named_with_its_daylight_saving_change() -> None:
    assert week_zone_text(_scenario()) == "UTC"
    offset = simulator.load_scenario({**TWO_TEAMS, "start": "2026-03-23T00:00:00+01:00"})
    assert week_zone_text(offset) == "UTC+01:00"
    dublin = week_zone_text(_scenario("Europe/Dublin"))
    assert dublin == "Europe/Dublin (GMT, IST from Sun 29 Mar 02:00)"


def test_the_size_heatmap_is_green_on_the_named_clock_with_its_busiest_hour() -> None:
    needed = np.zeros((7, 24))
    needed[1, 18] = 12.0  # Tue 18:00
    needed[0, :9] = np.nan  # before the warmup ends
    on_shift = np.full((7, 24), 3.0)
    on_shift[4, 7] = 5.0  # Fri 07:00
    zone = "Europe/Dublin (GMT, IST from Sun 29 Mar 02:00)"
    figure = size_heatmap([("formula", needed), ("on shift", on_shift)], title="t", zone=zone)
    panels = [ax for ax in figure.axes if ax.images]
    assert len(panels) == 2
    assert all(ax.get_xlabel() == f"hour of the day, {zone}" for ax in panels)
    assert all(ax.images[0].get_cmap().name == "Greens" for ax in panels)
    caption = size_caption([("formula", needed), ("on shift", on_shift)], zone)
    assert caption == (
        f"Hours of the week on {zone}. Upper panel: most 12 agents on Tue 18:00, none in "
        "158 hours. Lower panel: most 5 agents on Fri 07:00."
    )
    assert size_caption([("alone", on_shift)], "UTC") == (
        "Hours of the week on UTC. Most 5 agents on Fri 07:00."
    )
    texts = [text.get_text() for text in figure.texts]
    assert any(text.startswith(caption) and "Blank" in text for text in texts)


def _result(scenario: simulator.Scenario, team: str, target: str, values: np.ndarray) -> Any:
    """A roster result of 168 hourly slots whose simulated statistic is ``values``,
    judged everywhere, missing the target where it is above it."""
    goal = parse_target(target)
    required = np.full(168, 2.0)
    judged = np.ones(168, dtype=bool)
    outcome = Outcome(
        value=float(values.mean()),
        interval=None,
        met=False,
        by_slot=values,
        errors=np.full(168, 1.0),
        judged=judged,
        missing=values > goal.threshold,
        agent_hours=336.0,
        summary={},
    )
    chosen = Round(1, required, Cover(np.array([2]), 10.0, required), outcome, 0)
    return RosterResult(
        scenario=scenario,
        proposed=scenario,
        team=team,
        target=goal,
        confidence=None,
        interval_target=None,
        seed=1,
        replications=2,
        slot_s=3600.0,
        zone="UTC",
        choices=[],
        rounds=[chosen],
        chosen=chosen,
        original=outcome,
        flat_agent_hours=336.0,
    )


def _line_colours(ax: Any) -> dict[str, str]:
    return {line.get_label(): to_hex(line.get_color()) for line in ax.get_lines()}


def test_the_roster_figure_draws_each_team_in_its_own_palette_colour() -> None:
    scenario = _scenario("Europe/Dublin")
    waits = np.full(168, 30.0)
    waits[40] = 400.0  # Tue 16:00 misses a 5-minute target
    palette = Colours.for_scenario(scenario)
    colours = {}
    for team in ("day", "night"):
        figure = roster_figure(_result(scenario, team, "queue_wait_s.mean<=5min", waits))
        top, bottom = figure.axes
        colours[team] = _line_colours(top)["scheduled"]
        assert colours[team] == palette("team", team)
        assert bottom.get_xlabel().startswith(
            "hour of the week, Europe/Dublin (GMT, IST from Sun 29 Mar 02:00)"
        )
    assert colours["day"] != colours["night"]
    # Waits up to 400 s are drawn in minutes, and only the missed hour in red.
    assert bottom.get_ylabel() == "queue_wait_s.mean (minutes)"
    target = next(line for line in bottom.get_lines() if line.get_label().startswith("target"))
    assert target.get_ydata()[0] == 5.0
    red = to_hex(TARGET_STYLE["color"])
    dots = [line for line in bottom.get_lines() if line.get_linestyle() == "None"]
    missed = [line for line in dots if to_hex(line.get_color()) == red]
    assert [line.get_xdata().tolist() for line in missed] == [[40.0]]
    assert [line.get_ydata().tolist() for line in missed] == [[400.0 / 60]]
    top_colours = set(_line_colours(figure.axes[0]).values())
    assert red not in top_colours and "#d62728" not in top_colours


def test_the_roster_figure_keeps_seconds_for_short_waits_and_percent_for_shares() -> None:
    scenario = _scenario()
    short = roster_figure(_result(scenario, "day", "queue_wait_s.mean<=30s", np.full(168, 20.0)))
    assert short.axes[1].get_ylabel() == "queue_wait_s.mean (seconds)"
    share = roster_figure(_result(scenario, "day", "frt.within_target>=0.8", np.full(168, 0.9)))
    assert share.axes[1].get_ylabel() == "frt_s.within_target (%)"
    assert share.axes[1].get_xlabel().startswith("hour of the week, UTC ")
