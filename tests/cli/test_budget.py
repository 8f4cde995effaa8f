"""Size limits before work starts: every simulating command estimates its work from
the scenario and refuses what is over the ceiling (exit 2, the estimate, what to
lower), quickly, in little memory, with nothing written."""

from __future__ import annotations

import resource
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.cli.mutations import check_refused

MEMORY_CAP = 3 * 2**30
"""Address space a refusal may use: building ten million agents or a 10^10-point grid
would pass it and fail with a traceback instead of exit 2."""


def _capped() -> None:
    if sys.platform == "linux":  # elsewhere RLIMIT_AS is not enforced
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


@pytest.mark.parametrize(
    ("args", "expect"),
    [
        (["run", "--set", "teams.support.agents=10000000"], ["agents", "20,000,000"]),
        (["run", "-r", "1000000000"], ["conversations", "--replications"]),
        (
            ["run", "--set", "horizon=520w", "--set", "streams.chat.per_hour=1000"],
            ["conversations", "per_hour or horizon"],
        ),
        (
            ["sweep", *[f"--grid=teams.support.{key}=1..100" for key in ("agents", "concurrency")]]
            + [f"--grid=streams.chat.{key}=1..100" for key in ("per_hour",)]
            + ["--grid=seed=1..100", "--grid=replications=1..100"],
            ["10,000,000,000 grid points", "replications"],
        ),
    ],
    ids=["ten-million-agents", "a-billion-replications", "ten-years-at-1000-an-hour", "grid-1e10"],
)
def test_huge_requests_are_refused_fast_in_little_memory(
    args: list[str], expect: list[str], write_scenario, run_module, workdir: Path
) -> None:
    command, *rest = args  # one BLAS thread: its buffers per core would count against the cap
    began = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "simulator", command, str(write_scenario()), *rest],
        cwd=workdir,
        env={**run_module.env, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"},
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=_capped,
    )
    elapsed = time.monotonic() - began
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
    assert "too much work" in result.stderr
    for word in expect:
        assert word in result.stderr
    assert "--max-conversations" in result.stderr
    assert elapsed < 30, elapsed  # a refusal is seconds, most of it starting Python
    assert not (workdir / "results").exists()


COMMANDS: dict[str, Callable[[Path], list[str]]] = {
    "run": lambda s: ["run", str(s)],
    "compare-files": lambda s: ["compare", str(s), str(s)],
    "compare-vary": lambda s: ["compare", str(s), "--vary", "teams.support.agents=2,3"],
    "sweep": lambda s: ["sweep", str(s), "--grid", "teams.support.agents=2,3"],
    "size": lambda s: ["size", str(s), "--team", "support", "--target", "abandon_rate<=0.5"],
    "table": lambda s: ["table", str(s)],
}


@pytest.mark.parametrize("command", COMMANDS)
def test_every_simulating_command_checks_before_it_runs(
    command: str, write_scenario, invoke, monkeypatch, leftovers
) -> None:
    import simulator.experiment

    def no_simulation(*args: object) -> None:
        raise AssertionError("simulated despite the ceiling")

    # Every command simulates through the experiment's name for it.
    monkeypatch.setattr(simulator.experiment, "simulate", no_simulation)
    result = invoke(*COMMANDS[command](write_scenario()), "--max-conversations", "10")
    check_refused(result, ["too much work", "over the ceiling of", "--max-conversations"])
    assert leftovers() == []


def test_max_conversations_raises_the_ceiling(write_scenario, small, invoke, workdir) -> None:
    # About 2 replications x 8 h x 20 an hour = 320 conversations.
    path = write_scenario()
    refused = invoke("run", path, "--max-conversations", "200")
    check_refused(refused, ["320 conversations", "--max-conversations 2000"])  # 2 replications
    assert invoke("run", path, "--max-conversations", "2000", "--no-report", "-q").exit_code == 0


def test_agent_ceiling_scales_with_max_conversations(write_scenario, small, invoke) -> None:
    small["teams"]["support"]["agents"] = 60  # x 2 replications = 120 agents
    path = write_scenario(small)
    result = invoke("run", path, "--max-conversations", "2000")  # 100 agents
    check_refused(result, ["120 agents", "ceiling of 100", "at most 50 agents a replication"])
    assert invoke("validate", path).exit_code == 0
