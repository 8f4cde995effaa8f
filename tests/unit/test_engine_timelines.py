"""Exact timelines of the engine's mechanisms, with fixed durations.

Each test states the timeline it expects in its docstring; numbers in the
assertions are derived from those durations, not read off a run.
"""

from __future__ import annotations

import math
from typing import Any

import pytest

from tests.unit.timeline import column, fixed, shift, simulate_at, team_row

NAN = None


def chat(**conversation: Any) -> dict[str, Any]:
    return {"chat": {"per_hour": 1, "conversation": conversation}}


def test_first_come_first_served_single_agent(monkeypatch: pytest.MonkeyPatch) -> None:
    """Arrivals 0, 60, 120; 100 s replies: picked up at 0, 100, 200."""
    record = simulate_at(
        monkeypatch,
        {
            "streams": chat(handle=fixed(100)),
            "teams": {"support": {"agents": 1, "serves": ["chat"]}},
        },
        {"chat": [0, 60, 120]},
    )
    assert column(record, "picked_up_at") == [0, 100, 200]
    assert column(record, "first_reply_at") == [100, 200, 300]
    assert column(record, "ended_at") == [100, 200, 300]
    assert column(record, "outcome") == ["resolved"] * 3


def test_owed_replies_wait_in_the_agents_line(monkeypatch: pytest.MonkeyPatch) -> None:
    """Concurrency 2, serial. A arrives 0, typed 0-1000; B arrives 500 and waits
    (the agent is typing). At 1000 the agent picks B (1000-2000). A's customer
    writes at 1100 and waits in the agent's line until B's reply is sent: A's
    follow-up is typed 2000-3000. B's customer writes at 2100; typed 3000-4000."""
    record = simulate_at(
        monkeypatch,
        {
            "streams": chat(handle=fixed(1000), exchanges=2, reply_delay=fixed(100)),
            "teams": {"support": {"agents": 1, "concurrency": 2, "serves": ["chat"]}},
        },
        {"chat": [0, 500]},
    )
    assert column(record, "picked_up_at") == [0, 1000]
    assert column(record, "first_reply_at") == [1000, 2000]
    assert column(record, "ended_at") == [3000, 4000]
    assert column(record, "exchanges") == [2, 2]
    followups = record.followups
    assert followups["conversation"].tolist() == [0, 1]
    assert followups["asked_at"].tolist() == [1100, 2100]
    assert followups["response_s"].tolist() == [1900, 1900]


def test_new_pickups_before_owed_replies_when_told(monkeypatch: pytest.MonkeyPatch) -> None:
    """As above but ``replies_first: false``: at 2000 the agent would pick a new
    conversation before A's owed reply. C arrives at 1500 and is picked at 2000."""
    record = simulate_at(
        monkeypatch,
        {
            "streams": chat(handle=fixed(1000), exchanges=2, reply_delay=fixed(100)),
            "teams": {
                "support": {
                    "agents": 1,
                    "concurrency": 3,
                    "replies_first": False,
                    "serves": ["chat"],
                }
            },
        },
        {"chat": [0, 500, 1500]},
    )
    assert column(record, "picked_up_at") == [0, 1000, 2000]
    assert column(record, "first_reply_at") == [1000, 2000, 3000]


def test_patience_until_pickup(monkeypatch: pytest.MonkeyPatch) -> None:
    """Handle 100 s, patience 50 s: B (arrives 10) is not picked up by 60 and leaves;
    C (arrives 70) is picked up at 100 (waited 30 s) and stays."""
    record = simulate_at(
        monkeypatch,
        {
            "streams": chat(handle=fixed(100), patience=fixed(50)),
            "teams": {"support": {"agents": 1, "serves": ["chat"]}},
        },
        {"chat": [0, 10, 70]},
    )
    assert column(record, "outcome") == ["resolved", "abandoned", "resolved"]
    assert column(record, "ended_at") == [100, 60, 200]
    assert column(record, "picked_up_at") == [0, NAN, 100]
    assert column(record, "first_reply_at") == [100, NAN, 200]


def test_wrap_up_keeps_the_agent_busy(monkeypatch: pytest.MonkeyPatch) -> None:
    """Reply 100 s then 50 s wrap-up: A resolved at 100, B picked at 150."""
    record = simulate_at(
        monkeypatch,
        {
            "streams": chat(handle=fixed(100), wrap_up=fixed(50)),
            "teams": {"support": {"agents": 1, "serves": ["chat"]}},
        },
        {"chat": [0, 10]},
    )
    assert column(record, "ended_at") == [100, 250]
    assert column(record, "picked_up_at") == [0, 150]
    team = team_row(record, "support")
    assert team["busy_s"] == 300
    assert team["on_shift_s"] == 3 * 3600


