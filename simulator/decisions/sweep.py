"""Sweeps: run every point of a grid of scenario values and tabulate the results.

``sweep(scenario, {"teams.support.agents": [4, 5, 6], "handoff.policy": [...]})``
runs the full cartesian grid (see :mod:`simulator.decisions.variants`). Every point runs
with the *same* root seed, so replication ``r`` of every point sees the same
customers (common random numbers) and neighbouring points differ by the change
alone, not by luck; and a point's summary is exactly what a plain
:func:`simulator.run` of that scenario with that seed gives.

Points and replications run as one pool of ``(point, replication)`` tasks
(:func:`simulator.experiment.run_points`), so a grid of many small points keeps every process busy.
Each replication is determined by the seed and its index alone, and results
are put back in grid order, so the output does not depend on ``jobs``.

A sweep's folder (:func:`write_sweep`):

- ``sweep.parquet``: one row per point and replication: ``point``, ``label``,
  one column per grid key, ``replication``, then every statistic of
  summary.json flattened by path (``overall.frt_s.p90``,
  ``by_team.support.occupancy``, ...).
- ``sweep.json``: a list with one ``{"point": {key: value}, "summary": ...}``
  per grid point, ``summary`` shaped like summary.json.
- ``sweep_points.parquet``: the per-point summary in long form (``point``,
  ``label``, grid keys, ``metric``, ``value``, ``ci95_low``, ``ci95_high``).
- ``figures/``: each chosen statistic against the first grid key, one line per
  value of the other keys, with its 95% interval; a heatmap too when the grid
  has exactly two numeric keys.
- ``scenario.yaml`` (the base scenario after ``--set``) and ``run.json``.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

from simulator.analysis.headline import format_value
from simulator.decisions.variants import Variant, grid_variants, preset_note, value_label
from simulator.errors import ScenarioError
from simulator.experiment import run_points
from simulator.recording import ReplicationRecord
from simulator.rng import replications_and_seed
from simulator.scenario.schema import Scenario
from simulator.statistics.metric_names import (
    DISTRIBUTION_STATS,
    flatten,
    full_path,
    lookup,
    metric_kind,
    metric_title,
    resolve_metric,
    split_metric,
)
from simulator.statistics.metrics import replication_metrics, summarise_metrics

DEFAULT_METRICS = ("frt_s.p90", "abandon_rate")
"""What ``staffsim sweep`` plots when no ``--metric`` is given."""


# --------------------------------------------------------------------------- result


@dataclass
class SweepResult:
    """A finished sweep: the grid, one summary per point and every replication's statistics."""

    base: Scenario
    """The scenario swept over, after ``--set`` and before any grid value."""
    grid: dict[str, list[Any]]
    variants: list[Variant]
    seed: int
    replications: int
    summaries: list[dict]
    """One summary.json-shaped dict per point, in grid order."""
    replication_metrics: list[list[dict]]
    """Per point, each replication's ``overall``/``by_stream``/``by_team`` statistics."""
    wall_time_s: float
    jobs: int = 1

    @property
    def points(self) -> list[dict[str, Any]]:
        """The grid points in order, each ``{key: value}``."""
        return [variant.point for variant in self.variants]

    @property
    def labels(self) -> list[str]:
        """``key=value, ...`` for each point."""
        return [variant.label for variant in self.variants]

    def records(self) -> list[dict]:
        """``sweep.json``: ``[{"point": {key: value}, "summary": summary}, ...]``."""
        return [
            {"point": dict(point), "summary": summary}
            for point, summary in zip(self.points, self.summaries, strict=True)
        ]

    @property
    def table(self) -> pd.DataFrame:
        """One row per point and replication: grid keys and every statistic flattened."""
        rows = []
        for index, (point, metrics) in enumerate(
            zip(self.points, self.replication_metrics, strict=True)
        ):
            for replication, tree in enumerate(metrics):
                rows.append(
                    {
                        "point": index,
                        "label": self.labels[index],
                        **point,
                        "replication": replication,
                        **flatten(tree),
                    }
                )
        return _tidy_keys(pd.DataFrame(rows), self.grid)

    @property
    def point_table(self) -> pd.DataFrame:
        """One row per point and statistic: ``value`` (mean), ``ci95_low``, ``ci95_high``."""
        rows = []
        for index, (point, summary) in enumerate(zip(self.points, self.summaries, strict=True)):
            tree = {key: summary[key] for key in ("overall", "by_stream", "by_team")}
            for path, stat in _stats(tree).items():
                interval = stat.get("ci95") or [None, None]
                rows.append(
                    {
                        "point": index,
                        "label": self.labels[index],
                        **point,
                        "metric": path,
                        "value": stat.get("value"),
                        "ci95_low": interval[0],
                        "ci95_high": interval[1],
                    }
                )
        frame = pd.DataFrame(rows)
        for column in ("value", "ci95_low", "ci95_high"):
            frame[column] = frame[column].astype(float)
        return _tidy_keys(frame, self.grid)

    def metric(self, name: str) -> pd.DataFrame:
        """One statistic per point (``frt_s.p90``, ``by_team.live.occupancy``, ...)."""
        path = full_path(resolve_metric(name, self.base.streams, self.base.teams))
        table = self.point_table
        return table[table["metric"] == path].reset_index(drop=True)


