"""The headline numbers of a ``summary.json`` as terminal text: the table ``staffsim
run`` prints (opening with whether the plan meets its targets), and one number as
every terminal table writes it."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from simulator.scenario.schema import Scenario, Targets
from simulator.statistics.metric_names import stat_at
from simulator.units import format_duration

_RESPONSES = (("frt", "frt_s", "FRT"), ("followup", "followup_s", "follow-up"))


def target_verdict(summary: Mapping[str, Any], scenario: Scenario) -> list[str]:
    """Whether the run meets the scenario's targets, as lines for the top of the
    terminal table and the report; none when the scenario has no targets.

    A target is met when the mean share within it reaches ``service_level``; per stream
    when streams have targets of their own (then the plan meets them only if every
    stream does). Without a service level the shares are shown with no yes/no."""
    if scenario.has_stream_targets():
        groups = [
            (f"stream {name}", stat_at(summary, "by_stream", name), scenario.stream_targets(name))
            for name in scenario.streams
        ]
    else:
        groups = [("", summary.get("overall"), scenario.targets)]
    checked = [(title, *_judge(block, targets)) for title, block, targets in groups]
    checked = [(title, met, text) for title, met, text in checked if text]
    if not checked:
        return []
    verdicts = [met for _, met, _ in checked]
    if None in verdicts:
        overall = "- (set targets.service_level, e.g. 0.8, for a yes/no)"
    else:
        overall = "yes" if all(verdicts) else "no"
    if len(checked) == 1 and not checked[0][0]:
        return [f"meets target: {overall}  ({checked[0][2]})"]
    lines = [f"meets target: {overall}"]
    for title, met, text in checked:
        lines.append(f"  {title}: {'-' if met is None else ('yes' if met else 'no')}  ({text})")
    return lines


def _judge(block: Any, targets: Targets) -> tuple[bool | None, str]:
    """Whether one block's shares within its FRT and follow-up targets reach the service
    level (``None`` without one), and the shares in words; ``""`` without targets."""
    level = targets.service_level
    parts, verdicts = [], []
    for key, measure, label in _RESPONSES:
        seconds = getattr(targets, key)
        if seconds is None:
            continue
        stat = stat_at(block, measure, "within_target")
        value = stat.get("value") if isinstance(stat, Mapping) else None
        interval = stat.get("ci95") if isinstance(stat, Mapping) else None
        text = f"{label} within {format_duration(seconds)} {format_stat(value, 'share')}"
        if isinstance(interval, list | tuple) and len(interval) == 2:
            text += f" [{format_stat(interval[0], 'share')}, {format_stat(interval[1], 'share')}]"
        if level is not None:
            text += f", needs {format_stat(level, 'share')}"
            verdicts.append(value is not None and value >= level)
            spans = isinstance(interval, list | tuple) and len(interval) == 2
            if spans and interval[0] < level <= interval[1]:
                text += " (not settled: the interval spans it)"
        parts.append(text)
    met = None if level is None else all(verdicts)
    return met, "; ".join(parts)


def headline_table(summary: Mapping[str, Any], scenario: Scenario | None = None) -> str:
    """The headline numbers of a ``summary.json`` as a terminal table with 95% intervals;
    with the ``scenario``, opened by whether it meets its targets and with each
    stream's own targets in its rows."""
    replications = summary.get("replications")
    lines = [
        f"{summary.get('scenario', 'scenario')}: seed {summary.get('seed', '-')}, "
        f"{replications if replications is not None else '-'} replications; "
        "mean [95% interval]"
    ]
    if replications == 1:
        lines[0] += " (no intervals with one replication)"
    if scenario is not None:
        lines += target_verdict(summary, scenario)
    blocks: list[tuple[str, Mapping[str, Any], Targets | None]] = [
        ("overall", summary.get("overall") or {}, _shared(scenario))
    ]
    blocks += [
        (f"stream {name}", metrics, _own(scenario, name))
        for name, metrics in (summary.get("by_stream") or {}).items()
    ]
    for title, metrics, targets in blocks:
        lines.append("")
        lines.append(title)
        lines += [_row(label, stat, kind) for label, stat, kind in _metric_rows(metrics, targets)]
    for name, team in (summary.get("by_team") or {}).items():
        lines.append("")
        lines.append(f"team {name}")
        lines.append(_row("occupancy", team.get("occupancy"), "share"))
        lines.append(_row("overtime", team.get("overtime_h"), "hours"))
        lines.append(_row("handbacks", team.get("handbacks"), "count"))
        lines.append(_row("answered/agent-hour", team.get("per_agent_hour"), "count"))
        lines.append(_row("replies/agent-hour", team.get("replies_per_agent_hour"), "count"))
        lines.append(_row("held per agent", team.get("concurrency_held"), "count"))
        for key, label in (
            ("frt_s", "FRT within target"),
            ("followup_s", "follow-up within target"),
        ):
            share = stat_at(team, key, "within_target")
            if stat_at(share, "value") is not None:  # what it answered, against each stream's
                lines.append(_row(label, share, "share"))
    return "\n".join(lines)


