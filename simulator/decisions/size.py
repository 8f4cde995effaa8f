"""Sizing a team: the smallest head count that meets a service target.

``staffsim size S.yaml --team T --target 'frt.within_target>=0.8'`` (and
:func:`size`, exported as ``simulator.size``) answers a manager's question in three steps:

1. **Formula.** Erlang C, or Erlang A when customers have patience, with the
   team's concurrency taken into account (see :mod:`simulator.staffing`),
   applied hour by hour to the forecast arrival rate, gives an estimate.
2. **Simulation.** Starting from that estimate, candidate head counts are
   simulated with *common random numbers*: the same root seed for every
   candidate, so each one meets exactly the same customers and the difference
   between two candidates is staffing, not luck. Steps of 1, 2, 4, ... away from
   the estimate find a head count that meets the target and one that does not,
   then bisection closes the gap (the statistic is taken to improve with every
   added agent, which common random numbers make true in practice).
3. **Confidence.** A candidate *meets* the target when the relevant end of its
   two-sided interval at ``confidence`` (Student t over replications: the upper
   end for ``<=`` targets, the lower end for ``>=``) meets it; at 0.95 this is the
   ``ci95`` summary.json reports. ``confidence=None`` uses the mean alone.

What is sized
-------------
- A team with ``agents`` (always on shift): that number.
- A team with a ``roster``: the roster keeps its shape (which shifts exist and
  their relative sizes are the planner's choice) and the search is over the
  total head count, shared among the entries in proportion to their current
  head counts by the D'Hondt rule, each entry keeping at least one agent.
  D'Hondt is *house-monotone*: going from n to n + 1 agents adds one person to
  one entry and never moves anyone, so candidates are nested and "more agents
  never hurts" holds. The answer is ``{label: agents}`` per entry. To change
  the shape, use ``--per-interval``.
- ``per_interval`` (e.g. ``1h``): the target must hold in *every* interval of
  the week. The formula gives agents needed per interval (the busiest
  occurrence of each interval of the week over the horizon); that curve
  becomes a weekly roster (agent layer k works wherever the curve is at least
  k, in shifts of at most 8 hours) that replaces the team's staffing,
  and is simulated, in rounds:

  * an interval whose simulated statistic (mean over replications, by arrival
    time) misses the target by more than its standard error gets one more
    agent, if the formula says one more agent closes at least a quarter of the
    gap (near a ceiling, such as first replies that take longer than the
    target, more agents do nothing and are not added);
  * an agent added in the previous round that did not move its interval's
    statistic is taken back, and that interval gets no more;
  * once nothing misses, intervals that the formula's slope says would still
    meet the target with one agent fewer lose one, never below a count that
    once missed.

  An interval's statistic pools the weeks of the horizon (as the hour-of-week
  heatmaps of a run do), while the formula's count is for its busiest week.
  Intervals with fewer than :data:`MIN_JUDGED` conversations (over all
  replications) are too few to judge and keep the formula's count. Backup
  (on-call) shifts of the team are kept as they are. The chosen
  confidence applies to the whole-horizon statistic reported for the final
  curve: per-interval intervals over 168 hours would be too wide to act on and
  some would miss by chance alone.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import time
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from simulator.errors import ScenarioError
from simulator.model.roster import shift_intervals
from simulator.scenario.schema import DAY_NAMES, Scenario, Shift, Team
from simulator.staffing import (
    ANALYTIC_METRICS,
    Workload,
    offered_agents,
    smallest,
    team_statistic,
    team_workload,
    unlimited_statistic,
)
from simulator.targets import Target, check_target, parse_target
from simulator.units import DAY, HOUR, WEEK, format_duration, parse_duration

DEFAULT_CONFIDENCE = 0.95
MIN_JUDGED = 30
"""Conversations (over all replications) an interval needs before the simulation judges it."""
MAX_ROUNDS = 8
"""Simulated rounds of the per-interval curve at most."""
MAX_SHIFT_S = 8 * HOUR
"""The longest shift of a roster made from an agents-needed curve."""
SIZE_FILES = ("size.json", "summary.json", "scenario.yaml", "run.json",
              "figures/size_heatmap.png")


# --------------------------------------------------------------------------- inputs


def parse_confidence(value: str | float | None) -> float | None:
    """``0.95``, ``95%`` or ``none``; raises :class:`ScenarioError` naming --confidence."""
    if value is None:
        return None
    text = str(value).strip().lower()
    if text in ("none", "no", "off", "mean", ""):
        return None
    try:
        number = float(text[:-1]) / 100.0 if text.endswith("%") else float(text)
    except ValueError:
        number = math.nan
    if not 0.0 < number < 1.0:
        raise ScenarioError(f"'{value}' is not a confidence level", source="--confidence",
                            fix="give a level between 0 and 1 such as 0.95 (or 95%), or "
                                "'none' to size on the mean alone")
    return number


def parse_interval(value: str | float | None) -> float | None:
    """``--per-interval`` as seconds: a whole number of minutes, at least 15min, that
    divides a day (15min, 30min, 1h, 2h, ... 24h)."""
    if value is None:
        return None
    try:
        seconds = parse_duration(value) if not isinstance(value, int | float) else float(value)
    except ValueError as error:
        raise ScenarioError(str(error), source="--per-interval",
                            fix="write an interval such as 1h, 30min or 4h") from None
    minutes = seconds / 60.0
    if not (minutes >= 15 and minutes.is_integer() and (24 * 60) % int(minutes) == 0):
        raise ScenarioError(f"'{value}' cannot cut the week into intervals",
                            source="--per-interval",
                            fix="use a whole number of minutes from 15min to 24h that divides a "
                                "day: 15min, 30min, 1h, 2h, 3h, 4h, 6h, 8h, 12h or 24h")
    return seconds


def check_team(scenario: Scenario, team: str) -> Team:
    """The team to size; a clear error for a team the scenario does not have."""
    if team not in scenario.teams:
        teams = list(scenario.teams)
        import difflib
        close = difflib.get_close_matches(team, teams, n=1, cutoff=0.5)
        hint = f"did you mean '{close[0]}'? " if close else ""
        raise ScenarioError(f"the scenario has no team '{team}'", source="--team",
                            fix=hint + f"teams are: {', '.join(teams)}")
    spec = scenario.teams[team]
    if spec.roster is None and spec.agents is None:
        raise ScenarioError(f"team '{team}' has neither agents nor a roster to size",
                            source="--team", fix="give the team agents: N or a roster")
    return spec


# --------------------------------------------------------------------------- intervals


@dataclass(frozen=True)
class Intervals:
    """The statistics window (warmup to horizon) cut at the wall-clock boundaries of
    ``slot_s``-long intervals in the start's time zone; ``slot[i]`` is interval i's
    place in the week (0 = Monday 00:00)."""

    edges: np.ndarray
    slot: np.ndarray
    slot_s: float
    zone: str

    @property
    def lengths(self) -> np.ndarray:
        return np.diff(self.edges)

    @property
    def slots_per_week(self) -> int:
        return round(WEEK / self.slot_s)

    @property
    def midpoints(self) -> np.ndarray:
        return (self.edges[:-1] + self.edges[1:]) / 2

    @staticmethod
    def build(scenario: Scenario, slot_s: float) -> Intervals:
        begin, end = float(scenario.warmup), float(scenario.horizon)
        first = _week_seconds(scenario.start, np.array([begin]))[0] % slot_s
        cuts = np.arange(begin - first, end, slot_s)
        edges = np.clip(np.concatenate((cuts, [end])), begin, end)
        edges = np.unique(edges)
        middles = (edges[:-1] + edges[1:]) / 2
        slot = (_week_seconds(scenario.start, middles) // slot_s).astype(np.int64)
        return Intervals(edges, slot, slot_s, curve_zone(scenario.start))


def _week_seconds(start: datetime, seconds: np.ndarray) -> np.ndarray:
    """Seconds since Monday 00:00 on the wall clock of ``start``'s time zone."""
    instants = pd.Timestamp(start) + pd.to_timedelta(np.asarray(seconds, dtype=float), unit="s")
    local = instants.tz_convert(start.tzinfo)
    since_midnight = (local.hour * 3600 + local.minute * 60 + local.second
                      + local.microsecond / 1e6)
    return np.asarray(local.day_of_week * DAY + since_midnight, dtype=float)


