"""``--cluster`` means the same for every simulating command: an address nobody answers at
is refused before anything runs, and a scheduler that answers gives the same bytes as a
serial run (every command runs through :mod:`simulator.executor`)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from simulator.executor import run_in_order
from tests.cli.conftest import REPO_ROOT
from tests.cli.mutations import check_refused

# Each command with its own arguments, and the files whose bytes must not change.
COMMANDS = {
    "compare": (["--vary", "teams.support.agents=2,3"], ["compare.json"]),
    "sweep": (["--grid", "teams.support.agents=2,3"], ["sweep.json", "sweep.parquet"]),
    "size": (
        ["--team", "support", "--target", "abandon_rate<=0.2"],
        ["size.json", "summary.json", "scenario.yaml"],
    ),
}
TARGET = ["--team", "support", "--target", "abandon_rate<=0.2"]
REFUSED = {
    "run": ["--no-report"],
    "compare": COMMANDS["compare"][0],
    "sweep": COMMANDS["sweep"][0],
    "size": TARGET,
    "roster": [*TARGET, "--shifts", REPO_ROOT / "scenarios" / "shifts" / "live_chat.yaml"],
    "table": [],
}


def _pairs(a: int, b: int) -> tuple[int, int]:
    return a, b


def test_tasks_come_back_in_order_serially_and_in_a_pool() -> None:
    tasks = [(n, -n) for n in range(7)]
    assert list(run_in_order(_pairs, tasks)) == tasks
    assert list(run_in_order(_pairs, tasks, jobs=3)) == tasks


@pytest.mark.parametrize("command", sorted(REFUSED))
def test_every_command_refuses_a_cluster_that_does_not_answer(
    write_scenario, invoke, workdir: Path, command: str
) -> None:
    result = invoke(command, write_scenario(), *REFUSED[command], "--cluster", "tcp://127.0.0.1:1")
    check_refused(result, ["--cluster", "tcp://127.0.0.1:1", "fix"])
    assert "running" not in result.stderr  # refused before the simulation
    assert sorted(p.name for p in workdir.iterdir()) == ["scenario.yaml"]


@pytest.fixture(scope="module")
def scheduler() -> Iterator[Any]:
    """One in-process dask cluster for the module."""
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=1,
        threads_per_worker=1,
        processes=False,
        protocol="tcp",
        host="127.0.0.1",
        dashboard_address=None,
    ) as cluster:
        yield cluster


def _simulated_on(cluster: Any) -> int:
    """How many replications the cluster's scheduler has seen finish."""
    prefix = cluster.scheduler.task_prefixes.get("simulate")
    return 0 if prefix is None else prefix.state_counts["memory"]


@pytest.mark.slow
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_decision_on_a_cluster_gives_the_same_bytes_as_serially(
    write_scenario, invoke, workdir: Path, scheduler: str, command: str
) -> None:
    extra, files = COMMANDS[command]
    path = write_scenario()

    def run(folder: str, *more: Any) -> None:
        result = invoke(command, path, *extra, "-r", "2", "--seed", "1", "--out", folder, *more)
        assert result.exit_code == 0, (result.stderr, result.exception)

    run("serial")
    before = _simulated_on(scheduler)
    run("dask", "--cluster", scheduler.scheduler_address)
    assert _simulated_on(scheduler) > before  # the cluster did the work
    for name in files:
        assert (workdir / "dask" / name).read_bytes() == (workdir / "serial" / name).read_bytes(), (
            name
        )


@pytest.mark.slow
def test_size_on_a_local_cluster_gives_the_same_bytes_as_serially(
    write_scenario, invoke, workdir: Path
) -> None:
    """``--cluster local`` starts one cluster for all the candidates, not one each."""
    pytest.importorskip("distributed")
    extra, files = COMMANDS["size"]
    path = write_scenario()
    for folder, more in (("serial", []), ("local", ["--cluster", "local", "-j", "1"])):
        result = invoke("size", path, *extra, "-r", "2", "--seed", "1", "--out", folder, *more)
        assert result.exit_code == 0, (result.stderr, result.exception)
    for name in files:
        assert (workdir / "local" / name).read_bytes() == (
            workdir / "serial" / name
        ).read_bytes(), name
