"""Tidy tables the report's figures draw, computed from a run's records.

Each function turns a :class:`~simulator.experiment.RunResult` into one small
pandas DataFrame; :mod:`simulator.analysis.figures` only draws them. The rules
for what counts follow summary.json (see :mod:`simulator.statistics.metrics`):
conversations arriving before ``warmup`` are left out, and a first response is
judged over conversations that reached a queue, so abandoned and unanswered
ones appear as *never answered* rather than disappearing.

Time series keep the warm-up period (it is shaded in the figures) so a reader
sees the empty start of the run for what it is.
"""

from __future__ import annotations

from datetime import tzinfo
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from simulator.analysis.hourly import report_zone
from simulator.recording import STATE_INTERVAL, Outcome
from simulator.statistics.intervals import mean_ci
from simulator.statistics.metrics import frt_undecided, stream_targets

if TYPE_CHECKING:
    from simulator.experiment import RunResult
    from simulator.scenario.schema import Scenario

MEASURES = ("frt", "followup", "resolution")
"""The response-time measures of :func:`response_times`."""

SERIES_BINS_S = (STATE_INTERVAL, 900.0, 1800.0, 3600.0, 3 * 3600.0, 6 * 3600.0, 86400.0)
MAX_POINTS = 600
"""Time series are averaged into the shortest bin that keeps at most this many points."""


def _floats(frame: pd.DataFrame, column: str) -> np.ndarray:
    return frame[column].to_numpy(dtype=float, na_value=np.nan)


def response_times(result: RunResult) -> pd.DataFrame:
    """Every judged response, one row each: ``replication, stream, measure, seconds``.

    - ``frt``: one row per conversation that reached a queue (less those still
      open, unanswered and too recent to judge against their stream's FRT target);
      ``seconds`` is NaN when it was never answered (abandoned, or still waiting).
    - ``followup``: one row per answered follow-up message.
    - ``resolution``: one row per resolved conversation, arrival to resolution.

    The share of ``frt`` rows at most the target is the summary's
    ``within_target``, pooled over replications.
    """
    scenario = result.scenario
    conversations = result.conversations
    arrived = _floats(conversations, "arrived_at")
    counted = conversations[arrived >= scenario.warmup]
    arrived = arrived[arrived >= scenario.warmup]
    outcome = counted["outcome"].astype(str).to_numpy()
    frt = _floats(counted, "first_reply_at") - arrived
    reached = outcome != Outcome.DEFLECTED.value
    target = stream_targets(scenario, counted["stream"], "frt")
    reached &= ~frt_undecided(
        outcome == Outcome.OPEN.value, frt, scenario.horizon - arrived, target
    )
    resolved = outcome == Outcome.RESOLVED.value
    # Categorical from the start: coding the pooled rows' names at the end costs more.
    stream = pd.Categorical(counted["stream"], categories=list(scenario.streams))
    replication = counted["replication"].to_numpy()

    followups = result.followups.merge(
        pd.DataFrame(
            {"replication": replication, "conversation": counted["conversation"], "stream": stream}
        ),
        on=["replication", "conversation"],
        how="inner",
    )
    parts = [
        (replication[reached], stream[reached], frt[reached]),
        (
            followups["replication"].to_numpy(),
            followups["stream"].array,
            _floats(followups, "response_s"),
        ),
        (
            replication[resolved],
            stream[resolved],
            _floats(counted, "ended_at")[resolved] - arrived[resolved],
        ),
    ]
    return pd.DataFrame(
        {
            "replication": np.concatenate([part[0] for part in parts]),
            "stream": pd.Categorical.from_codes(
                np.concatenate([part[1].codes for part in parts]), categories=stream.categories
            ),
            "measure": pd.Categorical.from_codes(
                np.repeat(np.arange(len(MEASURES)), [len(part[0]) for part in parts]),
                categories=list(MEASURES),
            ),
            "seconds": np.concatenate([part[2] for part in parts]),
        }
    )


def series_bin(scenario: Scenario) -> float:
    """Seconds per point of the time series of a run of this horizon."""
    for width in SERIES_BINS_S:
        if scenario.horizon / width <= MAX_POINTS:
            return width
    return SERIES_BINS_S[-1]


