"""The backtest's Erlang A baseline against the Markov chains it stands for, solved
directly (a truncated generator, a linear solve): one class, fractional servers,
two classes in priority order, a delay before routing, teams kept apart."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from scipy.sparse import lil_matrix
from scipy.sparse.linalg import spsolve

from simulator import load_scenario
from simulator.history.baseline import erlang_a_baseline

START = "2026-03-02T00:00:00Z"
HANDLE_S, PATIENCE_S = 240.0, 300.0


def _scenario(streams: dict[str, Any], teams: dict[str, Any]) -> Any:
    exp = {"dist": "exponential"}
    spec = {
        name: {
            "per_hour": 1,
            "conversation": {
                "handle": {**exp, "mean": f"{HANDLE_S:g}s"},
                "patience": {**exp, "mean": f"{PATIENCE_S:g}s"},
                **extra.get("conversation", {}),
            },
            **{k: v for k, v in extra.items() if k != "conversation"},
        }
        for name, extra in streams.items()
    }
    return load_scenario(
        {"name": "b", "start": START, "horizon": "1d", "streams": spec, "teams": teams}
    )


def _hours(scenario: Any) -> np.ndarray:
    return scenario.start.timestamp() + 3600.0 * np.arange(24)


def _at_hour(count: float) -> np.ndarray:
    arrivals = np.zeros(24)
    arrivals[9] = count
    return arrivals


def _stationary(states: list[tuple[int, ...]], moves: Callable[[tuple[int, ...]], list]) -> dict:
    """π of a finite CTMC given each state's (rate, next state) moves; moves leaving the
    list are dropped (truncation far beyond any mass)."""
    index = {s: i for i, s in enumerate(states)}
    generator = lil_matrix((len(states), len(states)))
    for s, i in index.items():
        for rate, target in moves(s):
            if target in index and rate > 0:
                generator[i, index[target]] += rate
                generator[i, i] -= rate
    system = generator.T.tocsr().tolil()
    system[0, :] = 1.0
    right = np.zeros(len(states))
    right[0] = 1.0
    pi = spsolve(system.tocsr(), right)
    return dict(zip(states, pi, strict=True))


def _one_class_chain(rate: float, servers: int, mu: float, theta: float) -> tuple[float, ...]:
    """P(N ≥ c), E[queue]/λ and θ·E[queue]/λ of M/M/c+M, solved directly."""
    states = [(n,) for n in range(servers + 200)]
    pi = _stationary(
        states,
        lambda s: [
            (rate, (s[0] + 1,)),
            (min(s[0], servers) * mu + max(s[0] - servers, 0) * theta, (s[0] - 1,)),
        ],
    )
    queue = sum(p * max(s[0] - servers, 0) for s, p in pi.items())
    waits = sum(p for s, p in pi.items() if s[0] >= servers)
    return waits, queue / rate, theta * queue / rate


def _law(laws: dict, stream: str) -> tuple[float, float, float]:
    law = laws[stream]
    return law.p_wait[9], law.mean_wait_s[9], law.p_abandon[9]


def test_one_class_is_the_birth_death_chain() -> None:
    scenario = _scenario({"chat": {}}, {"t": {"agents": 3, "serves": ["chat"]}})
    laws = erlang_a_baseline(scenario, {"chat": _at_hour(40)}, _hours(scenario))
    expected = _one_class_chain(40 / 3600, 3, 1 / HANDLE_S, 1 / PATIENCE_S)
    assert _law(laws, "chat") == pytest.approx(expected, rel=1e-6)
    assert laws["chat"].p_wait[8] == 0.0  # an hour without arrivals expects nothing


def test_wrap_up_and_shrinkage_enter_as_service_and_a_mixture_of_whole_counts() -> None:
    # 7 agents, half of their time away: 3.5 present, 3 half the time and 4 the rest;
    # 30 s of wrap-up lengthens every service.
    scenario = _scenario(
        {"chat": {"conversation": {"wrap_up": {"dist": "fixed", "value": "30s"}}}},
        {"t": {"agents": 7, "serves": ["chat"], "shrinkage": {"share": 0.5}}},
    )
    laws = erlang_a_baseline(scenario, {"chat": _at_hour(40)}, _hours(scenario))
    mu = 1 / (HANDLE_S + 30)
    three = _one_class_chain(40 / 3600, 3, mu, 1 / PATIENCE_S)
    four = _one_class_chain(40 / 3600, 4, mu, 1 / PATIENCE_S)
    mixed = tuple(0.5 * a + 0.5 * b for a, b in zip(three, four, strict=True))
    assert _law(laws, "chat") == pytest.approx(mixed, rel=1e-6)


def test_staffing_that_changes_inside_the_hour_is_weighted_by_time() -> None:
    # 15-minute staffing: 2 agents for the first quarter of 09:00, 4 for the rest.
    week = [[0] * 36 + [2, 4, 4, 4] + [0] * 56 for _ in range(7)]
    scenario = _scenario(
        {"chat": {}},
        {
            "t": {
                "serves": ["chat"],
                "staffing": {"interval": "15min", "by": "weekday", "agents": week},
            }
        },
    )
    laws = erlang_a_baseline(scenario, {"chat": _at_hour(40)}, _hours(scenario))
    two = _one_class_chain(40 / 3600, 2, 1 / HANDLE_S, 1 / PATIENCE_S)
    four = _one_class_chain(40 / 3600, 4, 1 / HANDLE_S, 1 / PATIENCE_S)
    mixed = tuple(0.25 * a + 0.75 * b for a, b in zip(two, four, strict=True))
    assert _law(laws, "chat") == pytest.approx(mixed, rel=1e-6)


def _two_classes(rates: tuple[float, float], servers: int, mu: float, theta: float, *, preempt):  # type: ignore[no-untyped-def]
    """Queue lengths and P(all busy) of two classes served high first, solved directly.
    Preemptive: states (n1, n2). Not preemptive: (busy, q1, q2)."""
    top = 30
    if preempt:
        states = [(a, b) for a in range(servers + top) for b in range(servers + top)]

        def moves(s):  # type: ignore[no-untyped-def]
            n1, n2 = s
            s1 = min(n1, servers)
            s2 = min(n2, servers - s1)
            return [
                (rates[0], (n1 + 1, n2)),
                (rates[1], (n1, n2 + 1)),
                (s1 * mu + (n1 - s1) * theta, (n1 - 1, n2)),
                (s2 * mu + (n2 - s2) * theta, (n1, n2 - 1)),
            ]

        pi = _stationary(states, moves)
        q1 = sum(p * (s[0] - min(s[0], servers)) for s, p in pi.items())
        q2 = sum(p * (s[1] - min(s[1], servers - min(s[0], servers))) for s, p in pi.items())
        busy = sum(p for s, p in pi.items() if s[0] + s[1] >= servers)
        return q1, q2, busy
    states = [(b, 0, 0) for b in range(servers)] + [
        (servers, a, b) for a in range(top) for b in range(top)
    ]

    def moves(s):  # type: ignore[no-untyped-def]
        b, q1, q2 = s
        if b < servers:
            done = (b - 1, 0, 0) if b else None
            return [(sum(rates), (b + 1, 0, 0)), (b * mu, done)]
        freed = (servers, q1 - 1, q2) if q1 else (servers, 0, q2 - 1) if q2 else (b - 1, 0, 0)
        return [
            (rates[0], (b, q1 + 1, q2)),
            (rates[1], (b, q1, q2 + 1)),
            (servers * mu, freed),
            (q1 * theta, (b, q1 - 1, q2)),
            (q2 * theta, (b, q1, q2 - 1)),
        ]

    pi = _stationary(states, moves)
    q1 = sum(p * s[1] for s, p in pi.items())
    q2 = sum(p * s[2] for s, p in pi.items())
    busy = sum(p for s, p in pi.items() if s[0] == servers)
    return q1, q2, busy


def test_priority_order_splits_the_pooled_queue_by_the_preemptive_decomposition() -> None:
    scenario = _scenario(
        {"gold": {}, "basic": {}}, {"t": {"agents": 4, "serves": ["gold", "basic"]}}
    )
    counts = {"gold": _at_hour(30), "basic": _at_hour(30)}
    laws = erlang_a_baseline(scenario, counts, _hours(scenario))
    rates = (30 / 3600, 30 / 3600)
    mu, theta = 1 / HANDLE_S, 1 / PATIENCE_S
    q1, q2, _ = _two_classes(rates, 4, mu, theta, preempt=True)
    n1, n2, busy = _two_classes(rates, 4, mu, theta, preempt=False)
    gold, basic = _law(laws, "gold"), _law(laws, "basic")
    # Each class's queue and abandonment are those of the preemptive chain, exactly...
    assert gold[1] == pytest.approx(q1 / rates[0], rel=1e-4)
    assert basic[1] == pytest.approx(q2 / rates[1], rel=1e-4)
    assert gold[2] == pytest.approx(theta * q1 / rates[0], rel=1e-4)
    assert basic[2] == pytest.approx(theta * q2 / rates[1], rel=1e-4)
    # ... their total is the non-preemptive one's (the model's), and so is the
    # share that finds every server busy, for both classes.
    assert q1 + q2 == pytest.approx(n1 + n2, rel=1e-4)
    assert gold[0] == basic[0] == pytest.approx(busy, rel=1e-4)
    # The approximation's direction: without preemption the top class waits longer.
    assert n1 > q1
    assert basic[1] > 3 * gold[1]


def test_a_delay_before_routing_adds_to_every_wait_and_patience_starts_after_it() -> None:
    delay = {"bot": {"time": {"dist": "fixed", "value": "2min"}}}
    scenario = _scenario({"chat": delay}, {"t": {"agents": 3, "serves": ["chat"]}})
    laws = erlang_a_baseline(scenario, {"chat": _at_hour(40)}, _hours(scenario))
    _, wait, abandon = _one_class_chain(40 / 3600, 3, 1 / HANDLE_S, 1 / PATIENCE_S)
    assert _law(laws, "chat") == pytest.approx((1.0, wait + 120, abandon), rel=1e-6)


def test_separate_teams_are_not_pooled() -> None:
    scenario = _scenario(
        {"chat": {}, "phone": {}},
        {"a": {"agents": 3, "serves": ["chat"]}, "b": {"agents": 2, "serves": ["phone"]}},
    )
    counts = {"chat": _at_hour(40), "phone": _at_hour(20)}
    laws = erlang_a_baseline(scenario, counts, _hours(scenario))
    mu, theta = 1 / HANDLE_S, 1 / PATIENCE_S
    assert _law(laws, "chat") == pytest.approx(_one_class_chain(40 / 3600, 3, mu, theta), rel=1e-6)
    assert _law(laws, "phone") == pytest.approx(_one_class_chain(20 / 3600, 2, mu, theta), rel=1e-6)
