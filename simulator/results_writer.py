"""The results of a run as files, and the words a person reads on the terminal.

A run's folder is the contract other tools read (see the interface notes):
``summary.json``, ``conversations.parquet``, ``followups.parquet``, the resolved
``scenario.yaml`` (re-runnable as it stands, with the seed actually used) and
``run.json`` (who, when, how). :mod:`simulator.results_folder` writes it
atomically and never at the cost of a user's file.

This module only formats and writes; it never runs the model.
"""

from __future__ import annotations

import json
import math
import platform
import sys
import types
import typing
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from enum import Enum
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import yaml
from pydantic import BaseModel

from simulator.analysis.metric_names import stat_at
from simulator.recording import CONVERSATION_COLUMNS, FOLLOWUP_COLUMNS
from simulator.results_folder import MARKER, write_folder
from simulator.scenario.distributions import Distribution, Duration
from simulator.scenario.schema import DAY_NAMES, Handoff, Policy, Scenario, Shift, Team, days_text
from simulator.units import format_duration

if TYPE_CHECKING:
    from simulator.experiment import RunResult

RESULT_FILES = (
    "summary.json",
    "conversations.parquet",
    "followups.parquet",
    "agents.parquet",
    "tickets.parquet",
    "scenario.yaml",
    "run.json",
    MARKER,
)
"""What every results folder holds."""
REPORT_FILES = ("report.html", "figures")
"""What ``write_results(..., report=True)`` adds (``staffsim run`` without ``--no-report``)."""

CATEGORICAL_COLUMNS = ("stream", "queue", "team", "agent", "outcome")
_DURATION_CHECK = typing.get_args(Duration)[1]  # the BeforeValidator that marks a duration


def staffsim_version() -> str:
    """The installed package version, or ``'unknown'`` when run from a bare checkout."""
    try:
        return metadata.version("staffsim")
    except metadata.PackageNotFoundError:
        return "unknown"


# --------------------------------------------------------------------------- folder


def write_results(
    result: RunResult,
    out_dir: Path,
    *,
    jobs: int | None = None,
    started_at: datetime | None = None,
    command: Iterable[str] | None = None,
    report: bool = False,
) -> Path:
    """Write a run's folder atomically and return its path.

    ``jobs``, ``started_at`` and ``command`` go into ``run.json``; by default
    the result's own ``jobs`` (if any), the wall time counted back from now, and
    no command. ``report`` adds ``report.html`` and ``figures/`` (see
    :mod:`simulator.analysis.report`), drawn inside the same atomic write.
    """

    def fill(staging: Path) -> None:
        _write_all(result, staging, jobs=jobs, started_at=started_at, command=command)
        if report:
            from simulator.analysis.report import write_report  # matplotlib loads only here

            write_report(result, staging)

    return write_folder(out_dir, fill, kind="run")


def _write_all(
    result: RunResult,
    folder: Path,
    *,
    jobs: int | None,
    started_at: datetime | None,
    command: Iterable[str] | None,
) -> None:
    _write_parquet(_conversations(result), folder / "conversations.parquet")
    _write_parquet(_followups(result), folder / "followups.parquet")
    _write_parquet(result.agents, folder / "agents.parquet")
    _write_parquet(result.tickets, folder / "tickets.parquet")
    (folder / "scenario.yaml").write_text(
        yaml.safe_dump(
            resolved_scenario(result.scenario, seed=result.seed, replications=result.replications),
            sort_keys=False,
            allow_unicode=True,
        ),
        encoding="utf-8",
    )
    info = run_info(
        seed=result.seed,
        replications=result.replications,
        jobs=jobs if jobs is not None else getattr(result, "jobs", None),
        wall_time_s=result.wall_time_s,
        started_at=started_at,
        command=command,
    )
    write_json(info, folder / "run.json")
    write_json(result.summary, folder / "summary.json")


