"""Sizing's answer told to people: why the formula and the simulation differ,
the terminal report and the results folder.

Nothing here sizes or simulates: everything reads a finished
:class:`~simulator.decisions.sizing.size_result.SizeResult`, so the words can change
without touching the search. :func:`explain` is the exception in timing only:
the search calls it so that its sentences are part of the result (size.json's
``why_they_differ``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

from simulator.decisions.sizing.size_intervals import week_zone_text
from simulator.decisions.sizing.size_result import SizeResult
from simulator.decisions.sizing.staffing import Workload
from simulator.decisions.targets import Target
from simulator.units import HOUR, format_duration

# --------------------------------------------------------------------------- why they differ


def explain(result: SizeResult, workload: Workload) -> list[str]:
    """Sentences on why the formula's answer and the simulation's differ (or, when
    they agree, what the formula leaves out), most likely first."""
    scenario, spec = result.scenario, result.scenario.teams[result.team]
    if result.analytic_agents is None:
        if result.formula is not None:
            return []
        if result.target.metric == "frt_s.within_target":
            return [
                f"streams are held to different FRT targets, which no one Erlang formula "
                f"judges, so the simulation alone sized {result.target.name}"
            ]
        return [
            f"no Erlang formula gives {result.target.name} (only queue wait, first "
            "response and abandonment have one), so the simulation alone sized it"
        ]
    difference = result.total - result.analytic_agents
    per = result.per_interval
    if per is not None:
        difference = round(
            float(np.nansum(per.agents) - np.nansum(per.analytic)) * per.slot_s / HOUR
        )
    reasons: list[tuple[int, str]] = []  # (direction: +1 formula understates, -1 overstates)
    if result.confidence is not None and result.per_interval is None:
        end = "lower" if result.target.higher_is_better else "upper"
        reasons.append(
            (
                +1,
                f"the simulated answer must meet the target at the {end} end of "
                f"its {result.confidence:.0%} interval, the formula only on "
                "average",
            )
        )
    streams = [scenario.streams[name] for name in workload.streams]
    conversations = [s.conversation for s in streams]
    cvs = []
    for conversation in conversations:
        for dist in (conversation.first_handle, conversation.handle):
            if dist is not None and dist.dist.value != "exponential":
                cvs.append((dist.dist.value, dist.cv))
    multi = any(c.exchanges.mean_value > 1 for c in conversations)
    if cvs or multi or any(c.wrap_up is not None for c in conversations):
        shape = (
            ", ".join(sorted({f"{kind}" + (f" cv {cv:g}" if cv else "") for kind, cv in cvs}))
            or "several replies and wrap-up"
        )
        reasons.append(
            (
                -1,
                f"handle times are not exponential ({shape}): work that varies "
                "less than Erlang assumes makes shorter queues, so the formula "
                "overstates",
            )
        )
    patience = [c.patience for c in conversations if c.patience is not None]
    if patience and any(p.dist.value != "exponential" for p in patience):
        reasons.append(
            (
                0,
                "Erlang A takes patience as exponential with the same mean; the "
                "scenario's patience has another shape, so customers leave at "
                "other times",
            )
        )
    if spec.concurrency > 1:
        reasons.append(
            (
                +1,
                f"with concurrency {spec.concurrency} the formula takes the tighter "
                "of 'one reply typed at a time' and 'K slots held for the whole "
                "conversation'; in the simulation owed replies come first and "
                "queue in the agent's own line, which neither view sees",
            )
        )
    elif multi:
        reasons.append(
            (
                0,
                "an agent holds each conversation through the customer's reply "
                "delays; the formula adds their mean to the holding time as if "
                "it were all one exponential",
            )
        )
    varies = any(s.profile or s.surge or s.rollout for s in streams)
    if spec.roster is not None or result.per_interval is not None:
        reasons.append(
            (
                +1,
                "shifts start and end inside hours and open conversations are "
                "handed over at shift end; the formula sees each hour as a steady "
                "state with the agents on shift at mid-hour",
            )
        )
    if varies:
        reasons.append(
            (
                +1,
                "arrivals change from hour to hour and queues carry over from busy "
                "hours; the formula treats each hour as a steady state at its "
                "mean rate",
            )
        )
    if any(s.noise is not None and s.noise.daily_cv > 0 for s in streams):
        reasons.append(
            (+1, "daily forecast error makes some days busier than the mean rate the formula uses")
        )
    if getattr(spec, "backup", None):
        reasons.append(
            (
                -1,
                "backup (on-call) agents join when the queue is busy; the formula "
                "counts only the primary roster",
            )
        )
    others = [
        name
        for name, team in scenario.teams.items()
        if name != result.team and set(team.serves) & set(spec.serves)
    ]
    if others:
        reasons.append(
            (
                -1,
                f"team(s) {', '.join(others)} also serve these queues; the "
                "formula counts only this team",
            )
        )
    if (scenario.horizon - scenario.warmup) < 50 * workload.holding_s:
        reasons.append(
            (
                0,
                "the run is short compared with a conversation, so the start "
                "(empty queues) still shows in the statistics",
            )
        )
    noisy = _straddles(result)
    if difference == 0:
        return ["the formula and the simulation agree"] + ([noisy] if noisy else [])
    wanted = +1 if difference > 0 else -1
    chosen = [text for direction, text in reasons if direction in (wanted, 0)]
    unit = "agent-hour" if per is not None else "agent"
    lead = (
        f"the simulation needs {abs(difference)} "
        f"{'more' if difference > 0 else 'fewer'} {unit}"
        f"{'s' if abs(difference) != 1 else ''}"
        f"{' per week' if per is not None else ''} than {result.formula}"
    )
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
                return (
                    f"with {candidate.agents} agents the interval "
                    f"[{result.target.format(low)}, {result.target.format(high)}] "
                    "contains the target: one agent either way is within simulation "
                    "noise; more replications narrow it"
                )
    return None


# --------------------------------------------------------------------------- files and text


def write_size(
    result: SizeResult,
    out_dir: Path,
    *,
    started_at: datetime | None = None,
    command: Iterable[str] | None = None,
) -> Path:
    """Write the sizing folder atomically (see :func:`simulator.results_folder.write_folder`):
    ``size.json``, ``summary.json`` (the answer's run), ``scenario.yaml`` (the sized
    scenario, re-runnable as it stands), ``run.json`` and
    ``figures/size_heatmap.png``."""
    from simulator.analysis.figures import save_png
    from simulator.results_writer import write_command_folder, write_json

    figure = heatmap_figure(result)

    def fill(folder: Path) -> None:
        write_json(result.to_json(), folder / "size.json")
        write_json(result.summary, folder / "summary.json")
        (folder / "figures").mkdir()
        save_png(figure, folder / "figures" / "size_heatmap.png")

    return write_command_folder(
        out_dir,
        fill,
        kind="size",
        scenario=result.sized,
        seed=result.seed,
        replications=result.replications,
        jobs=result.jobs,
        wall_time_s=result.wall_time_s,
        started_at=started_at,
        command=command,
        extra={"team": result.team, "target": result.target.text},
    )


def heatmap_figure(result: SizeResult) -> Any:
    """The agents-needed heatmap of a sizing result (a matplotlib Figure)."""
    from simulator.decisions.sizing.size_figures import size_heatmap

    return size_heatmap(
        result.heatmaps,
        zone=week_zone_text(result.scenario),
        title=f"Agents needed by hour of week: team {result.team}, target {result.target.label}",
    )


def report_text(result: SizeResult) -> str:
    """The terminal report: the formula's and the simulation's answers side by side."""
    goal = result.target
    level = (
        f"{result.confidence:.0%} confidence ({'lower' if goal.higher_is_better else 'upper'}"
        " end of the interval must meet it)"
        if result.confidence is not None
        else "mean over replications"
    )
    lines = [
        f"team {result.team}, target {goal.label}{_judged_by(goal, result)}: "
        f"{result.replications} replications, "
        f"seed {result.seed}, {level}",
        "",
    ]
    formula = result.formula or "no formula"
    width = max(len(formula), 9) + 2
    first = max(
        22,
        len(goal.name) + 10,
        *(len(label) + 2 for label in (result.agents if isinstance(result.agents, dict) else {})),
    )
    lines.append(f"  {'':<{first}}{formula:<{width}}simulated")
    if result.per_interval is not None:
        per = result.per_interval
        lines.append(
            f"  {'peak agents':<{first}}{_text(result.analytic_agents):<{width}}{result.agents}"
        )
        lines.append(
            f"  {'agent-hours per week':<{first}}"
            f"{_number(np.nansum(per.analytic) * per.slot_s / HOUR):<{width}}"
            f"{_number(np.nansum(per.agents) * per.slot_s / HOUR)}"
        )
        lines.append(
            f"  {'overall ' + goal.name:<{first}}{'':<{width}}"
            f"{_stat(goal, result.achieved, result.achieved_interval)}"
        )
        if not per.met_everywhere:
            lines.append(
                f"  (after {len(per.rounds)} rounds some intervals still miss the "
                "target; see size.json)"
            )
    elif isinstance(result.agents, dict):
        analytic = (
            result.analytic_allocation if isinstance(result.analytic_allocation, dict) else {}
        )
        for label, count in result.agents.items():
            lines.append(f"  {label:<{first}}{_text(analytic.get(label)):<{width}}{count}")
        lines.append(f"  {'total':<{first}}{_text(result.analytic_agents):<{width}}{result.total}")
        lines.append(
            f"  {goal.name:<{first}}{goal.format(result.analytic_achieved):<{width}}"
            f"{_stat(goal, result.achieved, result.achieved_interval)}"
        )
    else:
        lines.append(
            f"  {'agents':<{first}}{_text(result.analytic_agents):<{width}}{result.agents}"
        )
        lines.append(
            f"  {goal.name:<{first}}{goal.format(result.analytic_achieved):<{width}}"
            f"{_stat(goal, result.achieved, result.achieved_interval)}"
        )
    if result.per_interval is None:
        lines += ["", "candidates simulated (same customers for each):"]
        for candidate in sorted(result.candidates, key=lambda c: c.agents):
            mark = "meets" if candidate.met else "misses"
            formula_value = (
                f"   formula {goal.format(candidate.analytic)}"
                if candidate.analytic is not None
                else ""
            )
            lines.append(
                f"  {candidate.agents:>5} agents  {mark:<6}  "
                f"{_stat(goal, candidate.value, candidate.interval)}{formula_value}"
            )
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
        text += (
            "; " if head.startswith("the formula and the simulation agree") else ": "
        ) + "; ".join(rest)
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
    return (
        f"In {short} of {observed} hours of the week the sized team has fewer agents on "
        "shift than the formula asks for that hour alone (figures/size_heatmap.png): the "
        "target holds over the whole horizon, not in every hour; --per-interval 1h sizes "
        "for every hour."
    )


def _judged_by(goal: Target, result: SizeResult) -> str:
    """For a within_target share, the response targets it counts against, per stream
    where streams have their own."""
    key = {"frt_s.within_target": "frt", "followup_s.within_target": "followup"}.get(goal.metric)
    scenario = result.scenario
    if key is None:
        return ""
    streams = [goal.stream] if goal.stream is not None else list(scenario.streams)
    seconds = {name: getattr(scenario.stream_targets(name), key) for name in streams}
    if len(set(seconds.values())) == 1:
        only = next(iter(seconds.values()))
        return f" ({key} target {format_duration(only)})" if only is not None else ""
    shown = ", ".join(
        f"{name} {format_duration(value) if value is not None else 'none'}"
        for name, value in seconds.items()
    )
    return f" ({key} targets {shown})"


def _stat(goal: Target, value: float | None, interval: tuple[float, float] | None) -> str:
    text = goal.format(value)
    if interval is not None:
        text += f" [{goal.format(interval[0])}, {goal.format(interval[1])}]"
    return text


def _text(value: Any) -> str:
    return "-" if value is None else str(value)


def _number(value: float) -> str:
    return f"{value:,.0f}"