def _shared(scenario: Scenario | None) -> Targets | None:
    """The targets every stream shares (the overall rows' labels), if known."""
    if scenario is None:
        return None
    return Targets.model_construct(
        frt=scenario.shared_target("frt"), followup=scenario.shared_target("followup")
    )


def _own(scenario: Scenario | None, stream: str) -> Targets | None:
    return scenario.stream_targets(stream) if scenario is not None else None


def _metric_rows(metrics: Mapping[str, Any], targets: Targets | None) -> list[tuple[str, Any, str]]:
    def stat(*keys: str) -> Any:
        return stat_at(metrics, *keys)

    def within(key: str, label: str) -> str:
        seconds = getattr(targets, key) if targets is not None else None
        return f"{label} within {format_duration(seconds)}" if seconds else f"{label} within target"

    return [
        ("arrived", stat("counts", "arrived"), "count"),
        ("abandon rate", stat("abandon_rate"), "share"),
        ("FRT mean", stat("frt_s", "mean"), "seconds"),
        ("FRT p50", stat("frt_s", "p50"), "seconds"),
        ("FRT p90", stat("frt_s", "p90"), "seconds"),
        (within("frt", "FRT"), stat("frt_s", "within_target"), "share"),
        ("follow-up p90", stat("followup_s", "p90"), "seconds"),
        (within("followup", "follow-up"), stat("followup_s", "within_target"), "share"),
        ("resolution p90", stat("resolution_s", "p90"), "seconds"),
    ]


def _row(label: str, stat: Any, kind: str) -> str:
    value = stat.get("value") if isinstance(stat, Mapping) else None
    interval = stat.get("ci95") if isinstance(stat, Mapping) else None
    text = f"  {label:<23} {format_stat(value, kind):>9}"
    if isinstance(interval, list | tuple) and len(interval) == 2:
        text += f"  [{format_stat(interval[0], kind)}, {format_stat(interval[1], kind)}]"
    return text.rstrip()


def format_stat(value: Any, kind: str) -> str:
    """One number as the terminal table prints it: durations as ``45s``/``3.2min``/
    ``1.5h``, shares in percent, overtime hours as a duration, counts with one
    decimal below 100; ``-`` for a missing or non-finite value."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "-"
    value = float(value)
    if kind == "seconds":
        return format_duration(value)
    if kind == "hours":
        return format_duration(value * 3600.0) if value else "0h"
    if kind == "share":
        return f"{value * 100:.1f}%"
    return f"{value:,.1f}" if abs(value) < 100 else f"{value:,.0f}"


def format_value(value: Any, kind: str, *, signed: bool = False) -> str:
    """A statistic for the terminal: durations with a unit, shares in percent (differences
    of shares in percentage points with ``signed``), counts with separators."""
    if value is None or not math.isfinite(value):
        return "-"
    value = float(value)
    sign = "+" if signed and value > 0 else ""
    if kind == "seconds":
        return sign + format_duration(value)
    if kind == "share":
        return f"{sign}{value * 100:.1f}" + ("pp" if signed else "%")
    if kind == "hours":
        return f"{sign}{value:.1f}h"
    return f"{sign}{value:,.1f}" if abs(value) < 100 else f"{sign}{value:,.0f}"
