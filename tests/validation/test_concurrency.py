"""Shared attention: every open conversation progresses at once.

- N agents of concurrency K at efficiency 1.0 are N*K independent servers:
  M/M/(N K), Erlang C (and Erlang A with patience).
- One agent with a falling efficiency list is the birth-death chain whose
  total service rate holding n conversations is
  n * efficiency[min(n, len) - 1] / mean_handle (``theory.shared_attention``).
  Besides the queue, mean resolution time checks the service itself: without
  abandonment it is E[N] / lambda by Little's law.
"""

from __future__ import annotations

import pytest
from simcheck import check, mm_scenario, run_summary
from theory import QueueStats, erlang_c, erlang_c_mean_wait, shared_attention

# Largest 95% half-width accepted, relative to the exact value.
SHARE_TOL, WAIT_TOL, RESOLUTION_TOL, ABANDON_TOL = 0.04, 0.10, 0.04, 0.06


def check_queue(summary: dict, exact: QueueStats, patient: bool) -> None:
    if patient:
        check(summary, "overall.abandon_rate", exact.p_abandon, max_rel_half_width=ABANDON_TOL)
    else:
        # nobody leaves: time in system over all arrivals is that of resolved ones
        check(
            summary,
            "overall.resolution_s.mean",
            exact.mean_sojourn,
            max_rel_half_width=RESOLUTION_TOL,
        )
        assert summary["overall"]["abandon_rate"]["value"] == 0.0
    check(summary, "overall.queue_wait_s.share_waited", exact.p_wait, max_rel_half_width=SHARE_TOL)
    check(summary, "overall.queue_wait_s.mean", exact.mean_wait, max_rel_half_width=WAIT_TOL)


@pytest.mark.parametrize(
    (
        "per_hour",
        "handle_min",
        "agents",
        "concurrency",
        "patience_min",
        "horizon_h",
        "warmup_h",
        "replications",
        "seed",
    ),
    [
        pytest.param(48, 9, 3, 3, None, 420, 20, 20, 301, id="3x3-load0.8", marks=pytest.mark.slow),
        pytest.param(60, 4, 2, 2, 2, 90, 10, 20, 302, id="2x2-load1.0-patience"),
    ],
)
def test_full_efficiency_is_mm_nk(
    per_hour, handle_min, agents, concurrency, patience_min, horizon_h, warmup_h, replications, seed
):
    lam = per_hour / 3600.0
    handle = handle_min * 60.0
    summary = run_summary(
        mm_scenario(
            f"shared-{agents}x{concurrency}",
            per_hour=per_hour,
            handle_min=handle_min,
            agents=agents,
            concurrency=concurrency,
            efficiency=[1.0] * concurrency,
            patience_min=patience_min,
            horizon_h=horizon_h,
            warmup_h=warmup_h,
            replications=replications,
            seed=seed,
        )
    )

    theta = 0.0 if patience_min is None else 1.0 / (patience_min * 60.0)
    exact = shared_attention(
        lam, handle, concurrency, [1.0] * concurrency, agents=agents, abandon_rate=theta
    )
    if patience_min is None:
        # the same numbers as Erlang C with N*K servers, as the issue states it
        slots = agents * concurrency
        assert exact.p_wait == pytest.approx(erlang_c(slots, lam * handle), rel=1e-9)
        assert exact.mean_wait == pytest.approx(
            erlang_c_mean_wait(lam, 1 / handle, slots), rel=1e-9
        )
    check_queue(summary, exact, patience_min is not None)


@pytest.mark.parametrize(
    (
        "per_hour",
        "handle_min",
        "concurrency",
        "efficiency",
        "patience_min",
        "horizon_h",
        "warmup_h",
        "replications",
        "seed",
    ),
    [
        pytest.param(
            12,
            6,
            3,
            [1.0, 0.8, 0.6],
            None,
            1020,
            20,
            20,
            311,
            id="k3-falling",
            marks=pytest.mark.slow,
        ),
        pytest.param(
            12,
            6,
            3,
            [1.0, 0.75],
            None,
            820,
            20,
            20,
            312,
            id="k3-short-list",
            marks=pytest.mark.slow,
        ),
        pytest.param(20, 6, 3, [1.0, 0.8, 0.6], 5, 170, 10, 20, 313, id="k3-falling-patience"),
    ],
)
def test_falling_efficiency_matches_state_dependent_chain(
    per_hour,
    handle_min,
    concurrency,
    efficiency,
    patience_min,
    horizon_h,
    warmup_h,
    replications,
    seed,
):
    lam = per_hour / 3600.0
    handle = handle_min * 60.0
    summary = run_summary(
        mm_scenario(
            f"shared-1x{concurrency}",
            per_hour=per_hour,
            handle_min=handle_min,
            agents=1,
            concurrency=concurrency,
            efficiency=efficiency,
            patience_min=patience_min,
            horizon_h=horizon_h,
            warmup_h=warmup_h,
            replications=replications,
            seed=seed,
        )
    )

    theta = 0.0 if patience_min is None else 1.0 / (patience_min * 60.0)
    exact = shared_attention(lam, handle, concurrency, efficiency, abandon_rate=theta)
    check_queue(summary, exact, patience_min is not None)
