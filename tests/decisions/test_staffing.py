"""The analytic staffing formulas against values computed here independently:
Erlang B and C from their factorial definitions (textbook values such as
C(2, 1) = 1/3), the M/M/c service level, Erlang A from a plain birth-death
loop, first response time as wait plus an exponential first reply (a
hypoexponential in closed form), and the concurrency views' holding times."""

from __future__ import annotations

import math

import numpy as np
import pytest

import simulator
from simulator.decisions.sizing.staffing import (
    FirstReply,
    WaitLaw,
    erlang_b,
    erlang_c,
    erlang_c_mean_wait,
    erlang_c_service_level,
    smallest,
    statistic,
    team_workload,
)
from tests.decisions.reference import factorial_erlang_c, plain_erlang_a


def factorial_erlang_b(c: int, a: float) -> float:
    return (a**c / math.factorial(c)) / sum(a**k / math.factorial(k) for k in range(c + 1))


def exponential_reply(mean: float) -> FirstReply:
    dist = simulator.scenario.schema.Conversation.model_validate(
        {"handle": {"dist": "exponential", "mean": f"{mean}s"}}
    ).handle
    return FirstReply.mix([(dist, 1.0, 1.0)])


def test_erlang_c_textbook_value():
    assert erlang_c(2, 1.0) == pytest.approx(1 / 3, abs=1e-12)
    assert erlang_b(1, 1.0) == pytest.approx(0.5)
    assert erlang_b(2, 1.0) == pytest.approx(0.2)


@pytest.mark.parametrize(("c", "a"), [(1, 0.5), (3, 2.0), (10, 8.0), (14, 10.0), (30, 27.5)])
def test_erlang_b_and_c_match_the_factorial_formulas(c, a):
    assert erlang_b(c, a) == pytest.approx(factorial_erlang_b(c, a), rel=1e-10)
    assert erlang_c(c, a) == pytest.approx(factorial_erlang_c(c, a), rel=1e-10)


def test_erlang_c_without_steady_state_means_everyone_waits():
    assert erlang_c(10, 10.0) == 1.0
    assert erlang_c(3, 5.0) == 1.0
    assert erlang_c_mean_wait(3, 5 / 360, 1 / 360) == math.inf
    assert erlang_c_service_level(3, 5 / 360, 1 / 360, 60) == 0.0


def test_service_level_formula():
    lam, mu, c, t = 100 / 3600, 1 / 360, 14, 20.0
    expected = 1 - factorial_erlang_c(c, lam / mu) * math.exp(-(c * mu - lam) * t)
    assert erlang_c_service_level(c, lam, mu, t) == pytest.approx(expected, rel=1e-12)
    law = WaitLaw(lam, c, 360.0, None)
    assert law.picked_up(np.array(t)) == pytest.approx(expected, rel=1e-12)
    assert law.mean_wait_s == pytest.approx(
        factorial_erlang_c(c, lam / mu) / (c * mu - lam), rel=1e-10
    )


@pytest.mark.parametrize(
    ("c", "patience"), [(0, 180.0), (5, 180.0), (11, 180.0), (13, 180.0), (9, 600.0)]
)
def test_erlang_a_matches_a_plain_birth_death_chain(c, patience):
    lam, mu, theta = 100 / 3600, 1 / 360, 1 / patience
    law = WaitLaw(lam, c, 360.0, patience)
    p_wait, p_abandon, mean_wait = plain_erlang_a(lam, mu, c, theta)
    assert law.p_wait == pytest.approx(p_wait, rel=1e-9)
    assert law.p_abandon == pytest.approx(p_abandon, rel=1e-9)
    assert law.mean_wait_s == pytest.approx(mean_wait, rel=1e-9)
    # The wait over time agrees with the chain: its integral is the mean wait,
    # and everyone not abandoning is picked up in the end.
    grid = np.linspace(0.0, 40 * patience, 4001)
    assert np.trapezoid(law.waiting(grid), grid) == pytest.approx(mean_wait, rel=1e-3)
    assert law.picked_up(np.array(1e6)) == pytest.approx(1 - p_abandon, abs=1e-9)
    assert law.waiting(np.array(0.0)) == pytest.approx(p_wait, rel=1e-9)


