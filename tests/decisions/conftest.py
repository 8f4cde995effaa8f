"""Shared helpers for the decision commands' tests: small queueing scenarios written
to a working directory per test (``invoke`` and ``written`` are in
``tests/conftest.py``)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

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
