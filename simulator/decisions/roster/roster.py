"""Shifts that meet the target: a roster from shift templates, checked by simulation.

``staffsim roster S.yaml --team T --target EXPR --shifts FILE`` (and
:func:`roster`, exported as ``simulator.roster``) answers "how many people, in
which shifts?" in rounds:

1. **Requirement.** Agents needed in each interval of the week (15 min to
   1 h), from the formula ``size --per-interval`` starts from (Erlang C, or
   Erlang A with patience, concurrency and shrinkage taken into account), for
   the busiest occurrence of that interval over the horizon.
2. **Integer program.** The least-cost whole number of agents per shift choice
   (every start, length and day pattern of every template) that covers the
   requirement in every interval, within each template's ``min_agents`` and
   ``max_agents`` (:mod:`simulator.decisions.roster.shift_cover`).
3. **Simulation.** The chosen roster replaces the team's roster (its on-call
   backups, breaks, shrinkage and shift-end policy stay) and is simulated with
   the same customers as every other round (common random numbers). An
   interval whose simulated statistic misses the target by more than its
   standard error has its requirement raised to one agent above what it got,
   and the program is solved again.

It stops when the target holds over the whole horizon (judged at
``confidence``, as ``size`` judges) and, with ``interval_target``, in at least
that share of the judged intervals, or after ``rounds`` rounds. The answer is
the cheapest round that met the target; if none did, the round that came
closest (the overall target met, then the most intervals meeting it, then the
cheapest), since an interval at a ceiling (first replies that take longer than
the target) gains nothing from more agents. The team's own roster is simulated
with the same customers for comparison.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from simulator.decisions.roster.shift_cover import Cover, coverage, solve
from simulator.decisions.roster.shift_templates import (
    Choice,
    ShiftTemplates,
    choices,
    load_templates,
)
from simulator.decisions.sizing.size import DEFAULT_CONFIDENCE, parse_interval, prepare
from simulator.decisions.sizing.size_intervals import slot_statistics
from simulator.decisions.sizing.size_search import Search
from simulator.decisions.targets import Target
from simulator.errors import ScenarioError
from simulator.scenario.schema import DAY_NAMES, Scenario, Shift, Team, clock_text, days_text
from simulator.scenario.shift_calendar import shift_intervals
from simulator.units import HOUR, WEEK

if TYPE_CHECKING:
    from simulator.experiment import RunResult

DEFAULT_ROUNDS = 3


@dataclass(frozen=True)
class Outcome:
    """A simulated roster: its overall statistic, interval and verdict, and by interval
    of the week the statistic, its standard error and whether it was judged."""

    value: float | None
    interval: tuple[float, float] | None
    met: bool
    by_slot: np.ndarray
    errors: np.ndarray
    judged: np.ndarray
    missing: np.ndarray
    agent_hours: float
    summary: dict = field(repr=False)

    @property
    def share_meeting(self) -> float | None:
        """Judged intervals that meet the target (within their standard error)."""
        judged = int(self.judged.sum())
        return None if judged == 0 else float((self.judged & ~self.missing).sum() / judged)

    def to_json(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "interval": list(self.interval) if self.interval else None,
            "met": self.met,
            "agent_hours_per_week": self.agent_hours,
            "intervals_judged": int(self.judged.sum()),
            "intervals_missing": int(self.missing.sum()),
            "share_of_intervals_meeting": self.share_meeting,
        }


@dataclass(frozen=True)
class Round:
    """One round: the requirement solved for, the program's answer and its simulation."""

    number: int
    required: np.ndarray
    cover: Cover
    outcome: Outcome
    raised: int

    def to_json(self) -> dict[str, Any]:
        return {
            "round": self.number,
            "cost_per_week": self.cover.cost,
            "agents": int(self.cover.agents.sum()),
            "intervals_raised": self.raised,
            **self.outcome.to_json(),
        }


