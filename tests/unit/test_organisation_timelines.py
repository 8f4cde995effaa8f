"""Exact timelines of the organisation as the design notes describe it: a bot that
gathers the details, customers who come back, one person across several queues.

Each test states the timeline it expects in its docstring; numbers in the
assertions are derived from those durations, not read off a run.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml

import simulator
from simulator.model import engine
from simulator.statistics.metrics import replication_metrics
from tests.unit.timeline import column, fixed, shift, simulate_at, team_row


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


def _chasing(repeat: dict[str, Any], **conversation: Any) -> dict[str, Any]:
    return {"chat": {"per_hour": 1, "repeat": repeat, "conversation": conversation}}


def test_a_customer_without_a_first_reply_after_the_threshold_comes_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """One agent, 200 s replies; customers chase 300 s after arriving unanswered
    and come back 50 s later. A and B arrive at 0: A is answered at 200, B is
    picked up at 200 and still unanswered at 300, so B' arrives at 350. B is
    answered at 400; B' is picked up then and answered at 600, 250 s after it
    arrived: it does not chase."""
    record = simulate_at(
        monkeypatch,
        {
            "streams": _chasing(
                {"after": "300s", "share": 1, "delay": fixed(50)}, handle=fixed(200)
            ),
            "teams": {"support": {"agents": 1, "serves": ["chat"]}},
        },
        {"chat": [0, 0]},
    )
    assert column(record, "arrived_at") == [0, 0, 350]
    assert column(record, "repeat_of") == [None, None, 1]
    assert column(record, "picked_up_at") == [0, 200, 400]
    assert column(record, "first_reply_at") == [200, 400, 600]
    assert column(record, "outcome") == ["resolved"] * 3


def test_a_customer_who_abandons_comes_back_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Patience 100 s, chase after 1000 s (later than patience), back 50 s later.
    A (0) is typed 0-500. B (10) abandons at 110 and is back at 160 (B'); B'
    abandons at 260 and, being a repeat, does not come back again. The repeat
    counts as an arrival of its own."""
    scenario = {
        "streams": _chasing(
            {"after": "1000s", "share": 1, "delay": fixed(50)},
            handle=fixed(500),
            patience=fixed(100),
        ),
        "teams": {"support": {"agents": 1, "serves": ["chat"]}},
    }
    record = simulate_at(monkeypatch, scenario, {"chat": [0, 10]})
    assert column(record, "arrived_at") == [0, 10, 160]
    assert column(record, "repeat_of") == [None, None, 1]
    assert column(record, "ended_at") == [500, 110, 260]
    assert column(record, "outcome") == ["resolved", "abandoned", "abandoned"]
    loaded = simulator.load_scenario({"name": "timeline", "horizon": "3h", **scenario})
    counts = replication_metrics(record, loaded)["overall"]["counts"]
    assert counts["arrived"] == 3
    assert counts["repeats"] == 1
    assert counts["abandoned"] + counts["resolved"] == 3


def _busy_chat(repeat: dict[str, Any] | None) -> simulator.Scenario:
    stream: dict[str, Any] = {
        "per_hour": 30,
        "conversation": {
            "handle": {"dist": "exponential", "mean": "150s"},
            "patience": {"dist": "exponential", "mean": "10min"},
        },
    }
    if repeat is not None:
        stream["repeat"] = repeat
    return simulator.load_scenario(
        {
            "name": "busy",
            "horizon": "2d",
            "streams": {"chat": stream},
            "teams": {"support": {"agents": 1, "serves": ["chat"]}},
        }
    )


def test_a_repeat_share_of_zero_changes_nothing() -> None:
    """The same seed with ``repeat: {share: 0}`` and without a repeat block: the
    same records, bit for bit, and the same summary keys."""
    without = engine.simulate(_busy_chat(None), seed=7, replication=0)
    zero = engine.simulate(
        _busy_chat({"after": "5min", "share": 0, "delay": fixed(60)}), seed=7, replication=0
    )
    pd.testing.assert_frame_equal(without.conversations, zero.conversations)
    pd.testing.assert_frame_equal(without.followups, zero.followups)
    assert without.conversations["repeat_of"].isna().all()
    assert "repeats" not in replication_metrics(zero, _busy_chat(None))["overall"]["counts"]


