"""The backtest's baseline: Erlang A fed what the simulation is fed, hour by hour.

A baseline only shows what simulation adds if it is given the same inputs, so
per date and hour and per team (a stream belongs to the first team meant for
it; teams are never pooled):

- *arrivals*: that hour's observed contacts that reached a queue, per class;
- *servers*: the team's agents on shift, time-weighted, as a mixture of whole
  counts: an hour with 3 agents for 15 minutes and 4 for 45 is 3 servers a
  quarter of the time and 4 the rest. Shrinkage removes its share of every
  count, and a fractional count ``x`` is ``⌊x⌋`` for ``1 − (x − ⌊x⌋)`` of the
  time and ``⌈x⌉`` for the rest. Each whole count gets its own steady-state
  queue; the hour's figures are their time-weighted mean. With concurrency K an
  agent is K servers and a conversation holds one for its slot time (the slot
  view of :mod:`simulator.decisions.sizing.staffing`);
- *service*: per class, first handle + further replies (skill-scaled) +
  wrap-up, plus reply delays between replies; *patience*: per class, its mean
  (exponential, Erlang A's assumption; no patience: Erlang C);
- *priority*: a team takes its queues in ``serves`` order. Every class waits
  when all servers are busy, whatever its class (service is not preempted), so
  each class gets the pooled chain's ``P(N ≥ c)``. The queue itself is split
  by the preemptive-priority decomposition: the queue of level j is that of
  levels 1..j pooled (arrival-weighted holding and patience) minus that of
  levels 1..j−1, and so are its abandonments. It is exact for the total (the
  number in system does not depend on the order when classes share service and
  patience rates) and for each class under preemption; without preemption the
  top level waits a little longer than it says and lower levels less;
- *a delay before routing* (``bot.time``, what ``fit`` gives a held class): its
  mean adds to the wait, and a contact waits unless both the delay and the
  queue wait are zero; patience starts at the queue, as in the model.

What it leaves out, and simulation has: queues carried from one hour to the
next and shifts that start or end inside an hour with work in hand (each hour is
its own steady state), the distributions' shapes (handle and patience are
exponential here), overflow, triage, hand-backs and on-call backups (they join
only when a trigger holds, which a steady-state formula cannot say, so they are
not counted). An hour whose queue has no patience and no steady state (load at
or above the servers) is given :data:`UNSTABLE_WAIT_S` of mean wait.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from simulator.decisions.sizing.staffing import wait_law
from simulator.scenario.schema import Attention, Scenario
from simulator.scenario.shift_calendar import team_schedules
from simulator.statistics.metrics import WAITED

DELAY_DRAWS = 4096
"""Draws of a routing delay that estimate the share of contacts it does not hold."""
UNSTABLE_WAIT_S = 3600.0
"""Mean wait given to an hour without patience whose load meets or passes its servers."""


@dataclass(frozen=True)
class ClassLaw:
    """Per hour, what the baseline expects of one class's contacts: share waited,
    share abandoned and mean wait (abandoned ones until they left)."""

    p_wait: np.ndarray
    p_abandon: np.ndarray
    mean_wait_s: np.ndarray


@dataclass(frozen=True)
class _Class:
    holding_s: float
    theta: float  # 1 / patience mean; 0 without patience
    delay_s: float  # mean delay before routing
    undelayed: float  # P(delay ≤ WAITED)


def erlang_a_baseline(
    scenario: Scenario, arrivals: dict[str, np.ndarray], hour_starts: np.ndarray
) -> dict[str, ClassLaw]:
    """The baseline per class (see the module docstring). ``arrivals``: per stream,
    contacts that reached a queue in each hour starting at ``hour_starts``
    (epoch seconds); streams served by no team are left out."""
    laws: dict[str, ClassLaw] = {}
    served_by: dict[str, str] = {}
    for team in scenario.teams:
        for stream in scenario.meant_for(team):
            served_by.setdefault(stream, team)
    for team, spec in scenario.teams.items():
        levels = _levels(scenario, team, [s for s in arrivals if served_by.get(s) == team])
        if not levels:
            continue
        classes = {s: _class(scenario, spec, s) for level in levels for s in level}
        mix = _server_mix(scenario, team, spec, hour_starts)
        shape = hour_starts.size
        out = {s: (np.zeros(shape), np.zeros(shape), np.zeros(shape)) for s in classes}
        for h in range(shape):
            rates = [np.array([arrivals[s][h] / 3600.0 for s in level]) for level in levels]
            if sum(r.sum() for r in rates) <= 0:
                continue
            for servers in np.nonzero(mix[h])[0]:
                share = mix[h, servers]
                for level, (p_wait, p_abandon, wait) in zip(
                    levels, _split(levels, rates, classes, int(servers)), strict=True
                ):
                    for s in level:
                        law = classes[s]
                        waited = 1.0 - law.undelayed * (1.0 - p_wait)
                        out[s][0][h] += share * waited
                        out[s][1][h] += share * p_abandon
                        out[s][2][h] += share * (wait + law.delay_s)
        laws.update({s: ClassLaw(*values) for s, values in out.items()})
    return laws


def _levels(scenario: Scenario, team: str, streams: list[str]) -> list[list[str]]:
    """The team's streams grouped by queue, in ``serves`` order (queues it is meant
    for but does not list come last, as one level)."""
    serves = scenario.teams[team].serves
    rank = {
        s: serves.index(scenario.home_queue(s)) if scenario.home_queue(s) in serves else len(serves)
        for s in streams
    }
    return [[s for s in streams if rank[s] == r] for r in sorted(set(rank.values()))]


def _class(scenario: Scenario, spec: Any, stream: str) -> _Class:
    """Service (slot time), patience and routing delay of one class (module docstring)."""
    shape = scenario.streams[stream].conversation
    skill = spec.skills.get(stream, 1.0)
    first = (shape.first_handle or shape.handle).mean_s
    replies = shape.exchanges.mean_value - 1
    work = skill * (first + replies * shape.handle.mean_s)
    if Attention(spec.attention) is Attention.SHARED:
        work /= spec.speed(spec.concurrency)
    wrap = shape.wrap_up.mean_s if shape.wrap_up is not None else 0.0
    think = replies * shape.reply_delay.mean_s if shape.reply_delay is not None else 0.0
    bot = scenario.streams[stream].bot
    delay = bot.time if bot is not None else None
    return _Class(
        holding_s=work + wrap + think,
        theta=1.0 / shape.patience.mean_s if shape.patience is not None else 0.0,
        delay_s=delay.mean_s if delay is not None else 0.0,
        undelayed=_undelayed(delay),
    )


def _undelayed(delay: Any) -> float:
    """P(a delay of at most WAITED): a fixed delay's own value, else a fixed-seed sample's."""
    if delay is None:
        return 1.0
    draws = delay.sample(np.random.default_rng(0), DELAY_DRAWS)
    return float(np.mean(draws <= WAITED))


def _split(
    levels: list[list[str]], rates: list[np.ndarray], classes: dict[str, _Class], servers: int
) -> list[tuple[float, float, float]]:
    """Per level: P(wait), P(abandon) and mean wait with ``servers`` servers, by the
    preemptive decomposition of the pooled queue (module docstring)."""
    pooled_rate = pooled_queue = pooled_abandon = 0.0
    holding_sum = theta_sum = 0.0
    rows = []
    for level, rate in zip(levels, rates, strict=True):
        pooled_rate += rate.sum()
        holding_sum += sum(r * classes[s].holding_s for s, r in zip(level, rate, strict=True))
        theta_sum += sum(r * classes[s].theta for s, r in zip(level, rate, strict=True))
        queue, abandon, p_wait = _pooled(pooled_rate, holding_sum, theta_sum, servers)
        own = rate.sum()
        if own > 0:
            rows.append(
                (
                    max(queue - pooled_queue, 0.0) / own,
                    max(abandon - pooled_abandon, 0.0) / own,
                )
            )
        else:
            rows.append((0.0, 0.0))
        pooled_queue, pooled_abandon = queue, abandon
    # Not preempted: any class waits when every server is busy, P(N ≥ c) of all
    # (p_wait of the last pool, which holds every level).
    return [(p_wait, min(abandon, 1.0), wait) for wait, abandon in rows]


def _pooled(rate: float, holding_sum: float, theta_sum: float, servers: int) -> tuple[float, ...]:
    """Mean queue length, abandonments per second and P(N ≥ c) of the pooled chain."""
    if rate <= 0:
        return 0.0, 0.0, 0.0
    theta = theta_sum / rate
    law = wait_law(rate, servers, holding_sum / rate, 1.0 / theta if theta > 0 else None)
    wait = law.mean_wait_s if math.isfinite(law.mean_wait_s) else UNSTABLE_WAIT_S
    return rate * wait, rate * law.p_abandon, law.p_wait


def _server_mix(scenario: Scenario, team: str, spec: Any, hour_starts: np.ndarray) -> np.ndarray:
    """Share of each hour (rows) spent with each whole number of servers (columns),
    from the same agent schedules the model runs."""
    start = scenario.start.timestamp()
    edges = np.r_[hour_starts, hour_starts[-1] + 3600.0] - start
    times, steps = [np.array([0.0])], [np.array([0.0])]
    for schedule in team_schedules(team, spec, scenario.start, scenario.horizon):
        if schedule.shifts:
            spans = np.asarray(schedule.shifts, dtype=float)
            times += [spans[:, 0], spans[:, 1]]
            steps += [np.ones(len(spans)), -np.ones(len(spans))]
    at, step = np.concatenate(times), np.concatenate(steps)
    order = np.argsort(at, kind="stable")
    at, level = at[order], np.cumsum(step[order])
    cuts = np.unique(np.clip(np.r_[edges, at], edges[0], edges[-1]))
    on_shift = level[np.searchsorted(at, cuts[:-1], side="right") - 1]
    present = on_shift * (1.0 - (spec.shrinkage.share if spec.shrinkage else 0.0))
    servers = np.maximum(present, 0.0) * spec.concurrency
    low = np.floor(servers + 1e-9)
    up = np.clip(servers - low, 0.0, 1.0)
    length = np.diff(cuts) / 3600.0
    hour = np.clip(np.searchsorted(edges, cuts[:-1], side="right") - 1, 0, hour_starts.size - 1)
    mix = np.zeros((hour_starts.size, int(low.max(initial=0)) + 2))
    np.add.at(mix, (hour, low.astype(int)), length * (1.0 - up))
    np.add.at(mix, (hour, low.astype(int) + 1), length * up)
    return mix
