"""Statistics of one replication and of a run, as summary.json reports them.

The definitions below are what planners read off summary.json, so they are
spelled out here and kept in one place:

- Only conversations that arrived at or after ``scenario.warmup`` count; the
  start of a run is empty and idle and would flatter every statistic.
  Follow-ups count when their conversation counts.
- ``counts``: conversations by outcome (``arrived`` is all of them).
- A conversation *reached a queue* unless it was deflected.
- ``queue_wait_s``, over conversations that reached a queue: picked up at
  minus arrived at; for abandoned ones never picked up, ended at minus arrived
  at; for ones still waiting at the horizon, horizon minus arrived at. That
  last value is a lower bound (censored), kept because dropping the longest
  waiters would bias waits low. ``share_waited``: share of those waits above
  zero.
- ``abandon_rate``: abandoned / reached a queue.
- ``frt_s``: first reply at minus arrived at, over answered conversations.
  ``within_target`` (needs an FRT target): answered with FRT at most the
  target, over conversations that reached a queue, less those still open and
  unanswered that arrived within one target of the horizon (they cannot be
  judged yet). Abandoned conversations and open ones already past the target
  count as misses. Each conversation is judged against its own stream's target
  (``streams.NAME.targets``, else ``targets``); conversations of a stream without
  a target are left out of the share.
- ``followup_s``: response time of answered follow-up messages;
  ``within_target`` against the stream's follow-up target over those answered ones.
- ``resolution_s``: ended at minus arrived at, over resolved conversations.
- Percentiles are numpy's default (linear interpolation).
- ``by_team``: ``occupancy`` = busy / on-shift agent time, ``overtime_h`` =
  overtime hours, ``handbacks`` = conversations handed back; throughput per
  on-shift agent-hour (on shift or in overtime, after warmup): ``per_agent_hour`` =
  first replies its agents sent, ``replies_per_agent_hour`` = all replies they sent;
  ``concurrency_held`` = open conversations its agents held while present, averaged
  over their time present (time-weighted). Replies and time held count after warmup,
  whenever the conversation arrived. ``frt_s.within_target``: the share of the
  conversations the team picked up first (``team`` in conversations.parquet) and
  answered, each against its own stream's FRT target; ``followup_s.within_target``:
  the answered follow-ups of those conversations against their stream's follow-up
  target. Conversations nobody answered (abandoned, or unanswered at the horizon)
  are in no team's share; the overall share counts them as misses.
- ``overall.overtime_h``: every team's overtime hours together;
  ``intake_cutoff_h`` (overall and by team): agent hours on shift but closed to
  new conversations by an ownership intake cutoff.
- ``handed_back`` and ``waiting_for_owner`` (overall, by stream and by the team
  of the agent who let go): spells after warmup in which an open conversation had
  nobody after a shift end, ``conversations`` counting them and ``wait_s`` their
  length: from the hand-back to the next agent's pick-up, or from the owner's
  departure to the owner's next shift (horizon minus start, a lower bound, for
  spells still running). 0 spells and ``None`` waits where the policy does not
  apply.

A statistic without data is ``None``, never 0 (counts are 0 though); every
stream and team of the scenario appears even when nothing happened to it.
Across replications each value becomes ``{"value", "ci95"}`` (see
:mod:`simulator.statistics.intervals`).

Everything works on whole columns: a replication can hold a million rows.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from simulator.recording import UNOWNED_KINDS, Outcome, ReplicationRecord
from simulator.scenario.schema import Scenario
from simulator.statistics.intervals import mean_ci
from simulator.statistics.metric_names import SHARES, TEAM_STATISTICS

PERCENTILES = (50, 90, 95, 99)
WAITED = 1e-9
"""Seconds of queue wait above which a conversation counts as having waited."""


def _times(frame: pd.DataFrame, column: str) -> np.ndarray:
    """A time column as floats, NaN where it did not happen (nullable types too)."""
    return frame[column].to_numpy(dtype=float, na_value=np.nan)


def _is(frame: pd.DataFrame, outcome: Outcome) -> np.ndarray:
    """Rows with this outcome; works for categorical and plain string columns."""
    return (frame["outcome"] == outcome.value).to_numpy(dtype=bool)


def stream_targets(scenario: Scenario, streams: pd.Series | np.ndarray, key: str) -> np.ndarray:
    """Each row's target in seconds (``key`` "frt" or "followup") by the stream it
    belongs to: the stream's own, else the scenario's; NaN where there is none."""
    names = list(scenario.streams)
    seconds = [getattr(scenario.stream_targets(name), key) for name in names]
    by_code = np.array([np.nan if value is None else value for value in seconds] + [np.nan])
    codes = pd.Categorical(np.asarray(streams), categories=names).codes
    return by_code[codes]  # code -1 (no such stream) takes the trailing NaN


def counted_conversations(record: ReplicationRecord, scenario: Scenario) -> pd.DataFrame:
    """Counted conversations (arrived at or after warmup) with the per-conversation
    quantities the statistics use: ``reached`` (not deflected), a flag per outcome,
    ``wait``, ``frt``, ``resolution`` (seconds; NaN where they do not apply),
    ``remaining`` (horizon minus arrived at) and ``frt_target`` (the stream's, NaN
    without one)."""
    conversations = record.conversations
    arrived = _times(conversations, "arrived_at")
    picked = _times(conversations, "picked_up_at")
    first_reply = _times(conversations, "first_reply_at")
    ended = _times(conversations, "ended_at")
    outcomes = {o: _is(conversations, o) for o in Outcome}
    reached = ~outcomes[Outcome.DEFLECTED]
    unpicked_end = np.where(
        outcomes[Outcome.ABANDONED],
        ended,
        np.where(outcomes[Outcome.OPEN], scenario.horizon, np.nan),
    )
    wait = np.where(np.isnan(picked), unpicked_end, picked) - arrived
    table = pd.DataFrame(
        {
            "conversation": conversations["conversation"].array,
            "stream": conversations["stream"].array,
            "team": conversations["team"].array,
            "reached": reached,
            **{o.value: outcomes[o] for o in Outcome},
            "wait": np.where(reached, wait, np.nan),
            "frt": np.where(reached, first_reply - arrived, np.nan),
            "resolution": np.where(outcomes[Outcome.RESOLVED], ended - arrived, np.nan),
            "remaining": scenario.horizon - arrived,
            "frt_target": stream_targets(scenario, conversations["stream"], "frt"),
            "repeat": _repeats(conversations),
        }
    )
    return table[arrived >= scenario.warmup].reset_index(drop=True)


def _repeats(conversations: pd.DataFrame) -> np.ndarray:
    """Which conversations are repeat contacts (none in a record without the column)."""
    if "repeat_of" not in conversations:
        return np.zeros(len(conversations), dtype=bool)
    return conversations["repeat_of"].notna().to_numpy(dtype=bool)


def _counted_followups(
    record: ReplicationRecord, counted: pd.DataFrame, scenario: Scenario
) -> pd.DataFrame:
    """Answered follow-ups of counted conversations, with their stream and its
    follow-up target (``target``, NaN without one)."""
    position = pd.Index(counted["conversation"]).get_indexer(
        record.followups["conversation"].to_numpy()
    )
    kept = position >= 0
    streams = counted["stream"].array[position[kept]]
    return pd.DataFrame(
        {
            "stream": streams,
            "team": counted["team"].array[position[kept]],
            "response": _times(record.followups, "response_s")[kept],
            "target": stream_targets(scenario, streams, "followup"),
        }
    )


def _share(hits: int, total: int) -> float | None:
    return hits / total if total > 0 else None


def _distribution(values: np.ndarray) -> dict[str, float | None]:
    """Mean and percentiles of the non-NaN values; all ``None`` without any."""
    values = values[~np.isnan(values)]
    if values.size == 0:
        return {"mean": None, **{f"p{p}": None for p in PERCENTILES}}
    quantiles = np.percentile(values, PERCENTILES)
    return {
        "mean": float(values.mean()),
        **{f"p{p}": float(q) for p, q in zip(PERCENTILES, quantiles, strict=True)},
    }


def _within(values: np.ndarray, targets: np.ndarray, judged: np.ndarray) -> float | None:
    """Share of the ``judged`` rows (a mask) whose value is at most their own target;
    ``None`` when no row has a target. NaN values never meet it; rows without a target
    are never judged."""
    has_target = ~np.isnan(targets)
    if not has_target.any():
        return None
    judged = judged & has_target
    hits = np.count_nonzero(values[judged] <= targets[judged])
    return _share(int(hits), int(np.count_nonzero(judged)))


def frt_undecided(
    is_open: np.ndarray, frt: np.ndarray, remaining: np.ndarray, target: float | np.ndarray
) -> np.ndarray:
    """Conversations whose first reply cannot be judged against ``target`` (one for all,
    or one per row) yet: still open and unanswered (``frt`` NaN) at the horizon, having
    arrived within one target of it (``remaining``: horizon minus arrived at)."""
    return is_open & np.isnan(frt) & (remaining <= target)


def _frt_judged(rows: Columns) -> np.ndarray:
    """Conversations whose first reply can be judged against their target by the horizon."""
    undecided = frt_undecided(rows["open"], rows["frt"], rows["remaining"], rows["frt_target"])
    return rows["reached"] & ~undecided


Columns = dict[str, np.ndarray]
"""Counted conversations as plain arrays, one per column of :func:`counted_conversations`."""

_COLUMNS = (
    "reached",
    *(o.value for o in Outcome),
    "wait",
    "frt",
    "resolution",
    "remaining",
    "frt_target",
    "repeat",
)


def _columns(table: pd.DataFrame) -> Columns:
    return {name: table[name].to_numpy() for name in _COLUMNS}


def _split(labels: pd.Series, names: Sequence[str], columns: Columns) -> dict[str, Columns]:
    """The rows of each name, in their original order: one stable sort of the labels
    instead of a scan of every row per name (sizing splits by 168 hours or more)."""
    codes = pd.Categorical(labels, categories=list(names)).codes
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(len(names) + 1))
    return {
        name: {key: values[order[bounds[k] : bounds[k + 1]]] for key, values in columns.items()}
        for k, name in enumerate(names)
    }


def _metrics(rows: Columns, followups: Columns, repeats: bool) -> dict:
    """The METRICS block for one replication and one group of conversations (and the
    answered follow-ups of that group, with their targets); ``repeats``: the scenario
    lets customers come back, so the count of repeat contacts is part of it."""
    reached = int(rows["reached"].sum())
    wait = rows["wait"]
    frt = rows["frt"]
    answered = ~np.isnan(followups["response"])
    response = followups["response"][answered]
    return {
        "counts": {
            "arrived": len(rows["reached"]),
            **{
                name: int(rows[name].sum())
                for name in ("deflected", "abandoned", "resolved", "open")
            },
            # Repeat contacts among the arrivals, where customers may come back.
            **({"repeats": int(rows["repeat"].sum())} if repeats else {}),
        },
        "abandon_rate": _share(int(rows["abandoned"].sum()), reached),
        "queue_wait_s": {
            **_distribution(wait),
            "share_waited": _share(int(np.count_nonzero(wait > WAITED)), reached),
        },
        "frt_s": {
            **_distribution(frt),
            "within_target": _within(frt, rows["frt_target"], _frt_judged(rows)),
        },
        "followup_s": {
            **_distribution(response),
            "within_target": _within(
                response, followups["target"][answered], np.ones(response.size, dtype=bool)
            ),
        },
        "resolution_s": _distribution(rows["resolution"]),
    }


TEAM_TALLIES = (
    "on_shift_s",
    "busy_s",
    "overtime_s",
    "handbacks",
    "cutoff_s",
    "first_replies",
    "replies",
    "held_s",
)


def _per(amount: float, seconds: float, per: float = 1.0) -> float | None:
    """``amount`` per ``per`` seconds of ``seconds``; ``None`` without any time."""
    return amount / seconds * per if seconds > 0 else None


def _team_metrics(record: ReplicationRecord, scenario: Scenario) -> dict:
    """Occupancy, overtime hours, handbacks, throughput and load of every team."""
    totals = record.teams[list(TEAM_TALLIES)].groupby(record.teams["team"].astype(str)).sum()
    result = {}
    for team in scenario.teams:
        if team not in totals.index:
            result[team] = dict.fromkeys(TEAM_STATISTICS)
            continue
        row = totals.loc[team]
        on_shift = float(row["on_shift_s"])
        result[team] = {
            "occupancy": _per(float(row["busy_s"]), on_shift),
            "overtime_h": float(row["overtime_s"]) / 3600.0,
            "handbacks": float(row["handbacks"]),
            "intake_cutoff_h": float(row["cutoff_s"]) / 3600.0,
            "per_agent_hour": _per(float(row["first_replies"]), on_shift, 3600.0),
            "replies_per_agent_hour": _per(float(row["replies"]), on_shift, 3600.0),
            "concurrency_held": _per(float(row["held_s"]), on_shift),
        }
    return result


def _team_within(table: pd.DataFrame, followups: pd.DataFrame, teams: list[str]) -> dict:
    """Each team's ``frt_s``/``followup_s`` ``within_target``: the answered
    conversations it picked up first (and their answered follow-ups), each against
    its own stream's target."""
    answered = table[table["frt"].notna()]
    first = _split(
        answered["team"],
        teams,
        {"frt": answered["frt"].to_numpy(), "target": answered["frt_target"].to_numpy()},
    )
    replied = followups[followups["response"].notna()]
    later = _split(
        replied["team"],
        teams,
        {"response": replied["response"].to_numpy(), "target": replied["target"].to_numpy()},
    )
    return {
        team: {
            "frt_s": {
                "within_target": _within(
                    first[team]["frt"],
                    first[team]["target"],
                    np.ones(first[team]["frt"].size, dtype=bool),
                )
            },
            "followup_s": {
                "within_target": _within(
                    later[team]["response"],
                    later[team]["target"],
                    np.ones(later[team]["response"].size, dtype=bool),
                )
            },
        }
        for team in teams
    }


