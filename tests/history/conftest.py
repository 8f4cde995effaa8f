"""A small known scenario, its run and its contact log, shared by the history tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

WEEK_SCENARIO: dict[str, Any] = {
    "name": "history-week",
    "start": "2026-03-02T00:00:00Z",
    "horizon": "1w",
    "replications": 1,
    "seed": 7,
    "streams": {
        "chat": {
            "per_hour": 20,
            "profile": {
                "region": "UTC",
                "hourly": [0.2] * 7
                + [1.0, 1.6, 1.8, 1.8, 1.6, 1.5, 1.5, 1.6, 1.6, 1.4, 1.2, 1.0]
                + [0.8, 0.6, 0.4, 0.3, 0.2],
                "days": {
                    "Mon": 1.2,
                    "Tue": 1.1,
                    "Wed": 1.1,
                    "Thu": 1.0,
                    "Fri": 1.0,
                    "Sat": 0.5,
                    "Sun": 0.4,
                },
            },
            "conversation": {
                "handle": {"dist": "exponential", "mean": "4min"},
                "patience": {"dist": "exponential", "mean": "5min"},
                "wrap_up": {"dist": "fixed", "value": "30s"},
            },
        }
    },
    "teams": {
        "support": {
            "serves": ["chat"],
            "roster": [
                {"days": "Mon-Sat", "start": "07:00", "end": "15:00", "agents": 4},
                {"days": "Mon-Sat", "start": "13:00", "end": "21:00", "agents": 3},
                {"days": "daily", "start": "21:00", "end": "31:00", "agents": 1},
                {"days": "Sun", "start": "07:00", "end": "21:00", "agents": 1},
            ],
        }
    },
}


@pytest.fixture(scope="session")
def week_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The results folder of one replication of :data:`WEEK_SCENARIO`."""
    from simulator import load_scenario, run
    from simulator.results_writer import write_results

    folder = tmp_path_factory.mktemp("week") / "results"
    result = run(load_scenario(WEEK_SCENARIO))
    write_results(result, folder)
    return folder


@pytest.fixture(scope="session")
def week_log(week_run: Path) -> Path:
    """:data:`WEEK_SCENARIO`'s replication 0 as a contact log CSV."""
    from simulator.history.export import export_log

    path = week_run.parent / "log.csv"
    export_log(week_run, path)
    return path
