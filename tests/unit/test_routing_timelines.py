"""Exact timelines for bots, routing, misroutes, skills, overflow and escalation."""

from __future__ import annotations

from typing import Any

import pytest

from tests.unit.timeline import column, fixed, simulate_at

NAN = None


def stream(handle: float = 100, **extra: Any) -> dict[str, Any]:
    return {"per_hour": 1, "conversation": {"handle": fixed(handle)}, **extra}


def test_bot_deflects_after_its_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """Deflection 1.0 with 30 s in the bot: every conversation ends deflected at +30 s."""
    record = simulate_at(
        monkeypatch,
        {
            "streams": {"chat": stream(bot={"deflection": 1.0, "time": fixed(30)})},
            "teams": {"support": {"agents": 1, "serves": ["chat"]}},
        },
        {"chat": [0, 100]},
    )
    assert column(record, "outcome") == ["deflected", "deflected"]
    assert column(record, "ended_at") == [30, 130]
    assert column(record, "picked_up_at") == [NAN, NAN]


def test_bot_time_delays_routing(monkeypatch: pytest.MonkeyPatch) -> None:
    """No deflection, 30 s in the bot: picked up at +30 s; FRT counts from arrival."""
    record = simulate_at(
        monkeypatch,
        {
            "streams": {"chat": stream(bot={"deflection": 0.0, "time": fixed(30)})},
            "teams": {"support": {"agents": 1, "serves": ["chat"]}},
        },
        {"chat": [0]},
    )
    assert column(record, "picked_up_at") == [30]
    assert column(record, "first_reply_at") == [130]


LAUNCH = {
    "streams": {
        "launch": stream(queue="tiger", routing={"rules": 0.0, "fallback": "general"}),
        "general": stream(),
    },
}


