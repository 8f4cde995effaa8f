"""Handed back ``after_new`` at high load waits several times longer than by
``arrival``; under ownership nothing is handed back and overtime is positive.

One busy day of staggered 4-hour shifts (concurrency 2, replies 3 min, 4 exchanges,
customers answering in 1 min; owners may stay 3 hours), load near capacity so a new
chat is usually waiting:
under ``after_new`` a handed-back chat is taken only in the gaps. Paired by
replication (common random numbers), 8 replications, fixed seed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from simulator.decisions.compare import compare
from simulator.statistics.intervals import paired_difference
from simulator.statistics.metric_names import lookup

REPLICATIONS = 8


def scenario(policy: str, order: str) -> dict[str, Any]:
    shifts = [
        {
            "label": f"s{h}",
            "days": "daily",
            "start": f"{h:02d}:00",
            "end": f"{h + 4:02d}:00",
            "agents": 2,
        }
        for h in range(0, 24, 2)
        if h + 4 <= 24
    ]
    return {
        "name": f"{policy}-{order}",
        "horizon": "1d",
        "warmup": "4h",
        "streams": {
            "chat": {
                "per_hour": 36,
                "conversation": {
                    "handle": {"dist": "exponential", "mean": "3min"},
                    "exchanges": 4,
                    "reply_delay": {"dist": "exponential", "mean": "1min"},
                    "patience": {"dist": "exponential", "mean": "10min"},
                },
            }
        },
        "teams": {"live": {"concurrency": 2, "serves": ["chat"], "roster": shifts}},
        "handoff": {
            "policy": policy,
            "handback": {"order": order},
            "max_overtime": "3h",  # long enough that every owner finishes
        },
    }


@pytest.mark.slow
def test_after_new_handbacks_wait_several_times_longer_and_ownership_hands_back_none() -> None:
    result = compare(
        {
            "arrival": scenario("handback", "arrival"),
            "after_new": scenario("handback", "after_new"),
            "ownership": scenario("ownership", "arrival"),
        },
        replications=REPLICATIONS,
        seed=3,
    )
    trees = [run.replication_metrics for run in result.results]
    wait = [[lookup(t, "handed_back.wait_s.p90") for t in tree] for tree in trees]
    arrival, after_new = wait[0], wait[1]
    assert all(v is not None for v in arrival + after_new)
    difference = paired_difference(arrival, after_new)
    assert difference["significant"] and difference["diff"] > 0
    assert sum(after_new) >= 4 * sum(arrival)
    ownership = result.results[2].summary["overall"]
    assert ownership["handed_back"]["conversations"]["value"] == 0
    assert ownership["overtime_h"]["ci95"][0] > 0


@pytest.mark.slow
def test_the_shipped_inbox_pair_piles_hand_backs_up_for_hours() -> None:
    """The README's lesson from ``scenarios/live_chat_*_inbox.yaml``: hand-backs into the
    inbox live chat pre-empts wait hours at p90 (the interval's low end above an hour);
    the ownership twin hands back none and pays in overtime and closed intake."""
    scenarios = Path(__file__).parents[2] / "scenarios"
    result = compare(
        [scenarios / "live_chat_handback_inbox.yaml", scenarios / "live_chat_ownership_inbox.yaml"],
        replications=3,
        seed=1,
    )
    handback, ownership = (run.summary["overall"] for run in result.results)
    assert handback["handed_back"]["wait_s"]["p90"]["ci95"][0] > 3600
    assert ownership["handed_back"]["conversations"]["value"] == 0
    overtime = next(d for d in result.differences if d["metric"] == "overtime_h")
    assert overtime["significant"] and overtime["diff"] > 0
    assert ownership["intake_cutoff_h"]["value"] > 0