def run_info(
    *,
    seed: int,
    replications: int,
    jobs: int | None,
    wall_time_s: float,
    started_at: datetime | None = None,
    command: Iterable[str] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The ``run.json`` document (version, platform, seed, timing, command)."""
    if started_at is None:
        started_at = datetime.now(UTC) - timedelta(seconds=float(wall_time_s))
    return {
        "staffsim_version": staffsim_version(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "seed": int(seed),
        "replications": int(replications),
        "jobs": jobs,
        "wall_time_s": round(float(wall_time_s), 3),
        "started_at": started_at.isoformat(timespec="seconds"),
        "command": list(command) if command is not None else None,
        **(extra or {}),
    }


def write_json(data: Any, path: Path) -> None:
    """``data`` as indented JSON: numpy scalars unwrapped, NaN and infinities as null."""
    path.write_text(
        json.dumps(_json_safe(data), indent=2, allow_nan=False) + "\n", encoding="utf-8"
    )


def _json_safe(value: Any) -> Any:
    """Plain JSON values: numpy scalars unwrapped, NaN and infinities as null."""
    if isinstance(value, Mapping):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        value = value.item()  # numpy scalar
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _write_parquet(frame: pd.DataFrame, path: Path) -> None:
    frame.to_parquet(path, engine="pyarrow", compression="zstd", index=False)


def _conversations(result: RunResult) -> pd.DataFrame:
    frame = result.conversations
    if frame is None or len(frame.columns) == 0:
        frame = pd.DataFrame(columns=["replication", *CONVERSATION_COLUMNS])
    return _keep_categoricals(frame.reset_index(drop=True))


def _followups(result: RunResult) -> pd.DataFrame:
    frame = getattr(result, "followups", None)
    if isinstance(frame, pd.DataFrame):
        return frame.reset_index(drop=True)
    parts = [
        record.followups.assign(replication=record.replication)
        for record in result.records
        if record.followups is not None
    ]
    columns = ["replication", *FOLLOWUP_COLUMNS]
    if not parts:
        return pd.DataFrame(columns=columns)
    frame = pd.concat(parts, ignore_index=True)
    return frame[["replication", *[c for c in frame.columns if c != "replication"]]]


def _keep_categoricals(frame: pd.DataFrame) -> pd.DataFrame:
    """Concatenating replications can turn categoricals into objects; turn them back."""
    for column in CATEGORICAL_COLUMNS:
        if column in frame.columns and not isinstance(frame[column].dtype, pd.CategoricalDtype):
            frame[column] = frame[column].astype("category")
    return frame


# --------------------------------------------------------------------------- scenario.yaml


def resolved_scenario(
    scenario: Scenario, *, seed: int | None = None, replications: int | None = None
) -> dict[str, Any]:
    """The scenario as YAML-ready data that loads back to the same scenario.

    Durations are written with a unit (``'36000s'``: the loader refuses bare
    numbers) and shift times as clock times; fields left at a default of
    ``None`` are omitted.
    """
    data = _plain(scenario, None)
    if seed is not None:
        data["seed"] = int(seed)
    if replications is not None:
        data["replications"] = int(replications)
    return data


def _plain(value: Any, annotation: Any) -> Any:
    if isinstance(value, BaseModel):
        out: dict[str, Any] = {}
        for name, field in type(value).model_fields.items():
            item = getattr(value, name)
            if item is None and field.default is None:
                continue
            if isinstance(value, Shift) and name in ("start", "end"):
                out[name] = f"{item // 60:02d}:{item % 60:02d}"
            elif isinstance(value, Shift) and name == "days":
                out[name] = [DAY_NAMES[day] for day in item]
            elif item is not None and _DURATION_CHECK in field.metadata:
                out[name] = _duration_text(item)
            else:
                out[name] = _plain(item, field.annotation)
        return out
    annotation, is_duration = _unwrap(annotation)
    if value is None:
        return None
    if is_duration and isinstance(value, int | float):
        return _duration_text(value)
    args = typing.get_args(annotation)
    if isinstance(value, Mapping):
        inner = args[1] if len(args) == 2 else None
        return {str(k): _plain(v, inner) for k, v in value.items()}
    if isinstance(value, list | tuple):
        inner = args[0] if args else None
        return [_plain(v, inner) for v in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    return value


def _unwrap(annotation: Any) -> tuple[Any, bool]:
    """Strip ``Optional`` and ``Annotated``; say whether a duration validator was seen."""
    is_duration = False
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            args = typing.get_args(annotation)
            is_duration = is_duration or _DURATION_CHECK in args[1:]
            annotation = args[0]
        elif origin in (typing.Union, types.UnionType):
            options = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(options) != 1:
                return annotation, is_duration
            annotation = options[0]
        else:
            return annotation, is_duration


def _duration_text(seconds: float) -> str:
    """The largest unit that states the duration exactly: ``'2w'``, ``'90s'``."""
    seconds = float(seconds)
    for unit, size in (("w", 604800.0), ("d", 86400.0), ("h", 3600.0), ("min", 60.0)):
        if seconds > 0 and (seconds / size).is_integer():
            return f"{int(seconds / size)}{unit}"
    return f"{seconds:.15g}s"


# --------------------------------------------------------------------------- terminal text


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


def describe_scenario(scenario: Scenario) -> str:
    """What ``staffsim validate`` found, one line per stream, team and roster entry."""
    seed = "drawn at run time" if scenario.seed is None else str(scenario.seed)
    lines = [
        f"name          {scenario.name}",
        f"start         {scenario.start.isoformat().replace('+00:00', 'Z')}",
        f"horizon       {format_duration(scenario.horizon)}",
        f"warmup        {format_duration(scenario.warmup)}",
        f"replications  {scenario.replications} (seed {seed})",
    ]
    targets = [
        f"{name} {format_duration(value)}"
        for name, value in (("frt", scenario.targets.frt), ("followup", scenario.targets.followup))
        if value is not None
    ]
    if targets:
        lines.append(f"targets       {', '.join(targets)}")
    lines.append(f"streams ({len(scenario.streams)})")
    for name, stream in scenario.streams.items():
        conversation = stream.conversation
        parts = [f"{stream.per_hour:g}/h", f"queue {stream.queue or name}"]
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
            )
            if present
        ]
        lines.append(f"  {name}: " + ", ".join(parts + extras))
    lines.append(f"teams ({len(scenario.teams)})")
    for name, team in scenario.teams.items():
        lines.append(f"  {name}: " + _describe_team(team))
        for shift in team.roster or ():
            lines.append(f"    - {_describe_shift(shift)}")
        if team.handoff is not None:
            lines.append(f"    handoff: {_describe_handoff(team.handoff)}")
    lines.append(f"handoff       {_describe_handoff(scenario.handoff)}")
    return "\n".join(lines)


def _describe_team(team: Team) -> str:
    staff = (
        _plural(team.agents or 0, "agent")
        if team.roster is None
        else f"roster of {_plural(len(team.roster), 'entry', 'entries')}"
    )
    attention = team.attention.value
    if team.efficiency:
        attention += " (efficiency " + ", ".join(f"{e:g}" for e in team.efficiency) + ")"
    return (
        f"{staff}, concurrency {team.concurrency}, attention {attention}, "
        f"serves {', '.join(team.serves)}"
    )


def _describe_shift(shift: Shift) -> str:
    label = f"{shift.label}: " if shift.label else ""
    return (
        f"{label}{_plural(shift.agents, 'agent')}, {days_text(shift.days)} "
        f"{shift.start // 60:02d}:{shift.start % 60:02d}-"
        f"{shift.end // 60:02d}:{shift.end % 60:02d} {shift.region}"
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
        f"then {handoff.leftover.value})"
    )


def _describe_distribution(dist: Distribution) -> str:
    if dist.dist.value == "fixed":
        return format_duration(dist.mean_s)
    text = f"{dist.dist.value} mean {format_duration(dist.mean_s)}"
    return text + (f" cv {dist.cv:g}" if dist.cv is not None else "")


def command_line() -> list[str]:
    """This process's command as the user would type it."""
    return ["staffsim", *sys.argv[1:]]
