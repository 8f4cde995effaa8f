"""Exact timelines of the organisation as the design notes describe it: a bot that
gathers the details, customers who come back, one person across several queues.

Each test states the timeline it expects in its docstring; numbers in the
assertions are derived from those durations, not read off a run.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.unit.timeline import column, fixed, simulate_at


def test_a_bot_that_gathers_details_shortens_only_the_first_reply(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """30 s in the bot, which gathers the details: the 100 s first reply takes
    half, 50 s. A arrives at 0, is picked up at 30, first reply at 80; the
    customer writes at 130 and the follow-up takes its full 100 s: ends at 230."""
    stream: dict[str, Any] = {
        "per_hour": 1,
        "bot": {"time": fixed(30), "gathers": {"first_handle": 0.5}},
        "conversation": {"handle": fixed(100), "exchanges": 2, "reply_delay": fixed(50)},
    }
    record = simulate_at(
        monkeypatch,
        {"streams": {"chat": stream}, "teams": {"support": {"agents": 1, "serves": ["chat"]}}},
        {"chat": [0]},
    )
    assert column(record, "picked_up_at") == [30]
    assert column(record, "first_reply_at") == [80]
    assert column(record, "ended_at") == [230]
    assert record.followups["response_s"].tolist() == [100]
