"""How long ``staffsim fit`` and ``staffsim backtest`` take on a month of contacts.

Prints a table with:

* ``fit-40k``: ``fit`` of a four-week log of about 40,000 contacts (one
  replication of the scenario below, exported as the simulator's own contact
  log), reading, fitting and writing the scenario, fit.json and fit.png,
  against reading the same CSV with ``pandas.read_csv`` in the same run (the
  baseline: what any look at the log costs);
* ``backtest-month``: ``backtest`` of the fitted scenario against that log, 10
  replications on 2 jobs, against a plain ``run`` of the fitted scenario over
  the same month with the same replications and jobs (the baseline: a backtest
  is one run plus its comparison).

Target (the "From history" issue): fit under 10 s for 40,000 contacts.

Usage::

    python benchmarks/history.py
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

import pandas as pd

import simulator
from simulator.history.backtest import backtest
from simulator.history.export import export_log
from simulator.history.fit import fit
from simulator.history.fit_report import write_fit
from simulator.results_writer import write_results

MONTH: dict[str, Any] = {
    "name": "history-month",
    "start": "2026-03-02T00:00:00Z",
    "horizon": "4w",
    "replications": 1,
    "seed": 7,
    "streams": {
        "chat": {
            "per_hour": 60,
            "profile": {
                "region": "UTC",
                "hourly": [0.2] * 7
                + [1.0, 1.6, 1.8, 1.8, 1.6, 1.5, 1.5, 1.6, 1.6, 1.4, 1.2, 1.0]
                + [0.8, 0.6, 0.4, 0.3, 0.2],
                "days": {
                    "Mon": 1.2,
                    "Tue": 1.1,
                    "Wed": 1.1,
                    "Thu": 1.0,
                    "Fri": 1.0,
                    "Sat": 0.5,
                    "Sun": 0.4,
                },
            },
            "conversation": {
                "handle": {"dist": "exponential", "mean": "4min"},
                "patience": {"dist": "exponential", "mean": "5min"},
                "wrap_up": {"dist": "fixed", "value": "30s"},
            },
        }
    },
    "teams": {
        "support": {
            "serves": ["chat"],
            "roster": [
                {"days": "Mon-Sat", "start": "07:00", "end": "15:00", "agents": 12},
                {"days": "Mon-Sat", "start": "13:00", "end": "21:00", "agents": 9},
                {"days": "daily", "start": "21:00", "end": "31:00", "agents": 3},
                {"days": "Sun", "start": "07:00", "end": "21:00", "agents": 3},
            ],
        }
    },
}


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        write_results(simulator.run(simulator.load_scenario(MONTH)), root / "run")
        log = root / "log.csv"
        contacts = export_log(root / "run", log).contacts

        began = time.perf_counter()
        pd.read_csv(log)
        read_s = time.perf_counter() - began
        began, cpu = time.perf_counter(), time.process_time()
        fitted = fit(log, session_gap="1h")
        write_fit(fitted, root / "fitted.yaml")
        fit_s, fit_cpu = time.perf_counter() - began, time.process_time() - cpu

        scenario = simulator.load_scenario(root / "fitted.yaml")
        began = time.perf_counter()
        simulator.run(scenario, replications=10, seed=1, jobs=2)
        run_s = time.perf_counter() - began
        began = time.perf_counter()
        backtest(scenario, log, replications=10, seed=1, jobs=2)
        backtest_s = time.perf_counter() - began

    rows = [
        ("fit-40k", f"{contacts:,} contacts", fit_s, "pandas.read_csv", read_s),
        ("backtest-month", "10 reps x 4 weeks, 2 jobs", backtest_s, "one run", run_s),
    ]
    print("| case | size | seconds | baseline | baseline seconds | ratio |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name, size, seconds, label, base in rows:
        print(f"| {name} | {size} | {seconds:.2f} | {label} | {base:.2f} | {seconds / base:.1f}x |")
    print(
        f"\nfit of {contacts:,} contacts in {fit_s:.1f} s, {fit_cpu:.1f} s of CPU "
        f"(target under 10 s): "
        f"{'met' if fit_s < 10 else 'missed'}"
    )


if __name__ == "__main__":
    main()
