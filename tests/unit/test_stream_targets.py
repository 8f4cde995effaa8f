"""Targets per stream: each conversation is judged against its own stream's target
(``streams.NAME.targets``, key by key, else the scenario's ``targets``).

Timelines with fixed durations; the expected shares are derived in the docstrings
and checked against the share computed from the conversations themselves."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import simulator
from simulator.statistics.metrics import replication_metrics
from tests.unit.timeline import fixed, simulate_at

CHAT_OWN = {"frt": "2min", "followup": "4min"}
SCENARIO_TARGETS = {"frt": "10min", "followup": "10min"}


def two_streams(chat_targets: dict[str, str] | None) -> dict[str, Any]:
    """Chat and inbox, one agent each (concurrency 1): 300 s replies, two exchanges,
    the customer writes back 100 s after each reply."""
    shape = {"handle": fixed(300), "exchanges": 2, "reply_delay": fixed(100)}
    chat: dict[str, Any] = {"per_hour": 1, "conversation": shape}
    if chat_targets is not None:
        chat["targets"] = chat_targets
    return {
        "targets": SCENARIO_TARGETS,
        "streams": {"chat": chat, "inbox": {"per_hour": 1, "conversation": shape}},
        "teams": {
            "chat_team": {"agents": 1, "serves": ["chat"]},
            "inbox_team": {"agents": 1, "serves": ["inbox"]},
        },
    }


def test_the_same_wait_meets_one_streams_target_and_misses_the_others(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Per stream: A arrives 0, first reply 300 (FRT 300), customer writes 400, answered
    700 (follow-up 300); B arrives 10, picked at 700, first reply 1000 (FRT 990), writes
    1100, answered 1400 (follow-up 300). Chat's own targets are 2 min and 4 min: no
    first reply (300, 990 > 120) and no follow-up (300 > 240) within. The inbox keeps
    the scenario's 10 min: FRT 300 within, 990 not (1/2); both follow-ups within."""
    record = simulate_at(monkeypatch, two_streams(CHAT_OWN), {"chat": [0, 10], "inbox": [0, 10]})
    frt = (record.conversations["first_reply_at"] - record.conversations["arrived_at"]).tolist()
    assert frt == [300, 300, 990, 990]
    assert record.followups["response_s"].tolist() == [300] * 4
    scenario = simulator.load_scenario({"name": "t", "horizon": "3h", **two_streams(CHAT_OWN)})
    metrics = replication_metrics(record, scenario)
    by_stream = metrics["by_stream"]
    assert by_stream["chat"]["frt_s"]["within_target"] == 0.0
    assert by_stream["inbox"]["frt_s"]["within_target"] == 0.5
    assert metrics["overall"]["frt_s"]["within_target"] == 0.25
    assert by_stream["chat"]["followup_s"]["within_target"] == 0.0
    assert by_stream["inbox"]["followup_s"]["within_target"] == 1.0
    assert metrics["overall"]["followup_s"]["within_target"] == 0.5

    # The same shares from the conversations, each with its own stream's threshold.
    own = {"chat": 120.0, "inbox": 600.0}
    conversations = record.conversations
    for stream, threshold in own.items():
        rows = conversations[conversations["stream"] == stream]
        share = float(np.mean(rows["first_reply_at"] - rows["arrived_at"] <= threshold))
        assert by_stream[stream]["frt_s"]["within_target"] == share


def test_a_stream_key_left_out_keeps_the_scenarios() -> None:
    scenario = simulator.load_scenario(
        {"name": "t", "horizon": "3h", **two_streams({"frt": "2min"})}
    )
    assert scenario.stream_targets("chat").frt == 120.0
    assert scenario.stream_targets("chat").followup == 600.0
    assert scenario.stream_targets("inbox") == scenario.targets


def test_stream_targets_equal_to_the_scenarios_change_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    arrivals = {"chat": [0, 10, 20], "inbox": [5, 15]}
    summaries = []
    for chat_targets in (None, SCENARIO_TARGETS):
        spec = two_streams(chat_targets)
        record = simulate_at(monkeypatch, spec, arrivals)
        scenario = simulator.load_scenario({"name": "t", "horizon": "3h", **spec})
        summaries.append(replication_metrics(record, scenario))
    assert summaries[0] == summaries[1]


def test_undecided_near_the_horizon_by_each_streams_own_target(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """One agent serves both streams with 3 h replies: A (chat, 0) is never answered by
    the horizon (3 h); B (chat) and C (inbox) arrive at 9000, 1800 s before the horizon,
    unanswered. Chat's 2 min target has passed for both chat conversations: two misses.
    The inbox's 1 h target has not passed for C: it cannot be judged yet, so the
    inbox has no share, and the overall share is 0 of 2."""
    spec = {
        "targets": {"frt": "1h"},
        "streams": {
            name: {"per_hour": 1, "conversation": {"handle": fixed(3 * 3600)}}
            for name in ("chat", "inbox")
        },
        "teams": {"support": {"agents": 1, "serves": ["chat", "inbox"]}},
    }
    spec["streams"]["chat"]["targets"] = {"frt": "2min"}
    record = simulate_at(monkeypatch, spec, {"chat": [0, 9000], "inbox": [9000]})
    metrics = replication_metrics(
        record, simulator.load_scenario({"name": "t", "horizon": "3h", **spec})
    )
    assert metrics["by_stream"]["chat"]["frt_s"]["within_target"] == 0.0
    assert metrics["by_stream"]["inbox"]["frt_s"]["within_target"] is None
    assert metrics["overall"]["frt_s"]["within_target"] == 0.0


def test_a_stream_target_alone_gives_shares_where_it_applies(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """No scenario targets; only chat has one: the inbox has no share and the overall
    share counts chat conversations only (FRT 300 and 990 against 10 min: 1 of 2)."""
    spec = two_streams({"frt": "10min"})
    del spec["targets"]
    record = simulate_at(monkeypatch, spec, {"chat": [0, 10], "inbox": [0, 10]})
    metrics = replication_metrics(
        record, simulator.load_scenario({"name": "t", "horizon": "3h", **spec})
    )
    assert metrics["by_stream"]["chat"]["frt_s"]["within_target"] == 0.5
    assert metrics["by_stream"]["inbox"]["frt_s"]["within_target"] is None
    assert metrics["overall"]["frt_s"]["within_target"] == 0.5
    assert metrics["overall"]["followup_s"]["within_target"] is None
