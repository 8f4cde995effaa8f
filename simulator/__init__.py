"""staffsim: a discrete-event simulator for staffing customer-support conversations.

The public API mirrors the command line::

    import simulator
    scenario = simulator.load_scenario("scenarios/inbox_launch_tiger.yaml")
    result = simulator.run(scenario, replications=10, seed=1)
    result.summary          # the summary.json dict
    result.conversations    # one row per conversation and replication
    simulator.compare("s.yaml", vary="handoff.policy=handback,ownership").table
    simulator.sweep("s.yaml", ["teams.support.agents=4..8"]).point_table
    simulator.size(scenario, team="live", target="frt.p90<=4min").agents
    simulator.roster(scenario, team="live", target="frt.p90<=4min", shifts="shifts.yaml").roster
    simulator.fit("contacts.csv", tz="Europe/Dublin").scenario    # a scenario fitted to a log
    simulator.backtest("fitted.yaml", "contacts.csv").mae           # checked against the log

``run``, ``compare``, ``sweep`` and their results are imported on first use, so that checking a
scenario file does not pay for loading pandas and the engine.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from simulator.errors import ScenarioError
from simulator.scenario import Scenario, load_scenario

if TYPE_CHECKING:
    from simulator.decisions.compare import CompareResult, compare
    from simulator.decisions.roster.roster import RosterResult, roster
    from simulator.decisions.sizing.size import SizeResult, size
    from simulator.decisions.sweep import SweepResult, sweep
    from simulator.experiment import RunResult, run
    from simulator.history.backtest import BacktestResult, backtest
    from simulator.history.export import export_log
    from simulator.history.fit import FitResult, fit

__all__ = [
    "BacktestResult",
    "CompareResult",
    "FitResult",
    "RosterResult",
    "RunResult",
    "Scenario",
    "ScenarioError",
    "SizeResult",
    "SweepResult",
    "backtest",
    "compare",
    "export_log",
    "fit",
    "load_scenario",
    "roster",
    "run",
    "size",
    "sweep",
]

# The names imported on first use, and the module each comes from.
_LAZY = {
    "run": "simulator.experiment",
    "RunResult": "simulator.experiment",
    "compare": "simulator.decisions.compare",
    "CompareResult": "simulator.decisions.compare",
    "sweep": "simulator.decisions.sweep",
    "SweepResult": "simulator.decisions.sweep",
    "size": "simulator.decisions.sizing.size",
    "SizeResult": "simulator.decisions.sizing.size",
    "roster": "simulator.decisions.roster.roster",
    "RosterResult": "simulator.decisions.roster.roster",
    "fit": "simulator.history.fit",
    "FitResult": "simulator.history.fit",
    "export_log": "simulator.history.export",
    "backtest": "simulator.history.backtest",
    "BacktestResult": "simulator.history.backtest",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'simulator' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
