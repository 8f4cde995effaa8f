"""staffsim: a discrete-event simulator for staffing customer-support conversations.

The public API mirrors the command line::

    import simulator
    scenario = simulator.load_scenario("scenarios/default.yaml")
    result = simulator.run(scenario, replications=10, seed=1)
    result.summary          # the summary.json dict
    result.conversations    # one row per conversation and replication
"""

from simulator.errors import ScenarioError
from simulator.experiment import RunResult, run
from simulator.scenario import Scenario, load_scenario

__all__ = ["RunResult", "Scenario", "ScenarioError", "load_scenario", "run"]