def _spells(waits: np.ndarray) -> dict:
    """A ``handed_back`` or ``waiting_for_owner`` block from its spells' lengths."""
    if waits.size == 0:
        return {"conversations": 0, "wait_s": {"mean": None, "p50": None, "p90": None}}
    p50, p90 = np.percentile(waits, (50, 90))
    return {
        "conversations": int(waits.size),
        "wait_s": {"mean": float(waits.mean()), "p50": float(p50), "p90": float(p90)},
    }


def _unowned(record: ReplicationRecord, scenario: Scenario) -> dict[str, dict]:
    """Spells after warmup by kind, each with the stream and team to group them by."""
    unowned = record.unowned
    since = _times(unowned, "since")
    kept = since >= scenario.warmup
    until = _times(unowned, "until")
    waits = (np.where(np.isnan(until), scenario.horizon, until) - since)[kept]
    conversations = unowned["conversation"].to_numpy(dtype=np.int64)[kept]
    streams = record.conversations["stream"].to_numpy()[conversations] if len(waits) else []
    agents = unowned["agent"].to_numpy(dtype=np.int64)[kept]
    teams = record.agents["team"].to_numpy()[agents] if len(waits) else []
    kinds = unowned["kind"].astype(str).to_numpy()[kept]
    return {
        kind: {
            "waits": waits[kinds == kind],
            "stream": np.asarray(streams)[kinds == kind],
            "team": np.asarray(teams)[kinds == kind],
        }
        for kind in UNOWNED_KINDS
    }


