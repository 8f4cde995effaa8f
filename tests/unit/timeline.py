"""Helpers for exact-timeline tests: fixed durations and arrivals at chosen instants."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

import simulator
from simulator.model import engine
from simulator.recording import ReplicationRecord


def fixed(seconds: float) -> dict[str, Any]:
    return {"dist": "fixed", "value": f"{seconds}s"}


def shift(label: str, start: str, end: str) -> dict[str, Any]:
    """A roster entry: one agent, every day from ``start`` to ``end``."""
    return {"label": label, "days": "daily", "start": start, "end": end, "agents": 1}


def simulate_at(
    monkeypatch: pytest.MonkeyPatch, scenario: dict[str, Any], arrivals: dict[str, list[float]]
) -> ReplicationRecord:
    """Run one replication with each stream's arrivals at the given instants."""
    loaded = simulator.load_scenario({"name": "timeline", "horizon": "3h", **scenario})
    by_rate = {id(stream): arrivals[name] for name, stream in loaded.streams.items()}

    def chosen(stream: Any, start: Any, horizon: float, rng: Any) -> np.ndarray:
        return np.asarray(by_rate[id(stream)], dtype=float)

    monkeypatch.setattr(engine, "arrival_times", chosen)
    return engine.simulate(loaded, seed=1, replication=0)


def column(record: ReplicationRecord, name: str) -> list[Any]:
    """A conversations column as a plain list (NaN as None), in arrival order."""
    values = record.conversations[name]
    return [None if pd.isna(v) else (v if isinstance(v, str) else float(v)) for v in values]


def team_row(record: ReplicationRecord, team: str) -> dict[str, Any]:
    teams = record.teams.set_index("team")
    return teams.loc[team].to_dict()
