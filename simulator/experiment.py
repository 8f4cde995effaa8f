"""Replications: run a scenario many times and summarise them.

Replication ``r`` is fully determined by the root seed and ``r`` (see
:mod:`simulator.rng`), and :mod:`simulator.executor` puts results back in
replication order, so a run gives the same numbers bit for bit whatever ``jobs``
or ``cluster`` is.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

import pandas as pd
from tqdm import tqdm

from simulator.executor import run_in_order
from simulator.model.engine import simulate
from simulator.recording import ReplicationRecord
from simulator.rng import replications_and_seed
from simulator.scenario.schema import Scenario
from simulator.statistics.metrics import replication_metrics, summarise_metrics

T = TypeVar("T")


@dataclass
class RunResult:
    """A finished run: its scenario, seed, per-replication records and summary."""

    scenario: Scenario
    seed: int
    replications: int
    records: list[ReplicationRecord]
    summary: dict
    wall_time_s: float
    jobs: int = 1
    _conversations: pd.DataFrame | None = field(default=None, repr=False)
    _followups: pd.DataFrame | None = field(default=None, repr=False)
    _states: pd.DataFrame | None = field(default=None, repr=False)
    _replication_metrics: list[dict] | None = field(default=None, repr=False)

    @property
    def replication_metrics(self) -> list[dict]:
        """Each replication's ``overall``/``by_stream``/``by_team`` statistics, the
        values ``summary`` combines (kept from summarising, else computed once)."""
        if self._replication_metrics is None:
            self._replication_metrics = [
                replication_metrics(record, self.scenario) for record in self.records
            ]
        return self._replication_metrics

    @property
    def conversations(self) -> pd.DataFrame:
        """Every replication's conversations, with a leading ``replication`` column."""
        if self._conversations is None:
            self._conversations = _stack(self.records, "conversations")
        return self._conversations

    @property
    def followups(self) -> pd.DataFrame:
        """Every answered follow-up, with a leading ``replication`` column."""
        if self._followups is None:
            self._followups = _stack(self.records, "followups")
        return self._followups

    @property
    def states(self) -> pd.DataFrame:
        """Every replication's 5-minute state samples (queues and teams), with a
        leading ``replication`` column."""
        if self._states is None:
            self._states = _stack(self.records, "states")
        return self._states

    @property
    def agents(self) -> pd.DataFrame:
        """Each agent's hours, overtime, handbacks and on-call activations, per
        replication (hours per person for rotation pools)."""
        return _stack(self.records, "agents")

    @property
    def tickets(self) -> pd.DataFrame:
        """Every back-office ticket resolved, per replication."""
        return _stack(self.records, "tickets")


def run(
    scenario: Scenario,
    *,
    replications: int | None = None,
    seed: int | None = None,
    jobs: int = 1,
    progress: bool = False,
    cluster: str | None = None,
) -> RunResult:
    """Run ``scenario``'s replications and summarise them.

    ``replications`` and ``seed`` override the scenario's; with no seed anywhere
    one is drawn from OS entropy and recorded in the result. ``jobs`` above 1
    runs replications in a process pool; ``cluster`` (a dask scheduler address,
    or ``"local"`` for a local dask cluster of ``jobs`` workers) runs them on
    dask.distributed. Results are identical bit for bit either way.
    """
    count, root = replications_and_seed(scenario, replications, seed)
    began = time.perf_counter()
    records = list(
        tqdm(
            replicate(scenario, root, count, jobs, cluster),
            total=count,
            desc=scenario.name,
            unit="rep",
            disable=not progress,
            leave=False,
        )
    )
    trees = [replication_metrics(record, scenario) for record in records]
    summary = summarise_metrics(trees, scenario, root)
    return RunResult(
        scenario,
        root,
        count,
        records,
        summary,
        time.perf_counter() - began,
        jobs,
        _replication_metrics=trees,
    )


def run_points(
    scenarios: Sequence[Scenario],
    seed: int,
    replications: int,
    reduce: Callable[[int, list[ReplicationRecord]], T],
    *,
    jobs: int = 1,
    cluster: str | None = None,
    progress: bool = False,
    desc: str = "points",
) -> list[T]:
    """Run ``replications`` of every scenario under one root ``seed``.

    Points and replications run as one list of ``(point, replication)`` tasks, so
    many small points keep every worker busy. As soon as all replications of
    scenario ``i`` are back, ``reduce(i, records)`` turns its records (in
    replication order) into whatever the caller keeps, so a large grid need not
    hold every record at once. The ``progress`` bar counts replications and says
    how many points are done. Returns the reduced values in the order of
    ``scenarios``, whatever ``jobs`` or ``cluster`` is.
    """
    tasks = [
        (scenario, seed, replication)
        for scenario in scenarios
        for replication in range(replications)
    ]
    reduced: list[T] = []
    records: list[ReplicationRecord] = []
    points = f"/{len(scenarios)} point{'s' * (len(scenarios) != 1)}"
    with tqdm(total=len(tasks), desc=desc, unit="rep", disable=not progress, leave=False) as bar:
        bar.set_postfix_str("0" + points)
        for record in run_in_order(simulate, tasks, jobs=jobs, cluster=cluster):
            records.append(record)
            if len(records) == replications:
                reduced.append(reduce(len(reduced), records))
                records = []
                bar.set_postfix_str(f"{len(reduced)}{points}")
            bar.update()
    return reduced


def replicate(
    scenario: Scenario, seed: int, count: int, jobs: int = 1, cluster: str | None = None
) -> Iterator[ReplicationRecord]:
    """Yield the records of replications ``0..count-1`` in order."""
    tasks = [(scenario, seed, replication) for replication in range(count)]
    return run_in_order(simulate, tasks, jobs=jobs, cluster=cluster)


def _stack(records: list[ReplicationRecord], attribute: str) -> pd.DataFrame:
    frames = [
        getattr(record, attribute).assign(replication=record.replication) for record in records
    ]
    table = pd.concat(frames, ignore_index=True)
    return table[["replication", *[c for c in table.columns if c != "replication"]]]
