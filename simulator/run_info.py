"""Who ran what, when and how: the ``run.json`` every results folder holds."""

from __future__ import annotations

import platform
import sys
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from importlib import metadata
from typing import Any


def staffsim_version() -> str:
    """The installed package version, or ``'unknown'`` when run from a bare checkout."""
    try:
        return metadata.version("staffsim")
    except metadata.PackageNotFoundError:
        return "unknown"


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


def command_line() -> list[str]:
    """This process's command as the user would type it."""
    return ["staffsim", *sys.argv[1:]]