def _stats(tree: Mapping[str, Any], prefix: str = "") -> dict[str, dict]:
    """The ``{"value", "ci95"}`` leaves of a summary by dotted path."""
    found: dict[str, dict] = {}
    for key, value in tree.items():
        if isinstance(value, Mapping) and "value" in value and "ci95" in value:
            found[f"{prefix}{key}"] = value
        elif isinstance(value, Mapping):
            found.update(_stats(value, f"{prefix}{key}."))
    return found


def _tidy_keys(frame: pd.DataFrame, grid: Mapping[str, Sequence[Any]]) -> pd.DataFrame:
    """Grid columns holding one plain type stay as they are; others become their labels."""
    for key, values in grid.items():
        kinds = {type(value) for value in values}
        if len(kinds) != 1 or not kinds <= {int, float, str, bool}:
            if kinds <= {int, float}:
                frame[key] = frame[key].astype(float)
            else:
                frame[key] = frame[key].map(value_label)
    return frame


# --------------------------------------------------------------------------- API


def sweep(
    scenario: str | Path | Mapping[str, Any] | Scenario,
    grid: Mapping[str, Sequence[Any]] | Iterable[str],
    *,
    overrides: Iterable[str] = (),
    replications: int | None = None,
    seed: int | None = None,
    jobs: int = 1,
    cluster: str | None = None,
    progress: bool = False,
) -> SweepResult:
    """Run every point of ``grid`` over ``scenario`` with one root seed.

    ``scenario`` is a YAML path, a raw dict or a :class:`Scenario`; ``grid`` maps
    dotted keys to values (``{"teams.support.agents": range(4, 9)}``) or is a
    list of ``"KEY=V1,V2"`` / ``"KEY=4..12"`` strings as on the command line.
    ``overrides`` (``KEY=VALUE``) apply to every point first. ``replications``
    and ``seed`` default to the scenario's; with no seed anywhere one is drawn
    and recorded. ``jobs`` and ``cluster`` say where the replications run (see
    :func:`simulator.executor.run_in_order`). Every point is validated before
    anything runs.
    """
    parsed, base, variants = grid_variants(scenario, grid, overrides=overrides)
    count, root = replications_and_seed(base, replications, seed)
    if count < 1:
        raise ScenarioError(
            "a sweep needs at least one replication",
            source="--replications",
            fix="give --replications 2 or more",
        )
    began = time.perf_counter()

    def reduce(index: int, records: list[ReplicationRecord]) -> tuple[dict, list[dict]]:
        point_scenario = variants[index].scenario
        metrics = [replication_metrics(record, point_scenario) for record in records]
        return summarise_metrics(metrics, point_scenario, root), metrics

    done = run_points(
        [variant.scenario for variant in variants],
        root,
        count,
        reduce,
        jobs=jobs,
        cluster=cluster,
        progress=progress,
        desc=f"sweep {base.name}",
    )
    return SweepResult(
        base,
        parsed,
        variants,
        root,
        count,
        [summary for summary, _ in done],
        [metrics for _, metrics in done],
        time.perf_counter() - began,
        jobs,
    )


