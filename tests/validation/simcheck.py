"""Running the simulator for a validation check and comparing with theory.

A statistic's ``ci95`` in the summary is a Student t interval over the
replications. A correct simulator misses the truth with it 5% of the time, so
the checks widen it to a 99.9% t interval (same centre and standard error,
the t quantile for 99.9%: exactly the interval the per-replication values
would give) and additionally require the 95% half-width to be small relative
to the exact value, so that a check has the power to fail.
"""

from __future__ import annotations

from typing import Any

from scipy import stats

import simulator

CHECK_LEVEL = 0.999
SUMMARY_LEVEL = 0.95


def mm_scenario(
    name: str,
    *,
    per_hour: float,
    handle_min: float,
    agents: int,
    horizon_h: float,
    warmup_h: float,
    replications: int,
    seed: int,
    patience_min: float | None = None,
    concurrency: int = 1,
    efficiency: list[float] | None = None,
) -> dict[str, Any]:
    """An always-on team, Poisson arrivals, one exponential reply per conversation."""
    conversation: dict[str, Any] = {"handle": {"dist": "exponential", "mean": f"{handle_min}min"}}
    if patience_min is not None:
        conversation["patience"] = {"dist": "exponential", "mean": f"{patience_min}min"}
    team: dict[str, Any] = {"agents": agents, "serves": ["chat"]}
    if efficiency is not None:
        team.update(concurrency=concurrency, attention="shared", efficiency=efficiency)
    elif concurrency != 1:
        raise ValueError("concurrency without efficiency: say which attention is meant")
    return {
        "name": name,
        "horizon": f"{horizon_h}h",
        "warmup": f"{warmup_h}h",
        "replications": replications,
        "seed": seed,
        "streams": {"chat": {"per_hour": per_hour, "conversation": conversation}},
        "teams": {"support": team},
    }


def run_summary(config: dict[str, Any]) -> dict[str, Any]:
    """The summary.json document of a run of ``config``."""
    scenario = simulator.load_scenario(config)
    return simulator.run(scenario).summary


def stat(summary: dict[str, Any], path: str) -> tuple[float, tuple[float, float]]:
    """(value, 95% interval) of statistic ``path`` (dotted, from the summary's root)."""
    node: Any = summary
    for key in path.split("."):
        node = node[key]
    low, high = node["ci95"]
    return node["value"], (low, high)


def check(
    summary: dict[str, Any], path: str, expected: float, *, max_rel_half_width: float
) -> None:
    """Assert the exact ``expected`` lies in the 99.9% interval of statistic ``path``
    (dotted, from the summary's root) and that the 95% half-width is at most
    ``max_rel_half_width`` of ``expected``."""
    value, (low, high) = stat(summary, path)
    dof = summary["replications"] - 1
    half95 = (high - low) / 2
    widen = stats.t.ppf(0.5 + CHECK_LEVEL / 2, dof) / stats.t.ppf(0.5 + SUMMARY_LEVEL / 2, dof)
    half = half95 * widen
    where = (
        f"{summary['scenario']} {path}: simulated {value:.6g} "
        f"(95% CI [{low:.6g}, {high:.6g}], 99.9% +-{half:.3g}), exact {expected:.6g}"
    )
    assert half95 <= max_rel_half_width * abs(expected), (
        f"{where}: interval too wide to test (95% half-width {half95:.3g} over "
        f"{max_rel_half_width:.0%} of the exact value); run longer"
    )
    assert abs(value - expected) <= half, f"{where}: outside the 99.9% interval"
