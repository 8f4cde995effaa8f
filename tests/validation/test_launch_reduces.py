"""With skills all 1.0, no bot and one pooled team, the launch model reduces to
the single-team core.

Scenario A is a launch organisation stripped of everything that makes launch
questions different: a ``launch`` and a ``general`` stream with the same
conversation shape, no bot, routing that puts every launch conversation in its
own queue (or both streams in one queue), one pooled team serving all of it
with skill 1.0 for both streams and a triage setting that never comes into play
(nothing is misrouted). Scenario B is the core: one stream at the summed rate
served by the same team. A superposition of two Poisson streams of identical
customers is one Poisson stream of those customers, and a team that picks the
next conversation without looking at its work content gives the same number in
system (so the same mean waits, share that waited and occupancy) whichever
queue it takes from first. So every headline below must agree.

Each statistic's ``ci95`` is a Student t interval over replications; the runs
use different seeds, so they are independent and the difference's standard
error is the root sum of squares. The check widens that to 99.9% (the factor
t_0.9995 / t_0.975 is the safety factor) and asks each run's 95% half-width to
be a small share of the value, so that the check could fail.
"""

from __future__ import annotations

import copy
import math
from typing import Any

import pytest
from scipy import stats
from simcheck import CHECK_LEVEL, run_summary, stat

import simulator

# Largest 95% half-width accepted, relative to the value.
TOLERANCES = {
    "overall.frt_s.mean": 0.05,
    "overall.queue_wait_s.share_waited": 0.04,
    "overall.resolution_s.mean": 0.04,
    "by_team.pooled.occupancy": 0.015,
}


def shape(exchanges: int) -> dict[str, Any]:
    conversation: dict[str, Any] = {
        "handle": {"dist": "exponential", "mean": f"{6 // exchanges}min"},
        "exchanges": exchanges,
    }
    if exchanges > 1:
        conversation["reply_delay"] = {"dist": "exponential", "mean": "1min"}
    return conversation


def core(
    *, exchanges: int, concurrency: int, horizon_h: int, replications: int, seed: int
) -> dict[str, Any]:
    """Scenario B: one stream at 30 an hour, one always-on team of 4."""
    return {
        "name": "core",
        "horizon": f"{horizon_h}h",
        "warmup": "10h",
        "replications": replications,
        "seed": seed,
        "streams": {"chat": {"per_hour": 30, "conversation": shape(exchanges)}},
        "teams": {"pooled": {"agents": 4, "concurrency": concurrency, "serves": ["chat"]}},
    }


def launch_organisation(base: dict[str, Any], *, separate_queue: bool, seed: int) -> dict[str, Any]:
    """Scenario A: the same load as ``base`` split 12 + 18 an hour into a launch and a
    general stream; launch questions reach their own queue by rules with recall 1.0
    (served first), or share the general queue."""
    scenario = copy.deepcopy(base)
    conversation = scenario["streams"].pop("chat")["conversation"]
    launch: dict[str, Any] = {"per_hour": 12, "conversation": copy.deepcopy(conversation)}
    if separate_queue:
        launch.update(queue="tiger", routing={"rules": 1.0, "fallback": "general"})
        serves = ["tiger", "general"]
    else:
        launch["queue"] = "general"
        serves = ["general"]
    scenario.update(
        name="launch",
        seed=seed,
        streams={
            "launch": launch,
            "general": {"per_hour": 18, "conversation": conversation},
        },
    )
    team = scenario["teams"]["pooled"]
    team.update(
        serves=serves,
        skills={"launch": 1.0, "general": 1.0},
        triage={"time": "3min", "reassign": 0.5},
    )
    return scenario


def assert_agree(
    a: dict[str, Any], b: dict[str, Any], path: str, max_rel_half_width: float
) -> None:
    (value_a, (low_a, high_a)), (value_b, (low_b, high_b)) = stat(a, path), stat(b, path)
    half_a, half_b = (high_a - low_a) / 2, (high_b - low_b) / 2
    dof_a, dof_b = a["replications"] - 1, b["replications"] - 1
    where = (
        f"{path}: launch model {value_a:.6g} +-{half_a:.3g}, core {value_b:.6g} "
        f"+-{half_b:.3g} (95%)"
    )
    for value, half in ((value_a, half_a), (value_b, half_b)):
        assert half <= max_rel_half_width * abs(value), (
            f"{where}: interval too wide to test (over {max_rel_half_width:.1%}); run longer"
        )
    # Standard errors from each run's own t quantile, then a conservative 99.9% quantile.
    se_a = half_a / stats.t.ppf(0.975, dof_a)
    se_b = half_b / stats.t.ppf(0.975, dof_b)
    allowed = stats.t.ppf(0.5 + CHECK_LEVEL / 2, min(dof_a, dof_b)) * math.hypot(se_a, se_b)
    assert abs(value_a - value_b) <= allowed, (
        f"{where}: differ by {value_a - value_b:.4g}, more than the 99.9% bound {allowed:.4g}"
    )


CASES = [
    # M/M/4 at load 0.75 (the Erlang C core), both streams in one queue.
    pytest.param(
        dict(exchanges=1, concurrency=1, horizon_h=210, replications=16, seed=31),
        False,
        id="mm4-one-queue",
    ),
    # Two replies per conversation, agents holding two at once; launch queue first.
    pytest.param(
        dict(exchanges=2, concurrency=2, horizon_h=310, replications=16, seed=32),
        True,
        id="two-exchanges-launch-queue-first",
        marks=pytest.mark.slow,
    ),
]


@pytest.mark.parametrize(("settings", "separate_queue"), CASES)
def test_launch_model_reduces_to_the_core(settings: dict[str, Any], separate_queue: bool) -> None:
    base = core(**settings)
    a = run_summary(
        launch_organisation(base, separate_queue=separate_queue, seed=settings["seed"] + 1000)
    )
    b = run_summary(base)
    # Nothing misrouted, deflected or abandoned in either.
    for summary in (a, b):
        counts = summary["overall"]["counts"]
        assert counts["deflected"]["value"] == 0 and counts["abandoned"]["value"] == 0
    assert a["overall"]["counts"]["arrived"]["value"] == pytest.approx(
        b["overall"]["counts"]["arrived"]["value"], rel=0.02
    )
    for path, tolerance in TOLERANCES.items():
        assert_agree(a, b, path, tolerance)


def test_no_conversation_is_reassigned_when_the_pool_serves_everything() -> None:
    config = launch_organisation(
        core(exchanges=1, concurrency=1, horizon_h=24, replications=1, seed=5),
        separate_queue=True,
        seed=6,
    )
    result = simulator.run(simulator.load_scenario(config))
    rows = result.conversations
    assert len(rows) > 0 and (rows["reassignments"] == 0).all()
    assert set(rows["team"].dropna().astype(str)) == {"pooled"}
