"""The engine's fast paths change nothing: with them switched off (every conversation
goes through its queue's heap, every team takes the general pick-up path, every
agent pulls through the dispatcher's general search) a shipped scenario gives the
same record, bit for bit."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml

import simulator
from simulator.model import engine
from simulator.model.dispatcher import Dispatcher
from simulator.model.queues import Queue
from simulator.recording import ReplicationRecord
from simulator.rng import RandomSource
from tests.unit.timeline import column, fixed, shift, simulate_at

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
TABLES = ("conversations", "followups", "teams", "states", "tickets", "agents", "unowned")


def shortened(name: str) -> Any:
    """A shipped scenario cut to three days (two after warmup)."""
    raw = yaml.safe_load((SCENARIOS / name).read_text())
    raw["horizon"] = "3d"
    return simulator.load_scenario(raw)


@pytest.mark.parametrize(
    ("name", "plain_teams"),
    [
        ("live_chat_handback.yaml", True),  # backups, hand-backs, one plain team
        ("live_chat_ownership_inbox.yaml", True),  # ownership, two streams
        ("inbox_launch_tiger.yaml", False),  # skills and triage: no plain team
    ],
)
def test_fast_paths_change_no_number(
    monkeypatch: pytest.MonkeyPatch, name: str, plain_teams: bool
) -> None:
    scenario = shortened(name)
    passed = []
    pass_through = Queue.pass_through

    def counted(self: Queue, conversation: Any, now: float) -> None:
        passed.append(now)
        pass_through(self, conversation, now)

    monkeypatch.setattr(Queue, "pass_through", counted)
    pullers = []
    puller = Dispatcher.puller

    def noted(self: Dispatcher, team: Any, agent: Any) -> Any:
        pullers.append(puller(self, team, agent))
        return pullers[-1]

    monkeypatch.setattr(Dispatcher, "puller", noted)
    fast = engine.simulate(scenario, seed=5, replication=0)
    assert passed, "no conversation was handed straight over: the test shows nothing"
    assert any(not isinstance(p, partial) for p in pullers), "no agent pulled from one queue"

    build = engine.build
    plain = []

    def general(*args: Any) -> Any:
        organisation = build(*args)
        for team in organisation.teams:
            plain.append(team.plain)
            team.plain = False
        return organisation

    monkeypatch.setattr(engine, "build", general)
    _dispatch_without_shortcuts(monkeypatch)
    slow = engine.simulate(scenario, seed=5, replication=0)
    assert any(plain) == plain_teams
    _assert_same(fast, slow)


def _dispatch_without_shortcuts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every arrival admitted, every conversation through its queue's heap, every
    agent pulling through the dispatcher's general search."""
    monkeypatch.setattr(Dispatcher, "direct_queue", lambda self, customers: None)
    monkeypatch.setattr(Dispatcher, "hands_over", False)
    monkeypatch.setattr(Dispatcher, "pulls_from_one_queue", False)


def _assert_same(fast: ReplicationRecord, slow: ReplicationRecord) -> None:
    for table in TABLES:
        pd.testing.assert_frame_equal(getattr(fast, table), getattr(slow, table), check_exact=True)


def test_a_plain_team_undoes_the_skill_of_the_team_before(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Experts (skill 0.5, sharing) take A (2000 s of work, so 1000 s for them) at 0
    and hand it back at their shift end, 600, with 400 s of their work left: 800 s at
    skill 1. The general team (the plain fast path) picks it up at 600, re-reads for
    60 s, and replies at 600 + 60 + 800."""
    record = simulate_at(
        monkeypatch,
        {
            "streams": {"chat": {"per_hour": 1, "conversation": {"handle": fixed(2000)}}},
            "teams": {
                "experts": {
                    "serves": ["chat"],
                    "attention": "shared",
                    "skills": {"chat": 0.5},
                    "roster": [shift("experts", "00:00", "00:10")],
                },
                "general": {"serves": ["chat"], "roster": [shift("general", "00:10", "03:00")]},
            },
            "handoff": {"policy": "handback", "reread": {"base": "1min", "per_exchange": "20s"}},
        },
        {"chat": [0]},
    )
    assert column(record, "picked_up_at") == [0]
    assert column(record, "handbacks") == [1]
    assert column(record, "first_reply_at") == [600 + 60 + 800]


def test_direct_admission_changes_no_number(monkeypatch: pytest.MonkeyPatch) -> None:
    """A stream with no bot, no routing and no patience joins its queue without the
    dispatcher's admission step; a stream with patience is admitted. Either way,
    with every shortcut off the record is the same, bit for bit."""
    scenario = simulator.load_scenario(
        {
            "name": "direct",
            "horizon": "2d",
            "streams": {
                "chat": {"per_hour": 40, "conversation": {"handle": fixed(300)}},
                "mail": {
                    "per_hour": 20,
                    "conversation": {
                        "handle": {"dist": "exponential", "mean": "6min"},
                        "patience": {"dist": "exponential", "mean": "20min"},
                    },
                },
            },
            "teams": {"support": {"agents": 6, "serves": ["chat", "mail"]}},
        }
    )
    chosen = []
    direct_queue = Dispatcher.direct_queue

    def noted(self: Dispatcher, customers: Any) -> Any:
        queue = direct_queue(self, customers)
        chosen.append(queue is not None)
        return queue

    monkeypatch.setattr(Dispatcher, "direct_queue", noted)
    fast = engine.simulate(scenario, seed=3, replication=0)
    assert chosen == [True, False]
    _dispatch_without_shortcuts(monkeypatch)
    slow = engine.simulate(scenario, seed=3, replication=0)
    assert (fast.conversations["outcome"] == "abandoned").any()
    _assert_same(fast, slow)


def test_one_stream_joining_directly_changes_no_number(monkeypatch: pytest.MonkeyPatch) -> None:
    """One stream that only joins its queue: each arrival is created and enqueued in
    one step (its rank is its index). With every shortcut off, the same record."""
    scenario = simulator.load_scenario(
        {
            "name": "one stream",
            "horizon": "2d",
            "streams": {
                "chat": {
                    "per_hour": 50,
                    "conversation": {"handle": {"dist": "exponential", "mean": "6min"}},
                }
            },
            "teams": {"support": {"agents": 6, "serves": ["chat"]}},
        }
    )
    arrival = engine.Engine(scenario, RandomSource(3, 0)).arrival()
    assert arrival.__name__ == "join", "the one-stream shortcut was not taken"
    fast = engine.simulate(scenario, seed=3, replication=0)
    _dispatch_without_shortcuts(monkeypatch)
    slow = engine.simulate(scenario, seed=3, replication=0)
    waited = fast.conversations["picked_up_at"] > fast.conversations["arrived_at"]
    assert waited.any() and not waited.all()  # through the queue's heap and straight over
    _assert_same(fast, slow)
