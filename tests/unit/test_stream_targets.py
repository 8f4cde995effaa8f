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
from tests.unit.timeline import column, fixed, simulate_at

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


def test_a_team_is_judged_on_what_it_answered_each_against_its_own_stream(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """One agent serves chat (2 min target, patience 200 s) then the inbox (the
    scenario's 10 min), 300 s replies, one exchange; a second team serves nothing
    that arrives. Chat A (0) is answered at 300 (FRT 300: a miss); chat B (1)
    abandons at 201; inbox C (5) is picked at 300 and answered at 600 (FRT 595:
    within). The team's share is 1 of its 2 answered (B is in no team's share);
    the overall share counts B as a miss: 1 of 3. The idle team has no share."""
    spec = {
        "targets": {"frt": "10min"},
        "streams": {
            "chat": {
                "per_hour": 1,
                "targets": {"frt": "2min"},
                "conversation": {"handle": fixed(300), "patience": fixed(200)},
            },
            "inbox": {"per_hour": 1, "conversation": {"handle": fixed(300)}},
            "mail": {"per_hour": 1, "conversation": {"handle": fixed(300)}},
        },
        "teams": {
            "support": {"agents": 1, "serves": ["chat", "inbox"]},
            "idle": {"agents": 1, "serves": ["mail"]},
        },
    }
    record = simulate_at(monkeypatch, spec, {"chat": [0, 1], "inbox": [5], "mail": []})
    assert column(record, "outcome") == ["resolved", "abandoned", "resolved"]
    assert column(record, "first_reply_at") == [300, None, 600]
    metrics = replication_metrics(
        record, simulator.load_scenario({"name": "t", "horizon": "3h", **spec})
    )
    assert metrics["by_team"]["support"]["frt_s"]["within_target"] == 0.5
    assert metrics["by_team"]["idle"]["frt_s"]["within_target"] is None
    assert metrics["by_team"]["support"]["followup_s"]["within_target"] is None
    assert metrics["overall"]["frt_s"]["within_target"] == pytest.approx(1 / 3)


def test_team_shares_equal_the_conversations_table() -> None:
    """Random arrivals, two teams serving both streams in opposite orders, different
    targets per stream, follow-ups and abandonment: in every replication each team's
    within_target shares are those computed from conversations.parquet (its ``team``
    column, counted after warmup) and the follow-ups table, each conversation against
    its own stream's target."""
    shape = {
        "first_handle": {"dist": "exponential", "mean": "4min"},
        "handle": {"dist": "exponential", "mean": "2min"},
        "exchanges": {"dist": "geometric", "mean": 2},
        "reply_delay": {"dist": "exponential", "mean": "2min"},
        "patience": {"dist": "exponential", "mean": "15min"},
    }
    targets = {"chat": (120.0, 240.0), "inbox": (1800.0, 3600.0)}
    scenario = simulator.load_scenario(
        {
            "name": "team-shares",
            "horizon": "2d",
            "warmup": "6h",
            "targets": {"frt": "30min", "followup": "1h"},
            "streams": {
                "chat": {
                    "per_hour": 20,
                    "targets": {"frt": "2min", "followup": "4min"},
                    "conversation": shape,
                },
                "inbox": {"per_hour": 10, "conversation": shape},
            },
            "teams": {
                "live": {"agents": 2, "concurrency": 2, "serves": ["chat", "inbox"]},
                "mail": {"agents": 1, "concurrency": 2, "serves": ["inbox", "chat"]},
            },
        }
    )
    result = simulator.run(scenario, replications=2, seed=5)
    conversations = result.conversations
    followups = result.followups
    for replication, tree in enumerate(result.replication_metrics):
        rows = conversations[
            (conversations["replication"] == replication)
            & (conversations["arrived_at"] >= scenario.warmup)
        ]
        asked = followups[followups["replication"] == replication]
        for team in ("live", "mail"):
            own = rows[(rows["team"] == team) & rows["first_reply_at"].notna()]
            frt = own["first_reply_at"] - own["arrived_at"]
            limit = own["stream"].map({s: t[0] for s, t in targets.items()}).astype(float)
            later = asked[asked["conversation"].isin(own["conversation"])].merge(
                own[["conversation", "stream"]], on="conversation"
            )
            later = later[later["response_s"].notna()]
            wait = later["stream"].map({s: t[1] for s, t in targets.items()}).astype(float)
            assert len(own) > 0 and len(later) > 0
            block = tree["by_team"][team]
            assert block["frt_s"]["within_target"] == pytest.approx(float(np.mean(frt <= limit)))
            assert block["followup_s"]["within_target"] == pytest.approx(
                float(np.mean(later["response_s"] <= wait))
            )
