"""What ``staffsim roster`` shows and writes: the terminal comparison of the team's
roster with the proposal, ``figures/roster.png``, and the results folder
(``roster.yaml``, ``roster.json``, ``summary.json``, ``scenario.yaml``, ``run.json``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from simulator.decisions.roster.roster import Outcome, RosterResult, shift_entry
from simulator.decisions.sizing.size_intervals import week_zone_text
from simulator.decisions.targets import Kind, Target
from simulator.scenario.schema import DAY_NAMES


def report_text(result: RosterResult) -> str:
    """The team's own roster and the proposal side by side, then the proposal."""
    goal = result.target
    chosen = result.chosen
    rounds = len(result.rounds)
    lines = [
        f"roster for team {result.team}: target {goal.label}, "
        f"{result.replications} replications (seed {result.seed}), "
        f"{rounds} round{'s' * (rounds != 1)}",
        "",
        f"  {'':<26} {'own roster':>16} {'proposal':>16}",
        _row("cost per week", "-", f"{chosen.cover.cost:,.1f}"),
        _row(
            "agent-hours per week",
            f"{result.original.agent_hours:,.0f}",
            f"{chosen.outcome.agent_hours:,.0f}",
        ),
        _row(goal.name, _value(goal, result.original), _value(goal, chosen.outcome)),
        _row("meets target overall", _yes(result.original.met), _yes(chosen.outcome.met)),
        _row(
            f"intervals meeting ({_hours(result.slot_s)})",
            _share(result.original),
            _share(chosen.outcome),
        ),
        "",
        f"a flat roster at the peak requirement would need "
        f"{result.flat_agent_hours:,.0f} agent-hours per week",
    ]
    verdict = "meets the target" if result.met else "does NOT meet the target"
    extra = (
        f" in at least {result.interval_target:.0%} of intervals"
        if result.interval_target is not None
        else ""
    )
    lines += ["", f"proposal (round {chosen.number}) {verdict}{extra}:"]
    for entry in (shift_entry(s) for s in result.roster):
        lines.append(f"  {entry['agents']:>3} x {entry['label']} ({entry['region']})")
    return "\n".join(lines)


def _row(label: str, own: str, proposal: str) -> str:
    return f"  {label:<26} {own:>16} {proposal:>16}"


def _value(goal: Any, outcome: Outcome) -> str:
    if outcome.value is None:
        return "-"
    text = goal.format(outcome.value)
    if outcome.interval is not None:
        low, high = outcome.interval
        return f"{text} [{goal.format(low)}, {goal.format(high)}]"
    return text


def _yes(met: bool) -> str:
    return "yes" if met else "no"


def _share(outcome: Outcome) -> str:
    share = outcome.share_meeting
    return "-" if share is None else f"{share:.0%} of {int(outcome.judged.sum())}"


def _hours(slot_s: float) -> str:
    return f"{slot_s / 3600:g}h" if slot_s >= 3600 else f"{slot_s / 60:g}min"


