"""staffsim: a discrete-event simulator for staffing customer-support conversations.

The public API mirrors the command line::

    import simulator
    scenario = simulator.load_scenario("scenarios/default.yaml")
    result = simulator.run(scenario, replications=10, seed=1)
    result.summary          # the summary.json dict
    result.conversations    # one row per conversation and replication

``run`` and ``RunResult`` are imported on first use, so that checking a
scenario file does not pay for loading pandas and the engine.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from simulator.errors import ScenarioError
from simulator.scenario import Scenario, load_scenario

if TYPE_CHECKING:
    from simulator.experiment import RunResult, run

__all__ = ["RunResult", "Scenario", "ScenarioError", "load_scenario", "run"]


def __getattr__(name: str) -> Any:
    if name in ("run", "RunResult"):
        from simulator import experiment

        return getattr(experiment, name)
    raise AttributeError(f"module 'simulator' has no attribute {name!r}")
