"""Where the work runs: one picklable function over a list of tasks, serially, in a
process pool, or on a dask.distributed cluster, the results back in task order.

Every command runs its replications through :func:`run_in_order` (a run's
replications, compare's variants, a sweep's points, sizing's and the roster's
candidates), so ``--jobs`` and ``--cluster`` mean the same everywhere and the
numbers never depend on either. Pool workers never outlive their run (see
:func:`simulator.processes.worker_pool`).
"""

from __future__ import annotations

import re
import socket
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from simulator import processes
from simulator.errors import ScenarioError

T = TypeVar("T")

CONNECT_TIMEOUT_S = 5.0
"""How long to wait for a dask scheduler before saying it does not answer."""
_ADDRESS = re.compile(
    r"(?:(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://)?(?P<host>\[[^\]]+\]|[^:/\[\]]+):(?P<port>\d{1,5})/?"
)


def run_in_order(
    function: Callable[..., T],
    tasks: Sequence[tuple[Any, ...]],
    *,
    jobs: int = 1,
    cluster: str | None = None,
) -> Iterator[T]:
    """Yield ``function(*task)`` for every task, in the order of ``tasks``.

    ``jobs`` above 1 runs the tasks in a process pool of that many workers;
    ``cluster`` (a dask scheduler address, or ``"local"`` for a local cluster of
    ``jobs`` workers) runs them on dask.distributed instead.
    """
    if cluster is not None:
        yield from _on_dask(function, tasks, jobs, cluster)
    elif jobs <= 1 or len(tasks) <= 1:
        for task in tasks:
            yield function(*task)
    else:
        yield from _in_pool(function, tasks, min(jobs, len(tasks)))


def _in_pool(
    function: Callable[..., T], tasks: Sequence[tuple[Any, ...]], workers: int
) -> Iterator[T]:
    with processes.worker_pool(workers) as pool:
        with processes.signals_deferred():  # a signal mid-fork would orphan a worker
            results = pool.map(function, *zip(*tasks, strict=True))
        yield from results


def _on_dask(
    function: Callable[..., T], tasks: Sequence[tuple[Any, ...]], jobs: int, cluster: str
) -> Iterator[T]:
    """The tasks as dask.distributed futures, gathered back in task order."""
    with (
        cluster_address(cluster, jobs) as address,
        _connect(_distributed().Client, address) as client,
    ):
        futures = client.map(function, *zip(*tasks, strict=True), pure=False)
        for future in futures:
            yield future.result()


@contextmanager
def cluster_address(cluster: str | None, jobs: int) -> Iterator[str | None]:
    """``cluster`` for the block: ``"local"`` becomes the address of one local cluster
    of ``jobs`` workers, started here and closed at the end, so a command that runs
    many times (sizing's candidates, a table's scenarios) starts it once."""
    if cluster != "local":
        yield cluster
        return
    with _distributed().LocalCluster(
        n_workers=max(jobs, 1), threads_per_worker=1, processes=True, dashboard_address=None
    ) as local:
        yield local.scheduler_address


def _distributed() -> Any:
    """The dask.distributed module, or a clear error when it is not installed."""
    try:
        import distributed
    except ImportError:  # pragma: no cover - depends on the installed extras
        raise ScenarioError(
            "running on a dask cluster needs dask.distributed",
            source="--cluster",
            fix="pip install 'staffsim[cluster]'",
        ) from None
    return distributed


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
