"""An always-on team with exponential handle times is M/M/c: Erlang C.

Poisson arrivals, one exchange, concurrency 1, no patience, no bot. The
share of conversations that wait and the mean queue wait must match Erlang C,
the mean resolution time Wq + handle, and occupancy lambda / (c mu).
Tolerances come from the replications' intervals (see ``simcheck``).
"""

from __future__ import annotations

import pytest
from simcheck import check, mm_scenario, run_summary
from theory import erlang_c, erlang_c_mean_wait

# Largest 95% half-width accepted, relative to the exact value.
SHARE_TOL, WAIT_TOL, RESOLUTION_TOL, OCCUPANCY_TOL = 0.04, 0.08, 0.04, 0.015

# (per_hour, handle_min, agents, horizon_h, warmup_h, replications, seed)
CASES = [
    pytest.param(10, 3, 1, 510, 10, 20, 101, id="mm1-load0.5"),
    pytest.param(30, 6, 4, 470, 20, 20, 102, id="mm4-load0.75"),
    pytest.param(90, 6, 10, 370, 20, 20, 103, id="mm10-load0.9", marks=pytest.mark.slow),
]


@pytest.mark.parametrize(
    ("per_hour", "handle_min", "agents", "horizon_h", "warmup_h", "replications", "seed"), CASES
)
def test_mmc_matches_erlang_c(
    per_hour, handle_min, agents, horizon_h, warmup_h, replications, seed
):
    lam = per_hour / 3600.0
    mu = 1.0 / (handle_min * 60.0)
    summary = run_summary(
        mm_scenario(
            f"erlang-c-{agents}",
            per_hour=per_hour,
            handle_min=handle_min,
            agents=agents,
            horizon_h=horizon_h,
            warmup_h=warmup_h,
            replications=replications,
            seed=seed,
        )
    )

    wait = erlang_c_mean_wait(lam, mu, agents)
    check(
        summary,
        "overall.queue_wait_s.share_waited",
        erlang_c(agents, lam / mu),
        max_rel_half_width=SHARE_TOL,
    )
    check(summary, "overall.queue_wait_s.mean", wait, max_rel_half_width=WAIT_TOL)
    check(summary, "overall.resolution_s.mean", wait + 1 / mu, max_rel_half_width=RESOLUTION_TOL)
    check(
        summary, "by_team.support.occupancy", lam / (agents * mu), max_rel_half_width=OCCUPANCY_TOL
    )
    assert summary["overall"]["abandon_rate"]["value"] == 0.0
