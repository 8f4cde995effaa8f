"""What each figure of the report shows for this run, in a sentence computed from its data.

A fixed caption ("darker is busier") tells a manager how to read a heatmap;
it does not tell them that Tuesday 18:00 is the worst hour at 14 minutes.
Each function here takes the table a figure draws and returns its caption:
first what the data says (the worst hour, the longest queue, the busiest
team), then in one sentence how to read the figure. No matplotlib here: the
captions are plain text, testable on a small result.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, tzinfo
from typing import Any

import numpy as np
import pandas as pd

from simulator.analysis.hourly import extreme_cell
from simulator.analysis.time_axes import format_time
from simulator.scenario.schema import DAY_NAMES
from simulator.statistics.metric_names import stat_at

GOOD_SHARE = 80.0
"""Percent of customers answered within target that counts as a good hour."""
BUSY_OCCUPANCY = 85.0
"""Occupancy (percent) above which a team has no slack for peaks."""


def _count(number: int, thing: str) -> str:
    return f"{number} {thing}{'s' if number != 1 else ''}"


def _hour(grid: pd.DataFrame, row: int, column: int) -> str:
    return f"{grid.index[row]} {int(grid.columns[column]):02d}:00"


def _extreme(grid: pd.DataFrame, highest: bool) -> tuple[str, float] | None:
    """The hour of week (``Tue 18:00``) and value of the highest or lowest cell."""
    cell = extreme_cell(grid, highest)
    if cell is None:
        return None
    row, column = cell
    return _hour(grid, row, column), float(grid.iat[row, column])


def _value(node: Any, *keys: str) -> float:
    stat = stat_at(node, *keys)
    value = stat.get("value") if isinstance(stat, Mapping) else None
    return float(value) if value is not None else float("nan")


def _interval(node: Any, *keys: str) -> tuple[float, float] | None:
    stat = stat_at(node, *keys)
    ci = stat.get("ci95") if isinstance(stat, Mapping) else None
    return (float(ci[0]), float(ci[1])) if isinstance(ci, list | tuple) and len(ci) == 2 else None


# --------------------------------------------------------------------------- headline


def headline_caption(summary: Mapping[str, Any], targets: Mapping[str, float | None]) -> str:
    """The first-reply p90 with its interval against the target, the share within it
    and the share who left; then how to read dots and whiskers."""
    overall = summary.get("overall") or {}
    p90 = _value(overall, "frt_s", "p90")
    parts = []
    if np.isfinite(p90):
        interval = _interval(overall, "frt_s", "p90")
        around = (
            f" (95% interval {format_time(max(interval[0], 0.0))} to {format_time(interval[1])})"
            if interval
            else ""
        )
        target = targets.get("frt")
        against = f", against a {format_time(target)} target" if target is not None else ""
        parts.append(
            f"90% of customers got a first reply within {format_time(p90)}{around}{against}"
        )
    within = _value(overall, "frt_s", "within_target")
    if np.isfinite(within):
        parts.append(f"{within * 100:.0f}% within the target")
    left = _value(overall, "abandon_rate")
    if np.isfinite(left):
        parts.append(f"{left * 100:.1f}% left before a reply")
    said = ("; ".join(parts) + ". ") if parts else "No conversation reached an agent in this run. "
    replications = int(summary.get("replications") or 0)
    return (
        f"{said[0].upper()}{said[1:]}Dots are averages over {_count(replications, 'replication')}, "
        "whiskers the 95% confidence intervals (narrow: settled; wide: run more replications); "
        "dashed red lines are the targets."
    )


# --------------------------------------------------------------------------- distributions


def response_caption(times: pd.DataFrame, targets: Mapping[str, float | None]) -> str:
    """The share answered within the first-reply target (per stream when several),
    the slowest tenth's wait, and how to read the curves."""
    frt = times[(times["measure"] == "frt").to_numpy()]
    seconds = frt["seconds"].to_numpy(dtype=float)
    guide = (
        "A curve at height y over x: y% were answered (resolved) within x; higher and further "
        "left is better. First-reply curves stop short of 100% by the customers never answered."
    )
    if seconds.size == 0:
        return f"No first replies were judged in this run. {guide}"
    never = float(np.mean(np.isnan(seconds))) * 100
    answered = seconds[np.isfinite(seconds)]
    parts = []
    target = targets.get("frt")
    if target is not None:
        shares = [f"{np.mean(seconds <= target) * 100:.0f}% of all conversations"]
        stream = frt["stream"].to_numpy(dtype=object)
        streams = list(pd.unique(stream))
        if len(streams) > 1:
            for name in streams:
                mine = seconds[stream == name]
                shares.append(f"{np.mean(mine <= target) * 100:.0f}% of stream {name}")
        parts.append(f"First reply within the {format_time(target)} target: {', '.join(shares)}")
    if answered.size:
        parts.append(
            "the slowest 10% of those answered waited over "
            + format_time(float(np.percentile(answered, 90)))
        )
    parts.append(f"{never:.1f}% were never answered")
    text = "; ".join(parts)
    return f"{text[0].upper()}{text[1:]}. {guide}"


