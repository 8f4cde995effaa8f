"""Progress on stderr for the commands that run many scenarios: a bar at a terminal (per
point for sweep and compare, per candidate for size, per scenario for table), nothing
of it when stderr is a pipe or a log."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.conftest import run_on_terminal

BAR_TEXT = (b"\r", b"rep/s", b"points", b"candidate", b"scenario/s")


def _commands(scenario: Path, other: Path) -> dict[str, tuple[list[str], list[bytes]]]:
    """Each command's arguments and what its bar must show at a terminal."""
    return {
        "sweep": (
            ["sweep", scenario, "--grid", "teams.support.agents=2,3", "-r", "2"],
            [b"sweep tiny", b"/2 points"],
        ),
        "compare": (
            ["compare", scenario, "--vary", "handoff.policy=handback,ownership", "-r", "2"],
            [b"compare", b"/2 points"],
        ),
        "size": (
            ["size", scenario, "--team", "support", "--target", "abandon_rate<=0.5", "-r", "2"],
            [b"sizing support", b"candidate"],
        ),
        "table": (["table", scenario, other, "-r", "2"], [b"/2", b"scenario"]),
    }


@pytest.mark.slow  # two real processes each, and sweep, compare and size draw figures
@pytest.mark.parametrize("command", ["sweep", "compare", "size", "table"])
def test_a_bar_at_a_terminal_and_none_in_a_pipe(
    command, write_scenario, small, run_module, workdir: Path
) -> None:
    small["name"] = "other"
    args, expected = _commands(write_scenario(), write_scenario(small, "other.yaml"))[command]

    piped = run_module(*args, "--out", "piped")
    assert piped.returncode == 0, piped.stderr
    for text in BAR_TEXT:
        assert text.decode() not in piped.stderr, piped.stderr

    shown = run_on_terminal(run_module, *args, "--out", "terminal")
    for text in expected:
        assert text in shown, shown
    assert b"\r" in shown