def curve_zone(start: datetime) -> str:
    """A time-zone database name for the start's clock (``UTC``, ``Europe/Dublin``,
    ``Etc/GMT-1`` for a fixed +01:00)."""
    key = getattr(start.tzinfo, "key", None)
    if key:
        return str(key)
    offset = start.utcoffset() or timedelta(0)
    hours = offset.total_seconds() / 3600
    if hours == 0:
        return "UTC"
    if hours.is_integer():
        return f"Etc/GMT{-int(hours):+d}"  # the Etc zones' signs are inverted
    raise ScenarioError("the scenario's start has a fractional fixed UTC offset, which "
                        "cannot be a roster region", source="start",
                        fix="write start with a zone name or with Z (UTC)")


# --------------------------------------------------------------------------- staffing shapes


class AlwaysOn:
    """A team of ``agents`` always on shift: the head count is the number of agents."""

    minimum = 1

    def __init__(self, team: Team) -> None:
        self.team = team
        self.current = int(team.agents or 0)

    def team_at(self, total: int) -> Team:
        return self.team.model_copy(update={"agents": int(total)})

    def allocation(self, total: int) -> int:
        return int(total)

    def on_shift(self, total: int, intervals: Intervals) -> np.ndarray:
        return np.full(intervals.slot.size, float(total))


class ScaledRoster:
    """A roster scaled to a total head count by the D'Hondt rule (module notes)."""

    def __init__(self, team: Team, scenario: Scenario, intervals: Intervals) -> None:
        assert team.roster is not None
        self.team = team
        self.entries = list(team.roster)
        self.base = np.array([entry.agents for entry in self.entries], dtype=float)
        self.labels = _unique([entry.label or f"shift{i + 1}"
                               for i, entry in enumerate(self.entries)])
        self.minimum = len(self.entries)
        self.current = int(self.base.sum())
        middles = intervals.midpoints
        self.present = np.zeros((len(self.entries), middles.size))
        for row, entry in enumerate(self.entries):
            for begin, end in shift_intervals(entry, scenario.start, scenario.horizon):
                self.present[row] += (middles >= begin) & (middles < end)
        self.present = np.minimum(self.present, 1.0)

    def counts(self, total: int) -> list[int]:
        """Head count per entry for ``total`` agents (D'Hondt, at least one each)."""
        counts = np.ones(len(self.entries))
        for _ in range(max(int(total) - len(self.entries), 0)):
            counts[int(np.argmax(self.base / (counts + 1)))] += 1  # ties: first entry
        return [int(c) for c in counts]

    def team_at(self, total: int) -> Team:
        roster = [entry.model_copy(update={"agents": count})
                  for entry, count in zip(self.entries, self.counts(total), strict=True)]
        return self.team.model_copy(update={"roster": roster})

    def allocation(self, total: int) -> dict[str, int]:
        return dict(zip(self.labels, self.counts(total), strict=True))

    def on_shift(self, total: int, intervals: Intervals) -> np.ndarray:
        return np.asarray(self.counts(total), dtype=float) @ self.present