def test_shift_start_and_end(monkeypatch: pytest.MonkeyPatch) -> None:
    """One agent on 01:00-02:00 UTC. A (arrives 0) waits until 3600; B (arrives
    7500) finds nobody and is open at the horizon (3 h)."""
    record = simulate_at(
        monkeypatch,
        {
            "streams": chat(handle=fixed(100)),
            "teams": {
                "support": {
                    "serves": ["chat"],
                    "roster": [
                        {
                            "region": "UTC",
                            "days": "daily",
                            "start": "01:00",
                            "end": "02:00",
                            "agents": 1,
                        }
                    ],
                }
            },
        },
        {"chat": [0, 7500]},
    )
    assert column(record, "picked_up_at") == [3600, NAN]
    assert column(record, "outcome") == ["resolved", "open"]
    team = team_row(record, "support")
    assert team["on_shift_s"] == 3600
    assert team["agent_shifts"] == 1


def test_handback_returns_owed_reply_to_queue_with_reread(monkeypatch: pytest.MonkeyPatch) -> None:
    """Concurrency 2, replies 1000 s, reply delay 100 s, two exchanges; the early
    agent works 00:00-00:40 (2400 s), the late one from 00:40.
    Early agent: A 0-1000, B 1000-2000, A's follow-up 2000-3000 (finished past
    shift end: 600 s overtime). B's customer wrote at 2100, so at 3000 B is handed
    back owed; the late agent picks it up at once, re-reads 60 + 20*1 = 80 s and
    replies at 3000 + 80 + 1000 = 4080."""
    record = simulate_at(
        monkeypatch,
        {
            "streams": chat(handle=fixed(1000), exchanges=2, reply_delay=fixed(100)),
            "teams": {
                "support": {
                    "concurrency": 2,
                    "serves": ["chat"],
                    "roster": [
                        shift("early", "00:00", "00:40"),
                        shift("late", "00:40", "03:00"),
                    ],
                }
            },
            "handoff": {"policy": "handback", "reread": {"base": "1min", "per_exchange": "20s"}},
        },
        {"chat": [0, 500]},
    )
    assert column(record, "ended_at") == [3000, 4080]
    assert column(record, "handbacks") == [0, 1]
    assert column(record, "agent") == ["support.early.1", "support.early.1"]
    followups = record.followups
    assert followups["response_s"].tolist() == [1900, 4080 - 2100]
    assert followups["after_handback"].tolist() == [False, True]
    team = team_row(record, "support")
    assert team["handbacks"] == 1
    assert team["reread_s"] == 80
    assert team["overtime_s"] == 600


def test_handback_while_waiting_for_the_customer(monkeypatch: pytest.MonkeyPatch) -> None:
    """Three exchanges, first reply 600 s, later ones 600 s, customer delay 1800 s.
    Early agent (00:00-01:00): reply 0-600, customer writes 2400, reply 2400-3000.
    At 3600 the conversation waits on the customer: handed back, parked. The
    customer writes at 4800; the late agent picks it up then and re-reads
    60 + 20*2 = 100 s: resolved at 4800 + 100 + 600 = 5500."""
    record = simulate_at(
        monkeypatch,
        {
            "streams": chat(handle=fixed(600), exchanges=3, reply_delay=fixed(1800)),
            "teams": {
                "support": {
                    "serves": ["chat"],
                    "roster": [
                        shift("early", "00:00", "01:00"),
                        shift("late", "01:00", "03:00"),
                    ],
                }
            },
            "handoff": {"policy": "handback", "reread": {"base": "1min", "per_exchange": "20s"}},
        },
        {"chat": [0]},
    )
    assert column(record, "ended_at") == [5500]
    assert column(record, "handbacks") == [1]
    assert record.followups["response_s"].tolist() == [600, 5500 - 4800]
    assert team_row(record, "support")["overtime_s"] == 0


OWNERSHIP_ROSTER = [
    shift("early", "00:00", "01:00"),
    shift("late", "01:00", "03:00"),
]