def _states(result: RunResult, kind: str, column: str) -> pd.DataFrame:
    """``replication, name, bin, value``: one state column averaged per time bin."""
    states = result.states
    states = states[(states["kind"] == kind).to_numpy(dtype=bool)]
    scenario = result.scenario
    width = series_bin(scenario)
    order = scenario.queues() if kind == "queue" else list(scenario.teams)
    names = pd.Categorical(states["name"])  # categorical already: recoded, not re-read as text
    present = names.categories[np.unique(names.codes[names.codes >= 0])]
    order += sorted(set(present) - set(order))  # anything the scenario does not name, last
    return pd.DataFrame(
        {
            "replication": states["replication"].to_numpy(),
            "name": names.set_categories(order),
            "bin": np.floor(_floats(states, "at") / width) * width,
            "value": _floats(states, column),
        }
    )


def _over_replications(per_replication: pd.DataFrame, name: str) -> pd.DataFrame:
    """Mean and 10th-90th percentile band over replications, per name and time bin."""
    grouped = per_replication.groupby(["name", "bin"], sort=True, observed=True)["value"]
    table = pd.DataFrame(
        {"mean": grouped.mean(), "low": grouped.quantile(0.1), "high": grouped.quantile(0.9)}
    ).reset_index()
    return table.rename(columns={"name": name, "bin": "at_s"})


def queue_over_time(result: RunResult) -> pd.DataFrame:
    """Conversations waiting per queue over time: ``queue, at_s, mean, low, high``.

    Each replication's 5-minute samples are averaged over bins of
    :func:`series_bin`; ``mean`` is the mean over replications, ``low`` and
    ``high`` their 10th and 90th percentiles. ``at_s`` is the start of the bin.
    """
    return _over_time(result, "queue", "waiting")


def agents_over_time(result: RunResult) -> pd.DataFrame:
    """Agents present (on shift or in overtime) per team over time, as
    :func:`queue_over_time`: ``team, at_s, mean, low, high``."""
    return _over_time(result, "team", "present")


def _over_time(result: RunResult, kind: str, column: str) -> pd.DataFrame:
    """One state column of every ``kind`` (``queue`` or ``team``) averaged per
    replication and time bin, then over replications: ``<kind>, at_s, mean, low, high``."""
    samples = _states(result, kind, column)
    per_replication = samples.groupby(
        ["replication", "name", "bin"], as_index=False, observed=True
    )["value"]
    return _over_replications(per_replication.mean(), kind)


HANDOFF_MEASURES = (
    "handbacks",
    "reread_h",
    "overtime_min_per_shift",
    "followup_p90_handed_back_s",
    "followup_p90_kept_s",
)
"""Measures of :func:`handoff_table`, each per replication then mean and interval."""


def handoff_table(result: RunResult) -> pd.DataFrame:
    """What shift ends cost, per team: ``team, policy, measure, value, low, high``.

    Per replication (after warmup): conversations handed back, hours spent
    re-reading handed-back conversations, overtime minutes per agent-shift that
    ended, and the 90th percentile of follow-up response time for messages
    answered after the conversation had been handed back versus those answered
    by the agent who kept it (conversations counted by the team that last held
    them). ``value`` is the mean over replications, ``low``/``high`` its 95%
    interval (NaN without one).
    """
    scenario = result.scenario
    per_replication: dict[tuple[str, str], list[float | None]] = {
        (team, measure): [] for team in scenario.teams for measure in HANDOFF_MEASURES
    }
    followups = _followups_by_team(result)
    response = followups["response_s"].to_numpy(dtype=float)
    team_codes = followups["team"].cat
    code_of = {str(name): code for code, name in enumerate(team_codes.categories)}
    # Row positions of each (replication, team, handed back?): one grouping, not a mask each.
    groups = followups.groupby(
        [
            followups["replication"].to_numpy(),
            team_codes.codes.to_numpy(),
            followups["after_handback"].to_numpy(dtype=bool),
        ]
    ).indices
    for record in result.records:
        teams = record.teams.groupby(record.teams["team"].astype(str), observed=True)[
            ["handbacks", "reread_s", "overtime_s", "agent_shifts"]
        ].sum()
        for team in scenario.teams:
            row = teams.loc[team] if team in teams.index else None
            values: dict[str, float | None] = {
                "handbacks": None,
                "reread_h": None,
                "overtime_min_per_shift": None,
            }
            if row is not None:
                shifts = float(row["agent_shifts"])
                values = {
                    "handbacks": float(row["handbacks"]),
                    "reread_h": float(row["reread_s"]) / 3600.0,
                    "overtime_min_per_shift": (
                        float(row["overtime_s"]) / 60.0 / shifts if shifts > 0 else None
                    ),
                }
            for label, handed in (("handed_back", True), ("kept", False)):
                rows = groups.get((record.replication, code_of.get(team), handed))
                values[f"followup_p90_{label}_s"] = (
                    float(np.percentile(response[rows], 90)) if rows is not None else None
                )
            for measure in HANDOFF_MEASURES:
                per_replication[(team, measure)].append(values[measure])
    rows = []
    for (team, measure), values in per_replication.items():
        stat = mean_ci(values, kind="amount")
        low, high = stat["ci95"] if stat["ci95"] is not None else (np.nan, np.nan)
        rows.append(
            {
                "team": team,
                "policy": scenario.team_handoff(team).policy.value,
                "measure": measure,
                "value": np.nan if stat["value"] is None else stat["value"],
                "low": low,
                "high": high,
            }
        )
    return pd.DataFrame(rows, columns=["team", "policy", "measure", "value", "low", "high"])