def test_uncaught_launch_conversation_reassigned_to_its_queue(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """No menu, no rules: the launch conversation (arrives 0) lands in general. The
    generalist picks it up at 0, triages 60 s and reassigns it; the tiger agent
    takes it at 60 and replies at 160. The generalist then answers the general
    conversation (arrived 10) from 60 to 160."""
    record = simulate_at(
        monkeypatch,
        {
            **LAUNCH,
            "teams": {
                "tiger": {"agents": 1, "serves": ["tiger"]},
                "generalists": {
                    "agents": 1,
                    "serves": ["general"],
                    "triage": {"time": "1min", "reassign": 1.0},
                },
            },
        },
        {"launch": [0], "general": [10]},
    )
    assert column(record, "stream") == ["launch", "general"]
    assert column(record, "queue") == ["tiger", "general"]
    assert column(record, "reassignments") == [1, 0]
    assert column(record, "picked_up_at") == [0, 60]
    assert column(record, "first_reply_at") == [160, 160]
    assert column(record, "team") == ["generalists", "generalists"]


def test_reassigned_conversation_keeps_its_place(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tiger agent busy 0-300 with launch A. Launch B (arrives 5) is misrouted to
    general, triaged 10-70 and reassigned; launch C arrived at 50 directly in
    tiger. B arrived first, so the tiger agent takes B at 300 and C at 400."""
    record = simulate_at(
        monkeypatch,
        {
            "streams": {
                "launch": stream(
                    handle=100, queue="tiger", routing={"rules": 0.0, "fallback": "general"}
                ),
                "direct": stream(handle=100, queue="tiger"),
                "general": stream(),
                "long": stream(handle=300, queue="tiger"),
            },
            "teams": {
                "tiger": {"agents": 1, "serves": ["tiger"]},
                "generalists": {
                    "agents": 1,
                    "serves": ["general"],
                    "triage": {"time": "1min", "reassign": 1.0},
                },
            },
        },
        {"long": [0], "launch": [5], "direct": [50], "general": []},
    )
    by_stream = dict(zip(column(record, "stream"), column(record, "first_reply_at"), strict=True))
    assert by_stream == {"long": 300, "launch": 400, "direct": 500}


def test_misroute_answered_at_the_teams_speed(monkeypatch: pytest.MonkeyPatch) -> None:
    """reassign 0: the generalist triages 60 s then answers at skill 1.5x: 60 + 150."""
    record = simulate_at(
        monkeypatch,
        {
            **LAUNCH,
            "teams": {
                "tiger": {"agents": 1, "serves": ["tiger"]},
                "generalists": {
                    "agents": 1,
                    "serves": ["general"],
                    "skills": {"launch": 1.5},
                    "triage": {"time": "1min", "reassign": 0.0},
                },
            },
        },
        {"launch": [0], "general": []},
    )
    assert column(record, "team") == ["generalists"]
    assert column(record, "reassignments") == [0]
    assert column(record, "first_reply_at") == [210]


def test_skill_multiplier_and_learning_curve(monkeypatch: pytest.MonkeyPatch) -> None:
    """Skill 2.0 with a learning half-life of 1 conversation: the multipliers of
    the first three are 2.0, 1.5, 1.25, so replies take 200, 150, 125 s."""
    record = simulate_at(
        monkeypatch,
        {
            "streams": {"chat": stream(handle=100)},
            "teams": {
                "support": {
                    "agents": 1,
                    "serves": ["chat"],
                    "skills": {"chat": 2.0},
                    "learning": {"half_life": 1},
                }
            },
        },
        {"chat": [0, 1, 2]},
    )
    assert column(record, "first_reply_at") == [200, 350, 475]


def test_overflow_after_oldest_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    """The tiger agent is busy 0-1000. Generalists take from tiger only when its
    oldest wait reaches 5 min: the second tiger conversation (arrives 10) is
    picked up by a generalist at 310."""
    record = simulate_at(
        monkeypatch,
        {
            "streams": {"launch": stream(handle=1000, queue="tiger"), "general": stream()},
            "teams": {
                "tiger": {"agents": 1, "serves": ["tiger"]},
                "generalists": {
                    "agents": 1,
                    "serves": ["general"],
                    "overflow": [{"queue": "tiger", "oldest_wait": "5min"}],
                },
            },
        },
        {"launch": [0, 10], "general": []},
    )
    assert column(record, "picked_up_at") == [0, 310]
    assert column(record, "team") == ["tiger", "generalists"]


def test_overflow_by_queue_length(monkeypatch: pytest.MonkeyPatch) -> None:
    """Generalists help when 2 wait in tiger: arrivals 0, 10, 20; the tiger agent
    takes the first; at 20 two wait, so the generalist takes the one from 10."""
    record = simulate_at(
        monkeypatch,
        {
            "streams": {"launch": stream(handle=1000, queue="tiger"), "general": stream()},
            "teams": {
                "tiger": {"agents": 1, "serves": ["tiger"]},
                "generalists": {
                    "agents": 1,
                    "serves": ["general"],
                    "overflow": [{"queue": "tiger", "length": 2}],
                },
            },
        },
        {"launch": [0, 10, 20], "general": []},
    )
    assert column(record, "picked_up_at") == [0, 20, 1000]
    assert column(record, "team") == ["tiger", "generalists", "tiger"]


def test_escalation_to_a_back_office_ticket(monkeypatch: pytest.MonkeyPatch) -> None:
    """Share 1.0 after the first reply: the chat agent replies at 100 and lets go;
    the back-office agent works the ticket 100-1000; resolved at 1000."""
    record = simulate_at(
        monkeypatch,
        {
            "streams": {
                "chat": {
                    "per_hour": 1,
                    "conversation": {
                        "handle": fixed(100),
                        "exchanges": 3,
                        "reply_delay": fixed(50),
                    },
                    "escalation": {
                        "share": 1.0,
                        "after": 1,
                        "team": "backoffice",
                        "work": fixed(900),
                    },
                }
            },
            "teams": {
                "support": {"agents": 1, "serves": ["chat"]},
                "backoffice": {"agents": 1, "serves": ["chat"], "streams": []},
            },
        },
        {"chat": [0]},
    )
    assert column(record, "outcome") == ["resolved"]
    assert column(record, "ended_at") == [1000]
    assert column(record, "exchanges") == [2]
    assert record.tickets["resolution_s"].tolist() == [900]
    assert record.followups.empty
