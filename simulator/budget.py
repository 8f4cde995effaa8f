"""The work a command asks for, and the ceiling it must stay under.

Every simulating command (run, compare, sweep, size, table) estimates its work
from the scenario alone, before it simulates or builds anything, and refuses
(a :class:`~simulator.errors.ScenarioError`: exit 2, the estimate and what to
lower) when the work is over the ceiling. Without this, a slip such as
``--set teams.support.agents=10000000``, ``-r 1000000000`` or five
``--grid KEY=1..100`` runs for days or exhausts memory after minutes.

Work is three totals over every replication of every scenario the command
simulates (each variant, grid point or scenario file; for ``size``, each
candidate head count):

- *conversations*: each stream's expected arrivals over the horizon, the
  integral of its rate with profile, surge and rollout
  (:func:`~simulator.model.arrivals.expected_counts`), raised by three standard
  deviations of its day-to-day forecast noise. Past :data:`EXACT_SPAN` surge and
  rollout are taken at their peaks and the profile at its weekly mean (its peak
  for a part week): an overestimate, but integrating a decade hour by hour
  would itself take seconds and memory.
- *agents*: always-on agents, roster entries' agents, a rotation's members and
  on-call backups (a rotation counts both its slots and its members).
- *replications*: each builds an engine and keeps its own records, however small.

A grid (``--grid``, ``--vary``) is counted without enumerating it: its point
count is a product of value counts, and a point's work is the base scenario's
scaled key by key, by the mean work over up to :data:`SAMPLED_VALUES` of that
key's values spread evenly over its list (conversations scale by a product of
ratios, agents by a sum of differences).

The ceiling is :data:`DEFAULT_MAX_CONVERSATIONS` conversations,
``max_conversations // AGENTS_SHARE`` agents and
``max_conversations // REPLICATIONS_SHARE`` replications; ``--max-conversations``
moves all three together. ``staffsim run`` keeps every replication's records, so
its memory grows with the total: about :data:`GB_PER_MILLION` GB per million
conversations (measured, README "Speed and memory").
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from simulator.errors import ScenarioError
from simulator.model.arrivals import arrival_counts, expected_counts
from simulator.scenario.schema import Scenario, Stream, Team
from simulator.units import DAY, HOUR, WEEK

DEFAULT_MAX_CONVERSATIONS = 20_000_000
"""Conversations in total a command may simulate unless ``--max-conversations`` says more."""

AGENTS_SHARE = 20
"""One agent to build is allowed per this many conversations of the ceiling (1 million
by default): an agent weighs about 3 KB, so the agent ceiling costs about 3 GB."""

REPLICATIONS_SHARE = 1000
"""One replication is allowed per this many conversations of the ceiling (20,000 by
default): even an empty one costs about 0.15 s and 170 KB of records."""

GB_PER_MILLION = 0.4
"""Peak memory of ``staffsim run`` per million conversations held (measured 0.37, README)."""

EXACT_SPAN = 104 * WEEK
"""The stretch of horizon integrated exactly; beyond it surge and rollout are taken at
their peaks."""

NOISE_SDS = 3.0
"""Standard deviations of the day noise's effect on the total added to the mean."""

SAMPLED_VALUES = 9
"""Values of one grid key whose work is evaluated (all of them when fewer)."""


@dataclass(frozen=True)
class Work:
    """What one replication of one scenario simulates."""

    conversations: float
    agents: float
    """A mean over a grid's points need not be whole."""


