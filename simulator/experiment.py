"""Replications: run a scenario many times, serially or in a process pool.

Replication ``r`` is fully determined by the root seed and ``r`` (see
:mod:`simulator.rng`), and results are put back in replication order, so a
run gives the same numbers bit for bit whatever ``jobs`` is. Pool workers never
outlive their run (see :func:`simulator.processes.worker_pool`).
"""

from __future__ import annotations

import re
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from tqdm import tqdm

from simulator import processes
from simulator.analysis.metrics import replication_metrics, summarise_metrics
from simulator.errors import ScenarioError
from simulator.model.engine import simulate
from simulator.recording import ReplicationRecord
from simulator.rng import replications_and_seed
from simulator.scenario.schema import Scenario

CONNECT_TIMEOUT_S = 5.0
"""How long to wait for a dask scheduler before saying it does not answer."""
_ADDRESS = re.compile(
    r"(?:(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://)?(?P<host>\[[^\]]+\]|[^:/\[\]]+):(?P<port>\d{1,5})/?"
)


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


def replicate(
    scenario: Scenario, seed: int, count: int, jobs: int = 1, cluster: str | None = None
) -> Iterator[ReplicationRecord]:
    """Yield the records of replications ``0..count-1`` in order."""
    if cluster is not None:
        yield from _replicate_on_dask(scenario, seed, count, jobs, cluster)
        return
    if jobs <= 1 or count <= 1:
        for replication in range(count):
            yield simulate(scenario, seed, replication)
        return
    yield from _replicate_in_pool(scenario, seed, count, min(jobs, count))


def _replicate_in_pool(
    scenario: Scenario, seed: int, count: int, workers: int
) -> Iterator[ReplicationRecord]:
    with processes.worker_pool(workers) as pool:
        with processes.signals_deferred():
            records = pool.map(simulate, [scenario] * count, [seed] * count, range(count))
        yield from records


def check_cluster(address: str) -> None:
    """Refuse, before anything runs, a ``--cluster`` address that is malformed or where
    nothing answers within :data:`CONNECT_TIMEOUT_S`."""
    if address == "local":
        return
    match = _ADDRESS.fullmatch(address.strip())
    if match is None or (match["scheme"] or "tcp").lower() not in ("tcp", "tls"):
        raise ScenarioError(
            f"'{address}' is not a scheduler address",
            source=f"--cluster {address}",
            fix="give tcp://HOST:PORT (e.g. tcp://127.0.0.1:8786), or 'local' for a "
            "local cluster of --jobs workers",
        )
    try:
        host, port = match["host"].strip("[]"), int(match["port"])
        socket.create_connection((host, port), timeout=CONNECT_TIMEOUT_S).close()
    except (OSError, ValueError, OverflowError) as error:
        reason = getattr(error, "strerror", None) or str(error) or type(error).__name__
        raise ScenarioError(
            f"no scheduler answers at '{address}' ({reason})",
            source=f"--cluster {address}",
            fix="start the scheduler (dask scheduler) or check the address; "
            "--cluster local runs a local cluster",
        ) from None


def _replicate_on_dask(
    scenario: Scenario, seed: int, count: int, jobs: int, cluster: str
) -> Iterator[ReplicationRecord]:
    """Replications as dask.distributed tasks, gathered back in replication order."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:  # pragma: no cover - depends on the installed extras
        raise ScenarioError(
            "running on a dask cluster needs dask.distributed",
            source="--cluster",
            fix="pip install 'staffsim[cluster]'",
        ) from None
    local = (
        LocalCluster(
            n_workers=max(jobs, 1), threads_per_worker=1, processes=True, dashboard_address=None
        )
        if cluster == "local"
        else None
    )
    try:
        with _connect(Client, local if local is not None else cluster) as client:
            futures = client.map(
                simulate, [scenario] * count, [seed] * count, range(count), pure=False
            )
            for future in futures:
                yield future.result()
    finally:
        if local is not None:
            local.close()


def _connect(client: Any, address: Any) -> Any:
    """A dask client, or a clear error naming the address when none answers in time."""
    try:
        return client(address, timeout=CONNECT_TIMEOUT_S)
    except (OSError, TimeoutError) as error:
        raise ScenarioError(
            f"cannot connect to the scheduler ({error})",
            source=f"--cluster {address}",
            fix="start the scheduler (dask scheduler) or check the address",
        ) from None


def _stack(records: list[ReplicationRecord], attribute: str) -> pd.DataFrame:
    frames = [
        getattr(record, attribute).assign(replication=record.replication) for record in records
    ]
    table = pd.concat(frames, ignore_index=True)
    return table[["replication", *[c for c in table.columns if c != "replication"]]]
