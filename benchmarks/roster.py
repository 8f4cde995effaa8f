"""How long ``staffsim roster`` takes: the integer program alone, and a whole run.

Prints a table with:

* ``program-672x200``: the shift-covering program (:mod:`simulator.decisions.roster.shift_cover`)
  for a week of 15-minute intervals (672) and about 200 shift choices, against
  its linear relaxation solved by the same HiGHS in the same run (the baseline:
  how much the whole numbers cost);
* ``roster-live-chat``: a whole ``roster`` of the shipped live-chat scenario cut
  to one week (3 rounds of 10 replications, ``--jobs 2``), against one plain
  ``run`` of the same scenario and replications in the same run (the baseline: a
  roster costs about one run per round plus one for the team's own roster).

Targets (issue "Shifts that meet the target"): the program solves in seconds;
the whole roster run is under a minute on 2 cores.

Usage::

    python benchmarks/roster.py
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

import simulator
from simulator.decisions.roster.roster import roster
from simulator.decisions.roster.shift_cover import coverage, solve
from simulator.decisions.roster.shift_templates import ShiftTemplates, choices

ROOT = Path(__file__).resolve().parent.parent


def program_case() -> tuple[float, float, int]:
    """Seconds for the integer program and for its relaxation; the number of choices."""
    from datetime import UTC, datetime

    templates = ShiftTemplates.model_validate(
        {
            "templates": [
                {
                    "label": "full",
                    "starts": {"from": "00:00", "to": "23:45", "every": "15min"},
                    "length": "8h",
                    "days": ["Mon-Fri", "Sat-Sun"],
                },
                {
                    "label": "part",
                    "starts": {"from": "10:00", "to": "11:45", "every": "15min"},
                    "length": "4h",
                    "days": ["Mon-Fri"],
                    "cost_per_hour": 1.1,
                },
            ]
        }
    )
    options = choices(templates)
    slot_s = 900.0
    edges = np.arange(0.0, 7 * 86400 + 1, slot_s)
    slot = np.arange(672)
    shares = coverage(options, datetime(2026, 1, 5, tzinfo=UTC), edges, slot, 672)
    hour = (slot * slot_s % 86400) / 3600
    daily = 2 + 10 * np.exp(-(((hour - 14) / 4) ** 2))
    weekend = np.where(slot >= 5 * 96, 0.5, 1.0)
    required = np.ceil(daily * weekend)
    began = time.perf_counter()
    solve(required, shares, options, templates)
    whole = time.perf_counter() - began
    costs = np.array([c.cost_per_week for c in options])
    began = time.perf_counter()
    milp(costs, constraints=[LinearConstraint(shares, lb=required)], bounds=Bounds(0, np.inf))
    relaxed = time.perf_counter() - began
    return whole, relaxed, len(options)


def roster_case() -> tuple[float, float, int]:
    """Seconds for a whole roster (3 rounds of 10 replications of a week, 2 jobs) and
    for one run of the same scenario; the rounds the roster took."""
    scenario = simulator.load_scenario(
        ROOT / "scenarios" / "live_chat_handback.yaml",
        ["horizon=1w", "streams.chat.conversation.first_handle.mean=45s"],
    )
    began = time.perf_counter()
    simulator.run(scenario, replications=10, seed=1, jobs=2)
    one_run = time.perf_counter() - began
    began = time.perf_counter()
    result = roster(
        scenario,
        team="live",
        target="frt.p90<=90s",
        shifts=ROOT / "scenarios" / "shifts" / "live_chat.yaml",
        interval_target=1.0,  # every hour: a few cannot, so all 3 rounds run
        rounds=3,
        replications=10,
        seed=1,
        jobs=2,
    )
    return time.perf_counter() - began, one_run, len(result.rounds)


def main() -> None:
    whole, relaxed, count = program_case()
    total, one_run, rounds = roster_case()
    rows = [
        ("program-672x200", f"672 intervals, {count} choices", whole, relaxed, "LP relaxation"),
        ("roster-live-chat", f"{rounds} rounds x 10 reps, 1 week", total, one_run, "one run"),
    ]
    print("| case | size | seconds | baseline | baseline seconds | ratio |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name, size, seconds, base, label in rows:
        print(f"| {name} | {size} | {seconds:.2f} | {label} | {base:.2f} | {seconds / base:.1f}x |")


if __name__ == "__main__":
    main()