# --------------------------------------------------------------------------- heatmaps


def arrivals_caption(grid: pd.DataFrame, zone: str, streams: int) -> str:
    """The busiest and quietest hour of the week for arrivals."""
    busiest, quietest = _extreme(grid, True), _extreme(grid, False)
    if busiest is None or quietest is None:
        return f"No conversation arrived in the hours this run counts ({zone} time)."
    return (
        f"New conversations per hour of an average week, {_count(streams, 'stream')} together, "
        f"{zone} time: busiest {busiest[0]} with {busiest[1]:.1f} an hour, quietest "
        f"{quietest[0]} with {quietest[1]:.1f}. The busiest hours need the most people."
    )


def agents_caption(grid: pd.DataFrame, zone: str, teams: int) -> str:
    """The most and fewest agents on shift, and the hours nobody is on."""
    most, fewest = _extreme(grid, True), _extreme(grid, False)
    if most is None or fewest is None:
        return f"Nobody was sampled on shift in the hours this run counts ({zone} time)."
    values = grid.to_numpy(dtype=float)
    empty = int(np.sum(values[np.isfinite(values)] == 0))
    nobody = f"; nobody on shift in {_count(empty, 'hour')} of the week" if empty else ""
    return (
        f"Agents on shift in {_count(teams, 'team')} (overtime included), {zone} time: most "
        f"at {most[0]} ({most[1]:.1f}), fewest at {fewest[0]} ({fewest[1]:.1f}){nobody}. "
        "Busy hours above with few agents here are where customers wait."
    )


def frt_p90_caption(grid_s: pd.DataFrame, target_s: float | None, zone: str, teams: int) -> str:
    """The worst hour's first-reply p90 and how many hours miss the target."""
    worst = _extreme(grid_s, True)
    if worst is None:
        return f"No first reply was given in the hours this run counts ({zone} time)."
    values = grid_s.to_numpy(dtype=float)
    observed = int(np.isfinite(values).sum())
    over = ""
    if target_s is not None:
        late = int(np.sum(values[np.isfinite(values)] > target_s))
        over = (
            f"; {late} of {_count(observed, 'hour')} with replies over the "
            f"{format_time(target_s)} target"
        )
    return (
        f"First reply p90 by hour of week for {_count(teams, 'team')}, {zone} time: worst hour "
        f"{worst[0]}, {format_time(worst[1])}{over}. 90% of the customers answered who wrote "
        "in that hour got their first reply within this time; red cells are holes in the roster."
    )


def within_target_caption(
    grid_percent: pd.DataFrame, target_s: float | None, zone: str, own_targets: bool = False
) -> str:
    """The hour with the lowest share answered in time and how many fall short of 80%;
    ``own_targets``: streams are judged against targets of their own (no shared one)."""
    if target_s is None and not own_targets:
        return "No first-reply target is set, so no hour is judged against one."
    worst = _extreme(grid_percent, False)
    if worst is None:
        return f"No customer could be judged against the target in this run ({zone} time)."
    values = grid_percent.to_numpy(dtype=float)
    short = int(np.sum(values[np.isfinite(values)] < GOOD_SHARE))
    within = format_time(target_s) if target_s is not None else "their stream's own target"
    return (
        f"Share of customers first answered within {within}, by the hour they "
        f"wrote in, {zone} time: lowest {worst[0]} at {worst[1]:.0f}%; "
        f"{_count(short, 'hour')} below {GOOD_SHARE:.0f}%. Customers who gave up count as missed."
    )


# --------------------------------------------------------------------------- over time


