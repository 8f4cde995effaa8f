"""A scenario in words, one line per stream, team and roster entry: what
``staffsim validate`` prints."""

from __future__ import annotations

from simulator.scenario.distributions import Distribution
from simulator.scenario.schema import (
    Handoff,
    Policy,
    Scenario,
    Shift,
    Staffing,
    Stream,
    Targets,
    Team,
    clock_text,
    days_text,
)
from simulator.units import format_duration


def describe_scenario(scenario: Scenario) -> str:
    """What ``staffsim validate`` found, one line per stream, team and roster entry."""
    seed = "drawn at run time" if scenario.seed is None else str(scenario.seed)
    lines = [
        f"name          {scenario.name}",
        *([f"description   {scenario.description}"] if scenario.description else []),
        f"start         {scenario.start.isoformat().replace('+00:00', 'Z')}",
        f"horizon       {format_duration(scenario.horizon)}",
        f"warmup        {format_duration(scenario.warmup)}",
        f"replications  {scenario.replications} (seed {seed})",
    ]
    targets = _targets_text(scenario.targets)
    if targets or scenario.has_stream_targets():
        lines.append(f"targets       {targets or 'none'}")
    for name, stream in scenario.streams.items():
        if stream.targets is not None:
            lines.append(f"  stream {name}: {_targets_text(scenario.stream_targets(name))}")
    lines.append(f"streams ({len(scenario.streams)})")
    for name, stream in scenario.streams.items():
        conversation = stream.conversation
        rate = (
            f"{stream.per_hour:g}/h"
            if stream.arrivals is None
            else _describe_trace(stream, name, scenario)
        )
        parts = [rate, f"queue {stream.queue or name}"]
        if conversation.first_handle is not None:
            parts.append(f"first handle {_describe_distribution(conversation.first_handle)}")
        parts += [
            f"handle {_describe_distribution(conversation.handle)}",
            f"exchanges {conversation.exchanges.mean_value:g}"
            + (" (mean)" if conversation.exchanges.dist.value != "fixed" else ""),
        ]
        parts.append(
            "patience "
            + (
                _describe_distribution(conversation.patience)
                if conversation.patience
                else "unlimited"
            )
        )
        extras = [
            label
            for label, present in (
                (f"profile ({stream.profile.region})" if stream.profile else "", stream.profile),
                ("surge", stream.surge),
                ("rollout", stream.rollout),
                ("noise", stream.noise),
                ("bot gathers details", stream.bot and stream.bot.gathers),
                ("repeat contacts", stream.repeat and stream.repeat.share > 0),
            )
            if present
        ]
        lines.append(f"  {name}: " + ", ".join(parts + extras))
    lines.append(f"teams ({len(scenario.teams)})")
    for name, team in scenario.teams.items():
        lines.append(f"  {name}: " + _describe_team(team))
        for shift in team.roster or ():
            lines.append(f"    - {_describe_shift(shift)}")
        if team.staffing is not None:
            lines.append(f"    staffing: {_describe_staffing(team.staffing)}")
        if team.handoff is not None:
            lines.append(f"    handoff: {_describe_handoff(team.handoff)}")
    lines.append(f"handoff       {_describe_handoff(scenario.handoff)}")
    return "\n".join(lines)


def _describe_trace(stream: Stream, name: str, scenario: Scenario) -> str:
    """The arrivals a trace replays, and those outside the run it drops."""
    assert stream.arrivals is not None
    times = stream.arrivals.times(name, scenario.start)
    inside = int(((times >= 0) & (times < scenario.horizon)).sum())
    return (
        f"replays {_plural(inside, 'arrival')} from {stream.arrivals.trace} "
        f"({times.size - inside} outside the run dropped)"
    )


def _describe_staffing(staffing: Staffing) -> str:
    every = format_duration(staffing.interval)
    source = (staffing.region or "UTC") if staffing.by == "weekday" else staffing.file
    return f"by {staffing.by.value} every {every} ({source}), up to {staffing.peak()} agents"


def _describe_team(team: Team) -> str:
    staff = (
        _plural(team.agents or 0, "agent")
        if team.roster is None
        else f"roster of {_plural(len(team.roster), 'entry', 'entries')}"
    )
    if team.roster is None and team.staffing is not None:
        staff = "staffing per interval"
    attention = team.attention.value
    if team.efficiency:
        attention += " (efficiency " + ", ".join(f"{e:g}" for e in team.efficiency) + ")"
    caps = ", ".join(f"{queue} {cap}" for queue, cap in team.per_queue.items())
    concurrency = f"{team.concurrency}" + (f" ({caps})" if caps else "")
    switching = (
        f", switch cost {_describe_distribution(team.switch_cost)}" if team.switch_cost else ""
    )
    return (
        f"{staff}, concurrency {concurrency}, attention {attention}, "
        f"serves {', '.join(team.serves)}{switching}"
    )


def _describe_shift(shift: Shift) -> str:
    label = f"{shift.label}: " if shift.label else ""
    return (
        f"{label}{_plural(shift.agents, 'agent')}, {days_text(shift.days)} "
        f"{clock_text(shift.start)}-{clock_text(shift.end)} {shift.region}"
    )


def _plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"


def _describe_handoff(handoff: Handoff) -> str:
    if handoff.policy is Policy.HANDBACK:
        return (
            f"handback (reread {format_duration(handoff.reread.base)} + "
            f"{format_duration(handoff.reread.per_exchange)} per exchange)"
        )
    return (
        f"ownership (intake cutoff {format_duration(handoff.intake_cutoff)}, "
        f"max overtime {format_duration(handoff.max_overtime)}, "
        f"then {handoff.leftover.value}"
        f"{f' in {handoff.continue_in}' if handoff.continue_in else ''})"
    )


def _describe_distribution(dist: Distribution) -> str:
    if dist.dist.value == "fixed":
        return format_duration(dist.mean_s)
    text = f"{dist.dist.value} mean {format_duration(dist.mean_s)}"
    return text + (f" cv {dist.cv:g}" if dist.cv is not None else "")


def _targets_text(targets: Targets) -> str:
    """``frt 2min, followup 5min, service level 80%``: the targets that are set."""
    parts = [
        f"{name} {format_duration(value)}"
        for name, value in (("frt", targets.frt), ("followup", targets.followup))
        if value is not None
    ]
    if targets.service_level is not None:
        parts.append(f"service level {targets.service_level:.0%}")
    return ", ".join(parts)
