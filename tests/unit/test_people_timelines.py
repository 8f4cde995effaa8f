"""Exact timelines for rotation pools, on-call backups and shrinkage."""

from __future__ import annotations

from typing import Any

import pytest

from tests.unit.timeline import column, fixed, simulate_at

HOUR = 3600.0


def chat(handle: float) -> dict[str, Any]:
    return {"chat": {"per_hour": 1, "conversation": {"handle": fixed(handle)}}}


def test_rotation_members_take_slots_in_turn(monkeypatch: pytest.MonkeyPatch) -> None:
    """Three members, one daily 09:00-17:00 slot over three days: ana, ben, cara.
    Conversations on day 2 and day 3 are answered by ben and cara."""
    record = simulate_at(
        monkeypatch,
        {
            "horizon": "3d",
            "streams": chat(60),
            "teams": {
                "tiger": {
                    "serves": ["chat"],
                    "rotation": {"members": ["ana", "ben", "cara"]},
                    "roster": [{"days": "daily", "start": "09:00", "end": "17:00", "agents": 1}],
                }
            },
        },
        {"chat": [10 * HOUR, 34 * HOUR, 58 * HOUR]},
    )
    assert column(record, "agent") == ["tiger.ana", "tiger.ben", "tiger.cara"]
    hours = record.agents.set_index("agent")["on_shift_s"] / HOUR
    assert hours.to_dict() == {"tiger.ana": 8, "tiger.ben": 8, "tiger.cara": 8}


def test_rotation_explicit_assignments(monkeypatch: pytest.MonkeyPatch) -> None:
    """An assignment for the second day puts ana on it instead of ben."""
    record = simulate_at(
        monkeypatch,
        {
            "horizon": "2d",
            "streams": chat(60),
            "teams": {
                "tiger": {
                    "serves": ["chat"],
                    "rotation": {"members": ["ana", "ben"], "assignments": {"2026-01-06": ["ana"]}},
                    "roster": [{"days": "daily", "start": "09:00", "end": "17:00", "agents": 1}],
                }
            },
        },
        {"chat": [34 * HOUR]},
    )
    assert column(record, "agent") == ["tiger.ana"]


BACKUP = {
    "streams": chat(1000),
    "teams": {
        "support": {
            "agents": 1,
            "serves": ["chat"],
            "backup": [
                {
                    "label": "oncall",
                    "days": "daily",
                    "start": "00:00",
                    "end": "03:00",
                    "agents": 1,
                    "queue_length": 2,
                    "delay": "100s",
                    "stand_down": "10min",
                }
            ],
        }
    },
}


def test_backup_joins_after_delay_and_stands_down(monkeypatch: pytest.MonkeyPatch) -> None:
    """The primary is busy 0-1000. At 20 two conversations wait: the trigger holds;
    after the 100 s delay the backup joins at 120 and takes the one from 10 (busy
    until 1120). The primary takes the one from 20 at 1000, when the queue falls
    empty; ten minutes of clear queue later, at 1600, the backup stands down."""
    record = simulate_at(monkeypatch, BACKUP, {"chat": [0, 10, 20]})
    assert column(record, "agent") == ["support.1", "support.oncall.1", "support.1"]
    assert column(record, "picked_up_at") == [0, 120, 1000]
    agents = record.agents.set_index("agent")
    assert agents.loc["support.oncall.1", "activations"] == 1
    assert agents.loc["support.oncall.1", "on_shift_s"] == 1600 - 120


def test_backup_not_triggered_stays_away(monkeypatch: pytest.MonkeyPatch) -> None:
    """One conversation waiting never reaches the trigger of two."""
    record = simulate_at(monkeypatch, BACKUP, {"chat": [0, 10]})
    assert column(record, "agent") == ["support.1", "support.1"]
    agents = record.agents.set_index("agent")
    assert agents.loc["support.oncall.1", "activations"] == 0
    assert agents.loc["support.oncall.1", "on_shift_s"] == 0


def test_break_waits_for_the_reply_being_typed(monkeypatch: pytest.MonkeyPatch) -> None:
    """With shrinkage, a break that falls while a reply is typed starts after it,
    and nothing is picked up during the break."""
    record = simulate_at(
        monkeypatch,
        {
            "horizon": "2d",
            "streams": chat(600),
            "teams": {
                "support": {
                    "agents": 1,
                    "serves": ["chat"],
                    "shrinkage": {"share": 0.5, "block": "1h"},
                }
            },
        },
        {"chat": [i * 700.0 for i in range(200)]},
    )
    conversations = record.conversations
    replies = conversations.dropna(subset=["picked_up_at"])
    starts = replies["picked_up_at"].to_numpy()
    ends = replies["first_reply_at"].to_numpy()
    # Replies are never cut: each takes exactly 600 s.
    assert (ends - starts == 600).all()
    # Between replies the agent either waits for the next arrival (< 100 s here),
    # or is on a whole one-hour break.
    gaps = starts[1:] - ends[:-1]
    assert ((gaps < 101) | (gaps >= 3600 - 1e-9)).all()
    breaks = record.agents["break_s"].iloc[0]
    assert breaks > 0
    on_shift = record.agents["on_shift_s"].iloc[0]
    busy = record.agents["busy_s"].iloc[0]
    assert busy + breaks <= on_shift + 1e-6
