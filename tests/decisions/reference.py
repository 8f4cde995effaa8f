"""Queueing formulas computed here from their definitions, independently of
``simulator.decisions.sizing.staffing``, for the staffing and sizing tests to check against."""

from __future__ import annotations

import math


def factorial_erlang_c(c: int, a: float) -> float:
    """P(wait) in M/M/c with offered load ``a`` from the factorial formula (1 when
    ``a >= c``: without a steady state everyone waits)."""
    if a >= c:
        return 1.0
    top = a**c / math.factorial(c) * c / (c - a)
    return top / (sum(a**k / math.factorial(k) for k in range(c)) + top)


def plain_erlang_a(
    lam: float, mu: float, c: int, theta: float, states: int = 400
) -> tuple[float, float, float]:
    """(P(wait), P(abandon), E[wait]) in M/M/c+M from the unnormalised birth-death
    products."""
    p = [1.0]
    for n in range(1, states):
        p.append(p[-1] * lam / (min(n, c) * mu + max(n - c, 0) * theta))
    total = sum(p)
    p = [x / total for x in p]
    queue = sum(max(n - c, 0) * x for n, x in enumerate(p))
    return sum(p[c:]), theta * queue / lam, queue / lam
