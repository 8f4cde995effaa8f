"""The search for the smallest head count: the formula first, then simulation.

:func:`simulator.decisions.sizing.size.size` checks the inputs and hands over to
:class:`Search`, which holds what both searches share: the scenario, the
Erlang formula interval by interval, simulations that give every candidate the
same root seed (common random numbers), and the judging of a candidate's
statistic at the chosen confidence (:func:`mean_interval`).
:meth:`Search.total` finds one head count for the whole horizon;
:meth:`Search.per_interval` an agents-needed curve, in at most
:data:`MAX_ROUNDS` simulated rounds. The rules both follow are set out in
:mod:`simulator.decisions.sizing.size`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from simulator.decisions.sizing.size_intervals import Intervals, slot_statistics, to_hours
from simulator.decisions.sizing.size_report import explain
from simulator.decisions.sizing.size_result import Candidate, PerInterval, SizeResult
from simulator.decisions.sizing.staffing import (
    ANALYTIC_METRICS,
    Workload,
    offered_agents,
    smallest,
    team_statistic,
)
from simulator.decisions.sizing.staffing_shapes import AlwaysOn, ScaledRoster, curve_roster
from simulator.decisions.targets import Target, formula_frt_target
from simulator.errors import ScenarioError
from simulator.scenario.schema import Scenario, Shift, Team
from simulator.statistics.intervals import LEVEL, mean_ci
from simulator.units import HOUR

if TYPE_CHECKING:
    from simulator.experiment import RunResult

MAX_ROUNDS = 8
"""Simulated rounds of the per-interval curve at most."""


class Search:
    """State shared by the two searches: the scenario, the formula, the simulations."""

    def __init__(
        self,
        scenario: Scenario,
        team: str,
        spec: Team,
        goal: Target,
        workload: Workload,
        level: float | None,
        count: int,
        seed: int,
        jobs: int,
        progress: bool,
        slot_s: float,
        what: str = "sizing",
        cluster: str | None = None,
    ) -> None:
        from tqdm import tqdm

        self.scenario, self.team, self.spec, self.goal = scenario, team, spec, goal
        self.workload, self.level, self.count, self.seed, self.jobs = (
            workload,
            level,
            count,
            seed,
            jobs,
        )
        self.cluster = cluster
        self.intervals = Intervals.build(scenario, slot_s)
        self.rates = workload.arrival_rates(scenario, self.intervals.edges)
        self.busiest = np.zeros(self.intervals.slots_per_week)
        """The highest arrival rate of each slot of the week over the horizon."""
        for rate, slot in zip(self.rates, self.intervals.slot, strict=True):
            self.busiest[slot] = max(self.busiest[slot], rate)
        self.frt_target = formula_frt_target(goal, scenario)
        # Streams held to different FRT targets give the formula no one target to judge.
        self.analytic_ok = goal.metric in ANALYTIC_METRICS and not (
            goal.metric == "frt_s.within_target" and self.frt_target is None
        )
        self.worse: Callable[[float, float], float] = min if goal.higher_is_better else max
        self.bar = tqdm(desc=f"{what} {team}", unit="candidate", disable=not progress, leave=False)

    def close(self) -> None:
        self.bar.close()

    # -- the formula --
    def analytic(
        self, agents: np.ndarray, rates: np.ndarray | None = None, lengths: np.ndarray | None = None
    ) -> float | None:
        if not self.analytic_ok:
            return None
        return team_statistic(
            self.workload,
            self.goal.metric,
            self.rates if rates is None else rates,
            self.intervals.lengths if lengths is None else lengths,
            agents,
            self.frt_target,
            self.goal.stream,
            self.worse,
        )

    def interval_need(self, rate: float, length: float) -> int | None:
        """Agents the formula asks for in one interval at ``rate``."""
        if rate <= 0:
            return 0
        start = max(1, math.ceil(offered_agents(self.workload, rate)))
        rates, lengths = np.array([rate]), np.array([length])
        return smallest(
            lambda n: self.goal.meets(self.analytic(np.array([float(n)]), rates, lengths)),
            start,
            minimum=1,
        )

    # -- simulation --
    def with_team(self, candidate_team: Team) -> Scenario:
        """The scenario with ``candidate_team`` in place of the team being sized."""
        teams = dict(self.scenario.teams)
        teams[self.team] = candidate_team
        return self.scenario.model_copy(update={"teams": teams})

    def simulate(self, candidate_team: Team) -> RunResult:
        from simulator.experiment import run

        result = run(
            self.with_team(candidate_team),
            replications=self.count,
            seed=self.seed,
            jobs=self.jobs,
            cluster=self.cluster,
        )
        self.bar.update(1)
        return result

    def judge(
        self, values: Sequence[float | None]
    ) -> tuple[float | None, tuple[float, float] | None, float | None, bool]:
        mean, interval = mean_interval(values, self.level)
        bound = self.goal.bound(mean, interval) if self.level is not None else mean
        return mean, interval, bound, self.goal.meets(bound)

    # -- one head count for the whole horizon --
    def total(self) -> SizeResult:
        assert self.intervals.slot_s == HOUR  # size() builds an hourly grid for this search
        shape: AlwaysOn | ScaledRoster = (
            AlwaysOn(self.spec)
            if self.spec.roster is None
            else ScaledRoster(self.spec, self.scenario, self.intervals)
        )
        analytic_cache: dict[int, float | None] = {}

        def analytic_at(total: int) -> float | None:
            if total not in analytic_cache:
                analytic_cache[total] = self.analytic(shape.on_shift(total, self.intervals))
            return analytic_cache[total]

        guess = self._guess(shape)
        analytic_total = None
        if self.analytic_ok:
            analytic_total = smallest(
                lambda n: self.goal.meets(analytic_at(n)), guess, minimum=shape.minimum
            )
        start = analytic_total if analytic_total is not None else guess
        tried: dict[int, Candidate] = {}
        summaries: dict[int, dict] = {}
        order: list[Candidate] = []

        def meets(total: int) -> bool:
            if total not in tried:
                self.bar.set_postfix_str(f"{total} agents")
                result = self.simulate(shape.team_at(total))
                summaries[total] = result.summary
                values = [self.goal.statistic(tree) for tree in result.replication_metrics]
                mean, interval, bound, met = self.judge(values)
                tried[total] = Candidate(
                    total,
                    shape.allocation(total),
                    mean,
                    interval,
                    bound,
                    met,
                    analytic_at(total) if self.analytic_ok else None,
                )
                order.append(tried[total])
            return tried[total].met

        ceiling = max(4 * start, start + 40)
        answer = smallest(meets, start, minimum=shape.minimum, maximum=ceiling)
        if answer is None:
            best = order[-1]
            raise ScenarioError(
                f"no head count up to {ceiling} met '{self.goal.text}' in simulation (with "
                f"{ceiling}: {self.goal.format(best.value)})",
                source="--target",
                fix="check the target can be met at all (first replies take time), or size "
                "another statistic",
            )
        chosen = tried[answer]
        sized = self.with_team(shape.team_at(answer))
        panels = self._heatmaps(
            shape.on_shift(answer, self.intervals),
            "agents on shift in the sized team (simulated answer; the most in any week)",
        )
        result = SizeResult(
            scenario=self.scenario,
            sized=sized,
            team=self.team,
            target=self.goal,
            confidence=self.level,
            seed=self.seed,
            replications=self.count,
            agents=shape.allocation(answer),
            total=answer,
            analytic_agents=analytic_total,
            analytic_allocation=(
                shape.allocation(analytic_total) if analytic_total is not None else None
            ),
            analytic_achieved=(analytic_at(analytic_total) if analytic_total is not None else None),
            formula=self.workload.formula if self.analytic_ok else None,
            achieved=chosen.value,
            achieved_interval=chosen.interval,
            candidates=order,
            summary=summaries[answer],
            heatmaps=panels,
            zone=self.intervals.zone,
        )
        result.reasons = explain(result, self.workload)
        return result

    def _guess(self, shape: AlwaysOn | ScaledRoster) -> int:
        if isinstance(shape, ScaledRoster):
            return max(shape.current, shape.minimum)
        weights = self.rates * self.intervals.lengths
        mean_rate = float(weights.sum() / max(self.intervals.lengths.sum(), 1e-9))
        return max(1, math.ceil(offered_agents(self.workload, mean_rate)) + 1)

    def need_curve(self, grid: Intervals, rates: np.ndarray) -> np.ndarray:
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

    def _heatmaps(self, on_shift: np.ndarray, second_title: str) -> list[tuple[str, np.ndarray]]:
        """The formula's agents per hour of the week and ``on_shift`` (per interval of
        the hourly grid, which is :attr:`intervals` when one head count is sized)."""
        hour_grid = self.intervals
        panels: list[tuple[str, np.ndarray]] = []
        if self.analytic_ok:
            needed = self.need_curve(hour_grid, self.rates)
            panels.append(
                (
                    f"agents needed in each hour to meet the target on its own "
                    f"({self.workload.formula}, busiest week)",
                    needed.reshape(7, 24),
                )
            )
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
            analytic_curve = self.need_curve(grid, self.rates)
        else:
            analytic_curve = np.full(slots, np.nan)
            for rate, slot in zip(self.rates, grid.slot, strict=True):
                guess = math.ceil(offered_agents(self.workload, rate)) + 1 if rate > 0 else 0
                analytic_curve[slot] = np.fmax(analytic_curve[slot], guess)
        curve = np.nan_to_num(analytic_curve, nan=0.0).astype(int)
        floor = np.zeros(slots, dtype=int)  # never trim below: that count once missed
        frozen = np.zeros(slots, dtype=bool)  # one more agent did not help: stop adding
        added = np.zeros(slots, dtype=bool)
        previous: np.ndarray | None = None
        rounds: list[dict[str, Any]] = []
        best: tuple[np.ndarray, np.ndarray, np.ndarray, dict, Candidate] | None = None
        last: tuple[np.ndarray, np.ndarray, np.ndarray, dict, Candidate] | None = None
        candidates: list[Candidate] = []
        for number in range(1, MAX_ROUNDS + 1):
            roster = curve_roster(curve, grid.slot_s, region)
            if not roster:
                curve = np.maximum(curve, 1)
                roster = curve_roster(curve, grid.slot_s, region)
            self.bar.set_postfix_str(f"round {number}: {int(curve.sum())} agent-intervals")
            result = self.simulate(self.team_with(roster))
            values, errors, judged, overall = slot_statistics(result, self.goal, grid)
            mean, interval, bound, met = self.judge(overall)
            candidate = Candidate(int(curve.max()), int(curve.max()), mean, interval, bound, met)
            candidates.append(candidate)
            last = (curve.copy(), values, judged, result.summary, candidate)
            # An added agent that changed nothing (the slot is at its ceiling: first
            # replies take time) is taken back, and that slot gets no more.
            useless = np.zeros(slots, dtype=bool)
            if previous is not None:
                useless = added & ~self._better(values, previous)
                frozen |= useless
            short = np.array([self.shortfall(v) for v in values])
            misses = judged & (short > errors) & ~frozen & ~useless
            misses &= self._helps(curve, short)
            rounds.append(
                {
                    "round": number,
                    "agent_hours_per_week": float(curve.sum() * grid.slot_s / HOUR),
                    "peak_agents": int(curve.max()),
                    "intervals_missing": int((judged & (short > errors)).sum()),
                    "intervals_added": int(misses.sum()),
                    "intervals_given_back": int(useless.sum()),
                    "overall": mean,
                    "overall_interval": list(interval) if interval else None,
                    "overall_met": met,
                }
            )
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
        curve_final, achieved, judged, summary, chosen = final
        roster = curve_roster(curve_final, grid.slot_s, region)
        sized = self.with_team(self.team_with(roster))
        overall_stat = self.goal.statistic(summary) or {}
        per = PerInterval(
            grid.slot_s,
            region,
            analytic_curve,
            curve_final.astype(float),
            achieved,
            judged,
            best is not None,
            rounds,
            roster,
        )
        hours_analytic = to_hours(analytic_curve, grid.slot_s)
        hours_final = to_hours(curve_final.astype(float), grid.slot_s)
        panels = [
            (
                f"agents needed per interval ({self.workload.formula}, busiest week)"
                if self.analytic_ok
                else "starting curve (offered load + 1; no formula for this statistic)",
                hours_analytic.reshape(7, 24),
            ),
            ("agents needed after the simulated check", hours_final.reshape(7, 24)),
        ]
        result = SizeResult(
            scenario=self.scenario,
            sized=sized,
            team=self.team,
            target=self.goal,
            confidence=self.level,
            seed=self.seed,
            replications=self.count,
            agents=int(curve_final.max()),
            total=int(curve_final.max()),
            analytic_agents=(
                int(np.nanmax(analytic_curve))
                if self.analytic_ok and np.isfinite(analytic_curve).any()
                else None
            ),
            analytic_allocation=None,
            analytic_achieved=None,
            formula=self.workload.formula if self.analytic_ok else None,
            achieved=overall_stat.get("value"),
            achieved_interval=chosen.interval,
            candidates=candidates,
            summary=summary,
            heatmaps=panels,
            zone=region,
            per_interval=per,
        )
        result.reasons = explain(result, self.workload)
        return result

    def shortfall(self, value: float) -> float:
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
        helps = np.zeros(curve.size, dtype=bool)
        for slot in np.nonzero(short > 0)[0]:
            rate, length = np.array([self.busiest[slot]]), np.array([self.intervals.slot_s])
            now = self.analytic(np.array([float(curve[slot])]), rate, length)
            more = self.analytic(np.array([float(curve[slot] + 1)]), rate, length)
            if now is None or more is None:
                helps[slot] = True
                continue
            gain = (more - now) if self.goal.higher_is_better else (now - more)
            helps[slot] = not math.isfinite(gain) or gain >= 0.25 * short[slot]
        return helps

    def team_with(self, roster: list[Shift]) -> Team:
        update: dict[str, Any] = {"agents": None, "roster": roster}
        if "rotation" in type(self.spec).model_fields:
            update["rotation"] = None
        return self.spec.model_copy(update=update)

    def _trims(
        self, curve: np.ndarray, values: np.ndarray, judged: np.ndarray, floor: np.ndarray
    ) -> np.ndarray:
        """Slots that could do with one agent fewer: judged, above their floor, and
        still meeting the target by the formula's slope at the busiest occurrence."""
        if not self.analytic_ok:
            return np.zeros(curve.size, dtype=bool)
        grid = self.intervals
        trims = np.zeros(curve.size, dtype=bool)
        for slot in np.nonzero(judged & (curve > np.maximum(floor, 1)))[0]:
            rate = np.array([self.busiest[slot]])
            length = np.array([grid.slot_s])
            now = self.analytic(np.array([float(curve[slot])]), rate, length)
            fewer = self.analytic(np.array([float(curve[slot] - 1)]), rate, length)
            if now is None or fewer is None or not math.isfinite(fewer):
                continue
            trims[slot] = self.goal.meets(values[slot] + (fewer - now))
        return trims


def mean_interval(
    values: Sequence[float | None], level: float | None
) -> tuple[float | None, tuple[float, float] | None]:
    """Mean of the valid values and its two-sided Student t interval at ``level``
    (:func:`~simulator.statistics.intervals.mean_ci`; ``None`` without a level or with
    fewer than two values)."""
    stat = mean_ci(values, LEVEL if level is None else level)
    interval = stat["ci95"] if level is not None else None
    return stat["value"], (interval[0], interval[1]) if interval is not None else None