def ownership_run(
    monkeypatch: pytest.MonkeyPatch,
    handoff: dict[str, Any],
    arrivals: list[float],
    horizon: str = "3h",
) -> Any:
    """First reply 1000 s, later replies 200 s, customer delay 300 s, three exchanges.
    A conversation taken at 2000 by the early agent: replies end 3000, 3500, 4000."""
    return simulate_at(
        monkeypatch,
        {
            "horizon": horizon,
            "streams": chat(
                first_handle=fixed(1000), handle=fixed(200), exchanges=3, reply_delay=fixed(300)
            ),
            "teams": {"support": {"serves": ["chat"], "roster": OWNERSHIP_ROSTER}},
            "handoff": {
                "policy": "ownership",
                "intake_cutoff": "15min",
                "reread": {"base": "1min", "per_exchange": "20s"},
                **handoff,
            },
        },
        {"chat": arrivals},
    )


def test_ownership_works_overtime_until_resolved(monkeypatch: pytest.MonkeyPatch) -> None:
    """Taken at 2000, resolved at 4000 by its owner: 400 s of overtime, no handback.
    B arrives at 2800, after the early agent's intake cutoff (2700): the late
    agent picks it up when its shift starts at 3600."""
    record = ownership_run(monkeypatch, {"max_overtime": "1h"}, [2000, 2800])
    assert column(record, "agent") == ["support.early.1", "support.late.1"]
    assert column(record, "picked_up_at") == [2000, 3600]
    assert column(record, "ended_at")[0] == 4000
    assert column(record, "handbacks") == [0, 0]
    assert team_row(record, "support")["overtime_s"] == 400
    # closed to new chats 2700-3600 (early) and 9900-10800 (late)
    assert team_row(record, "support")["cutoff_s"] == 1800


def test_ownership_leftover_handed_back(monkeypatch: pytest.MonkeyPatch) -> None:
    """max_overtime 1 min: at 3660 the conversation waits on the customer (who
    writes at 3800); it is handed back; the late agent re-reads 60 + 20*2 s and
    replies at 3800 + 100 + 200 = 4100."""
    record = ownership_run(monkeypatch, {"max_overtime": "1min", "leftover": "handback"}, [2000])
    assert column(record, "ended_at") == [4100]
    assert column(record, "handbacks") == [1]
    team = team_row(record, "support")
    assert team["overtime_s"] == 60
    assert team["reread_s"] == 100


def test_ownership_leftover_waits_for_owner(monkeypatch: pytest.MonkeyPatch) -> None:
    """As above but ``wait_for_owner``: the late agent never touches it; the owner
    replies at its next shift, 86400 + 200."""
    record = ownership_run(
        monkeypatch, {"max_overtime": "1min", "leftover": "wait_for_owner"}, [2000], horizon="2d"
    )
    assert column(record, "ended_at") == [86400 + 200]
    assert column(record, "handbacks") == [0]
    assert record.followups["response_s"].tolist() == [200, 86600 - 3800]
    # kept from the owner's departure (3660) to the owner's next shift (86400)
    spells = record.unowned
    assert spells["kind"].astype(str).tolist() == ["waiting_for_owner"]
    assert spells[["since", "until", "shift_end"]].values.tolist() == [[3660, 86400, 3600]]


def test_shared_attention_slows_with_load(monkeypatch: pytest.MonkeyPatch) -> None:
    """Efficiency [1.0, 0.5], 100 s replies. A alone 0-50 (50 s done). From 50 both
    progress at half speed: A's last 50 s take until 150. Then B, with 50 s done,
    runs alone at full speed: 200."""
    record = simulate_at(
        monkeypatch,
        {
            "streams": chat(handle=fixed(100)),
            "teams": {
                "support": {
                    "agents": 1,
                    "concurrency": 2,
                    "attention": "shared",
                    "efficiency": [1.0, 0.5],
                    "serves": ["chat"],
                }
            },
        },
        {"chat": [0, 50]},
    )
    assert column(record, "picked_up_at") == [0, 50]
    ended = column(record, "ended_at")
    assert ended == pytest.approx([150, 200], abs=1e-9)
    assert team_row(record, "support")["busy_s"] == pytest.approx(200)


def test_open_at_horizon_is_recorded(monkeypatch: pytest.MonkeyPatch) -> None:
    """A conversation still being typed at the horizon keeps its row, outcome open."""
    record = simulate_at(
        monkeypatch,
        {
            "horizon": "1h",
            "streams": chat(handle=fixed(3000)),
            "teams": {"support": {"agents": 1, "serves": ["chat"]}},
        },
        {"chat": [0, 1000]},
    )
    assert column(record, "outcome") == ["resolved", "open"]
    assert column(record, "picked_up_at") == [0, 3000]
    assert math.isnan(record.conversations["ended_at"].iloc[1])