@dataclass(frozen=True)
class Ceiling:
    """The most work one command may ask for."""

    conversations: int

    @classmethod
    def of(cls, max_conversations: int | None) -> Ceiling:
        return cls(max_conversations or DEFAULT_MAX_CONVERSATIONS)

    @property
    def agents(self) -> int:
        return self.conversations // AGENTS_SHARE

    @property
    def replications(self) -> int:
        return max(self.conversations // REPLICATIONS_SHARE, 1)


@dataclass(frozen=True)
class Request:
    """A command's work: ``runs`` scenarios (points, variants, files) of
    ``replications`` each, with ``each`` the mean work of one replication."""

    each: Work
    replications: int
    runs: int = 1
    runs_name: str = ""
    """What a run is, plural (``grid points``); empty when there is one."""
    scope: str = ""
    """Appended to the estimate, e.g. `` for each candidate head count``."""
    min_replications: int = 1


# --------------------------------------------------------------------------- estimating


def scenario_work(scenario: Scenario) -> Work:
    """The conversations and agents of one replication of ``scenario``."""
    return Work(
        sum(stream_conversations(s, scenario, n) for n, s in scenario.streams.items()),
        sum(team_agents(team) for team in scenario.teams.values()),
    )


def stream_conversations(stream: Stream, scenario: Scenario, name: str) -> float:
    """Expected arrivals over the horizon, plus :data:`NOISE_SDS` standard deviations of
    the day noise's effect (mean-1 gamma per day, so ``cv/sqrt(days)`` on the total);
    a replayed trace's own count; with repeat contacts, as if every customer chased
    (each comes back at most once)."""
    repeats = 1.0 + (stream.repeat.share if stream.repeat is not None else 0.0)
    return repeats * _drawn_conversations(stream, scenario, name)


def _drawn_conversations(stream: Stream, scenario: Scenario, name: str) -> float:
    horizon = scenario.horizon
    if stream.arrivals is not None:
        edges = np.array([0.0, horizon])
        return float(arrival_counts(name, stream, scenario.start, edges)[0])
    assert stream.per_hour is not None
    exact = min(horizon, EXACT_SPAN)
    count = float(expected_counts(stream, scenario.start, np.array([0.0, exact]))[0])
    tail = horizon - exact
    weeks = math.floor(tail / WEEK) * WEEK  # whole weeks: the profile's mean is 1
    count += (
        stream.per_hour
        / HOUR
        * trend_peak(stream)
        * (weeks + (tail - weeks) * profile_peak(stream))
    )
    cv = stream.noise.daily_cv if stream.noise is not None else 0.0
    return count * (1.0 + NOISE_SDS * cv / math.sqrt(math.ceil(horizon / DAY)))


def profile_peak(stream: Stream) -> float:
    """The largest the profile multiplies ``per_hour`` by (its mean over a week is 1)."""
    if stream.profile is None:
        return 1.0
    cells = np.asarray(stream.profile.week_grid(), dtype=float)
    return float(cells.max() / cells.mean())


def trend_peak(stream: Stream) -> float:
    """The largest surge and rollout multiply ``per_hour`` by, anywhere."""
    factor = 1.0
    surge = stream.surge
    if surge is not None and surge.points is not None:
        factor *= max(point.multiplier for point in surge.points)
    elif surge is not None and surge.peak is not None:
        factor *= max(surge.peak, 1.0)
    if stream.rollout is not None:
        factor *= max(point.share for point in stream.rollout)
    return factor


def team_agents(team: Team) -> int:
    """Agents the engine builds for ``team`` (for a rotation, its slots and its members)."""
    members = team.rotation.members if team.rotation is not None else 0
    return (
        (team.agents or 0)
        + sum(entry.agents for entry in team.roster or [])
        + (members if isinstance(members, int) else len(members))
        + sum(entry.agents for entry in team.backup)
        + (team.staffing.peak() if team.staffing is not None else 0)
    )


def grid_request(
    base: Scenario,
    source: str | Path,
    grid: Mapping[str, Sequence[Any]],
    *,
    overrides: Iterable[str],
    replications: int | None,
    ceiling: Ceiling,
    option: str,
    runs_name: str,
    min_replications: int = 1,
) -> Request:
    """The work of every point of ``grid`` over ``base`` (module notes), refusing on the
    replication count before any value is evaluated, so a huge grid is never walked."""
    from simulator.decisions.variants import apply_point, raw_scenario

    count = replications if replications is not None else base.replications
    points = math.prod(len(values) for values in grid.values())
    request = Request(Work(0.0, 0), count, points, runs_name, min_replications=min_replications)
    check(request, ceiling, source=str(source), only_replications=True)
    raw, label = raw_scenario(source)
    overrides = list(overrides)
    each = scenario_work(base)
    conversations, agents = each.conversations, each.agents
    for key, values in grid.items():
        works = []
        for value in _spread(values):
            try:
                point = apply_point(
                    raw, {key: value}, option=option, source_label=label, overrides=overrides
                )
            except ScenarioError:
                continue  # may be valid with the other keys; the sweep itself judges
            works.append(scenario_work(point))
        if works:
            conversations *= np.mean([w.conversations for w in works]) / each.conversations
            agents += np.mean([w.agents for w in works]) - each.agents
    return Request(
        Work(float(conversations), max(float(agents), 0.0)),
        count,
        points,
        runs_name,
        min_replications=min_replications,
    )


def _spread(values: Sequence[Any]) -> list[Any]:
    """Up to :data:`SAMPLED_VALUES` of ``values``, evenly spread, first and last included."""
    if len(values) <= SAMPLED_VALUES:
        return list(values)
    last = len(values) - 1
    return [values[round(i * last / (SAMPLED_VALUES - 1))] for i in range(SAMPLED_VALUES)]


# --------------------------------------------------------------------------- commands


def check_scenarios(
    scenarios: Sequence[Scenario],
    replications: int | None,
    max_conversations: int | None,
    *,
    source: str | Path,
    runs_name: str = "scenarios",
    scope: str = "",
    min_replications: int = 1,
) -> None:
    """Refuse ``replications`` (default: the first scenario's) of each of ``scenarios``
    when over the ceiling (``run``, ``size``, ``table``, ``compare`` of files)."""
    count = replications if replications is not None else scenarios[0].replications
    works = [scenario_work(scenario) for scenario in scenarios]
    each = Work(
        sum(w.conversations for w in works) / len(works),
        sum(w.agents for w in works) / len(works),
    )
    request = Request(each, count, len(scenarios), runs_name, scope, min_replications)
    check(request, Ceiling.of(max_conversations), source=str(source))


def check_grid(
    base: Scenario,
    source: str | Path,
    specs: Sequence[str],
    overrides: Iterable[str],
    replications: int | None,
    max_conversations: int | None,
    *,
    option: str = "--grid",
    runs_name: str = "grid points",
    min_replications: int = 1,
) -> None:
    """Refuse a sweep (or ``compare --vary``) of ``base`` over ``specs`` when over the
    ceiling, judging a huge grid by its point count alone."""
    from simulator.decisions.variants import parse_grid

    ceiling = Ceiling.of(max_conversations)
    grid = parse_grid(specs, option)
    request = grid_request(
        base,
        source,
        grid,
        overrides=overrides,
        replications=replications,
        ceiling=ceiling,
        option=option,
        runs_name=runs_name,
        min_replications=min_replications,
    )
    check(request, ceiling, source=str(source))


def check_compare(
    baseline: Scenario,
    scenarios: Sequence[Path],
    vary: Sequence[str],
    overrides: Iterable[str],
    replications: int | None,
    max_conversations: int | None,
) -> None:
    """Refuse a comparison over the ceiling: variants of one scenario (``--vary``) or
    several files. A shape ``compare`` refuses itself is left to it."""
    from simulator.scenario.loader import load_scenario

    if vary and len(scenarios) == 1:
        check_grid(
            baseline,
            scenarios[0],
            vary,
            overrides,
            replications,
            max_conversations,
            option="--vary",
            runs_name="variants",
            min_replications=2,
        )
    elif not vary:
        loaded = [baseline, *(load_scenario(path, overrides) for path in scenarios[1:])]
        check_scenarios(
            loaded,
            replications,
            max_conversations,
            source=scenarios[0],
            runs_name="variants",
            min_replications=2,
        )


# --------------------------------------------------------------------------- checking


def check(
    request: Request, ceiling: Ceiling, *, source: str, only_replications: bool = False
) -> None:
    """Raise a :class:`ScenarioError` naming the estimate and what to lower when
    ``request`` is over ``ceiling``."""
    runs = request.runs
    simulations = request.replications * runs
    totals = [("replications", simulations, ceiling.replications, 1.0, "")]
    if not only_replications:
        totals = [
            (
                "conversations",
                request.each.conversations * simulations,
                ceiling.conversations,
                request.each.conversations,
                "per_hour or horizon",
            ),
            (
                "agents",
                request.each.agents * simulations,
                ceiling.agents,
                request.each.agents,
                "the agents of teams, roster entries and backups",
            ),
            *totals,
        ]
    # What fits must fit every ceiling, and the ceiling suggested must lift them all.
    counted = [(total, limit, each) for _, total, limit, each, _ in totals if each > 0]
    fit_replications = min(int(limit // (each * runs)) for _, limit, each in counted)
    fit_runs = min(int(limit // (each * request.replications)) for _, limit, each in counted)
    needed = max(math.ceil(t[1] * _share(t[0])) for t in totals)
    for noun, total, limit, each, scenario_lever in totals:
        if total <= limit:
            continue
        parts = [f"{_count(each)} a replication"] if scenario_lever else []
        parts.append(f"{request.replications:,} replications")
        if runs > 1:
            parts.append(f"{runs:,} {request.runs_name}")
        product = f" ({' × '.join(parts)})" if len(parts) > 1 else ""
        levers = []
        if scenario_lever and limit / simulations >= 1:
            levers.append(
                f"lower {scenario_lever} (at most {_count(limit // simulations)} {noun} "
                "a replication fit)"
            )
        if fit_replications >= request.min_replications:
            levers.append(f"run --replications {fit_replications:,} or fewer")
        if runs > 1 and fit_runs >= 2:
            levers.append(f"use at most {fit_runs:,} {request.runs_name}")
        levers.append(
            f"with the memory for it (about {GB_PER_MILLION:g} GB per million "
            f"conversations), raise the ceiling: --max-conversations {needed}"
        )
        raise ScenarioError(
            f"too much work to start: about {_count(total)} {noun}{request.scope}"
            f"{product}, over the ceiling of {limit:,}",
            source=source,
            fix="; or ".join(levers),
        )


def _share(noun: str) -> int:
    return {"conversations": 1, "agents": AGENTS_SHARE, "replications": REPLICATIONS_SHARE}[noun]


def _count(value: float) -> str:
    """A count as people read it: digits grouped, or powers of ten when huge."""
    return f"{value:,.0f}" if value < 1e12 else f"{value:.1e}"
