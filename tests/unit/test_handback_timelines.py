"""Exact timelines of where and when handed-back conversations are served
(``handoff.handback``: the queue they return to and their order there).

One setup for every order, with fixed 1000 s replies: the early team (00:00-00:30)
serves ``chat``; the late team (from 00:30) serves ``web``, where hand-backs go.
Chat A (arrived 10, three replies, customer delay 100 s) gets replies at 1010 and
2110; the early agent leaves after the second (shift end 1800 fell while typing),
so A is handed back while waiting on the customer (parked). Its customer writes at
2210, while nobody holds it: A joins ``web``. Web conversations (one reply each):
C at 0 and D at 5 wait for the late agent, who takes C at 1800 and finishes it at
2800; E arrives at 1900. At 2800 D (arrived 5), A (arrived 10, handed back) and E
(arrived 1900) wait. A's pick-up costs a re-read of 60 + 20 * 2 = 100 s first.
"""

from __future__ import annotations

from typing import Any

import pytest

import simulator
from simulator.errors import ScenarioError
from simulator.model.conversation import Conversation, Customers
from simulator.model.queues import Queue
from simulator.statistics.metrics import replication_metrics
from tests.unit.timeline import column, fixed, shift, simulate_at, team_row

REREAD = 100.0
ASKED = 2210.0  # A's customer writes while A is unowned


STREAMS = {
    "chat": {
        "per_hour": 1,
        "conversation": {"handle": fixed(1000), "exchanges": 3, "reply_delay": fixed(100)},
    },
    "web": {"per_hour": 1, "conversation": {"handle": fixed(1000)}},
}
TEAMS = {
    "early": {"serves": ["chat"], "roster": [shift("early", "00:00", "00:30")]},
    "late": {
        "serves": ["web"],
        "streams": ["chat", "web"],
        "roster": [shift("late", "00:30", "03:00")],
    },
}


def handback_run(monkeypatch: pytest.MonkeyPatch, **handback: Any) -> Any:
    return simulate_at(
        monkeypatch,
        {
            "streams": STREAMS,
            "teams": TEAMS,
            "handoff": {
                "policy": "handback",
                "reread": {"base": "1min", "per_exchange": "20s"},
                "handback": {"to": "web", **handback},
            },
        },
        {"chat": [10], "web": [0, 5, 1900]},
    )


@pytest.mark.parametrize(
    ("order", "d_end", "a_end", "e_end"),
    [
        # by arrival: D (5), then A (10) at 3800, then E
        ("arrival", 3800, 3800 + REREAD + 1000, 3800 + REREAD + 2000),
        # first: A at 2800 ahead of both, then D, then E
        ("first", 2800 + REREAD + 2000, 2800 + REREAD + 1000, 2800 + REREAD + 3000),
        # after_new: behind both new ones, D then E, then A at 4800
        ("after_new", 3800, 4800 + REREAD + 1000, 4800),
    ],
)
def test_handed_back_conversation_takes_its_orders_place(
    monkeypatch: pytest.MonkeyPatch, order: str, d_end: float, a_end: float, e_end: float
) -> None:
    record = handback_run(monkeypatch, order=order)
    # arrival order: C (0), D (5), A (10), E (1900)
    assert column(record, "ended_at") == [2800, d_end, a_end, e_end]
    assert column(record, "outcome") == ["resolved"] * 4
    assert column(record, "handbacks") == [0, 0, 1, 0]
    team = team_row(record, "late")
    assert team["reread_s"] == REREAD
    # the customer's message written while A was unowned waits until the pick-up,
    # and that wait is part of its follow-up response time
    followups = record.followups
    assert followups["response_s"].tolist() == [2110 - 1110, a_end - ASKED]
    assert followups["after_handback"].tolist() == [False, True]


def test_handback_defaults_keep_the_conversations_own_queue(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Without ``to`` A returns to ``chat``, which the late team does not serve and
    the early team has left: it stays open."""
    record = handback_run(monkeypatch, to=None)
    assert column(record, "outcome") == ["resolved", "resolved", "open", "resolved"]
    assert column(record, "ended_at") == [2800, 3800, None, 4800]


def test_a_handback_queue_nobody_serves_is_a_scenario_error() -> None:
    scenario = {
        "name": "unserved",
        "horizon": "1h",
        "streams": {"chat": {"per_hour": 1, "conversation": {"handle": fixed(60)}}},
        "teams": {"support": {"agents": 1, "serves": ["chat"]}},
        "handoff": {"handback": {"to": "inbox", "order": "after_new"}},
    }
    with pytest.raises(ScenarioError) as caught:
        simulator.load_scenario(scenario)
    assert caught.value.path == "handoff.handback.to"
    assert "inbox" in str(caught.value)


def test_extra_exchanges_repeat_the_last_exchange(monkeypatch: pytest.MonkeyPatch) -> None:
    """Order first with two extra exchanges: the late agent takes A at 2800 and
    replies at 2800 + 100 + 1000 = 3900 (A's third and last reply); then the customer
    repeats the story twice, each round as long as A's last exchange (100 s to write,
    1000 s to answer): 4000-5000 and 5100-6100, when A is resolved after five replies.
    D and E wait behind it (concurrency 1): 6100-7100 and 7100-8100."""
    record = handback_run(monkeypatch, order="first", extra_exchanges=2)
    assert column(record, "ended_at") == [2800, 7100, 6100, 8100]
    assert column(record, "exchanges") == [1, 1, 5, 1]
    responses = record.followups["response_s"].tolist()
    assert responses == [1000, 3900 - ASKED, 1000, 1000]


def test_no_extra_exchanges_before_a_first_reply() -> None:
    """A conversation handed back before its first reply has no story to repeat."""
    customers = Customers([3], [10.0], [20.0, 30.0], [1.0, 2.0], [0], None, None)
    conversation = Conversation(0, 0, 0.0, customers, Queue("chat", 0))
    conversation.repeat(2)
    assert (conversation.needed, conversation.repeats) == (3, 0)
    conversation.sent = 2  # after the second reply: repeat that exchange (index 1)
    conversation.repeat(2)
    assert (conversation.needed, conversation.repeats) == (5, 2)
    assert conversation.reply_delay() == 2.0
    conversation.owe_next_reply()
    assert (conversation.work, conversation.repeats, conversation.shift) == (30.0, 1, 1)


def test_summary_counts_the_handed_back_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    """Under after_new A is handed back at 2110 (the early agent's departure) and
    picked up at 4800: one spell of 2690 s, the early team's, in stream chat."""
    record = handback_run(monkeypatch, order="after_new")
    loaded = simulator.load_scenario(
        {"name": "timeline", "horizon": "3h", "streams": STREAMS, "teams": TEAMS}
    )
    metrics = replication_metrics(record, loaded)
    spell = {"conversations": 1, "wait_s": {"mean": 2690.0, "p50": 2690.0, "p90": 2690.0}}
    assert metrics["overall"]["handed_back"] == spell
    assert metrics["by_stream"]["chat"]["handed_back"] == spell
    assert metrics["by_stream"]["web"]["handed_back"]["conversations"] == 0
    assert metrics["by_team"]["early"]["handed_back"] == spell
    assert metrics["by_team"]["late"]["handed_back"]["conversations"] == 0
    assert metrics["overall"]["waiting_for_owner"]["conversations"] == 0
