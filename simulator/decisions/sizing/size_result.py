"""What sizing found: the answer, every simulated candidate, and size.json.

:class:`SizeResult` is what :func:`simulator.size` returns, :class:`Candidate`
one simulated head count and :class:`PerInterval` the curve that
``--per-interval`` finds. They are records, filled in by the search and read
by the report and the folder writer, so that all three agree on one answer;
``to_json`` gives the size.json document.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from simulator.decisions.sizing.staffing_shapes import shift_yaml
from simulator.decisions.targets import Target
from simulator.scenario.schema import DAY_NAMES, Scenario, Shift
from simulator.units import DAY, HOUR, format_duration


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
        return {
            "agents": self.allocation,
            "total": self.agents,
            "value": self.value,
            "interval": list(self.interval) if self.interval else None,
            "bound": self.bound,
            "met": self.met,
            "analytic": self.analytic,
        }


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

    def to_json(self) -> dict[str, Any]:
        per_day = round(DAY / self.slot_s)

        def rows(values: np.ndarray, digits: int | None = None) -> list[list[Any]]:
            out = []
            for day in range(7):
                row = []
                for value in values[day * per_day : (day + 1) * per_day]:
                    if value is None or not np.isfinite(value):
                        row.append(None)
                    else:
                        row.append(round(float(value), digits) if digits else int(value))
                out.append(row)
            return out

        return {
            "interval": format_duration(self.slot_s),
            "zone": self.zone,
            "days": list(DAY_NAMES),
            "agents": rows(self.agents),
            "analytic": rows(self.analytic),
            "achieved": rows(self.achieved, 6),
            "met_everywhere": self.met_everywhere,
            "agent_hours_per_week": float(np.nansum(self.agents) * self.slot_s / HOUR),
            "rounds": self.rounds,
            "roster": [shift_yaml(shift) for shift in self.roster],
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
        return pd.DataFrame(
            [
                {
                    "agents": c.agents,
                    "value": c.value,
                    "low": c.interval[0] if c.interval else None,
                    "high": c.interval[1] if c.interval else None,
                    "bound": c.bound,
                    "met": c.met,
                    "analytic": c.analytic,
                }
                for c in self.candidates
            ]
        )

    def to_json(self) -> dict[str, Any]:
        """The size.json document."""
        data: dict[str, Any] = {
            "team": self.team,
            "target": self.target.text,
            "agents": self.agents,
            "analytic_agents": self.analytic_agents,
            "achieved": self.achieved,
            "achieved_interval": list(self.achieved_interval) if self.achieved_interval else None,
            "confidence": self.confidence,
            "formula": self.formula,
            "analytic_achieved": self.analytic_achieved,
            "metric": ".".join(self.target.path),
            "comparison": self.target.op,
            "threshold": self.target.threshold,
            "seed": self.seed,
            "replications": self.replications,
            "search": [c.to_json() for c in self.candidates],
            "why_they_differ": self.reasons,
        }
        if isinstance(self.agents, dict):
            data["total_agents"] = self.total
            data["analytic_roster"] = self.analytic_allocation
        if self.per_interval is not None:
            data["per_interval"] = self.per_interval.to_json()
        return data