def test_erlang_a_with_endless_patience_tends_to_erlang_c():
    lam, mu, c = 100 / 3600, 1 / 360, 13
    patient = WaitLaw(lam, c, 360.0, 1e9)
    assert patient.p_wait == pytest.approx(factorial_erlang_c(c, lam / mu), rel=1e-4)
    expected = 1 - factorial_erlang_c(c, lam / mu) * math.exp(-(c * mu - lam) * 60)
    assert patient.picked_up(np.array(60.0)) == pytest.approx(expected, rel=1e-4)


def test_first_response_is_wait_plus_first_reply():
    """M/M/c with an exponential reply: P(W + S <= t) in closed form."""
    lam, mu, c, t = 100 / 3600, 1 / 360, 12, 900.0
    waits = factorial_erlang_c(c, lam / mu)
    r = c * mu - lam
    hypo = 1 - (mu * math.exp(-r * t) - r * math.exp(-mu * t)) / (mu - r)
    expected = (1 - waits) * (1 - math.exp(-mu * t)) + waits * hypo
    law = WaitLaw(lam, c, 360.0, None)
    reply = exponential_reply(360.0)
    within = statistic("frt_s.within_target", [law], [1.0], reply, t)
    assert within == pytest.approx(expected, abs=3e-3)
    p90 = statistic("frt_s.p90", [law], [1.0], reply, None)
    assert statistic("frt_s.within_target", [law], [1.0], reply, p90) == pytest.approx(
        0.9, abs=3e-3
    )
    assert statistic("frt_s.mean", [law], [1.0], reply, None) == pytest.approx(
        waits / r + 360.0, rel=1e-2
    )


def test_a_mixture_of_hours_weights_by_conversations():
    busy, quiet = WaitLaw(0.02, 8, 360.0, None), WaitLaw(0.005, 8, 360.0, None)
    mixed = statistic(
        "queue_wait_s.share_waited", [busy, quiet], [3.0, 1.0], exponential_reply(60.0), None
    )
    assert mixed == pytest.approx((3 * busy.p_wait + quiet.p_wait) / 4)
    assert statistic("resolution_s.p90", [busy], [1.0], exponential_reply(60.0), None) is None


def _team_scenario(**team):
    return simulator.load_scenario(
        {
            "name": "views",
            "horizon": "10h",
            "streams": {
                "chat": {
                    "per_hour": 10,
                    "conversation": {
                        "first_handle": {"dist": "fixed", "value": "90s"},
                        "handle": {"dist": "fixed", "value": "60s"},
                        "exchanges": 3,
                        "wrap_up": {"dist": "fixed", "value": "30s"},
                        "reply_delay": {"dist": "exponential", "mean": "2min"},
                        "patience": {"dist": "exponential", "mean": "6min"},
                    },
                }
            },
            "teams": {"live": {"agents": 2, "serves": ["chat"], **team}},
        }
    )


def test_concurrency_views():
    work = 90 + 2 * 60 + 30  # typing per conversation
    held = work + 2 * 120  # plus the customer's two reply delays
    one = team_workload(_team_scenario(), "live")
    assert [(v.servers_per_agent, v.holding_s) for v in one.views] == [(1, held)]
    serial = team_workload(_team_scenario(concurrency=3), "live")
    assert [(v.name, v.servers_per_agent, v.holding_s) for v in serial.views] == [
        ("typing", 1, work),
        ("slots", 3, held),
    ]
    shared = team_workload(
        _team_scenario(concurrency=3, attention="shared", efficiency=[1.0, 0.8, 0.5]), "live"
    )
    assert [(v.servers_per_agent, v.holding_s, v.reply_factor) for v in shared.views] == [
        (3, work / 0.5 + 2 * 120, 2.0)
    ]
    assert serial.patience_s == pytest.approx(360.0)
    assert serial.formula == "Erlang A"


@pytest.mark.parametrize("start", [0, 1, 5, 9, 10, 11, 40])
def test_smallest_finds_the_threshold_from_any_start(start):
    calls = []

    def meets(n: int) -> bool:
        calls.append(n)
        return n >= 10

    assert smallest(meets, start) == 10
    assert len(calls) <= 12
    assert smallest(lambda n: n >= 3, start, minimum=5) == 5
    assert smallest(lambda n: n >= 100, start, maximum=50) is None
