"""Shared helpers for the decision commands' tests: small queueing scenarios, a
working directory per test, and a runner that keeps stderr apart from stdout."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from simulator.cli import cli
from tests.conftest import scenario_writer

QUEUE: dict[str, Any] = {
    "name": "queue",
    "horizon": "20h",
    "warmup": "2h",
    "replications": 3,
    "seed": 11,
    "targets": {"frt": "2min"},
    "streams": {
        "chat": {
            "per_hour": 40.8,  # 85% of 4 agents at 12 conversations an hour each
            "conversation": {
                "handle": {"dist": "exponential", "mean": "5min"},
                "patience": {"dist": "exponential", "mean": "5min"},
            },
        },
    },
    "teams": {"support": {"agents": 4, "serves": ["chat"]}},
}
"""M/M/4+M at 85% load: noisy, yet each replication runs in a fraction of a second."""


@pytest.fixture
def queue() -> dict[str, Any]:
    """A fresh, mutable copy of :data:`QUEUE`."""
    return copy.deepcopy(QUEUE)


@pytest.fixture
def write_scenario(workdir: Path) -> Callable[..., Path]:
    """Write a scenario dict as YAML in the working directory and return its path."""
    return scenario_writer(workdir, QUEUE, "queue.yaml")


@pytest.fixture
def invoke() -> Callable[..., Result]:
    """Run the ``staffsim`` group in-process with the given arguments."""
    try:
        runner = CliRunner(mix_stderr=False)  # click 8.1
    except TypeError:
        runner = CliRunner()  # click >= 8.2 keeps stderr apart by default

    def call(*args: str | Path) -> Result:
        return runner.invoke(cli, [str(a) for a in args])

    return call


def written(folder: Path) -> list[str]:
    """What a command left in ``folder``: results or temporary folders."""
    return sorted(p.name for p in folder.iterdir()
                  if p.name in ("results", "out") or p.name.startswith(".staffsim-"))