def test_the_share_of_chasing_customers_who_come_back() -> None:
    """Share 0.4: of the drawn customers still unanswered 5 minutes after arriving (or
    who abandoned before), whose repeat would arrive before the horizon, 40% come
    back (within 4 binomial standard errors)."""
    share, after, delay = 0.4, 300.0, 60.0
    scenario = _busy_chat({"after": f"{after:g}s", "share": share, "delay": fixed(delay)})
    chasers = repeats = 0
    for replication in range(3):
        frame = engine.simulate(scenario, seed=11, replication=replication).conversations
        arrived = frame["arrived_at"].to_numpy()
        first = frame["first_reply_at"].to_numpy()
        late = ~(first <= arrived + after)  # NaN (never answered) counts as late
        drawn = frame["repeat_of"].isna().to_numpy()
        in_time = arrived + after + delay < scenario.horizon
        chasers += int(np.count_nonzero(late & drawn & in_time))
        repeats += int(frame["repeat_of"].notna().sum())
    assert chasers > 500
    error = (share * (1 - share) / chasers) ** 0.5
    assert abs(repeats / chasers - share) < 4 * error


def test_repeat_contacts_take_their_place_in_arrival_order(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two exchanges, 200 s replies, 100 s customer delay; chase after 300 s, back
    50 s later; one agent holding one conversation. A (0) is typed 0-200, its
    customer writes at 300, follow-up 300-500. B (0) waits: at 300 it chases
    (B' at 350); B is typed 500-700, its customer writes at 800. C (400) chases
    at 700 (C' at 750); B' does not chase again. Rows are in arrival order, A, B,
    B', C, C', and B's follow-up names B's row."""
    record = simulate_at(
        monkeypatch,
        {
            "streams": _chasing(
                {"after": "300s", "share": 1, "delay": fixed(50)},
                handle=fixed(200),
                exchanges=2,
                reply_delay=fixed(100),
            ),
            "teams": {"support": {"agents": 1, "serves": ["chat"]}},
        },
        {"chat": [0, 0, 400]},
    )
    assert column(record, "arrived_at") == [0, 0, 350, 400, 750]
    assert column(record, "conversation") == [0, 1, 2, 3, 4]
    assert column(record, "repeat_of") == [None, None, 1, None, 3]
    assert column(record, "picked_up_at")[:2] == [0, 500]
    followups = record.followups
    assert followups["conversation"].tolist()[:2] == [0, 1]
    assert followups["asked_at"].tolist()[:2] == [300, 800]


def _live_and_inbox(live: dict[str, Any], inbox: dict[str, Any]) -> dict[str, Any]:
    return {
        "live": {"per_hour": 1, "conversation": live},
        "inbox": {"per_hour": 1, "conversation": inbox},
    }


def test_an_agent_at_its_live_cap_takes_an_inbox_conversation(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """One serial agent, live chat first, caps live 2, inbox 3, total 3. Live chats
    need 100 s replies and two exchanges with 1000 s customer delays; inbox ones one
    100 s reply. L1, L2, L3 and I1 arrive at 0. L1 typed 0-100, L2 100-200 (2 live
    held: the cap), so I1 200-300 rather than L3. L4 arrives at 400 and waits (cap);
    I2 arrives at 500 and is taken at once (push), typed 500-600. L1's customer
    writes at 1100: follow-up 1100-1200, L1 ends; L2's customer wrote at 1200 and
    owed replies come first: 1200-1300, L2 ends. L3 is picked up at 1300 (typed
    until 1400, one live held), then L4 at 1400."""
    record = simulate_at(
        monkeypatch,
        {
            "streams": _live_and_inbox(
                {"handle": fixed(100), "exchanges": 2, "reply_delay": fixed(1000)},
                {"handle": fixed(100)},
            ),
            "teams": {
                "support": {
                    "agents": 1,
                    "serves": ["live", "inbox"],
                    "concurrency": {"live": 2, "inbox": 3, "total": 3},
                }
            },
        },
        {"live": [0, 0, 0, 400], "inbox": [0, 500]},
    )
    rows = record.conversations.set_index(
        ["stream", record.conversations.groupby("stream", observed=True).cumcount()]
    )
    picked = rows["picked_up_at"]
    assert [picked[("live", k)] for k in range(4)] == [0, 100, 1300, 1400]
    assert [picked[("inbox", k)] for k in range(2)] == [200, 500]


def test_a_new_live_chat_waits_for_an_agent_at_its_live_cap(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """One agent, caps live 1, total 2. L1 arrives at 0 (typed 0-100, its customer
    writes at 1100, follow-up 1100-1200, then it ends). L2 arrives at 200 to an empty
    queue while the agent has room in total but holds its one live chat: it waits
    (no direct hand-over past a cap) and is picked up at 1200."""
    record = simulate_at(
        monkeypatch,
        {
            "streams": _live_and_inbox(
                {"handle": fixed(100), "exchanges": 2, "reply_delay": fixed(1000)},
                {"handle": fixed(100)},
            ),
            "teams": {
                "support": {
                    "agents": 1,
                    "serves": ["live", "inbox"],
                    "concurrency": {"live": 1, "inbox": 1, "total": 2},
                }
            },
        },
        {"live": [0, 200], "inbox": []},
    )
    assert column(record, "picked_up_at") == [0, 1200]


def test_the_integer_concurrency_takes_a_third_live_chat_first(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The timeline above without caps (concurrency 3): L3 is taken at 200, before
    I1, which then waits for a free slot: the three live chats' follow-ups are typed
    1100-1400 (customers write at 1100, 1200, 1300) and I1 is picked up at 1400."""
    record = simulate_at(
        monkeypatch,
        {
            "streams": _live_and_inbox(
                {"handle": fixed(100), "exchanges": 2, "reply_delay": fixed(1000)},
                {"handle": fixed(100)},
            ),
            "teams": {"support": {"agents": 1, "serves": ["live", "inbox"], "concurrency": 3}},
        },
        {"live": [0, 0, 0], "inbox": [0]},
    )
    assert column(record, "picked_up_at") == [0, 100, 200, 1400]
    assert column(record, "stream") == ["live", "live", "live", "inbox"]


def test_a_switch_cost_is_paid_once_per_change_of_queue(monkeypatch: pytest.MonkeyPatch) -> None:
    """One agent holding one conversation, live first, 100 s replies, 50 s to switch
    queues. L1, L2, I1, I2 arrive at 0, L3 at 400. L1 0-100 (the first reply: nothing
    to switch from), L2 100-200, I1 200-350 (a switch), I2 350-450, L3 450-600 (a
    switch back)."""
    record = simulate_at(
        monkeypatch,
        {
            "streams": _live_and_inbox({"handle": fixed(100)}, {"handle": fixed(100)}),
            "teams": {
                "support": {
                    "agents": 1,
                    "serves": ["live", "inbox"],
                    "switch_cost": fixed(50),
                }
            },
        },
        {"live": [0, 0, 400], "inbox": [0, 0]},
    )
    assert column(record, "stream") == ["live", "live", "inbox", "inbox", "live"]
    assert column(record, "picked_up_at") == [0, 100, 200, 350, 450]
    assert column(record, "first_reply_at") == [100, 200, 350, 450, 600]
    assert team_row(record, "support")["busy_s"] == 600


def _guide_block(after_heading: str) -> dict[str, Any]:
    """The first YAML block after a heading of docs/modelling-guide.md."""
    text = (Path(__file__).resolve().parents[2] / "docs" / "modelling-guide.md").read_text()
    section = text.split(f"### {after_heading}\n", 1)[1]
    return yaml.safe_load(section.split("```yaml\n", 1)[1].split("```", 1)[0])


def test_the_guides_company_wide_help_is_slower_and_weekly() -> None:
    """The guide's company-wide help, as written there: the company team picks up only
    on Fridays 14:00-16:00, and its replies take 1.7 times the fixed handle time."""
    teams = _guide_block("Company-wide help")["teams"]
    teams["support"]["agents"] = 1  # busy enough that the company gets work
    scenario = simulator.load_scenario(
        {
            "name": "all_hands",
            "horizon": "1w",
            "streams": {"inbox": {"per_hour": 30, "conversation": {"handle": fixed(300)}}},
            "teams": teams,
        }
    )
    rows = engine.simulate(scenario, seed=3, replication=0).conversations
    company = rows[rows["team"] == "company"]
    assert len(company) > 0
    picked = pd.Timestamp(scenario.start) + pd.to_timedelta(company["picked_up_at"], unit="s")
    assert set(picked.dt.day_name()) == {"Friday"}
    assert picked.dt.hour.between(14, 15).all()
    typed = (company["first_reply_at"] - company["picked_up_at"]).to_numpy()
    assert np.allclose(typed, 1.7 * 300)


def _owner_keeps(continue_in: str | None) -> dict[str, Any]:
    """One person across a live chat and an inbox, one of each at a time, the inbox
    looked at first, new pick-ups before owed replies; ownership with one minute of
    overtime, leftovers kept by their owner (in the inbox when ``continue_in``)."""
    handoff: dict[str, Any] = {
        "policy": "ownership",
        "intake_cutoff": "15min",
        "max_overtime": "1min",
        "leftover": "wait_for_owner",
    }
    if continue_in is not None:
        handoff["continue_in"] = continue_in
    return {
        "horizon": "2d",
        "streams": {
            "chat": {
                "per_hour": 1,
                "conversation": {
                    "first_handle": fixed(1000),
                    "handle": fixed(200),
                    "exchanges": 3,
                    "reply_delay": fixed(300),
                },
            },
            "inbox": {"per_hour": 1, "conversation": {"handle": fixed(1000)}},
        },
        "teams": {
            "support": {
                "serves": ["inbox", "chat"],
                "concurrency": {"inbox": 1, "chat": 1, "total": 2},
                "replies_first": False,
                "roster": [
                    shift("early", "00:00", "01:00"),
                    shift("late", "01:00", "03:00"),
                ],
            }
        },
        "handoff": handoff,
    }


def test_an_owned_chat_continues_in_the_owners_inbox(monkeypatch: pytest.MonkeyPatch) -> None:
    """Chat A (2000) is the early agent's: replies 2000-3000 and 3300-3500; the shift
    ends at 3600, overtime at 3660 with A waiting on its customer, who writes at
    3800. A stays the owner's, now in the inbox; the late agent never sees it. Day
    two: inbox B (80000) and chat C (80100) wait for the early agent (86400), who
    holds A: the inbox cap (1) is taken by A, so the agent picks C (typed
    86400-87400), then owes A its last reply (87400-87600, resolved), and only then
    has inbox room for B (87600). A's follow-up waited 87600 - 3800, and the
    summary counts one conversation waiting for its owner, 3660 to 86400."""
    scenario = _owner_keeps("inbox")
    arrivals = {"chat": [2000, 80100], "inbox": [80000]}
    record = simulate_at(monkeypatch, scenario, arrivals)
    assert column(record, "arrived_at") == [2000, 80000, 80100]
    assert column(record, "agent") == ["support.early.1"] * 3
    assert column(record, "picked_up_at") == [2000, 87600, 86400]
    assert column(record, "ended_at")[0] == 87600
    followups = record.followups[record.followups["conversation"] == 0]
    assert followups["response_s"].tolist() == [3500 - 3300, 87600 - 3800]
    spells = record.unowned
    assert spells["kind"].astype(str).tolist() == ["waiting_for_owner"]
    assert spells[["since", "until", "shift_end"]].values.tolist() == [[3660, 86400, 3600]]
    loaded = simulator.load_scenario({"name": "timeline", **scenario})
    kept = replication_metrics(record, loaded)["overall"]["waiting_for_owner"]
    assert kept["conversations"] == 1
    assert kept["wait_s"]["mean"] == 86400 - 3660
    # Without continue_in A still counts against the chat cap: B is picked at once.
    record = simulate_at(monkeypatch, _owner_keeps(None), arrivals)
    assert column(record, "picked_up_at")[1:] == [86400, 87600]
