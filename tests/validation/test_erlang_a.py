"""Exponential patience makes an always-on team M/M/c+M: Erlang A.

The exact values come from the birth-death chain in ``theory`` (state: number
in system; death rate min(n, c) mu + max(n - c, 0) theta): abandonment share
theta E[Lq] / lambda, share that waited P(N >= c) by PASTA, and mean queue
wait E[Lq] / lambda by Little's law, abandoned conversations counted until
they leave, as ``queue_wait_s`` does.
"""

from __future__ import annotations

import pytest
from simcheck import check, mm_scenario, run_summary
from theory import erlang_a

# Largest 95% half-width accepted, relative to the exact value.
SHARE_TOL, WAIT_TOL, ABANDON_TOL = 0.04, 0.06, 0.06

# (per_hour, handle_min, agents, patience_min, horizon_h, warmup_h, replications, seed)
CASES = [
    pytest.param(90, 6, 9, 3, 70, 10, 20, 201, id="c9-load1.0"),
    pytest.param(60, 5, 4, 2, 60, 10, 20, 202, id="c4-load1.25"),
    pytest.param(30, 6, 3, 10, 90, 10, 20, 203, id="c3-load1.0-patient"),
    pytest.param(40, 6, 5, 5, 160, 10, 20, 204, id="c5-load0.8"),
]


@pytest.mark.parametrize(
    (
        "per_hour",
        "handle_min",
        "agents",
        "patience_min",
        "horizon_h",
        "warmup_h",
        "replications",
        "seed",
    ),
    CASES,
)
def test_mmc_with_patience_matches_erlang_a(
    per_hour, handle_min, agents, patience_min, horizon_h, warmup_h, replications, seed
):
    lam = per_hour / 3600.0
    mu = 1.0 / (handle_min * 60.0)
    theta = 1.0 / (patience_min * 60.0)
    summary = run_summary(
        mm_scenario(
            f"erlang-a-{agents}",
            per_hour=per_hour,
            handle_min=handle_min,
            agents=agents,
            patience_min=patience_min,
            horizon_h=horizon_h,
            warmup_h=warmup_h,
            replications=replications,
            seed=seed,
        )
    )

    exact = erlang_a(lam, mu, agents, theta)
    check(summary, "overall.abandon_rate", exact.p_abandon, max_rel_half_width=ABANDON_TOL)
    check(summary, "overall.queue_wait_s.share_waited", exact.p_wait, max_rel_half_width=SHARE_TOL)
    check(summary, "overall.queue_wait_s.mean", exact.mean_wait, max_rel_half_width=WAIT_TOL)
