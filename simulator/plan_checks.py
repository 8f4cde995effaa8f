"""Warnings before wrong answers: plans that are valid but probably not what was meant.

Read from the scenario alone, before anything is simulated, hour by hour over
the run (its first :data:`WEEKS` weeks) on the wall clock of ``start``. Teams
that share a queue they serve are checked together, as one pool. The staffed
capacity of an hour is the agent-time on shift in it (on-call backups left
out), less shrinkage, times what one agent completes an hour: under serial
attention the lesser of one conversation per typing time and ``concurrency``
per slot time (typing plus the customer's reply delays); under shared
attention ``concurrency`` per slot time at the held speed. It is the planner's
steady-state ceiling, not a prediction: queues, patience and shift changes are
the simulation's business.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta

import numpy as np

from simulator.model.arrivals import arrival_counts
from simulator.scenario.schema import DAY_NAMES, Attention, Scenario, Team
from simulator.scenario.shift_calendar import shift_intervals
from simulator.units import HOUR, WEEK, format_duration

WEEKS = 8
"""Weeks of the run checked (longer runs repeat their weeks, bar surges and rollouts)."""


@dataclass(frozen=True)
class Pool:
    """Teams that share served queues, and the streams whose home queue they serve."""

    teams: tuple[str, ...]
    streams: tuple[str, ...]

    @property
    def label(self) -> str:
        """``team 'a'`` or ``teams 'a', 'b'``, for messages."""
        noun = "team" if len(self.teams) == 1 else "teams"
        return f"{noun} {', '.join(repr(name) for name in self.teams)}"


def plan_warnings(scenario: Scenario) -> list[str]:
    """One line per suspect plan, in a fixed order; empty when nothing looks wrong."""
    found = [*_frt_below_first_reply(scenario)]
    for name, team in scenario.teams.items():
        if team.roster is None and team.agents == 0:
            found.append(
                f"team '{name}' has agents: 0: nobody serves its queues"
                + (" until an on-call backup joins" if team.backup else "")
            )
        if _idle_concurrency(scenario, name, team):
            found.append(
                f"team '{name}': concurrency {team.concurrency} adds no capacity under serial "
                "attention with one exchange and no reply delay (the agent types one reply at "
                "a time and never waits on the customer); use attention: shared or concurrency: 1"
            )
    edges = np.arange(0.0, min(scenario.horizon, WEEKS * WEEK) + HOUR, HOUR)
    edges[-1] = min(edges[-1], scenario.horizon)
    for pool in _pools(scenario):
        found += _hourly(scenario, pool, edges)
    return found


def _frt_below_first_reply(scenario: Scenario) -> list[str]:
    target = scenario.targets.frt
    if target is None:
        return []
    found = []
    for name, stream in scenario.streams.items():
        first = (stream.conversation.first_handle or stream.conversation.handle).mean_s
        first *= stream.first_handle_factor()
        if target < first:
            found.append(
                f"targets.frt ({format_duration(target)}) is below the typical first reply of "
                f"stream '{name}' ({format_duration(first)} on average): FRT includes typing it, "
                "so most conversations miss the target however many agents there are"
            )
    return found


def _idle_concurrency(scenario: Scenario, name: str, team: Team) -> bool:
    if team.concurrency == 1 or team.attention is not Attention.SERIAL:
        return False
    streams = [scenario.streams[s] for s in scenario.meant_for(name) if s in scenario.streams]
    return bool(streams) and all(
        s.conversation.exchanges.max_value == 1
        or (s.conversation.reply_delay is not None and s.conversation.reply_delay.mean_s == 0)
        for s in streams
    )


def _pools(scenario: Scenario) -> list[Pool]:
    """Teams joined when they serve a common queue (overflow left out)."""
    groups: list[tuple[set[str], set[str]]] = []
    for name, team in scenario.teams.items():
        teams, queues = {name}, set(team.serves)
        for group in [g for g in groups if g[1] & queues]:
            groups.remove(group)
            teams |= group[0]
            queues |= group[1]
        groups.append((teams, queues))
    return [
        Pool(
            tuple(n for n in scenario.teams if n in teams),
            tuple(s for s in scenario.streams if scenario.home_queue(s) in queues),
        )
        for teams, queues in groups
    ]


def _arrivals(scenario: Scenario, streams: tuple[str, ...], edges: np.ndarray) -> np.ndarray:
    counts = np.zeros(edges.size - 1)
    for name in streams:
        stream = scenario.streams[name]
        kept = 1.0 - (stream.bot.deflection if stream.bot is not None else 0.0)
        counts += arrival_counts(name, stream, scenario.start, edges) * kept
    return counts


def _mean_rate(scenario: Scenario, name: str) -> float:
    """Arrivals per hour of a stream over the week, or over the run for a replayed trace."""
    stream = scenario.streams[name]
    if stream.per_hour is not None:
        return stream.per_hour
    edges = np.array([0.0, scenario.horizon])
    return float(arrival_counts(name, stream, scenario.start, edges)[0]) * HOUR / scenario.horizon


def per_agent_hour(scenario: Scenario, name: str) -> float:
    """Conversations one agent of ``name`` completes in an hour of steady work."""
    team = scenario.teams[name]
    streams = [s for s in scenario.meant_for(name) if s in scenario.streams]
    rates = np.array([_mean_rate(scenario, s) for s in streams])
    works, thinks = [], []
    for stream_name in streams:
        conversation = scenario.streams[stream_name].conversation
        first = conversation.first_handle or conversation.handle
        extra = conversation.exchanges.mean_value - 1
        wrap = conversation.wrap_up.mean_s if conversation.wrap_up is not None else 0.0
        skill = team.skills.get(stream_name, 1.0)
        first_s = first.mean_s * scenario.streams[stream_name].first_handle_factor()
        works.append(skill * (first_s + extra * conversation.handle.mean_s) + wrap)
        delay = conversation.reply_delay.mean_s if conversation.reply_delay is not None else 0.0
        thinks.append(extra * delay)
    if not streams:
        return 0.0
    weights = rates / rates.sum()
    work, think = float(weights @ works), float(weights @ thinks)
    if team.attention is Attention.SHARED:
        speed = team.speed(team.concurrency)
        per_second = team.concurrency / (work / speed + think)
    else:
        per_second = min(1.0 / work, team.concurrency / (work + think))
    share = team.shrinkage.share if team.shrinkage is not None else 0.0
    return per_second * HOUR * (1.0 - share)


def _agent_hours(scenario: Scenario, name: str, edges: np.ndarray) -> np.ndarray:
    """Agent-time on shift in each interval, in agents (on-call backups left out)."""
    team = scenario.teams[name]
    if team.roster is None:
        return np.full(edges.size - 1, float(team.agents or 0))
    present = np.zeros(edges.size - 1)
    for entry in team.roster:  # a rotation changes who works a slot, not how many
        for begin, end in shift_intervals(entry, scenario.start, scenario.horizon):
            overlap = np.minimum(end, edges[1:]) - np.maximum(begin, edges[:-1])
            present += entry.agents * np.clip(overlap, 0.0, None)
    return present / np.diff(edges)


def _hours(count: int) -> str:
    return f"{count} hour{'s' * (count != 1)}"


def _hour_text(scenario: Scenario, seconds: float) -> str:
    moment = scenario.start + timedelta(seconds=seconds)
    return f"{DAY_NAMES[moment.weekday()]} {moment:%Y-%m-%d %H:%M}"


def _hourly(scenario: Scenario, pool: Pool, edges: np.ndarray) -> list[str]:
    """Overload, hours nobody covers, and days no shift covers, for one pool."""
    hours = np.diff(edges) / HOUR
    arrivals = _arrivals(scenario, pool.streams, edges) / hours
    agents = sum((_agent_hours(scenario, n, edges) for n in pool.teams), np.zeros(hours.size))
    if not agents.any() or not arrivals.any():
        return []  # agents: 0 is its own warning; a pool with no arrivals has nothing to check
    capacity = sum(
        _agent_hours(scenario, n, edges) * per_agent_hour(scenario, n) for n in pool.teams
    )
    backups = any(scenario.teams[n].backup for n in pool.teams)
    who = pool.label + " (on-call backups not counted)" * backups
    found = []
    staffed = agents > 0
    over = staffed & (arrivals > capacity * (1 + 1e-9))
    if over.any():
        worst = int(np.argmax(np.where(over, arrivals - capacity, -math.inf)))
        found.append(
            f"{who}: offered load above staffed capacity in {int(over.sum())} of "
            f"{_hours(hours.size)}; worst {_hour_text(scenario, edges[worst])} "
            f"({arrivals[worst]:.1f} arrivals/h against capacity {capacity[worst]:.1f}/h)"
        )
    empty = ~staffed & (arrivals > 1e-6)
    if empty.any():
        first = int(np.argmax(empty))
        found.append(
            f"{who}: arrivals in {_hours(int(empty.sum()))} with nobody on shift, "
            f"{float((arrivals * hours)[empty].sum()):.0f} expected in all; first "
            f"{_hour_text(scenario, edges[first])}"
        )
    days = _uncovered_days(scenario, edges, arrivals * hours, agents)
    if days and any(scenario.teams[n].roster is not None for n in pool.teams):
        found.append(f"{who}: the roster never covers {', '.join(days)}, which have arrivals")
    return found


def _uncovered_days(
    scenario: Scenario, edges: np.ndarray, arrivals: np.ndarray, agents: np.ndarray
) -> list[str]:
    """Days of the week (start's clock) with arrivals in the run but no agent-time at all."""
    weekdays = np.array([(scenario.start + timedelta(seconds=t)).weekday() for t in edges[:-1]])
    return [
        DAY_NAMES[day]
        for day in range(7)
        if arrivals[weekdays == day].sum() > 1e-6 and not agents[weekdays == day].any()
    ]