def _followups_by_team(result: RunResult) -> pd.DataFrame:
    """Answered follow-ups of counted conversations with the team that last held them."""
    conversations = result.conversations
    counted = conversations[_floats(conversations, "arrived_at") >= result.scenario.warmup]
    teams = pd.DataFrame(
        {
            "replication": counted["replication"].to_numpy(),
            "conversation": counted["conversation"].to_numpy(),
            "team": pd.Categorical(counted["team"]),
        }
    )
    return result.followups.merge(teams, on=["replication", "conversation"], how="inner")


def shift_end_table(result: RunResult, zone: tzinfo | None = None) -> pd.DataFrame:
    """Per shift end of the week (weekday and clock time of the shift's end on the
    wall clock of ``zone``, default :func:`~simulator.analysis.hourly.report_zone`;
    after warmup) and kind (``handed_back`` or ``waiting_for_owner``): ``per_end``,
    open conversations let go at one such shift end (mean over its occurrences in all
    replications), and their wait until someone worked on them again in hours
    (``wait_mean_h``, ``wait_p90_h``; spells past the horizon count to it).

    Shift ends that let nothing go are absent: the table says where work piles up."""
    scenario = result.scenario
    frames = [record.unowned for record in result.records]
    spells = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    columns = ["weekday", "clock", "kind", "per_end", "wait_mean_h", "wait_p90_h"]
    if spells.empty:
        return pd.DataFrame(columns=columns)
    since = _floats(spells, "since")
    spells = spells[since >= scenario.warmup]
    if spells.empty:
        return pd.DataFrame(columns=columns)
    until = _floats(spells, "until")
    wait_h = (np.where(np.isnan(until), scenario.horizon, until) - _floats(spells, "since")) / 3600
    ends = _floats(spells, "shift_end")
    local = (pd.Timestamp(scenario.start) + pd.to_timedelta(ends, unit="s")).tz_convert(
        zone or report_zone(scenario)
    )
    frame = pd.DataFrame(
        {
            "weekday": local.day_of_week,
            "clock": local.strftime("%H:%M"),
            "kind": spells["kind"].astype(str).to_numpy(),
            "end": ends,
            "replication": np.repeat(
                [r.replication for r in result.records], [len(f) for f in frames]
            )[since >= scenario.warmup],
            "wait_h": wait_h,
        }
    )
    # How often each weekly shift end occurred: distinct end instants over replications.
    occurrences = frame.groupby(["weekday", "clock"])["end"].nunique() * len(result.records)
    rows = []
    for (weekday, clock, kind), group in frame.groupby(["weekday", "clock", "kind"]):
        rows.append(
            {
                "weekday": int(weekday),
                "clock": clock,
                "kind": kind,
                "per_end": len(group) / occurrences[(weekday, clock)],
                "wait_mean_h": float(group["wait_h"].mean()),
                "wait_p90_h": float(np.percentile(group["wait_h"], 90)),
            }
        )
    return pd.DataFrame(rows, columns=columns)
