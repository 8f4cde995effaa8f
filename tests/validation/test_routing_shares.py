"""Routed shares match the configured probabilities.

Three streams, three queues and one team per queue, with far more agents than
the load needs, so every conversation past the bot is picked up the moment it
lands. The ``queue`` column records a stream's own queue (where a conversation
belongs, even after it was reassigned there), so where a conversation first
*landed* is read from ``team``: the team of the first pick-up, which with one
team per queue names the landing queue, reassigned or not.

Configured paths (``routing.py``): the bot deflects a share; of the rest its
menu sends a share to the stream's own queue; of those the menu missed, keyword
rules catch ``rules`` for the own queue and send each false-positive share
elsewhere; the rest land in the fallback queue. A team not meant for a stream
triages what lands with it and reassigns a ``triage.reassign`` share.

Each check counts outcomes over many independent conversations (the routing
draws are independent per customer) and requires the configured probability to
lie inside the 99.9% Wilson interval of the observed share, and that interval
to be narrow enough (half-width at most ``MAX_HALF_WIDTH``) for the check to
have the power to fail.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import simulator

LEVEL = 0.999
MAX_HALF_WIDTH = 0.01
BOT_TIME_S = 30.0
TRIAGE_S = 60.0

DEFLECTION, MENU, RULES = 0.2, 0.3, 0.5
FALSE_POSITIVE_TO_BILLING = 0.1  # launch conversations the rules send to billing
FALSE_POSITIVE_TO_TIGER = 0.05  # general conversations the rules send to tiger
REASSIGN = {"tiger": 0.8, "generalists": 0.6, "billing": 0.4}

TIGER_SHARE = MENU + (1 - MENU) * RULES  # 0.65
BILLING_SHARE = (1 - MENU) * FALSE_POSITIVE_TO_BILLING  # 0.07
FALLBACK_SHARE = (1 - MENU) * (1 - RULES - FALSE_POSITIVE_TO_BILLING)  # 0.28


def fixed(seconds: float) -> dict[str, Any]:
    return {"dist": "fixed", "value": f"{seconds:g}s"}


def shape() -> dict[str, Any]:
    return {"handle": {"dist": "exponential", "mean": "1min"}}


SCENARIO: dict[str, Any] = {
    "name": "routing-shares",
    "horizon": "24h",
    "streams": {
        "launch": {
            "per_hour": 600,
            "queue": "tiger",
            "conversation": shape(),
            "bot": {"deflection": DEFLECTION, "menu": MENU, "time": fixed(BOT_TIME_S)},
            "routing": {
                "rules": RULES,
                "fallback": "general",
                "false_positives": {"billing": FALSE_POSITIVE_TO_BILLING},
            },
        },
        "general": {
            "per_hour": 900,
            "conversation": shape(),
            "routing": {"false_positives": {"tiger": FALSE_POSITIVE_TO_TIGER}},
        },
        "billing": {"per_hour": 60, "conversation": shape()},
    },
    "teams": {
        "tiger": {
            "agents": 40,
            "serves": ["tiger"],
            "triage": {"time": f"{TRIAGE_S:g}s", "reassign": REASSIGN["tiger"]},
        },
        "generalists": {
            "agents": 60,
            "serves": ["general"],
            "triage": {"time": f"{TRIAGE_S:g}s", "reassign": REASSIGN["generalists"]},
        },
        "billing": {
            "agents": 30,
            "serves": ["billing"],
            "triage": {"time": f"{TRIAGE_S:g}s", "reassign": REASSIGN["billing"]},
        },
    },
}
REPLICATIONS, SEED = 4, 2024
# Conversations this close to the horizon may still be in the bot or in triage.
MARGIN_S = 600.0


def wilson(successes: int, trials: int, level: float = LEVEL) -> tuple[float, float]:
    """The Wilson score interval for a binomial proportion."""
    z = stats.norm.ppf(0.5 + level / 2)
    share = successes / trials
    centre = (share + z * z / (2 * trials)) / (1 + z * z / trials)
    half = (
        z
        * math.sqrt(share * (1 - share) / trials + z * z / (4 * trials * trials))
        / (1 + z * z / trials)
    )
    return centre - half, centre + half


def check_share(
    what: str,
    hits: np.ndarray | pd.Series,
    expected: float,
    *,
    max_half_width: float = MAX_HALF_WIDTH,
) -> None:
    """``expected`` lies in the 99.9% Wilson interval of the share of ``hits`` (booleans),
    and that interval is at most ``max_half_width`` wide on each side."""
    flags = np.asarray(hits, dtype=bool)
    trials, successes = len(flags), int(flags.sum())
    assert trials > 0, f"{what}: no conversations to count"
    low, high = wilson(successes, trials)
    where = (
        f"{what}: {successes}/{trials} = {successes / trials:.4f}, 99.9% interval "
        f"[{low:.4f}, {high:.4f}], configured {expected:.4f}"
    )
    assert (high - low) / 2 <= max_half_width, f"{where}: interval too wide to test"
    assert low <= expected <= high, f"{where}: outside the interval"


@pytest.fixture(scope="module")
def rows() -> pd.DataFrame:
    """Conversations of all replications that arrived early enough to be settled."""
    scenario = simulator.load_scenario(SCENARIO)
    result = simulator.run(scenario, replications=REPLICATIONS, seed=SEED)
    frame = result.conversations
    settled = frame[frame["arrived_at"] < scenario.horizon - MARGIN_S]
    return settled.assign(
        stream=settled["stream"].astype(str),
        team=settled["team"].astype(str),
        outcome=settled["outcome"].astype(str),
    )


def launch_routed(rows: pd.DataFrame) -> pd.DataFrame:
    launch = rows[rows["stream"] == "launch"]
    return launch[launch["outcome"] != "deflected"]


def test_everything_past_the_bot_is_picked_up(rows: pd.DataFrame) -> None:
    """The setting the other checks rely on: no conversation is left unpicked."""
    routed = rows[rows["outcome"] != "deflected"]
    assert routed["picked_up_at"].notna().all()
    assert (routed["outcome"] == "resolved").all()


def test_deflected_share_is_the_bot_deflection(rows: pd.DataFrame) -> None:
    launch = rows[rows["stream"] == "launch"]
    deflected = launch["outcome"] == "deflected"
    check_share("launch deflected", deflected, DEFLECTION)
    # A deflected customer leaves after the bot time, untouched by any agent.
    gone = launch[deflected]
    assert np.allclose(gone["ended_at"] - gone["arrived_at"], BOT_TIME_S)
    assert gone["picked_up_at"].isna().all()
    # Streams without a bot deflect nothing.
    assert (rows[rows["stream"] != "launch"]["outcome"] != "deflected").all()


def test_launch_lands_in_its_queue_by_menu_or_rules(rows: pd.DataFrame) -> None:
    routed = launch_routed(rows)
    check_share("launch in tiger (menu + (1-menu) rules)", routed["team"] == "tiger", TIGER_SHARE)


def test_launch_false_positives_land_in_the_other_queue(rows: pd.DataFrame) -> None:
    routed = launch_routed(rows)
    check_share("launch in billing (false positive)", routed["team"] == "billing", BILLING_SHARE)


def test_launch_nothing_caught_lands_in_the_fallback(rows: pd.DataFrame) -> None:
    routed = launch_routed(rows)
    check_share("launch in general (fallback)", routed["team"] == "generalists", FALLBACK_SHARE)


def test_false_positives_of_another_stream_reach_the_tiger_queue(rows: pd.DataFrame) -> None:
    """General has no bot and no rules for itself: the false-positive share lands in
    tiger, the rest in its own queue; billing, with no routing, always lands home."""
    general = rows[rows["stream"] == "general"]
    check_share(
        "general in tiger (false positive)", general["team"] == "tiger", FALSE_POSITIVE_TO_TIGER
    )
    assert set(general["team"]) == {"tiger", "generalists"}
    assert (rows[rows["stream"] == "billing"]["team"] == "billing").all()


def test_queue_column_is_the_streams_own_queue(rows: pd.DataFrame) -> None:
    home = {"launch": "tiger", "general": "general", "billing": "billing"}
    assert (rows["queue"].astype(str) == rows["stream"].map(home)).all()


def test_reassigned_share_is_the_misrouted_share_times_triage_reassign(rows: pd.DataFrame) -> None:
    """Of the routed launch conversations, (1 - tiger share) landed with a team not
    meant for them; each such team reassigns its ``triage.reassign`` share."""
    routed = launch_routed(rows)
    reassigned = routed["reassignments"].to_numpy()
    assert set(np.unique(reassigned)) <= {0, 1}
    assert (reassigned[routed["team"].to_numpy() == "tiger"] == 0).all()
    expected = BILLING_SHARE * REASSIGN["billing"] + FALLBACK_SHARE * REASSIGN["generalists"]
    check_share("launch reassigned", reassigned == 1, expected)
    for team in ("generalists", "billing"):
        landed = routed[routed["team"] == team]
        # Fewer trials (those that landed with this team): a wider interval.
        check_share(
            f"launch reassigned by {team}",
            landed["reassignments"] == 1,
            REASSIGN[team],
            max_half_width=0.03,
        )

    general = rows[rows["stream"] == "general"]
    check_share(
        "general reassigned",
        general["reassignments"] == 1,
        FALSE_POSITIVE_TO_TIGER * REASSIGN["tiger"],
    )
    assert (rows[rows["stream"] == "billing"]["reassignments"] == 0).all()


def test_reassigned_conversations_keep_their_clock(rows: pd.DataFrame) -> None:
    """A reassigned conversation is picked up (by the team it landed with) right after
    the bot, and its first reply comes after triage plus a reply by its own team."""
    launch = rows[(rows["stream"] == "launch") & (rows["reassignments"] == 1)]
    assert np.allclose(launch["picked_up_at"] - launch["arrived_at"], BOT_TIME_S)
    assert (launch["first_reply_at"] - launch["picked_up_at"] >= TRIAGE_S - 1e-6).all()
    answered_here = rows[
        (rows["stream"] == "launch")
        & (rows["reassignments"] == 0)
        & (rows["team"] != "tiger")
        & (rows["outcome"] == "resolved")
    ]
    # Answered where it landed: triage time comes on top of the reply.
    assert (
        answered_here["first_reply_at"] - answered_here["picked_up_at"] >= TRIAGE_S - 1e-6
    ).all()


# -- a routing block that names a queue twice ---------------------------------------------


def _two_streams_fallback_also_false_positive() -> dict[str, Any]:
    """Launch conversations the rules miss land in general, and the rules' false
    positives go to general too: every miss lands in general (share 1 - rules)."""
    return {
        "name": "queue-named-twice",
        "horizon": "24h",
        "streams": {
            "launch": {
                "per_hour": 300,
                "queue": "tiger",
                "conversation": shape(),
                "routing": {
                    "rules": RULES,
                    "fallback": "general",
                    "false_positives": {"general": 0.1},
                },
            },
            "general": {"per_hour": 60, "conversation": shape()},
        },
        "teams": {
            "tiger": {"agents": 30, "serves": ["tiger"]},
            "generalists": {"agents": 30, "serves": ["general"], "triage": {"reassign": 0.0}},
        },
    }


def _one_stream_routing_without_fallback() -> dict[str, Any]:
    """Rules with no fallback: whatever they miss stays in the stream's own queue."""
    return {
        "name": "queue-named-twice",
        "horizon": "24h",
        "streams": {
            "chat": {"per_hour": 300, "conversation": shape(), "routing": {"rules": RULES}}
        },
        "teams": {"support": {"agents": 30, "serves": ["chat"]}},
    }


@pytest.mark.parametrize(
    "config",
    [_one_stream_routing_without_fallback, _two_streams_fallback_also_false_positive],
    ids=["routing-without-fallback", "fallback-also-false-positive"],
)
def test_a_queue_named_twice_by_one_routing_block(config: Any) -> None:
    scenario = simulator.load_scenario(config())
    rows = simulator.run(scenario, replications=1, seed=7).conversations
    rows = rows[rows["arrived_at"] < scenario.horizon - MARGIN_S]
    if "launch" in scenario.streams:
        launch = rows[rows["stream"].astype(str) == "launch"]
        check_share(
            "launch in tiger", launch["team"].astype(str) == "tiger", RULES, max_half_width=0.03
        )
    else:
        assert (rows["team"].astype(str) == "support").all()