def roster_figure(result: RosterResult) -> Any:
    """Requirement and scheduled agents by interval of the week, with the simulated
    statistic per interval against the target (a matplotlib Figure): the team in
    its palette colour, durations in the unit their range calls for, intervals that
    miss the target in the target's red, hours on the scenario's clock by name."""
    from matplotlib.figure import Figure

    from simulator.analysis.figures import TARGET_STYLE
    from simulator.analysis.palette import ALL_COLOUR, Colours

    chosen = result.chosen
    slots = len(chosen.required)
    x = np.arange(slots) * result.slot_s / 3600.0
    colour = Colours.for_scenario(result.proposed)("team", result.team)
    zone = week_zone_text(result.proposed)
    figure = Figure(figsize=(13.0, 6.5))
    figure.subplots_adjust(left=0.07, right=0.98, top=0.9, bottom=0.1, hspace=0.35)
    top, bottom = figure.subplots(2, 1, sharex=True)
    top.step(x, result.rounds[0].required, where="post", label="required (formula)", color="#999")
    top.step(
        x,
        chosen.required,
        where="post",
        label="required (after simulation)",
        color=ALL_COLOUR,
        linestyle="--",
    )
    top.step(x, chosen.cover.covered, where="post", label="scheduled", color=colour, lw=1.6)
    top.set_ylabel("agents on shift")
    top.legend(loc="upper left", fontsize=8, ncols=3)
    top.set_title(
        f"Team {result.team}: requirement and generated roster by hour of the week, "
        f"round {chosen.number} of {len(result.rounds)}",
        loc="left",
        fontsize=11,
    )
    goal = result.target
    judged = chosen.outcome.judged
    values = np.where(judged, chosen.outcome.by_slot, np.nan)
    errors = np.where(judged, chosen.outcome.errors, np.nan)
    scale, label = _scale(goal, values)
    missed = judged & chosen.outcome.missing
    for which, dot, said in (
        (~missed, colour, "simulated, ± standard error"),
        (missed, TARGET_STYLE["color"], "misses the target"),
    ):
        if not which.any():
            continue
        bottom.errorbar(
            x[which],
            values[which] / scale,
            yerr=errors[which] / scale,
            fmt=".",
            markersize=3,
            color=dot,
            lw=0.6,
            label=said,
        )
    bottom.axhline(goal.threshold / scale, **TARGET_STYLE, label=f"target {goal.label}")
    bottom.set_ylabel(label)
    bottom.legend(loc="lower left", fontsize=8)
    bottom.set_xticks(np.arange(0, 169, 24), [*DAY_NAMES, ""])
    bottom.set_xlabel(f"hour of the week, {zone} (each day starts at its tick)")
    for ax in (top, bottom):
        ax.grid(axis="x", color="#ddd")
    return figure


def _scale(goal: Target, values: np.ndarray) -> tuple[float, str]:
    """What a target's statistic is divided by on the axis, and the axis label:
    durations in the unit their range calls for, shares in percent."""
    from simulator.analysis.time_axes import time_unit

    if goal.kind is Kind.DURATION:
        unit = time_unit(values, goal.threshold)
        return unit.seconds, f"{goal.name} ({unit.name})"
    if goal.kind is Kind.SHARE:
        return 0.01, f"{goal.name} (%)"
    return 1.0, goal.name


def write_roster(
    result: RosterResult,
    out_dir: Path,
    *,
    started_at: datetime | None = None,
    command: Iterable[str] | None = None,
) -> Path:
    """Write the roster folder atomically: ``roster.yaml`` (a drop-in ``roster:``
    for the team), ``roster.json``, ``summary.json`` (the proposal's run),
    ``scenario.yaml`` (the scenario with the proposal, re-runnable), ``run.json``
    and ``figures/roster.png``."""
    from simulator.analysis.figures import save_png
    from simulator.results_writer import write_command_folder, write_json

    figure = roster_figure(result)

    def fill(folder: Path) -> None:
        entries = [shift_entry(s) for s in result.roster]
        (folder / "roster.yaml").write_text(
            f"# Generated by staffsim roster for team {result.team}, target "
            f"{result.target.label}; paste under teams.{result.team}.\n"
            + yaml.safe_dump({"roster": entries}, sort_keys=False, allow_unicode=True),
            encoding="utf-8",
        )
        write_json(result.to_json(), folder / "roster.json")
        write_json(result.chosen.outcome.summary, folder / "summary.json")
        (folder / "figures").mkdir()
        save_png(figure, folder / "figures" / "roster.png")

    return write_command_folder(
        out_dir,
        fill,
        kind="roster",
        scenario=result.proposed,
        seed=result.seed,
        replications=result.replications,
        jobs=result.jobs,
        wall_time_s=result.wall_time_s,
        started_at=started_at,
        command=command,
        extra={"team": result.team, "target": result.target.text},
    )
