"""Throughput and load per team: conversations first answered and replies per
on-shift agent-hour, and conversations held per agent present (time-weighted).

Timelines with fixed durations; expected numbers are derived in the docstrings."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import simulator
from simulator.statistics.metrics import replication_metrics
from tests.unit.timeline import fixed, simulate_at, team_row

HOUR = 3600.0


def spec(**extra: Any) -> dict[str, Any]:
    """One agent, concurrency 2, 1000 s replies, two exchanges, the customer writes
    back 100 s after each reply (as in the engine timelines)."""
    return {
        "streams": {
            "chat": {
                "per_hour": 1,
                "conversation": {"handle": fixed(1000), "exchanges": 2, "reply_delay": fixed(100)},
            }
        },
        "teams": {"support": {"agents": 1, "concurrency": 2, "serves": ["chat"]}},
        **extra,
    }


def test_replies_and_time_held_after_warmup(monkeypatch: pytest.MonkeyPatch) -> None:
    """A arrives 0, first reply 1000, follow-up answered 3000 (resolved); B arrives 500,
    first reply 2000, follow-up answered 4000. With warmup 1000 s: 2 first replies and
    4 replies after warmup; A is held 1000-3000 and B 1000-4000 after warmup: 5000
    conversation-seconds over 9800 s on shift (horizon 3 h)."""
    record = simulate_at(monkeypatch, spec(warmup="1000s"), {"chat": [0, 500]})
    team = team_row(record, "support")
    assert team["on_shift_s"] == 3 * HOUR - 1000
    assert (team["first_replies"], team["replies"], team["held_s"]) == (2, 4, 5000)
    scenario = simulator.load_scenario({"name": "t", "horizon": "3h", **spec(warmup="1000s")})
    support = replication_metrics(record, scenario)["by_team"]["support"]
    assert support["per_agent_hour"] == pytest.approx(2 / (9800 / HOUR))
    assert support["replies_per_agent_hour"] == pytest.approx(4 / (9800 / HOUR))
    assert support["concurrency_held"] == pytest.approx(5000 / 9800)


def test_time_away_holds_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    """One agent on 00:00-01:00 with ownership, 200 s of overtime at most, and what is
    left waiting for its owner: A arrives 3000 and is picked up at once; overtime runs
    out at 3800 with A's first reply still being typed (1000 s), so the agent leaves at
    4000 after sending it and keeps A (its customer writes back at 4100 to nobody).
    Held while present: 3000-4000 = 1000 s over 4000 s present; nothing counts while
    away."""
    scenario = spec(
        handoff={"policy": "ownership", "max_overtime": "200s", "leftover": "wait_for_owner"}
    )
    scenario["teams"]["support"] = {
        "concurrency": 2,
        "serves": ["chat"],
        "roster": [{"days": "daily", "start": "00:00", "end": "01:00", "agents": 1}],
    }
    record = simulate_at(monkeypatch, scenario, {"chat": [3000]})
    team = team_row(record, "support")
    assert record.conversations["first_reply_at"].tolist() == [4000]
    assert team["on_shift_s"] == 4000
    assert team["held_s"] == 1000
    assert (team["first_replies"], team["replies"]) == (1, 1)


def test_per_agent_hour_is_the_conversations_first_answered_per_on_shift_hour() -> None:
    """Random arrivals, shifts and patience: in every replication, per_agent_hour is
    the number of conversations whose first reply came after warmup, read from the
    conversations table, over the team's on-shift hours."""
    scenario = simulator.load_scenario(
        {
            "name": "throughput",
            "horizon": "2d",
            "warmup": "6h",
            "streams": {
                "chat": {
                    "per_hour": 30,
                    "conversation": {
                        "first_handle": {"dist": "exponential", "mean": "3min"},
                        "handle": {"dist": "exponential", "mean": "1min"},
                        "exchanges": {"dist": "geometric", "mean": 2},
                        "reply_delay": {"dist": "exponential", "mean": "2min"},
                        "patience": {"dist": "exponential", "mean": "10min"},
                    },
                }
            },
            "teams": {
                "live": {
                    "concurrency": 3,
                    "serves": ["chat"],
                    "roster": [
                        {"days": "daily", "start": "06:00", "end": "14:00", "agents": 2},
                        {"days": "daily", "start": "12:00", "end": "22:00", "agents": 2},
                    ],
                }
            },
        }
    )
    result = simulator.run(scenario, replications=3, seed=11)
    conversations = result.conversations
    for replication, tree in enumerate(result.replication_metrics):
        rows = conversations[conversations["replication"] == replication]
        answered = int(np.count_nonzero(rows["first_reply_at"] >= scenario.warmup))
        hours = float(result.records[replication].teams.set_index("team").loc["live", "on_shift_s"])
        assert answered > 0
        assert tree["by_team"]["live"]["per_agent_hour"] == pytest.approx(
            answered / (hours / HOUR), rel=1e-12
        )