@dataclass
class RosterResult:
    """What ``roster`` found: the proposal, every round, and the team's own roster."""

    scenario: Scenario
    proposed: Scenario
    team: str
    target: Target
    confidence: float | None
    interval_target: float | None
    seed: int
    replications: int
    slot_s: float
    zone: str
    choices: list[Choice]
    rounds: list[Round]
    chosen: Round
    original: Outcome
    flat_agent_hours: float
    wall_time_s: float = 0.0
    jobs: int = 1

    @property
    def roster(self) -> list[Shift]:
        return list(self.proposed.teams[self.team].roster or [])

    @property
    def met(self) -> bool:
        return _meets(self.chosen.outcome, self.interval_target)

    def to_json(self) -> dict[str, Any]:
        chosen = self.chosen
        slots = len(chosen.required)
        return {
            "team": self.team,
            "target": self.target.text,
            "confidence": self.confidence,
            "interval_target": self.interval_target,
            "met": self.met,
            "seed": self.seed,
            "replications": self.replications,
            "interval_s": self.slot_s,
            "zone": self.zone,
            "cost_per_week": chosen.cover.cost,
            "agent_hours_per_week": chosen.cover.hours_per_week(self.choices),
            "flat_agent_hours_per_week": self.flat_agent_hours,
            "proposal": chosen.outcome.to_json(),
            "original": self.original.to_json(),
            "rounds": [r.to_json() for r in self.rounds],
            "roster": [shift_entry(s) for s in self.roster],
            "by_interval": [
                {
                    "interval": k,
                    "day": DAY_NAMES[int(k * self.slot_s // 86400) % 7],
                    "start": clock_text(int(k * self.slot_s % 86400 // 60)),
                    "required_formula": float(self.rounds[0].required[k]),
                    "required": float(chosen.required[k]),
                    "scheduled": float(chosen.cover.covered[k]),
                    "value": _finite(chosen.outcome.by_slot[k]),
                    "standard_error": _finite(chosen.outcome.errors[k]),
                    "judged": bool(chosen.outcome.judged[k]),
                    "meets": bool(chosen.outcome.judged[k] and not chosen.outcome.missing[k]),
                }
                for k in range(slots)
            ],
        }


def roster(
    scenario: Scenario,
    *,
    team: str,
    target: str | Target,
    shifts: str | Path | ShiftTemplates,
    interval: str | float = "1h",
    interval_target: float | None = None,
    rounds: int = DEFAULT_ROUNDS,
    confidence: float | str | None = DEFAULT_CONFIDENCE,
    replications: int | None = None,
    seed: int | None = None,
    jobs: int = 1,
    cluster: str | None = None,
    progress: bool = False,
) -> RosterResult:
    """A roster of ``shifts`` templates for ``team`` that meets ``target`` (module notes)."""
    began = time.perf_counter()
    templates = shifts if isinstance(shifts, ShiftTemplates) else load_templates(Path(shifts))
    slot_s = parse_interval(interval, "--interval")
    assert slot_s is not None
    if interval_target is not None and not 0.0 < interval_target <= 1.0:
        raise ScenarioError(
            f"'{interval_target}' is not a share of intervals",
            source="--interval-target",
            fix="give a share between 0 and 1, e.g. 0.9 for 90% of intervals",
        )
    if rounds < 1:
        raise ScenarioError("at least one round is needed", source="--rounds", fix="e.g. 3")
    search = prepare(
        scenario,
        team=team,
        target=target,
        slot_s=slot_s,
        confidence=confidence,
        replications=replications,
        seed=seed,
        jobs=jobs,
        cluster=cluster,
        progress=progress,
        what="rostering",
    )
    try:
        result = _rounds(search, templates, interval_target, rounds)
    finally:
        search.close()
    result.wall_time_s = time.perf_counter() - began
    result.jobs = jobs
    return result


def _rounds(
    search: Search, templates: ShiftTemplates, interval_target: float | None, rounds: int
) -> RosterResult:
    grid = search.intervals
    slots = grid.slots_per_week
    names = [
        f"{DAY_NAMES[int(k * grid.slot_s // 86400) % 7]} "
        f"{clock_text(int(k * grid.slot_s % 86400 // 60))}"
        for k in range(slots)
    ]
    required = np.nan_to_num(search.need_curve(grid, search.rates), nan=0.0)
    if not search.analytic_ok:
        raise ScenarioError(
            f"no formula gives a per-interval requirement for '{search.goal.text}'",
            source="--target",
            fix="use an FRT, wait or abandonment target (e.g. 'frt.within_target>=0.8')",
        )
    options = choices(templates)
    shares = coverage(options, search.scenario.start, grid.edges, grid.slot, slots)
    weeks = max(float(grid.lengths.sum()) / WEEK, 1e-9)
    original = _outcome(search, search.simulate(search.spec), weeks)
    done: list[Round] = []
    raised = 0
    for number in range(1, rounds + 1):
        search.bar.set_postfix_str(f"round {number}")
        cover = solve(required, shares, options, templates, slot_names=names)
        team = search.team_with(_shifts(cover, options))
        outcome = _outcome(search, search.simulate(team), weeks)
        done.append(Round(number, required.copy(), cover, outcome, raised))
        if _meets(outcome, interval_target):
            break
        missing = outcome.missing if outcome.missing.any() else _short(search, outcome)
        if not missing.any():
            break
        raised = int(missing.sum())
        required = required.copy()
        required[missing] = np.floor(cover.covered[missing] + 1e-9) + 1
    meeting = [r for r in done if _meets(r.outcome, interval_target)]
    chosen = (
        min(meeting, key=lambda r: r.cover.cost)
        if meeting
        else max(done, key=lambda r: (r.outcome.met, r.outcome.share_meeting or 0, -r.cover.cost))
    )
    proposed = search.with_team(search.team_with(_shifts(chosen.cover, options)))
    return RosterResult(
        scenario=search.scenario,
        proposed=proposed,
        team=search.team,
        target=search.goal,
        confidence=search.level,
        interval_target=interval_target,
        seed=search.seed,
        replications=search.count,
        slot_s=grid.slot_s,
        zone=grid.zone,
        choices=options,
        rounds=done,
        chosen=chosen,
        original=original,
        flat_agent_hours=float(np.max(done[0].required, initial=0.0)) * WEEK / HOUR,
    )


def _outcome(search: Search, run: RunResult, weeks: float) -> Outcome:
    grid = search.intervals
    values, errors, judged, overall = slot_statistics(run, search.goal, grid)
    mean, interval, _bound, met = search.judge(overall)
    short = np.array([search.shortfall(v) for v in values])
    missing = judged & (short > errors)
    return Outcome(
        mean,
        interval,
        met,
        values,
        errors,
        judged,
        missing,
        _agent_hours(run.scenario.teams[search.team], run.scenario, grid.edges) / weeks,
        run.summary,
    )


def _short(search: Search, outcome: Outcome) -> np.ndarray:
    """When the whole-horizon statistic misses but no interval misses beyond its own
    error, the intervals that fall short at all."""
    short = np.array([search.shortfall(v) for v in outcome.by_slot])
    return outcome.judged & (short > 0)


def _meets(outcome: Outcome, interval_target: float | None) -> bool:
    if not outcome.met:
        return False
    share = outcome.share_meeting
    return interval_target is None or share is None or share >= interval_target


def _shifts(cover: Cover, options: list[Choice]) -> list[Shift]:
    return [
        option.shift.model_copy(update={"agents": int(n)})
        for option, n in zip(options, cover.agents, strict=True)
        if n > 0
    ]


def _agent_hours(team: Team, scenario: Scenario, edges: np.ndarray) -> float:
    """Agent-hours on shift inside the statistics window ``edges[0]..edges[-1]``."""
    begin, end = float(edges[0]), float(edges[-1])
    if team.roster is None:
        return float(team.agents or 0) * (end - begin) / HOUR
    total = 0.0
    for shift in team.roster:
        for a, b in shift_intervals(shift, scenario.start, end):
            total += shift.agents * max(0.0, min(b, end) - max(a, begin))
    return total / HOUR


def shift_entry(shift: Shift) -> dict[str, Any]:
    """A roster entry as it is written in a scenario."""
    return {
        "label": shift.label,
        "region": shift.region,
        "days": days_text(shift.days),
        "start": clock_text(shift.start),
        "end": clock_text(shift.end),
        "agents": shift.agents,
    }


def _finite(value: float) -> float | None:
    return float(value) if np.isfinite(value) else None