def _unowned_blocks(spells: dict[str, dict], key: str | None, name: str | None) -> dict:
    """``handed_back`` and ``waiting_for_owner`` for all spells or one stream or team."""
    blocks = {}
    for kind, columns in spells.items():
        waits = columns["waits"] if key is None else columns["waits"][columns[key] == name]
        blocks[kind] = _spells(waits)
    return blocks


def replication_metrics(record: ReplicationRecord, scenario: Scenario) -> dict:
    """One replication's ``overall``, ``by_stream`` and ``by_team`` statistics."""
    table = counted_conversations(record, scenario)
    followups = _counted_followups(record, table, scenario)
    rows = _columns(table)
    response = {key: followups[key].to_numpy() for key in ("response", "target")}
    names = list(scenario.streams)
    rows_by = _split(table["stream"], names, rows)
    response_by = _split(followups["stream"], names, response)
    spells = _unowned(record, scenario)
    teams = _team_metrics(record, scenario)
    within = _team_within(table, followups, list(scenario.teams))
    return {
        "overall": {
            **_metrics(rows, response, scenario.repeats()),
            "overtime_h": float(record.teams["overtime_s"].sum()) / 3600.0,
            "intake_cutoff_h": float(record.teams["cutoff_s"].sum()) / 3600.0,
            **_unowned_blocks(spells, None, None),
        },
        "by_stream": {
            name: {
                **_metrics(rows_by[name], response_by[name], scenario.repeats()),
                **_unowned_blocks(spells, "stream", name),
            }
            for name in names
        },
        "by_team": {
            name: {**teams[name], **within[name], **_unowned_blocks(spells, "team", name)}
            for name in teams
        },
    }


def _combine(trees: list, key: str = "") -> dict:
    """Replace every leaf of equally shaped trees by its mean and interval across them."""
    if isinstance(trees[0], dict):
        return {name: _combine([tree[name] for tree in trees], name) for name in trees[0]}
    return mean_ci(trees, kind="share" if key in SHARES else "amount")


def summarise(records: Sequence[ReplicationRecord], scenario: Scenario, seed: int) -> dict:
    """The summary.json document for a run of ``records``."""
    return summarise_metrics(
        [replication_metrics(record, scenario) for record in records], scenario, seed
    )


def summarise_metrics(trees: Sequence[dict], scenario: Scenario, seed: int) -> dict:
    """The summary.json document from each replication's :func:`replication_metrics`,
    for a caller that has them already."""
    if not trees:
        raise ValueError("summarise needs at least one replication")
    combined = _combine(list(trees))
    return {"scenario": scenario.name, "seed": seed, "replications": len(trees), **combined}