def queue_caption(
    queues: pd.DataFrame, agents: pd.DataFrame, start: datetime, clock: tzinfo, zone: str
) -> str:
    """The longest average queue, where and when, and the most agents on shift at once."""
    guide = (
        "Lines are averages over the replications, bands the middle 80% of them; the grey "
        "area at the start is the warm-up, left out of every statistic."
    )
    if queues.empty or not np.isfinite(queues["mean"].to_numpy(dtype=float)).any():
        return f"No queue was sampled in this run. {guide}"
    peak = queues.loc[queues["mean"].astype(float).idxmax()]
    when = (pd.Timestamp(start) + pd.Timedelta(seconds=float(peak["at_s"]))).tz_convert(clock)
    names = pd.unique(queues["queue"].astype(str))
    text = (
        f"{_count(len(names), 'queue')}: the longest average queue was {peak['mean']:.1f} "
        f"conversations waiting in queue {peak['queue']} around {when.strftime('%a %d %b %H:%M')} "
        f"({zone} time)"
    )
    if not agents.empty:
        total = agents.groupby("at_s")["mean"].sum()
        text += f"; at most {total.max():.1f} agents were on shift at once"
    return f"{text[0].upper()}{text[1:]}. {guide}"


# --------------------------------------------------------------------------- teams


def occupancy_caption(by_team: Mapping[str, Any]) -> str:
    """The busiest and least busy team, and any above the burn-out line."""
    shares = {
        name: _value(block, "occupancy") * 100
        for name, block in by_team.items()
        if np.isfinite(_value(block, "occupancy"))
    }
    guide = (
        f"Above about {BUSY_OCCUPANCY:.0f}% leaves no slack for peaks; very low means more "
        "people than the work needs."
    )
    if not shares:
        return f"Nobody was on shift after the warm-up. {guide}"
    busiest = max(shares, key=shares.__getitem__)
    text = (
        "Share of on-shift time spent on replies and wrap-up: "
        f"team {busiest} is busiest at {shares[busiest]:.0f}%"
    )
    if len(shares) > 1:
        idlest = min(shares, key=shares.__getitem__)
        text += f", team {idlest} least busy at {shares[idlest]:.0f}%"
    over = [name for name, share in shares.items() if share > BUSY_OCCUPANCY]
    if over:
        text += f"; over {BUSY_OCCUPANCY:.0f}%: {', '.join(over)}"
    return f"{text}. {guide}"


def handoff_caption(table: pd.DataFrame) -> str:
    """Handbacks, re-read time and overtime per run, summed over teams, and the team
    with the most handbacks."""
    values = table.pivot_table(index="team", columns="measure", values="value", aggfunc="first")
    guide = (
        "Per team, with its shift-end policy in brackets; the last panel compares follow-up "
        "speed after a handback with conversations kept by the same agent."
    )
    handbacks = values.get("handbacks", pd.Series(dtype=float)).fillna(0.0)
    if handbacks.sum() <= 0:
        return f"No conversation was handed back at a shift end in this run. {guide}"
    most = str(handbacks.idxmax())
    reread = float(values.get("reread_h", pd.Series(dtype=float)).fillna(0.0).sum()) * 3600
    return (
        f"{handbacks.sum():.1f} conversations handed back per run, most by team {most} "
        f"({handbacks[most]:.1f}); colleagues spent {format_time(reread)} per run re-reading "
        f"them. {guide}"
    )


def shift_end_week_caption(table: pd.DataFrame, zone: str) -> str:
    """The shift end of the week that lets go of the most work, and their wait."""
    guide = (
        "Per occurrence of each shift end: open conversations handed back to a queue or kept "
        "for their owner's next shift, and how long they then waited for someone."
    )
    if table.empty:
        return f"No conversation was left open at a shift end after the warm-up. {guide}"
    per_end = table.groupby(["weekday", "clock"], sort=True)["per_end"].sum()
    weekday, clock = per_end.idxmax()
    rows = table[(table["weekday"] == weekday) & (table["clock"] == clock)]
    wait = float(np.average(rows["wait_mean_h"], weights=rows["per_end"])) * 3600
    day = DAY_NAMES[int(weekday)]
    return (
        f"The shift end leaving most work is {day} {clock} {zone} time: {per_end.max():.1f} open "
        f"conversations each time, waiting {format_time(wait)} on average for someone. {guide}"
    )
