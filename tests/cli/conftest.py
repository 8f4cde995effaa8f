"""Shared helpers for the command-line tests: a small valid scenario to break,
a real ``python -m simulator`` process, and what runs left behind (the in-process
``invoke`` runner lives in ``tests/conftest.py``).

Every test works inside its own ``tmp_path`` (also the working directory), so
"nothing was written" can be checked by looking at that folder alone.
"""

from __future__ import annotations

import copy
import fcntl
import os
import pty
import struct
import subprocess
import sys
import termios
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import scenario_writer, written

REPO_ROOT = Path(__file__).resolve().parents[2]

SMALL: dict[str, Any] = {
    "name": "tiny",
    "horizon": "8h",
    "warmup": "1h",
    "replications": 2,
    "seed": 1,
    "targets": {"frt": "2min", "followup": "5min"},
    "streams": {
        "chat": {
            "per_hour": 20,
            "conversation": {
                "handle": {"dist": "exponential", "mean": "4min"},
                "exchanges": 2,
                "reply_delay": {"dist": "exponential", "mean": "1min"},
                "patience": {"dist": "exponential", "mean": "5min"},
            },
        },
    },
    "teams": {"support": {"agents": 2, "concurrency": 1, "serves": ["chat"]}},
}
"""A valid scenario that runs in well under a second."""


@pytest.fixture
def small() -> dict[str, Any]:
    """A fresh, mutable copy of :data:`SMALL` to break or adjust."""
    return copy.deepcopy(SMALL)


@pytest.fixture
def write_scenario(workdir: Path) -> Callable[..., Path]:
    """Write a scenario (a dict, dumped as YAML, or raw text) and return its path."""
    return scenario_writer(workdir, SMALL, "scenario.yaml")


@pytest.fixture
def run_module(workdir: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    """``python -m simulator ARGS`` in a real process (the real exit code and stderr),
    in the test's working directory; works from a checkout that is not installed."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO_ROOT), env.get("PYTHONPATH", "")) if p)

    def call(*args: str | Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "simulator", *map(str, args)],
            cwd=workdir,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )

    call.env = env  # type: ignore[attr-defined]  # for tests that start the process themselves
    return call


@pytest.fixture
def leftovers(workdir: Path) -> Callable[[], list[str]]:
    """What runs left in the working directory (empty after bad input)."""
    return lambda: written(workdir)


def run_on_terminal(run_module: Callable[..., Any], *args: str | Path) -> bytes:
    """``python -m simulator ARGS`` with stderr on a pseudo-terminal 100 columns wide
    (as a person at a terminal sees it); returns what stderr showed, after checking
    the command exited 0."""
    terminal_side, program_side = pty.openpty()
    # A new pty is 0 columns wide, and tqdm draws nothing in no width.
    fcntl.ioctl(program_side, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    try:
        done = subprocess.run(
            [sys.executable, "-m", "simulator", *map(str, args)],
            cwd=Path.cwd(),
            env=run_module.env,  # type: ignore[attr-defined]
            stdout=subprocess.DEVNULL,
            stderr=program_side,
            timeout=300,
        )
        os.close(program_side)
        shown = b""
        while chunk := _read_pty(terminal_side):
            shown += chunk
    finally:
        os.close(terminal_side)
    assert done.returncode == 0, shown.decode(errors="replace")
    return shown


def _read_pty(fd: int) -> bytes:
    try:
        return os.read(fd, 4096)
    except OSError:  # the program side is closed: everything has been read
        return b""
