"""The integer program that staffs shift choices to cover a requirement at least cost.

Given, for every interval of the week, how many agents must be on duty
(``required``), and for every shift choice the share of each interval it is on
duty (``coverage``, intervals x choices, from :func:`coverage`), choose whole
numbers of agents per choice so that every interval is covered, each
template's total stays within its ``min_agents``/``max_agents``, and the weekly
cost is least. This is the set-covering model workforce tools solve over
per-interval Erlang requirements; :func:`scipy.optimize.milp` (HiGHS) solves it.

Coverage is agent-time: a choice on duty for half an interval counts half an
agent there, so hourly intervals with half-hour starts are judged by the
agent-minutes they receive.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

from simulator.decisions.roster.shift_templates import Choice, ShiftTemplates
from simulator.errors import ScenarioError
from simulator.scenario.shift_calendar import shift_intervals

TOLERANCE = 1e-6
"""Coverage short of the requirement by less than this counts as met (float sums)."""


def coverage(
    choices: Sequence[Choice], start: datetime, edges: np.ndarray, slot: np.ndarray, slots: int
) -> np.ndarray:
    """The share of each slot of the week (rows) each choice is on duty (columns).

    ``edges`` cut the statistics window into intervals (seconds since ``start``)
    and ``slot[i]`` is interval i's slot of the week; a slot's share is the time
    on duty over the time of every interval in that slot, so weeks in which a
    shift falls differently (daylight saving in its region) are averaged.
    """
    horizon = float(edges[-1])
    lengths = np.diff(edges)
    slot_time = np.bincount(slot, weights=lengths, minlength=slots)
    shares = np.zeros((slots, len(choices)))
    for column, choice in enumerate(choices):
        on_duty = np.zeros(len(lengths))
        for begin, end in shift_intervals(choice.shift, start, horizon):
            overlap = np.minimum(end, edges[1:]) - np.maximum(begin, edges[:-1])
            on_duty += np.clip(overlap, 0.0, None)
        shares[:, column] = np.bincount(slot, weights=on_duty, minlength=slots)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(slot_time[:, None] > 0, shares / slot_time[:, None], 0.0)


@dataclass(frozen=True)
class Cover:
    """The program's answer: agents per choice, and what they cost and cover."""

    agents: np.ndarray
    cost: float
    covered: np.ndarray

    def hours_per_week(self, choices: Sequence[Choice]) -> float:
        return float(sum(n * c.hours_per_week for n, c in zip(self.agents, choices, strict=True)))


def solve(
    required: np.ndarray,
    shares: np.ndarray,
    choices: Sequence[Choice],
    templates: ShiftTemplates,
    *,
    slot_names: Sequence[str] | None = None,
    time_limit_s: float = 60.0,
) -> Cover:
    """The least-cost whole number of agents per choice covering ``required``.

    Raises :class:`ScenarioError` naming the intervals when no choice covers an
    interval that needs agents, or when the templates' ``max_agents`` cannot
    reach the requirement.
    """
    required = np.nan_to_num(np.asarray(required, dtype=float), nan=0.0)
    names = list(slot_names) if slot_names is not None else [str(k) for k in range(len(required))]
    needy = required > 0
    uncovered = np.flatnonzero(needy & (shares.sum(axis=1) <= 0))
    if uncovered.size:
        raise ScenarioError(
            f"no shift template covers {_some(names, uncovered)}, where agents are needed",
            source="--shifts",
            fix="add a template (or start times, lengths or days) that works those hours",
        )
    costs = np.array([choice.cost_per_week for choice in choices])
    constraints = [LinearConstraint(shares[needy], lb=required[needy] - TOLERANCE)]
    template_rows = np.zeros((len(templates.templates), len(choices)))
    for column, choice in enumerate(choices):
        template_rows[choice.template, column] = 1.0
    low = np.array([t.min_agents for t in templates.templates], dtype=float)
    high = np.array([np.inf if t.max_agents is None else t.max_agents for t in templates.templates])
    constraints.append(LinearConstraint(template_rows, lb=low, ub=high))
    answer = milp(
        costs,
        constraints=constraints,
        integrality=np.ones(len(choices)),
        bounds=Bounds(0, np.inf),
        options={"time_limit": time_limit_s},
    )
    if answer.x is None:
        capped = np.array(
            [high[c.template] if np.isfinite(high[c.template]) else 1e9 for c in choices]
        )
        short = np.flatnonzero(needy & (shares @ capped < required - TOLERANCE))
        where = f" (most needed in {_some(names, short)})" if short.size else ""
        raise ScenarioError(
            f"the templates cannot cover the requirement{where}: {answer.message}",
            source="--shifts",
            fix="raise max_agents, lower min_agents or add templates",
        )
    agents = np.round(answer.x).astype(int)
    return Cover(agents, float(costs @ agents), shares @ agents)


def _some(names: Sequence[str], rows: np.ndarray, shown: int = 5) -> str:
    listed = ", ".join(names[k] for k in rows[:shown])
    more = f" and {rows.size - shown} more" if rows.size > shown else ""
    return f"{listed}{more}"
