"""The headline numbers of a ``summary.json`` as terminal text: the table ``staffsim
run`` prints, and one number as every terminal table writes it."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from simulator.statistics.metric_names import stat_at
from simulator.units import format_duration


def headline_table(summary: Mapping[str, Any]) -> str:
    """The headline numbers of a ``summary.json`` as a terminal table with 95% intervals."""
    replications = summary.get("replications")
    lines = [
        f"{summary.get('scenario', 'scenario')}: seed {summary.get('seed', '-')}, "
        f"{replications if replications is not None else '-'} replications; "
        "mean [95% interval]"
    ]
    if replications == 1:
        lines[0] += " (no intervals with one replication)"
    blocks: list[tuple[str, Mapping[str, Any]]] = [("overall", summary.get("overall") or {})]
    blocks += [
        (f"stream {name}", metrics) for name, metrics in (summary.get("by_stream") or {}).items()
    ]
    for title, metrics in blocks:
        lines.append("")
        lines.append(title)
        lines += [_row(label, stat, kind) for label, stat, kind in _metric_rows(metrics)]
    for name, team in (summary.get("by_team") or {}).items():
        lines.append("")
        lines.append(f"team {name}")
        lines.append(_row("occupancy", team.get("occupancy"), "share"))
        lines.append(_row("overtime", team.get("overtime_h"), "hours"))
        lines.append(_row("handbacks", team.get("handbacks"), "count"))
    return "\n".join(lines)


def _metric_rows(metrics: Mapping[str, Any]) -> list[tuple[str, Any, str]]:
    def stat(*keys: str) -> Any:
        return stat_at(metrics, *keys)

    return [
        ("arrived", stat("counts", "arrived"), "count"),
        ("abandon rate", stat("abandon_rate"), "share"),
        ("FRT mean", stat("frt_s", "mean"), "seconds"),
        ("FRT p50", stat("frt_s", "p50"), "seconds"),
        ("FRT p90", stat("frt_s", "p90"), "seconds"),
        ("FRT within target", stat("frt_s", "within_target"), "share"),
        ("follow-up p90", stat("followup_s", "p90"), "seconds"),
        ("resolution p90", stat("resolution_s", "p90"), "seconds"),
    ]


def _row(label: str, stat: Any, kind: str) -> str:
    value = stat.get("value") if isinstance(stat, Mapping) else None
    interval = stat.get("ci95") if isinstance(stat, Mapping) else None
    text = f"  {label:<18} {format_stat(value, kind):>9}"
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
