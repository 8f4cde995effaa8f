"""Arrival replay (``streams.*.arrivals.trace``): a stream takes its arrival
times from a contact log instead of a rate model, the same in every replication."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from click.testing import CliRunner

import simulator
from simulator.cli import cli
from simulator.errors import ScenarioError
from simulator.scenario.loader import load_scenario

START = datetime(2026, 1, 5, tzinfo=UTC)


def _scenario(stream: dict[str, Any]) -> dict[str, Any]:
    shape = {
        "handle": {"dist": "exponential", "mean": "4min"},
        "patience": {"dist": "fixed", "value": "30min"},
    }
    return {
        "name": "replay",
        "start": START.isoformat(),
        "horizon": "1d",
        "streams": {"chat": {"conversation": shape, **stream}},
        "teams": {"support": {"serves": ["chat"], "agents": 2}},
    }


def _write(folder: Path, rows: list[tuple[datetime, str]], stream: dict[str, Any]) -> Path:
    lines = ["arrived_at,stream,outcome"] + [
        f"{at.isoformat()},{name},answered" for at, name in rows
    ]
    (folder / "log.csv").write_text("\n".join(lines) + "\n")
    path = folder / "scenario.yaml"
    path.write_text(yaml.safe_dump(_scenario(stream)))
    return path


def _trace(folder: Path) -> tuple[Path, np.ndarray]:
    rng = np.random.default_rng(3)
    seconds = np.sort(rng.uniform(-3600, 90000, 120).round(6))  # some before, some after the run
    rows = [(START + timedelta(seconds=float(s)), "chat") for s in seconds]
    rows += [(START + timedelta(hours=2), "email")]  # another stream's: not replayed here
    path = _write(folder, rows, {"arrivals": {"trace": "log.csv"}})
    inside = seconds[(seconds >= 0) & (seconds < 86400)]
    return path, inside


def test_replications_replay_the_trace_exactly(tmp_path: Path) -> None:
    path, inside = _trace(tmp_path)
    conversations = simulator.run(load_scenario(path), replications=2, seed=5).conversations
    for _, one in conversations.groupby("replication"):
        assert np.array_equal(np.sort(one["arrived_at"].to_numpy()), inside)
    handles = conversations.groupby("replication")["ended_at"].sum()
    assert handles.iloc[0] != handles.iloc[1]  # handle times and patience still differ


def test_validate_counts_the_arrivals_dropped_outside_the_run(tmp_path: Path) -> None:
    path, inside = _trace(tmp_path)
    result = CliRunner().invoke(cli, ["validate", str(path)])
    assert result.exit_code == 0, result.output
    assert f"replays {inside.size} arrivals" in result.output
    assert f"({120 - inside.size} outside the run dropped)" in result.output


@pytest.mark.parametrize(
    ("stream", "says"),
    [
        ({"arrivals": {"trace": "log.csv"}, "per_hour": 5}, "per_hour would be ignored"),
        ({"arrivals": {"trace": "log.csv"}, "noise": {"daily_cv": 0.1}}, "noise would be ignored"),
        ({}, "a stream needs per_hour"),
    ],
)
def test_a_trace_refuses_a_rate_model(tmp_path: Path, stream: dict[str, Any], says: str) -> None:
    path = _write(tmp_path, [(START, "chat")], stream)
    with pytest.raises(ScenarioError, match=says) as caught:
        load_scenario(path)
    assert caught.value.path == "streams.chat"


def test_a_trace_without_this_stream_or_with_a_bad_row_is_named(tmp_path: Path) -> None:
    path = _write(tmp_path, [(START, "chats")], {"arrivals": {"trace": "log.csv"}})
    with pytest.raises(ScenarioError, match="no rows whose stream is 'chat'") as caught:
        load_scenario(path)
    assert caught.value.path == "streams.chat.arrivals.trace"
    (tmp_path / "log.csv").write_text("arrived_at,stream\n2026-01-05T01:00:00Z,chat\nnoon,chat\n")
    with pytest.raises(ScenarioError, match="row 3, column 'arrived_at': 'noon'"):
        load_scenario(path)
