"""A run stopped at any moment leaves no results and no staging behind: SIGINT and
SIGTERM end it with 130 and 143 (before, while simulating, while writing), a
previous folder survives, SIGKILL leaves only hidden leftovers that the next run
tidies, and no pool worker outlives its run.

Each test starts a real ``python -m simulator`` process and waits for a sign of
the moment it wants (the signal handler installed, the lock taken, the staging
folder made) instead of sleeping.
"""

from __future__ import annotations

import copy
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from simulator import processes
from simulator.results_folder import lock_name
from tests.cli.conftest import SMALL

LONGER: dict[str, Any] = {**copy.deepcopy(SMALL), "name": "longer", "horizon": "1w"}
"""Seconds of simulation: long enough to be caught in the middle."""
REPLICATIONS = "4"
ENDLESS: dict[str, Any] = {**copy.deepcopy(SMALL), "name": "longer", "horizon": "520w"}
"""Minutes per replication: a worker still alive at the end was not stopped."""


@pytest.fixture
def scenario(workdir: Path) -> Path:
    path = workdir / "longer.yaml"
    path.write_text(yaml.safe_dump(LONGER), encoding="utf-8")
    return path


@pytest.fixture
def endless(workdir: Path) -> Path:
    path = workdir / "longer.yaml"
    path.write_text(yaml.safe_dump(ENDLESS), encoding="utf-8")
    return path


