"""export-log: a run's own conversations as a contact log the reader accepts."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
from click.testing import Result

from simulator.history.contact_log import read_contact_log
from simulator.history.export import contact_log_frame
from tests.history.conftest import WEEK_SCENARIO


def test_the_log_holds_every_finished_conversation_with_its_times(
    week_run: Path, week_log: Path
) -> None:
    conversations = pd.read_parquet(week_run / "conversations.parquet")
    log = read_contact_log(week_log)
    assert len(log.contacts) == len(conversations)
    counts = log.contacts["outcome"].value_counts()
    outcomes = conversations["outcome"].astype(str).value_counts()
    assert counts["answered"] == outcomes["resolved"]
    assert counts["abandoned"] == outcomes["abandoned"]
    start = pd.Timestamp(WEEK_SCENARIO["start"]).timestamp()
    resolved = conversations[conversations["outcome"] == "resolved"]
    answered = log.contacts[log.contacts["outcome"] == "answered"]
    np.testing.assert_allclose(
        np.sort(answered["answered"] - start), np.sort(resolved["picked_up_at"]), atol=1e-5
    )
    assert set(answered["agent"]) == set(resolved["agent"].astype(str))


def test_open_conversations_are_left_out_and_counted() -> None:
    conversations = pd.DataFrame(
        {
            "arrived_at": [0.0, 10.0, 20.0],
            "picked_up_at": [5.0, np.nan, np.nan],
            "ended_at": [65.0, np.nan, 50.0],
            "outcome": ["resolved", "open", "abandoned"],
            "agent": ["ann", None, None],
            "stream": ["chat"] * 3,
        }
    )
    log, left_out = contact_log_frame(conversations, pd.Timestamp("2026-03-02T00:00:00Z"))
    assert left_out == 1
    assert log["outcome"].tolist() == ["answered", "abandoned"]
    assert log["answered_at"].tolist() == ["2026-03-02T00:00:05.000000+00:00", ""]
    assert log["ended_at"].tolist()[1] == "2026-03-02T00:00:50.000000+00:00"


def test_export_log_command_prints_the_open_note(
    invoke: Callable[..., Result], tmp_path: Path
) -> None:
    from simulator import load_scenario, run
    from simulator.results_writer import write_results

    busy = copy.deepcopy(WEEK_SCENARIO)
    busy["horizon"] = "3h"
    busy["streams"]["chat"]["per_hour"] = 400
    busy["streams"]["chat"]["conversation"].pop("patience")
    busy["teams"]["support"]["roster"] = [{"start": "00:00", "end": "24:00", "agents": 1}]
    write_results(run(load_scenario(busy)), tmp_path / "busy")
    done = invoke("export-log", tmp_path / "busy", "--out", tmp_path / "log.csv")
    assert done.exit_code == 0, done.stderr
    assert "still open at the horizon were left out" in done.stderr
    assert read_contact_log(tmp_path / "log.csv").contacts["outcome"].size > 0


def test_export_log_refuses_a_missing_replication(
    invoke: Callable[..., Result], week_run: Path, tmp_path: Path
) -> None:
    done = invoke("export-log", week_run, "--out", tmp_path / "x.csv", "--replication", "5")
    assert done.exit_code == 2
    assert "no replication 5" in done.stderr
    assert not (tmp_path / "x.csv").exists()