def _unique(labels: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
        out.append(label if seen[label] == 1 else f"{label}#{seen[label]}")
    return out


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class Candidate:
    """One simulated head count: the statistic's mean, its interval at the chosen
    confidence, the bound that was compared, and the formula's value."""

    agents: int
    allocation: int | dict[str, int]
    value: float | None
    interval: tuple[float, float] | None
    bound: float | None
    met: bool
    analytic: float | None = None

    def to_json(self) -> dict[str, Any]:
        return {"agents": self.allocation, "total": self.agents, "value": self.value,
                "interval": list(self.interval) if self.interval else None,
                "bound": self.bound, "met": self.met, "analytic": self.analytic}


@dataclass
class PerInterval:
    """The per-interval answer: agents per interval of the week (``slots_per_week``
    values from Monday 00:00) from the formula and after simulation."""

    slot_s: float
    zone: str
    analytic: np.ndarray
    agents: np.ndarray
    achieved: np.ndarray
    judged: np.ndarray
    met_everywhere: bool
    rounds: list[dict[str, Any]]
    roster: list[Shift]

    def to_json(self, target: Target) -> dict[str, Any]:
        per_day = round(DAY / self.slot_s)

        def rows(values: np.ndarray, digits: int | None = None) -> list[list[Any]]:
            out = []
            for day in range(7):
                row = []
                for value in values[day * per_day:(day + 1) * per_day]:
                    if value is None or not np.isfinite(value):
                        row.append(None)
                    else:
                        row.append(round(float(value), digits) if digits else int(value))
                out.append(row)
            return out

        return {
            "interval": format_duration(self.slot_s), "zone": self.zone,
            "days": list(DAY_NAMES),
            "agents": rows(self.agents), "analytic": rows(self.analytic),
            "achieved": rows(self.achieved, 6),
            "met_everywhere": self.met_everywhere,
            "agent_hours_per_week": float(np.nansum(self.agents) * self.slot_s / HOUR),
            "rounds": self.rounds,
            "roster": [_shift_yaml(shift) for shift in self.roster],
        }


@dataclass
class SizeResult:
    """What :func:`size` found. ``agents`` is the answer (an int, or ``{label: n}``
    per roster entry); ``analytic_agents`` the formula's (``None`` when it has none);
    ``achieved`` the statistic's mean at the answer; ``candidates`` every simulated
    head count; ``summary`` the summary.json of the answer's run."""

    scenario: Scenario
    sized: Scenario
    team: str
    target: Target
    confidence: float | None
    seed: int
    replications: int
    agents: int | dict[str, int]
    total: int
    analytic_agents: int | None
    analytic_allocation: int | dict[str, int] | None
    analytic_achieved: float | None
    formula: str | None
    achieved: float | None
    achieved_interval: tuple[float, float] | None
    candidates: list[Candidate]
    summary: dict
    heatmaps: list[tuple[str, np.ndarray]]
    zone: str
    reasons: list[str] = field(default_factory=list)
    per_interval: PerInterval | None = None
    wall_time_s: float = 0.0
    jobs: int = 1

    @property
    def search(self) -> pd.DataFrame:
        """The simulated candidates, one row each, in the order tried."""
        return pd.DataFrame([{"agents": c.agents, "value": c.value,
                              "low": c.interval[0] if c.interval else None,
                              "high": c.interval[1] if c.interval else None,
                              "bound": c.bound, "met": c.met, "analytic": c.analytic}
                             for c in self.candidates])

    def to_json(self) -> dict[str, Any]:
        """The size.json document."""
        data: dict[str, Any] = {
            "team": self.team, "target": self.target.text, "agents": self.agents,
            "analytic_agents": self.analytic_agents, "achieved": self.achieved,
            "achieved_interval": list(self.achieved_interval)
            if self.achieved_interval else None,
            "confidence": self.confidence, "formula": self.formula,
            "analytic_achieved": self.analytic_achieved,
            "metric": ".".join(self.target.path), "comparison": self.target.op,
            "threshold": self.target.threshold,
            "seed": self.seed, "replications": self.replications,
            "search": [c.to_json() for c in self.candidates],
            "why_they_differ": self.reasons,
        }
        if isinstance(self.agents, dict):
            data["total_agents"] = self.total
            data["analytic_roster"] = self.analytic_allocation
        if self.per_interval is not None:
            data["per_interval"] = self.per_interval.to_json(self.target)
        return data


# --------------------------------------------------------------------------- the search


def size(scenario: Scenario, *, team: str, target: str | Target,
         per_interval: str | float | None = None,
         confidence: float | str | None = DEFAULT_CONFIDENCE,
         replications: int | None = None, seed: int | None = None, jobs: int = 1,
         progress: bool = False) -> SizeResult:
    """Find the smallest head count of ``team`` meeting ``target`` (module notes).

    ``target`` is text such as ``'frt.within_target>=0.8'`` (see
    :mod:`simulator.targets`); ``per_interval`` a duration (``'1h'``) to size an
    agents-needed curve instead; ``confidence`` a level in (0, 1) or ``None``.
    Every check that can fail runs before the first simulation and raises
    :class:`ScenarioError`.
    """
    began = time.perf_counter()
    spec = check_team(scenario, team)
    goal = target if isinstance(target, Target) else parse_target(target)
    check_target(goal, scenario)
    slot_s = parse_interval(per_interval)
    level = parse_confidence(confidence) if isinstance(confidence, str) else confidence
    if level is not None and not 0.0 < level < 1.0:
        level = parse_confidence(str(level))
    count = replications if replications is not None else scenario.replications
    if level is not None and count < 2:
        raise ScenarioError(f"{count} replication gives no interval to be confident with",
                            source="--replications",
                            fix="use at least 2 replications (10 or more is better), or "
                                "--confidence none to size on the mean")
    try:
        workload = team_workload(scenario, team)
    except ValueError as error:
        raise ScenarioError(str(error), source="--team",
                            fix="size a team that serves some stream's queue") from None
    frt_target = scenario.targets.frt
    unlimited = unlimited_statistic(workload, goal.metric, frt_target, goal.stream)
    if unlimited is not None and not goal.meets(unlimited):
        because = (", because the first response includes typing the first reply"
                   if goal.metric.startswith("frt_s.") else "")
        raise ScenarioError(
            f"no number of agents can meet '{goal.text}': even with nobody waiting it is "
            f"{goal.format(unlimited)}{because}", source="--target",
            fix=f"loosen the target beyond what unlimited agents reach "
                f"({goal.format(unlimited)}), or shorten first replies in the scenario")
    from simulator.rng import fresh_seed

    root = seed if seed is not None else scenario.seed
    root = root if root is not None else fresh_seed()
    search = _Search(scenario, team, spec, goal, workload, level, count, root, jobs, progress,
                     slot_s or HOUR)
    try:
        result = search.per_interval() if slot_s is not None else search.total()
    finally:
        search.close()
    result.wall_time_s = time.perf_counter() - began
    result.jobs = jobs
    return result


class _Search:
    """State shared by the two searches: the scenario, the formula, the simulations."""

    def __init__(self, scenario: Scenario, team: str, spec: Team, goal: Target,
                 workload: Workload, level: float | None, count: int, seed: int, jobs: int,
                 progress: bool, slot_s: float) -> None:
        from tqdm import tqdm

        self.scenario, self.team, self.spec, self.goal = scenario, team, spec, goal
        self.workload, self.level, self.count, self.seed, self.jobs = (workload, level, count,
                                                                        seed, jobs)
        self.intervals = Intervals.build(scenario, slot_s)
        self.rates = workload.arrival_rates(scenario, self.intervals.edges)
        self.analytic_ok = goal.metric in ANALYTIC_METRICS
        self.worse: Callable[[float, float], float] = min if goal.higher_is_better else max
        self.bar = tqdm(desc=f"sizing {team}", unit="candidate", disable=not progress,
                        leave=False)
        self.summaries: dict[str, dict] = {}

    def close(self) -> None:
        self.bar.close()

    # -- the formula --
    def analytic(self, agents: np.ndarray, rates: np.ndarray | None = None,
                 lengths: np.ndarray | None = None) -> float | None:
        if not self.analytic_ok:
            return None
        return team_statistic(self.workload, self.goal.metric,
                              self.rates if rates is None else rates,
                              self.intervals.lengths if lengths is None else lengths,
                              agents, self.scenario.targets.frt, self.goal.stream, self.worse)

    def interval_need(self, rate: float, length: float) -> int | None:
        """Agents the formula asks for in one interval at ``rate``."""
        if rate <= 0:
            return 0
        start = max(1, math.ceil(offered_agents(self.workload, rate)))
        rates, lengths = np.array([rate]), np.array([length])
        return smallest(lambda n: self.goal.meets(
            self.analytic(np.array([float(n)]), rates, lengths)), start, minimum=1)

    # -- simulation --
    def simulate(self, candidate_team: Team, label: str) -> tuple[Any, Scenario]:
        from simulator.experiment import run

        teams = dict(self.scenario.teams)
        teams[self.team] = candidate_team
        candidate = self.scenario.model_copy(update={"teams": teams})
        result = run(candidate, replications=self.count, seed=self.seed, jobs=self.jobs)
        self.summaries[label] = result.summary
        self.bar.update(1)
        return result, candidate

    def judge(self, values: Sequence[float | None]) -> tuple[float | None,
                                                            tuple[float, float] | None,
                                                            float | None, bool]:
        mean, interval = mean_interval(values, self.level)
        bound = self.goal.bound(mean, interval) if self.level is not None else mean
        return mean, interval, bound, self.goal.meets(bound)

    # -- one head count for the whole horizon --
    def total(self) -> SizeResult:
        from simulator.analysis.metrics import replication_metrics

        shape: AlwaysOn | ScaledRoster = (AlwaysOn(self.spec) if self.spec.roster is None
                                          else ScaledRoster(self.spec, self.scenario,
                                                            self.intervals))
        analytic_cache: dict[int, float | None] = {}

        def analytic_at(total: int) -> float | None:
            if total not in analytic_cache:
                analytic_cache[total] = self.analytic(shape.on_shift(total, self.intervals))
            return analytic_cache[total]

        guess = self._guess(shape)
        analytic_total = None
        if self.analytic_ok:
            analytic_total = smallest(lambda n: self.goal.meets(analytic_at(n)), guess,
                                      minimum=shape.minimum)
        start = analytic_total if analytic_total is not None else guess
        tried: dict[int, Candidate] = {}
        order: list[Candidate] = []

        def meets(total: int) -> bool:
            if total not in tried:
                self.bar.set_postfix_str(f"{total} agents")
                result, candidate = self.simulate(shape.team_at(total), str(total))
                values = [self.goal.statistic(replication_metrics(record, candidate))
                          for record in result.records]
                mean, interval, bound, met = self.judge(values)
                tried[total] = Candidate(total, shape.allocation(total), mean, interval, bound,
                                         met, analytic_at(total) if self.analytic_ok else None)
                order.append(tried[total])
            return tried[total].met

        ceiling = max(4 * start, start + 40)
        answer = smallest(meets, start, minimum=shape.minimum, maximum=ceiling)
        if answer is None:
            best = order[-1]
            raise ScenarioError(
                f"no head count up to {ceiling} met '{self.goal.text}' in simulation (with "
                f"{ceiling}: {self.goal.format(best.value)})", source="--target",
                fix="check the target can be met at all (first replies take time), or size "
                    "another statistic")
        chosen = tried[answer]
        sized_team = shape.team_at(answer)
        teams = dict(self.scenario.teams)
        teams[self.team] = sized_team
        sized = self.scenario.model_copy(update={"teams": teams})
        hour_grid = Intervals.build(self.scenario, HOUR)
        panels = self._heatmaps(hour_grid, shape.on_shift(answer, hour_grid),
                                "agents on shift in the sized team (simulated answer; the "
                                "most in any week)")
        result = SizeResult(
            scenario=self.scenario, sized=sized, team=self.team, target=self.goal,
            confidence=self.level, seed=self.seed, replications=self.count,
            agents=shape.allocation(answer), total=answer, analytic_agents=analytic_total,
            analytic_allocation=(shape.allocation(analytic_total)
                                 if analytic_total is not None else None),
            analytic_achieved=(analytic_at(analytic_total) if analytic_total is not None
                               else None),
            formula=self.workload.formula if self.analytic_ok else None,
            achieved=chosen.value, achieved_interval=chosen.interval, candidates=order,
            summary=self.summaries[str(answer)], heatmaps=panels, zone=self.intervals.zone)
        result.reasons = explain(result, self.workload)
        return result

    def _guess(self, shape: AlwaysOn | ScaledRoster) -> int:
        if isinstance(shape, ScaledRoster):
            return max(shape.current, shape.minimum)
        weights = self.rates * self.intervals.lengths
        mean_rate = float(weights.sum() / max(self.intervals.lengths.sum(), 1e-9))
        return max(1, math.ceil(offered_agents(self.workload, mean_rate)) + 1)

    def _need_curve(self, grid: Intervals, rates: np.ndarray) -> np.ndarray:
        """The formula's agents per slot of the week: the busiest occurrence; NaN
        where the window never reaches that slot."""
        needs: dict[float, int | None] = {}
        curve = np.full(grid.slots_per_week, np.nan)
        for rate, length, slot in zip(rates, grid.lengths, grid.slot, strict=True):
            key = float(f"{rate:.9g}")
            if key not in needs:
                needs[key] = self.interval_need(rate, HOUR) if self.analytic_ok else None
            need = needs[key]
            value = np.nan if need is None else float(need)
            if length > 0:
                curve[slot] = value if np.isnan(curve[slot]) else np.fmax(curve[slot], value)
        return curve

    def _heatmaps(self, hour_grid: Intervals, on_shift: np.ndarray,
                  second_title: str) -> list[tuple[str, np.ndarray]]:
        panels: list[tuple[str, np.ndarray]] = []
        if self.analytic_ok:
            rates = self.workload.arrival_rates(self.scenario, hour_grid.edges)
            needed = self._need_curve(hour_grid, rates)
            panels.append((f"agents needed in each hour to meet the target on its own "
                           f"({self.workload.formula}, busiest week)", needed.reshape(7, 24)))
        shift = np.full(168, np.nan)
        for value, slot in zip(on_shift, hour_grid.slot, strict=True):
            shift[slot] = value if np.isnan(shift[slot]) else max(shift[slot], value)
        panels.append((second_title, shift.reshape(7, 24)))
        return panels

    # -- an agents-needed curve --
    def per_interval(self) -> SizeResult:
        grid = self.intervals
        slots = grid.slots_per_week
        region = grid.zone
        if self.analytic_ok:
            analytic_curve = self._need_curve(grid, self.rates)
        else:
            analytic_curve = np.full(slots, np.nan)
            for rate, slot in zip(self.rates, grid.slot, strict=True):
                guess = math.ceil(offered_agents(self.workload, rate)) + 1 if rate > 0 else 0
                analytic_curve[slot] = np.fmax(analytic_curve[slot], guess)
        curve = np.nan_to_num(analytic_curve, nan=0.0).astype(int)
        floor = np.zeros(slots, dtype=int)     # never trim below: that count once missed
        frozen = np.zeros(slots, dtype=bool)   # one more agent did not help: stop adding
        added = np.zeros(slots, dtype=bool)
        previous: np.ndarray | None = None
        rounds: list[dict[str, Any]] = []
        best: tuple[np.ndarray, np.ndarray, np.ndarray, str] | None = None
        last: tuple[np.ndarray, np.ndarray, np.ndarray, str] | None = None
        candidates: list[Candidate] = []
        for number in range(1, MAX_ROUNDS + 1):
            roster = curve_roster(curve, grid.slot_s, region)
            if not roster:
                curve = np.maximum(curve, 1)
                roster = curve_roster(curve, grid.slot_s, region)
            label = f"round{number}"
            self.bar.set_postfix_str(f"round {number}: {int(curve.sum())} agent-intervals")
            result, candidate = self.simulate(self._curve_team(roster), label)
            values, errors, judged, overall = slot_statistics(result.records, candidate,
                                                              self.goal, grid)
            mean, interval, bound, met = self.judge(overall)
            candidates.append(Candidate(int(curve.max()), int(curve.max()), mean, interval,
                                        bound, met))
            last = (curve.copy(), values, judged, label)
            # An added agent that changed nothing (the slot is at its ceiling: first
            # replies take time) is taken back, and that slot gets no more.
            useless = np.zeros(slots, dtype=bool)
            if previous is not None:
                useless = added & ~self._better(values, previous)
                frozen |= useless
            short = np.array([self._shortfall(v) for v in values])
            misses = judged & (short > errors) & ~frozen & ~useless
            misses &= self._helps(curve, short)
            rounds.append({"round": number, "agent_hours_per_week":
                           float(curve.sum() * grid.slot_s / HOUR),
                           "peak_agents": int(curve.max()),
                           "intervals_missing": int((judged & (short > errors)).sum()),
                           "intervals_added": int(misses.sum()),
                           "intervals_given_back": int(useless.sum()),
                           "overall": mean,
                           "overall_interval": list(interval) if interval else None,
                           "overall_met": met})
            previous = values
            if misses.any() or useless.any():
                floor[misses] = np.maximum(floor[misses], curve[misses] + 1)
                curve = curve + misses.astype(int) - useless.astype(int)
                added = misses
                continue
            added = np.zeros(slots, dtype=bool)
            best = last
            trims = self._trims(curve, values, judged, floor)
            if not trims.any():
                break
            curve = curve - trims.astype(int)
        final = best if best is not None else last
        assert final is not None
        curve_final, achieved, judged, label = final
        roster = curve_roster(curve_final, grid.slot_s, region)
        sized_team = self._curve_team(roster)
        teams = dict(self.scenario.teams)
        teams[self.team] = sized_team
        sized = self.scenario.model_copy(update={"teams": teams})
        summary = self.summaries[label]
        overall_stat = self.goal.statistic(summary) or {}
        per = PerInterval(grid.slot_s, region, analytic_curve, curve_final.astype(float),
                          achieved, judged, best is not None, rounds, roster)
        hours_analytic = to_hours(analytic_curve, grid.slot_s)
        hours_final = to_hours(curve_final.astype(float), grid.slot_s)
        panels = [(f"agents needed per interval ({self.workload.formula}, busiest week)"
                   if self.analytic_ok else "starting curve (offered load + 1; no formula "
                   "for this statistic)", hours_analytic.reshape(7, 24)),
                  ("agents needed after the simulated check", hours_final.reshape(7, 24))]
        result = SizeResult(
            scenario=self.scenario, sized=sized, team=self.team, target=self.goal,
            confidence=self.level, seed=self.seed, replications=self.count,
            agents=int(curve_final.max()), total=int(curve_final.max()),
            analytic_agents=(int(np.nanmax(analytic_curve)) if self.analytic_ok
                             and np.isfinite(analytic_curve).any() else None),
            analytic_allocation=None, analytic_achieved=None,
            formula=self.workload.formula if self.analytic_ok else None,
            achieved=overall_stat.get("value"),
            achieved_interval=candidates[int(label.removeprefix("round")) - 1].interval,
            candidates=candidates, summary=summary, heatmaps=panels, zone=region,
            per_interval=per)
        result.reasons = explain(result, self.workload)
        return result

    def _shortfall(self, value: float) -> float:
        """How far a value falls short of the target (≤ 0 when it meets it)."""
        if value is None or not np.isfinite(value):
            return 0.0
        gap = self.goal.threshold - value
        return gap if self.goal.higher_is_better else -gap

    def _better(self, values: np.ndarray, before: np.ndarray) -> np.ndarray:
        """Slots whose statistic moved toward the target since ``before``."""
        change = values - before if self.goal.higher_is_better else before - values
        return np.nan_to_num(change, nan=0.0) > 1e-12

    def _helps(self, curve: np.ndarray, short: np.ndarray) -> np.ndarray:
        """Slots where, by the formula, one more agent closes at least a quarter of the
        shortfall (all slots when there is no formula)."""
        if not self.analytic_ok:
            return np.ones(curve.size, dtype=bool)
        busiest = self._busiest()
        helps = np.zeros(curve.size, dtype=bool)
        for slot in np.nonzero(short > 0)[0]:
            rate, length = np.array([busiest[slot]]), np.array([self.intervals.slot_s])
            now = self.analytic(np.array([float(curve[slot])]), rate, length)
            more = self.analytic(np.array([float(curve[slot] + 1)]), rate, length)
            if now is None or more is None:
                helps[slot] = True
                continue
            gain = (more - now) if self.goal.higher_is_better else (now - more)
            helps[slot] = not math.isfinite(gain) or gain >= 0.25 * short[slot]
        return helps

    def _busiest(self) -> np.ndarray:
        busiest = np.zeros(self.intervals.slots_per_week)
        for rate, slot in zip(self.rates, self.intervals.slot, strict=True):
            busiest[slot] = max(busiest[slot], rate)
        return busiest

    def _curve_team(self, roster: list[Shift]) -> Team:
        update: dict[str, Any] = {"agents": None, "roster": roster}
        if "rotation" in type(self.spec).model_fields:
            update["rotation"] = None
        return self.spec.model_copy(update=update)

    def _trims(self, curve: np.ndarray, values: np.ndarray, judged: np.ndarray,
               floor: np.ndarray) -> np.ndarray:
        """Slots that could do with one agent fewer: judged, above their floor, and
        still meeting the target by the formula's slope at the busiest occurrence."""
        if not self.analytic_ok:
            return np.zeros(curve.size, dtype=bool)
        grid = self.intervals
        busiest = self._busiest()
        trims = np.zeros(curve.size, dtype=bool)
        for slot in np.nonzero(judged & (curve > np.maximum(floor, 1)))[0]:
            rate = np.array([busiest[slot]])
            length = np.array([grid.slot_s])
            now = self.analytic(np.array([float(curve[slot])]), rate, length)
            fewer = self.analytic(np.array([float(curve[slot] - 1)]), rate, length)
            if now is None or fewer is None or not math.isfinite(fewer):
                continue
            trims[slot] = self.goal.meets(values[slot] + (fewer - now))
        return trims


def mean_interval(values: Sequence[float | None], level: float | None
                  ) -> tuple[float | None, tuple[float, float] | None]:
    """Mean of the valid values and its two-sided Student t interval at ``level``
    (``None`` without a level or with fewer than two values)."""
    sample = np.array([np.nan if v is None else v for v in values], dtype=float)
    sample = sample[~np.isnan(sample)]
    if sample.size == 0:
        return None, None
    mean = float(sample.mean())
    if level is None or sample.size < 2:
        return mean, None
    from scipy.special import stdtrit

    error = float(sample.std(ddof=1)) / math.sqrt(sample.size)
    half = float(stdtrit(sample.size - 1, 0.5 + level / 2) * error) if error > 0 else 0.0
    return mean, (mean - half, mean + half)


def slot_statistics(records: Sequence[Any], scenario: Scenario, goal: Target,
                    grid: Intervals
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[float | None]]:
    """The target's statistic per slot of the week (mean over replications, by
    arrival time), its standard error (infinite with fewer than two replications
    that have data), whether each slot had enough conversations to judge, and
    the per-replication whole-horizon values.

    Uses :func:`~simulator.analysis.metrics.replication_metrics` itself, so the
    statistic is defined exactly as in summary.json: each replication's
    conversations are relabelled by their slot of the week, as if each slot were
    a stream, and the by-stream blocks read back.
    """
    from simulator.analysis.metrics import replication_metrics

    slots = grid.slots_per_week
    labels = [f"slot{k}" for k in range(slots)]
    stream_proxy = next(iter(scenario.streams.values()))
    by_slot = scenario.model_copy(update={"streams": dict.fromkeys(labels, stream_proxy)})
    values = np.full((len(records), slots), np.nan)
    reached = np.zeros(slots)
    overall: list[float | None] = []
    for row, record in enumerate(records):
        overall.append(goal.statistic(replication_metrics(record, scenario)))
        conversations = record.conversations
        if goal.stream is not None:
            conversations = conversations[(conversations["stream"] == goal.stream).to_numpy()]
        arrived = conversations["arrived_at"].to_numpy(dtype=float, na_value=np.nan)
        slot = (_week_seconds(scenario.start, np.nan_to_num(arrived)) // grid.slot_s)
        relabelled = conversations.assign(stream=pd.Categorical(
            np.asarray(labels, dtype=object)[slot.astype(np.int64) % slots], categories=labels))
        proxy = dataclasses.replace(record, conversations=relabelled)
        metrics = replication_metrics(proxy, by_slot)["by_stream"]
        for k, label in enumerate(labels):
            block = metrics[label]
            value = _leaf(block, goal.metric)
            values[row, k] = np.nan if value is None else value
            counts = block["counts"]
            reached[k] += counts["arrived"] - counts["deflected"]
    valid = np.sum(~np.isnan(values), axis=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # slots without any data
        means = np.nanmean(values, axis=0)
        spread = np.nanstd(values, axis=0, ddof=1)
    errors = np.where(valid >= 2, spread / np.sqrt(np.maximum(valid, 1)), np.inf)
    return means, np.nan_to_num(errors, nan=np.inf), reached >= MIN_JUDGED, overall


def _leaf(block: dict, metric: str) -> float | None:
    node: Any = block
    for key in metric.split("."):
        node = node.get(key) if isinstance(node, dict) else None
    return node


def to_hours(curve: np.ndarray, slot_s: float) -> np.ndarray:
    """A per-slot weekly curve as 168 hourly values (the most in each hour)."""
    per_hour = HOUR / slot_s
    if per_hour >= 1:
        return np.asarray(curve, dtype=float).reshape(168, round(per_hour)).max(axis=1)
    return np.repeat(np.asarray(curve, dtype=float), round(1 / per_hour))


# --------------------------------------------------------------------------- curve to roster


def curve_roster(curve: np.ndarray, slot_s: float, region: str) -> list[Shift]:
    """A weekly roster whose head count on shift follows ``curve`` (agents per slot
    from Monday 00:00 on ``region``'s wall clock).

    Agent layer k covers every slot where the curve is at least k: each run of
    such slots is split evenly into shifts of at most :data:`MAX_SHIFT_S` (a seat
    held for days would hide the handoffs at shift end; a layer on all week is
    cut at Monday 00:00 first). Shifts equal in start, end and days become one
    entry with that many agents, labelled like ``Mon-Fri 08:00-16:00``.
    """
    curve = np.asarray(curve, dtype=int)
    slot_min = round(slot_s / 60)
    entries: dict[tuple[tuple[int, ...], int, int], int] = {}
    for layer in range(1, int(curve.max(initial=0)) + 1):
        grouped: dict[tuple[int, int], list[int]] = {}
        for day, start, end in _layer_shifts(curve >= layer, slot_min):
            grouped.setdefault((start, end), []).append(day)
        for (start, end), days in grouped.items():
            key = (tuple(sorted(set(days))), start, end)
            entries[key] = entries.get(key, 0) + 1
    shifts = []
    for (days, start, end), agents in sorted(entries.items(), key=lambda item: (
            item[0][1], item[0][2], item[0][0])):
        label = f"{_days_text(days)} {_clock(start)}-{_clock(end)}"
        shifts.append(Shift(region=region, days=list(days), start=_clock(start),
                            end=_clock(end), agents=agents, label=label))
    return shifts


def _layer_shifts(on: np.ndarray, slot_min: int) -> list[tuple[int, int, int]]:
    """(day, start minute, end minute) shifts covering the slots where ``on`` holds,
    runs wrapping from Sunday into Monday included."""
    slots = on.size
    if not on.any():
        return []
    starts = [i for i in range(slots) if on[i] and not on[i - 1]]
    if not starts:                      # on all week: start the run at Monday 00:00
        starts, lengths = [0], [slots]
    else:
        lengths = []
        for first in starts:
            length = 0
            while on[(first + length) % slots] and length < slots:
                length += 1
            lengths.append(length)
    shifts = []
    per_shift = max(1, int(MAX_SHIFT_S // (slot_min * 60)))
    for first, length in zip(starts, lengths, strict=True):
        pieces = math.ceil(length / per_shift)
        cuts = np.linspace(0, length, pieces + 1).round().astype(int)
        for begin, after in itertools.pairwise(cuts):
            day, minute = divmod((first + int(begin)) * slot_min, 24 * 60)
            shifts.append((day % 7, minute, minute + int(after - begin) * slot_min))
    return shifts


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _days_text(days: Sequence[int]) -> str:
    ordered = sorted(set(days))
    if ordered == list(range(7)):
        return "daily"
    if len(ordered) > 2 and ordered == list(range(ordered[0], ordered[-1] + 1)):
        return f"{DAY_NAMES[ordered[0]]}-{DAY_NAMES[ordered[-1]]}"
    return ",".join(DAY_NAMES[day] for day in ordered)


def _shift_yaml(shift: Shift) -> dict[str, Any]:
    return {"label": shift.label, "region": shift.region,
            "days": [DAY_NAMES[d] for d in shift.days], "start": _clock(shift.start),
            "end": _clock(shift.end), "agents": shift.agents}


# --------------------------------------------------------------------------- why they differ


def explain(result: SizeResult, workload: Workload) -> list[str]:
    """Sentences on why the formula's answer and the simulation's differ (or, when
    they agree, what the formula leaves out), most likely first."""
    scenario, spec = result.scenario, result.scenario.teams[result.team]
    if result.analytic_agents is None:
        return [f"no Erlang formula gives {result.target.metric} (only queue wait, first "
                "response and abandonment have one), so the simulation alone sized it"] \
            if result.formula is None else []
    difference = result.total - result.analytic_agents
    per = result.per_interval
    if per is not None:
        difference = round(float(np.nansum(per.agents) - np.nansum(per.analytic))
                           * per.slot_s / HOUR)
    reasons: list[tuple[int, str]] = []  # (direction: +1 formula understates, -1 overstates)
    if result.confidence is not None and result.per_interval is None:
        end = "lower" if result.target.higher_is_better else "upper"
        reasons.append((+1, f"the simulated answer must meet the target at the {end} end of "
                            f"its {result.confidence:.0%} interval, the formula only on "
                            "average"))
    streams = [scenario.streams[name] for name in workload.streams]
    conversations = [s.conversation for s in streams]
    cvs = []
    for conversation in conversations:
        for dist in (conversation.first_handle, conversation.handle):
            if dist is not None and dist.dist.value != "exponential":
                cvs.append((dist.dist.value, dist.cv))
    multi = any(c.exchanges.mean_value > 1 for c in conversations)
    if cvs or multi or any(c.wrap_up is not None for c in conversations):
        shape = ", ".join(sorted({f"{kind}" + (f" cv {cv:g}" if cv else "")
                                  for kind, cv in cvs})) or "several replies and wrap-up"
        reasons.append((-1, f"handle times are not exponential ({shape}): work that varies "
                            "less than Erlang assumes makes shorter queues, so the formula "
                            "overstates"))
    patience = [c.patience for c in conversations if c.patience is not None]
    if patience and any(p.dist.value != "exponential" for p in patience):
        reasons.append((0, "Erlang A takes patience as exponential with the same mean; the "
                           "scenario's patience has another shape, so customers leave at "
                           "other times"))
    if spec.concurrency > 1:
        reasons.append((+1, f"with concurrency {spec.concurrency} the formula takes the tighter "
                            "of 'one reply typed at a time' and 'K slots held for the whole "
                            "conversation'; in the simulation owed replies come first and "
                            "queue in the agent's own line, which neither view sees"))
    elif multi:
        reasons.append((0, "an agent holds each conversation through the customer's reply "
                           "delays; the formula adds their mean to the holding time as if "
                           "it were all one exponential"))
    varies = any(s.profile or s.surge or s.rollout for s in streams)
    if spec.roster is not None or result.per_interval is not None:
        reasons.append((+1, "shifts start and end inside hours and open conversations are "
                            "handed over at shift end; the formula sees each hour as a steady "
                            "state with the agents on shift at mid-hour"))
    if varies:
        reasons.append((+1, "arrivals change from hour to hour and queues carry over from busy "
                            "hours; the formula treats each hour as a steady state at its "
                            "mean rate"))
    if any(s.noise is not None and s.noise.daily_cv > 0 for s in streams):
        reasons.append((+1, "daily forecast error makes some days busier than the mean rate "
                            "the formula uses"))
    if getattr(spec, "backup", None):
        reasons.append((-1, "backup (on-call) agents join when the queue is busy; the formula "
                            "counts only the primary roster"))
    others = [name for name, team in scenario.teams.items() if name != result.team
              and set(team.serves) & set(spec.serves)]
    if others:
        reasons.append((-1, f"team(s) {', '.join(others)} also serve these queues; the "
                            "formula counts only this team"))
    if (scenario.horizon - scenario.warmup) < 50 * workload.holding_s:
        reasons.append((0, "the run is short compared with a conversation, so the start "
                           "(empty queues) still shows in the statistics"))
    noisy = _straddles(result)
    if difference == 0:
        return ["the formula and the simulation agree"] + ([noisy] if noisy else [])
    wanted = +1 if difference > 0 else -1
    chosen = [text for direction, text in reasons if direction in (wanted, 0)]
    unit = "agent-hour" if per is not None else "agent"
    lead = (f"the simulation needs {abs(difference)} "
            f"{'more' if difference > 0 else 'fewer'} {unit}"
            f"{'s' if abs(difference) != 1 else ''}"
            f"{' per week' if per is not None else ''} than {result.formula}")
    out = [lead] + (chosen or [text for _, text in reasons])
    if noisy:
        out.append(noisy)
    return out


def _straddles(result: SizeResult) -> str | None:
    """A note when the candidates next to the answer are within noise of the target."""
    if result.per_interval is not None:
        return None
    target = result.target.threshold
    for candidate in result.candidates:
        if abs(candidate.agents - result.total) == 1 and candidate.interval is not None:
            low, high = candidate.interval
            if low <= target <= high:
                return (f"with {candidate.agents} agents the interval "
                        f"[{result.target.format(low)}, {result.target.format(high)}] "
                        "contains the target: one agent either way is within simulation "
                        "noise; more replications narrow it")
    return None


# --------------------------------------------------------------------------- files and text


def write_size(result: SizeResult, out_dir: Path, *, started_at: datetime | None = None,
               command: Iterable[str] | None = None) -> Path:
    """Write the sizing folder atomically (see :func:`simulator.output.write_folder`):
    ``size.json``, ``summary.json`` (the answer's run), ``scenario.yaml`` (the sized
    scenario, re-runnable as it stands), ``run.json`` and
    ``figures/size_heatmap.png``."""
    from simulator.output import resolved_scenario, run_info, write_folder, write_json

    figure = heatmap_figure(result)

    def fill(folder: Path) -> None:
        write_json(result.to_json(), folder / "size.json")
        write_json(result.summary, folder / "summary.json")
        (folder / "scenario.yaml").write_text(yaml.safe_dump(
            resolved_scenario(result.sized, seed=result.seed,
                              replications=result.replications),
            sort_keys=False, allow_unicode=True), encoding="utf-8")
        write_json(run_info(seed=result.seed, replications=result.replications, jobs=result.jobs,
                            wall_time_s=result.wall_time_s, started_at=started_at,
                            command=command, extra={"team": result.team,
                                                    "target": result.target.text}),
                   folder / "run.json")
        (folder / "figures").mkdir()
        figure.savefig(folder / "figures" / "size_heatmap.png", format="png", dpi=110,
                       metadata={"Software": None})

    return write_folder(out_dir, fill)


def heatmap_figure(result: SizeResult) -> Any:
    """The agents-needed heatmap of a sizing result (a matplotlib Figure)."""
    from simulator.analysis.size_figures import size_heatmap

    return size_heatmap(result.heatmaps, zone=result.zone,
                        title=f"Agents needed by hour of week: team {result.team}, target "
                              f"{result.target.text}")


def report_text(result: SizeResult) -> str:
    """The terminal report: the formula's and the simulation's answers side by side."""
    goal = result.target
    level = (f"{result.confidence:.0%} confidence ({'lower' if goal.higher_is_better else 'upper'}"
             " end of the interval must meet it)" if result.confidence is not None
             else "mean over replications")
    lines = [f"team {result.team}, target {goal.text}: {result.replications} replications, "
             f"seed {result.seed}, {level}", ""]
    formula = result.formula or "no formula"
    width = max(len(formula), 9) + 2
    first = max(22, len(goal.metric) + 10,
                *(len(label) + 2 for label in (result.agents if isinstance(result.agents, dict)
                                               else {})))
    lines.append(f"  {'':<{first}}{formula:<{width}}simulated")
    if result.per_interval is not None:
        per = result.per_interval
        lines.append(f"  {'peak agents':<{first}}{_text(result.analytic_agents):<{width}}"
                     f"{result.agents}")
        lines.append(f"  {'agent-hours per week':<{first}}"
                     f"{_number(np.nansum(per.analytic) * per.slot_s / HOUR):<{width}}"
                     f"{_number(np.nansum(per.agents) * per.slot_s / HOUR)}")
        lines.append(f"  {'overall ' + goal.metric:<{first}}{'':<{width}}"
                     f"{_stat(goal, result.achieved, result.achieved_interval)}")
        if not per.met_everywhere:
            lines.append(f"  (after {len(per.rounds)} rounds some intervals still miss the "
                         "target; see size.json)")
    elif isinstance(result.agents, dict):
        analytic = result.analytic_allocation if isinstance(result.analytic_allocation,
                                                            dict) else {}
        for label, count in result.agents.items():
            lines.append(f"  {label:<{first}}{_text(analytic.get(label)):<{width}}{count}")
        lines.append(f"  {'total':<{first}}{_text(result.analytic_agents):<{width}}{result.total}")
        lines.append(f"  {goal.metric:<{first}}{goal.format(result.analytic_achieved):<{width}}"
                     f"{_stat(goal, result.achieved, result.achieved_interval)}")
    else:
        lines.append(f"  {'agents':<{first}}{_text(result.analytic_agents):<{width}}"
                     f"{result.agents}")
        lines.append(f"  {goal.metric:<{first}}{goal.format(result.analytic_achieved):<{width}}"
                     f"{_stat(goal, result.achieved, result.achieved_interval)}")
    if result.per_interval is None:
        lines += ["", "candidates simulated (same customers for each):"]
        for candidate in sorted(result.candidates, key=lambda c: c.agents):
            mark = "meets" if candidate.met else "misses"
            formula_value = (f"   formula {goal.format(candidate.analytic)}"
                             if candidate.analytic is not None else "")
            lines.append(f"  {candidate.agents:>5} agents  {mark:<6}  "
                         f"{_stat(goal, candidate.value, candidate.interval)}{formula_value}")
    if result.reasons:
        lines += ["", _sentence(result.reasons)]
    coverage = _coverage(result)
    if coverage:
        lines += ["", coverage]
    return "\n".join(lines)


def _sentence(reasons: list[str]) -> str:
    head, *rest = reasons
    text = head[0].upper() + head[1:]
    if rest:
        text += ("; " if head.startswith("the formula and the simulation agree") else ": ") \
            + "; ".join(rest)
    return text + "."


def _coverage(result: SizeResult) -> str | None:
    """A note on hours where the sized roster has fewer agents than the formula
    asks for that hour alone (the heatmap's two panels)."""
    if result.per_interval is not None or len(result.heatmaps) < 2:
        return None
    needed, on_shift = (np.asarray(grid, dtype=float) for _, grid in result.heatmaps[:2])
    short = int(np.sum(np.isfinite(needed) & np.isfinite(on_shift) & (on_shift < needed)))
    if short == 0:
        return None
    observed = int(np.sum(np.isfinite(needed)))
    return (f"In {short} of {observed} hours of the week the sized team has fewer agents on "
            "shift than the formula asks for that hour alone (figures/size_heatmap.png): the "
            "target holds over the whole horizon, not in every hour; --per-interval 1h sizes "
            "for every hour.")


def _stat(goal: Target, value: float | None, interval: tuple[float, float] | None) -> str:
    text = goal.format(value)
    if interval is not None:
        text += f" [{goal.format(interval[0])}, {goal.format(interval[1])}]"
    return text


def _text(value: Any) -> str:
    return "-" if value is None else str(value)


def _number(value: float) -> str:
    return f"{value:,.0f}"


__all__ = ["Candidate", "PerInterval", "SizeResult", "curve_roster", "mean_interval",
           "parse_confidence", "parse_interval", "report_text", "size", "write_size"]