@pytest.fixture
def start(run_module: Any, workdir: Path) -> Callable[..., subprocess.Popen[str]]:
    """Start ``python -m simulator ARGS`` without waiting for it."""
    started: list[subprocess.Popen[str]] = []

    def call(*args: str | Path) -> subprocess.Popen[str]:
        process = subprocess.Popen(
            [sys.executable, "-m", "simulator", *map(str, args)],
            cwd=workdir,
            env=run_module.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        started.append(process)
        return process

    yield call
    for process in started:  # a failed test must not leave a run behind
        if process.poll() is None:
            process.kill()
            process.wait()


def wait_for(condition: Callable[[], Any], process: subprocess.Popen[str]) -> Any:
    """Poll ``condition`` until it is true (and return it); fail if the process ends first."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        if process.poll() is not None:
            pytest.fail(f"the run ended first ({process.returncode}): {process.stderr.read()}")
        time.sleep(0.01)
    pytest.fail("the moment never came")


def handles_sigterm(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    caught = next(line for line in status.splitlines() if line.startswith("SigCgt:"))
    return bool(int(caught.split()[1], 16) & (1 << (signal.SIGTERM - 1)))


def staging(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return [p for p in folder.iterdir() if p.name.startswith(".staffsim-") and p.is_dir()]


def children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (read from /proc: psutil may be missing)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_bytes().rsplit(b")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def all_gone(pids: list[int]) -> bool:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if all(processes.start_token(pid) is None for pid in pids):
            return True
        time.sleep(0.05)
    return False


pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")


# --------------------------------------------------------------------------- SIGINT and SIGTERM


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
@pytest.mark.parametrize("moment", ["before", "simulating", "writing"])
def test_a_stopped_run_leaves_nothing(
    start, scenario: Path, workdir: Path, moment: str, signum: int
) -> None:
    results = workdir / "results"
    out = results / "longer"
    # drawing the report is seconds of writing; the simulation need not be long then
    args = ("-r", "1") if moment == "writing" else ("-r", REPLICATIONS, "--no-report")
    for _attempt in range(3):
        run = start("run", scenario, *args, "--out", out)
        if moment == "before":
            wait_for(lambda pid=run.pid: handles_sigterm(pid), run)
        elif moment == "simulating":
            wait_for((results / lock_name("longer")).exists, run)
        else:
            wait_for(lambda: staging(results), run)
        run.send_signal(signum)
        if run.wait(timeout=60) != 0:
            break
        # On a loaded machine the run may finish its seconds of writing before the
        # signal is sent: that moment was missed, not handled wrongly; try again.
        shutil.rmtree(results)
    _, stderr = run.communicate(timeout=60)
    assert run.returncode == 128 + signum, stderr
    assert "interrupted" in stderr and "Traceback" not in stderr
    assert sorted(p.name for p in workdir.iterdir()) == ["longer.yaml"]  # not even results/


def test_a_stopped_rewrite_keeps_the_previous_results(
    start, invoke, scenario: Path, workdir: Path
) -> None:
    out = workdir / "out"
    first = invoke("run", scenario, "-r", "1", "--out", out, "--no-report", "-q")
    assert first.exit_code == 0, first.stderr
    (out / "notes.md").write_text("mine")
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    run = start("run", scenario, "-r", "1", "--out", out)
    wait_for(lambda: staging(workdir), run)
    run.send_signal(signal.SIGTERM)
    _, stderr = run.communicate(timeout=60)
    assert run.returncode == 143, stderr
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(p.name for p in workdir.iterdir()) == ["longer.yaml", "out"]


# --------------------------------------------------------------------------- SIGKILL


def test_sigkill_leaves_only_hidden_leftovers_that_the_next_run_tidies(
    start, run_module, scenario: Path, workdir: Path
) -> None:
    results = workdir / "results"
    run = start("run", scenario, "-r", "1", "--out", results / "longer")
    wait_for(lambda: staging(results), run)
    run.kill()
    run.wait()
    assert all(p.name.startswith(".") for p in results.iterdir())
    assert staging(results)
    again = run_module("run", scenario, "-r", "1", "--out", results / "longer", "--no-report")
    assert again.returncode == 0, again.stderr
    assert sorted(p.name for p in results.iterdir()) == ["longer"]


# --------------------------------------------------------------------------- pool workers


def _workers_of(run: subprocess.Popen[str], results: Path, count: int) -> list[int]:
    """The run's ``count`` child processes, once it simulates and all have started."""
    wait_for((results / lock_name("longer")).exists, run)  # simulating
    return wait_for(lambda: len(found := children(run.pid)) >= count and found, run)


@pytest.mark.parametrize(
    ("command", "count"),
    [
        (("run", "-r", "2"), 3),  # two replication workers and the report's drawing process
        (("sweep", "--grid", "teams.support.agents=2,3", "-r", "1"), 2),
    ],
    ids=["run", "sweep"],
)
def test_sigterm_with_jobs_leaves_no_worker(
    start, endless: Path, workdir: Path, command: tuple[str, ...], count: int
) -> None:
    results = workdir / "results"
    name, *options = command
    run = start(name, endless, *options, "-j", "2", "--out", results / "longer", "-q")
    workers = _workers_of(run, results, count)
    signalled = time.monotonic()
    run.send_signal(signal.SIGTERM)
    _, stderr = run.communicate(timeout=300)
    assert run.returncode == 143, stderr
    assert time.monotonic() - signalled < 30  # not after the workers' replications end
    # stopped and reaped before the run exited, minutes before their replications end
    assert [p for p in workers if processes.start_token(p)] == []
    assert sorted(p.name for p in workdir.iterdir()) == ["longer.yaml"]


def test_workers_of_a_killed_run_exit_by_themselves(start, endless: Path, workdir: Path) -> None:
    results = workdir / "results"
    run = start("run", endless, "-r", "2", "-j", "2", "--out", results / "longer", "-q")
    workers = _workers_of(run, results, 3)
    run.kill()
    run.wait()
    assert all_gone(workers), [p for p in workers if processes.start_token(p)]


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
def test_the_drawing_process_goes_with_its_run(
    start, endless: Path, workdir: Path, signum: int
) -> None:
    """Started before the simulation to load matplotlib meanwhile, the report's
    drawing process is the one child of a one-job run; it is reaped before a
    stopped run exits, and quits by itself when the run is killed outright."""
    results = workdir / "results"
    run = start("run", endless, "-r", "1", "--out", results / "longer", "-q")
    drawer = _workers_of(run, results, 1)
    assert len(drawer) == 1
    run.send_signal(signum)
    run.wait(timeout=60)
    if signum == signal.SIGKILL:
        assert all_gone(drawer), drawer
    else:
        assert run.returncode == 143
        assert processes.start_token(drawer[0]) is None  # reaped before the run exited
        assert sorted(p.name for p in workdir.iterdir()) == ["longer.yaml"]
