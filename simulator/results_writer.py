"""Results folders as files: what every command's folder holds, and the run's own files.

Every command writes its folder through :func:`write_command_folder`: the
resolved ``scenario.yaml`` (with the seed used), ``run.json`` and, through
:func:`simulator.results_folder.write_folder`, the marker; the command adds only
its own files.

A run's folder is the contract other tools read (see the interface notes):
``summary.json``, ``conversations.parquet``, ``followups.parquet``, the resolved
``scenario.yaml`` (re-runnable as it stands, with the seed actually used) and
``run.json`` (who, when, how). :mod:`simulator.results_folder` writes it
atomically and never at the cost of a user's file.

This module only writes; it never runs the model. Terminal text lives in
:mod:`simulator.analysis.headline`, a scenario in words in
:mod:`simulator.scenario.describe`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import yaml

from simulator.recording import CONVERSATION_COLUMNS, FOLLOWUP_COLUMNS
from simulator.results_folder import MARKER, write_folder
from simulator.run_info import run_info
from simulator.scenario.resolved import resolved_scenario

if TYPE_CHECKING:
    from simulator.analysis.report import DrawingZygote
    from simulator.experiment import RunResult
    from simulator.scenario.schema import Scenario

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


# --------------------------------------------------------------------------- folder


def write_command_folder(
    out_dir: Path,
    fill: Callable[[Path], None],
    *,
    kind: str,
    scenario: Scenario | None,
    seed: int,
    replications: int,
    jobs: int | None,
    wall_time_s: float,
    started_at: datetime | None = None,
    command: Iterable[str] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> Path:
    """Write a command's folder atomically and return its path: ``fill(folder)`` adds
    the command's own files, then ``scenario.yaml`` (``scenario`` resolved, with
    ``seed`` and ``replications``; none when ``scenario`` is ``None``), ``run.json``
    (see :func:`simulator.run_info.run_info`, ``extra`` added) and the marker
    (``kind`` names the command)."""

    def fill_all(folder: Path) -> None:
        fill(folder)
        if scenario is not None:
            write_scenario(scenario, folder / "scenario.yaml", seed=seed, replications=replications)
        info = run_info(
            seed=seed,
            replications=replications,
            jobs=jobs,
            wall_time_s=wall_time_s,
            started_at=started_at,
            command=command,
            extra=extra,
        )
        write_json(info, folder / "run.json")

    return write_folder(out_dir, fill_all, kind=kind)


def write_scenario(scenario: Scenario, path: Path, *, seed: int, replications: int) -> None:
    """``scenario`` as YAML that loads back to it, with the seed and replications used."""
    path.write_text(
        yaml.safe_dump(
            resolved_scenario(scenario, seed=seed, replications=replications),
            sort_keys=False,
            allow_unicode=True,
        ),
        encoding="utf-8",
    )


def write_results(
    result: RunResult,
    out_dir: Path,
    *,
    jobs: int | None = None,
    started_at: datetime | None = None,
    command: Iterable[str] | None = None,
    report: bool = False,
    csv: bool = False,
    zygote: DrawingZygote | None = None,
) -> Path:
    """Write a run's folder atomically and return its path.

    ``jobs``, ``started_at`` and ``command`` go into ``run.json``; by default
    the result's own ``jobs`` (if any), the wall time counted back from now, and
    no command. ``report`` adds ``report.html`` and ``figures/`` (see
    :mod:`simulator.analysis.report`), drawn inside the same atomic write, in
    worker processes while the data files are written; ``csv`` adds a ``.csv``
    beside each ``.parquet``, same rows and columns, for tools that read no parquet.
    A ``zygote`` (:func:`simulator.analysis.report.drawing_zygote`, started before
    the simulation) draws the figures with matplotlib already loaded.
    """

    def fill(folder: Path) -> None:
        if not report:
            write_data(folder)
            return
        from simulator.analysis import report as run_report

        # The figures are drawn in worker processes while the data files are written.
        with run_report.drawing(result, zygote=zygote) as drawn:
            write_data(folder)
            run_report.write_report(result, folder, drawn)

    def write_data(folder: Path) -> None:
        tables = {
            "conversations": _conversations(result),
            "followups": _followups(result),
            "agents": result.agents,
            "tickets": result.tickets,
        }
        for stem, frame in tables.items():
            _write_parquet(frame, folder / f"{stem}.parquet")
            if csv:
                frame.to_csv(folder / f"{stem}.csv", index=False)
        write_json(result.summary, folder / "summary.json")

    return write_command_folder(
        out_dir,
        fill,
        kind="run",
        scenario=result.scenario,
        seed=result.seed,
        replications=result.replications,
        jobs=jobs if jobs is not None else getattr(result, "jobs", None),
        wall_time_s=result.wall_time_s,
        started_at=started_at,
        command=command,
    )


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
