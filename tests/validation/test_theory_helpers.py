"""The analytic helpers agree with textbook values and with each other.

Each result is reached two ways (closed form versus birth-death chain, chain
versus a generator matrix solved by linear algebra, limits with known answers)
so that an error in one would show.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import special, stats
from theory import (
    birth_death,
    erlang_a,
    erlang_b,
    erlang_c,
    erlang_c_mean_wait,
    queue_chain,
    shared_attention,
)


def erlang_c_by_factorials(servers: int, load: float) -> float:
    """The textbook formula, fine for small c."""
    top = load**servers / math.factorial(servers) * servers / (servers - load)
    return top / (sum(load**k / math.factorial(k) for k in range(servers)) + top)


@pytest.mark.parametrize(
    ("servers", "load", "expected"),
    [
        (2, 1.0, 1 / 3),  # a^2/2! / (1 - 1/2) = 1 over 1 + 1 + 1
        (3, 2.0, 4 / 9),  # (8/6) * 3 = 4 over 1 + 2 + 2 + 4
        (1, 0.7, 0.7),  # M/M/1: P(wait) = rho
    ],
)
def test_erlang_c_textbook_values(servers, load, expected):
    assert erlang_c(servers, load) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(("servers", "load"), [(1, 0.3), (4, 3.0), (10, 9.0), (12, 11.5)])
def test_erlang_c_recursion_matches_factorial_formula(servers, load):
    assert erlang_c(servers, load) == pytest.approx(
        erlang_c_by_factorials(servers, load), rel=1e-12
    )


def test_erlang_b_is_a_poisson_tail_ratio():
    # B(c, a) = P(X = c) / P(X <= c) for X ~ Poisson(a)
    for servers, load in [(5, 3.0), (50, 45.0), (300, 280.0)]:
        expected = stats.poisson.pmf(servers, load) / stats.poisson.cdf(servers, load)
        assert erlang_b(servers, load) == pytest.approx(expected, rel=1e-9)


def test_erlang_c_stable_for_large_teams():
    value = erlang_c(500, 490.0)
    assert 0 < value < 1
    assert math.isfinite(erlang_c_mean_wait(490.0, 1.0, 500))


def test_erlang_c_refuses_unstable_load():
    with pytest.raises(ValueError):
        erlang_c(3, 3.0)


def test_mm1_mean_wait():
    lam, mu = 0.8, 1.0
    assert erlang_c_mean_wait(lam, mu, 1) == pytest.approx(lam / (mu * (mu - lam)), rel=1e-12)


@pytest.mark.parametrize(
    ("lam", "mu", "servers"),
    [
        (0.5, 1.0, 1),
        (3.0, 1.0, 4),
        (9.0, 1.0, 10),
        (0.025, 1 / 360, 10),
        (19.6, 1.0, 20),
    ],
)
def test_chain_without_abandonment_is_erlang_c(lam, mu, servers):
    chain = erlang_a(lam, mu, servers, 0.0)
    assert chain.p_wait == pytest.approx(erlang_c(servers, lam / mu), rel=1e-9)
    assert chain.mean_wait == pytest.approx(erlang_c_mean_wait(lam, mu, servers), rel=1e-9)
    assert chain.p_abandon == 0.0
    assert chain.throughput == pytest.approx(lam, rel=1e-9)


@pytest.mark.parametrize(("lam", "mu", "servers"), [(3.0, 1.0, 4), (9.0, 1.0, 10)])
def test_erlang_a_tends_to_erlang_c_as_patience_grows(lam, mu, servers):
    chain = erlang_a(lam, mu, servers, 1e-9)
    assert chain.p_wait == pytest.approx(erlang_c(servers, lam / mu), rel=1e-6)
    assert chain.mean_wait == pytest.approx(erlang_c_mean_wait(lam, mu, servers), rel=1e-6)
    assert chain.p_abandon < 1e-6


@pytest.mark.parametrize(("lam", "mu", "servers"), [(3.0, 1.0, 2), (9.0, 1.0, 9)])
def test_erlang_a_with_patience_equal_to_handle_is_mm_infinity(lam, mu, servers):
    # theta = mu: every customer leaves at rate mu whether served or not, so N ~ Poisson(a)
    chain = erlang_a(lam, mu, servers, mu)
    load = lam / mu
    assert chain.p_wait == pytest.approx(stats.poisson.sf(servers - 1, load), rel=1e-9)
    n = np.arange(400)
    mean_queue = float(stats.poisson.pmf(n, load) @ np.maximum(n - servers, 0))
    assert chain.mean_queue == pytest.approx(mean_queue, rel=1e-9)
    assert chain.p_abandon == pytest.approx(mu * mean_queue / lam, rel=1e-9)


@pytest.mark.parametrize(
    ("lam", "mu", "servers", "theta"),
    [
        (1.5, 1 / 6, 9, 1 / 3),
        (1.0, 1 / 5, 4, 1 / 2),
        (0.5, 1 / 6, 3, 1 / 10),
        (12.0, 1.0, 10, 0.3),
    ],
)
def test_erlang_a_wait_probability_matches_incomplete_gamma_form(lam, mu, servers, theta):
    # Mandelbaum & Zeltyn: sum_j y^j / ((x+1)...(x+j)) = x e^y y^-x gamma(x, y),
    # x = c mu / theta, y = lam / theta, gamma the lower incomplete gamma function.
    x, y = servers * mu / theta, lam / theta
    big_a = x * math.exp(y) * y ** (-x) * special.gamma(x) * special.gammainc(x, y)
    load = lam / mu
    p_c = load**servers / math.factorial(servers)
    below = sum(load**k / math.factorial(k) for k in range(servers))
    expected = p_c * big_a / (below + p_c * big_a)
    assert erlang_a(lam, mu, servers, theta).p_wait == pytest.approx(expected, rel=1e-9)


def generator_solution(lam, death, size):
    """Stationary law of the chain cut at ``size`` states, by solving pi Q = 0 with
    sum(pi) = 1, and the relative error that solve may carry.

    Least squares plus two rounds of iterative refinement, so the answer does not
    hang on which LAPACK the machine has; the error bound is the backward-stable
    one, ``size * cond * eps`` (about 3e-9 here; refinement usually lands near 1e-13).
    """
    q = np.zeros((size, size))
    for n in range(size - 1):
        q[n, n + 1] = lam
        q[n + 1, n] = death(n + 1)
    q -= np.diag(q.sum(axis=1))
    a = np.vstack([q.T, np.ones(size)])
    b = np.zeros(size + 1)
    b[-1] = 1.0
    pi = np.linalg.lstsq(a, b, rcond=None)[0]
    for _ in range(2):
        pi += np.linalg.lstsq(a, b - a @ pi, rcond=None)[0]
    return pi, size * np.linalg.cond(a) * np.finfo(float).eps


@pytest.mark.parametrize(
    ("lam", "efficiency", "concurrency", "theta"),
    [
        (1.2, [1.0, 0.8, 0.6], 3, 0.0),
        (1.0, [1.0, 0.7], 4, 0.0),
        (2.5, [1.0, 0.8, 0.6], 3, 0.5),
    ],
)
def test_shared_attention_chain_matches_generator_matrix(lam, efficiency, concurrency, theta):
    mean_handle = 1.0

    def death(n):
        held = min(n, concurrency)
        speed = efficiency[min(held, len(efficiency)) - 1]
        return held * speed / mean_handle + max(n - concurrency, 0) * theta

    chain = shared_attention(lam, mean_handle, concurrency, efficiency, abandon_rate=theta)
    pi, tolerance = generator_solution(lam, death, 400)
    assert np.allclose(chain.distribution, pi[: len(chain.distribution)], rtol=0, atol=tolerance)
    n = np.arange(400)
    lq = float(pi @ np.maximum(n - concurrency, 0))
    assert chain.p_wait == pytest.approx(pi[concurrency:].sum(), rel=tolerance)
    assert chain.mean_wait == pytest.approx(lq / lam, rel=tolerance)
    assert chain.p_abandon == pytest.approx(theta * lq / lam, rel=tolerance, abs=1e-12)
    # flow balance: completions plus abandonments equal arrivals
    assert chain.throughput + lam * chain.p_abandon == pytest.approx(lam, rel=1e-9)


def test_shared_attention_at_full_speed_is_mmc():
    # N agents of concurrency K, every conversation at full speed: M/M/(N K)
    lam, handle = 6.0, 1.2
    chain = shared_attention(lam, handle, 3, [1.0, 1.0, 1.0], agents=3)
    assert chain.p_wait == pytest.approx(erlang_c(9, lam * handle), rel=1e-9)
    assert chain.mean_wait == pytest.approx(erlang_c_mean_wait(lam, 1 / handle, 9), rel=1e-9)


def test_shared_attention_with_speed_one_over_n_is_processor_sharing_mm1():
    # total rate constant: the number in system is that of M/M/1
    lam, handle, k = 0.7, 1.0, 4
    chain = shared_attention(lam, handle, k, [1.0, 1 / 2, 1 / 3, 1 / 4])
    rho = lam * handle
    assert chain.p_wait == pytest.approx(rho**k, rel=1e-9)
    assert chain.mean_sojourn == pytest.approx(handle / (1 - rho), rel=1e-9)


def test_shared_attention_refuses_non_birth_death_cases():
    with pytest.raises(ValueError):
        shared_attention(1.0, 1.0, 3, [1.0, 0.8], agents=2)


def test_birth_death_refuses_unstable_chain():
    with pytest.raises(ValueError):
        birth_death(2.0, lambda n: 1.0, max_states=10_000)


def test_queue_chain_little_law_on_system():
    # M/M/1: E[N] = rho / (1 - rho)
    chain = queue_chain(0.9, lambda k: 1.0, 1)
    assert chain.mean_in_system == pytest.approx(9.0, rel=1e-9)
    assert chain.mean_sojourn == pytest.approx(10.0, rel=1e-9)
