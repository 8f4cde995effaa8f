"""Sizing a team: the smallest head count that meets a service target.

``staffsim size S.yaml --team T --target 'frt.within_target>=0.8'`` (and
:func:`size`, exported as ``simulator.size``) answers a manager's question in three steps:

1. **Formula.** Erlang C, or Erlang A when customers have patience, with the
   team's concurrency taken into account (see :mod:`simulator.decisions.sizing.staffing`),
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
  Intervals with fewer than
  :data:`~simulator.decisions.sizing.size_intervals.MIN_JUDGED` conversations (over all
  replications) are too few to judge and keep the formula's count. Backup
  (on-call) shifts of the team are kept as they are. The chosen
  confidence applies to the whole-horizon statistic reported for the final
  curve: per-interval intervals over 168 hours would be too wide to act on and
  some would miss by chance alone.

Where it lives
--------------
This module checks the inputs and holds :func:`size`; the rest is one idea a
module: :mod:`~simulator.decisions.sizing.size_search` (the search),
:mod:`~simulator.decisions.sizing.staffing_shapes` (how a head count or a curve
becomes a team), :mod:`~simulator.decisions.sizing.size_intervals` (the intervals of
the week and their statistics), :mod:`~simulator.decisions.sizing.size_result` (the
answer and size.json) and :mod:`~simulator.decisions.sizing.size_report` (why the
answers differ, the terminal report, the results folder).
"""

from __future__ import annotations

import math
import time

from simulator.decisions.sizing.size_result import SizeResult
from simulator.decisions.sizing.size_search import Search
from simulator.decisions.sizing.staffing import team_workload, unlimited_statistic
from simulator.decisions.targets import (
    Target,
    check_target,
    formula_frt_target,
    parse_target,
)
from simulator.errors import ScenarioError
from simulator.rng import replications_and_seed
from simulator.scenario.references import closest_hint
from simulator.scenario.schema import Scenario, Team
from simulator.units import HOUR, parse_duration

DEFAULT_CONFIDENCE = 0.95


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
        raise ScenarioError(
            f"'{value}' is not a confidence level",
            source="--confidence",
            fix="give a level between 0 and 1 such as 0.95 (or 95%), or "
            "'none' to size on the mean alone",
        )
    return number


def parse_interval(value: str | float | None, option: str = "--per-interval") -> float | None:
    """``--per-interval`` (or ``option``) as seconds: a whole number of minutes, at
    least 15min, that divides a day (15min, 30min, 1h, 2h, ... 24h)."""
    if value is None:
        return None
    try:
        seconds = parse_duration(value) if not isinstance(value, int | float) else float(value)
    except ValueError as error:
        raise ScenarioError(
            str(error), source=option, fix="write an interval such as 1h, 30min or 4h"
        ) from None
    minutes = seconds / 60.0
    if not (minutes >= 15 and minutes.is_integer() and (24 * 60) % int(minutes) == 0):
        raise ScenarioError(
            f"'{value}' cannot cut the week into intervals",
            source=option,
            fix="use a whole number of minutes from 15min to 24h that divides a "
            "day: 15min, 30min, 1h, 2h, 3h, 4h, 6h, 8h, 12h or 24h",
        )
    return seconds


def check_team(scenario: Scenario, team: str) -> Team:
    """The team to size; a clear error for a team the scenario does not have."""
    if team not in scenario.teams:
        teams = list(scenario.teams)
        raise ScenarioError(
            f"the scenario has no team '{team}'",
            source="--team",
            fix=closest_hint(team, teams) + f"teams are: {', '.join(teams)}",
        )
    spec = scenario.teams[team]
    if spec.roster is None and spec.agents is None:
        raise ScenarioError(
            f"team '{team}' has neither agents nor a roster to size",
            source="--team",
            fix="give the team agents: N or a roster",
        )
    return spec


# --------------------------------------------------------------------------- the entry


def prepare(
    scenario: Scenario,
    *,
    team: str,
    target: str | Target,
    slot_s: float,
    confidence: float | str | None,
    replications: int | None,
    seed: int | None,
    jobs: int,
    progress: bool,
    what: str = "sizing",
    cluster: str | None = None,
) -> Search:
    """Every check that can fail before the first simulation, then the
    :class:`Search` that ``size`` and ``roster`` run (``what`` names it on the
    progress bar)."""
    spec = check_team(scenario, team)
    goal = target if isinstance(target, Target) else parse_target(target)
    check_target(goal, scenario)
    level = confidence
    if isinstance(level, str) or (level is not None and not 0.0 < level < 1.0):
        level = parse_confidence(str(level))
    count, root = replications_and_seed(scenario, replications, seed)
    if level is not None and count < 2:
        raise ScenarioError(
            f"{count} replication gives no interval to be confident with",
            source="--replications",
            fix="use at least 2 replications (10 or more is better), or "
            "--confidence none to size on the mean",
        )
    try:
        workload = team_workload(scenario, team)
    except ValueError as error:
        raise ScenarioError(
            str(error), source="--team", fix="size a team that serves some stream's queue"
        ) from None
    frt_target = formula_frt_target(goal, scenario)
    unlimited = unlimited_statistic(workload, goal.metric, frt_target, goal.stream)
    if unlimited is not None and not goal.meets(unlimited):
        because = (
            ", because the first response includes typing the first reply"
            if goal.metric.startswith("frt_s.")
            else ""
        )
        raise ScenarioError(
            f"no number of agents can meet '{goal.text}': even with nobody waiting it is "
            f"{goal.format(unlimited)}{because}",
            source="--target",
            fix=f"loosen the target beyond what unlimited agents reach "
            f"({goal.format(unlimited)}), or shorten first replies in the scenario",
        )
    return Search(
        scenario,
        team,
        spec,
        goal,
        workload,
        level,
        count,
        root,
        jobs,
        progress,
        slot_s,
        what,
        cluster=cluster,
    )


def size(
    scenario: Scenario,
    *,
    team: str,
    target: str | Target,
    per_interval: str | float | None = None,
    confidence: float | str | None = DEFAULT_CONFIDENCE,
    replications: int | None = None,
    seed: int | None = None,
    jobs: int = 1,
    cluster: str | None = None,
    progress: bool = False,
) -> SizeResult:
    """Find the smallest head count of ``team`` meeting ``target`` (module notes).

    ``target`` is text such as ``'frt.within_target>=0.8'`` (see
    :mod:`simulator.decisions.targets`); ``per_interval`` a duration (``'1h'``) to size an
    agents-needed curve instead; ``confidence`` a level in (0, 1) or ``None``.
    ``jobs`` and ``cluster`` say where each candidate's replications run (see
    :func:`simulator.executor.run_in_order`). Every check that can fail runs
    before the first simulation and raises :class:`ScenarioError`.
    """
    began = time.perf_counter()
    slot_s = parse_interval(per_interval)
    search = prepare(
        scenario,
        team=team,
        target=target,
        slot_s=slot_s or HOUR,
        confidence=confidence,
        replications=replications,
        seed=seed,
        jobs=jobs,
        cluster=cluster,
        progress=progress,
    )
    try:
        result = search.per_interval() if slot_s is not None else search.total()
    finally:
        search.close()
    result.wall_time_s = time.perf_counter() - began
    result.jobs = jobs
    return result


__all__ = ["SizeResult", "check_team", "parse_confidence", "parse_interval", "prepare", "size"]