# --------------------------------------------------------------------------- terminal


def sweep_table(result: SweepResult, metrics: Sequence[str] = DEFAULT_METRICS) -> str:
    """One line per grid point: the chosen statistics' means with 95% intervals."""

    paths = [resolve_metric(name, result.base.streams, result.base.teams) for name in metrics]
    titles = [metric_title(path) for path in paths]
    width = max(len("point"), *(len(label) for label in result.labels))
    lines = [
        f"{result.base.name}: {len(result.variants)} grid points, "
        f"{result.replications} replications each, seed {result.seed}; "
        "mean [95% interval]",
    ]
    note = preset_note({v.label: v.preset for v in result.variants if v.preset})
    lines += [note, ""] if note else [""]
    lines.append((f"  {'point':<{width}}  " + "  ".join(f"{t:<26}" for t in titles)).rstrip())
    for label, summary in zip(result.labels, result.summaries, strict=True):
        cells = []
        for path in paths:
            stat = lookup(summary, path) or {}
            kind = metric_kind(path)
            text = format_value(stat.get("value"), kind)
            interval = stat.get("ci95")
            if interval:
                text += f" [{format_value(interval[0], kind)}, {format_value(interval[1], kind)}]"
            cells.append(f"{text:<26}")
        lines.append((f"  {label:<{width}}  " + "  ".join(cells)).rstrip())
    return "\n".join(lines)


# --------------------------------------------------------------------------- files


def write_sweep(
    result: SweepResult,
    out_dir: Path,
    *,
    metrics: Sequence[str] = DEFAULT_METRICS,
    started_at: datetime | None = None,
    command: Iterable[str] | None = None,
) -> Path:
    """Write the sweep's folder atomically (see the module docstring) and return it."""
    from simulator.analysis.compare_figures import save_png, sweep_heatmap, sweep_lines
    from simulator.results_writer import write_command_folder, write_json

    paths = [resolve_metric(name, result.base.streams, result.base.teams) for name in metrics]
    keys = list(result.grid)
    point_table = result.point_table
    numeric = [
        key
        for key in keys
        if all(isinstance(v, int | float) and not isinstance(v, bool) for v in result.grid[key])
    ]

    def fill(folder: Path) -> None:
        result.table.to_parquet(
            folder / "sweep.parquet", engine="pyarrow", compression="zstd", index=False
        )
        point_table.to_parquet(
            folder / "sweep_points.parquet", engine="pyarrow", compression="zstd", index=False
        )
        write_json(result.records(), folder / "sweep.json")
        figures = folder / "figures"
        figures.mkdir()
        subtitle = (
            f"{result.base.name}: mean of {result.replications} replications "
            f"per point, seed {result.seed}"
        )
        for path in paths:
            rows = point_table[point_table["metric"] == path]
            stem = "sweep-" + path.removeprefix("overall.").replace(".", "-")
            save_png(
                sweep_lines(rows, path, keys, target=_target(result.base, path), subtitle=subtitle),
                figures / f"{stem}.png",
            )
            if len(keys) == 2 and len(numeric) == 2:
                save_png(
                    sweep_heatmap(rows, path, keys[0], keys[1], subtitle=subtitle),
                    figures / f"{stem}-heatmap.png",
                )

    return write_command_folder(
        out_dir,
        fill,
        kind="sweep",
        scenario=result.base,
        seed=result.seed,
        replications=result.replications,
        jobs=result.jobs,
        wall_time_s=result.wall_time_s,
        started_at=started_at,
        command=command,
        extra={"grid": result.grid, "points": len(result.variants)},
    )


def _target(scenario: Scenario, path: str) -> float | None:
    """The service target a time statistic is read against, if any: its stream's, or
    overall the one all streams share."""
    scope, name, field = split_metric(path)
    parts = field.split(".")
    if parts[-1] not in DISTRIBUTION_STATS or parts[0] not in ("frt_s", "followup_s"):
        return None
    key = "frt" if parts[0] == "frt_s" else "followup"
    if scope == "by_stream" and name in scenario.streams:
        return getattr(scenario.stream_targets(name), key)
    return scenario.shared_target(key) if scope == "overall" else None
