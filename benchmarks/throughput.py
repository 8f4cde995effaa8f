"""Throughput and peak memory of the engine, next to a minimal plain-SimPy model.

Prints conversations simulated per second and peak memory for:

* ``plain-simpy-mm10``: the process-style reference, a ~20-line M/M/10 in bare
  SimPy (one ``simpy.Resource``, one process per customer, waits appended to a list);
* ``callback-simpy-mm10``: the callback-style reference, the same M/M/10 as a
  ``Timeout`` with a callback per arrival and per completion and a plain FIFO of
  waiting customers: about the fastest SimPy itself allows, and the style the
  engine's hot path uses;
* ``(a) mm10-load0.95``: the same M/M/10 (95 conversations an hour, exponential
  6-minute handle, 10 always-on agents, so 95% load) run by staffsim;
* ``(b) chat-roster-c3``: multi-exchange live chat (geometric exchanges, reply
  delays, wrap-up, patience) with concurrency 3, serial attention, a regional
  roster and shift-end handback: the shape of ``scenarios/live_chat_handback.yaml``.

For staffsim the timed region is one call of
:func:`simulator.model.engine.simulate`: drawing arrivals and customers,
building the model, running it and building the record's DataFrames, which is
what a user pays per replication. Scenario validation and imports are not
timed. Throughput is conversations in the record divided by those wall-clock
seconds; the CPU seconds of the same region are printed alongside, since on a
shared machine wall time includes waiting for a core.

Each measurement runs in a fresh subprocess (this script re-invoked with
``--worker``), so ``ru_maxrss`` (KiB on Linux) is that case's own peak; the
peak after imports is read first and the increment is reported too. Timing is
the best of ``--repeat`` subprocesses per case, interleaved across cases.

Why the baseline is measured in the same run: conversations per second depend
on the CPU, its clock and whatever else the machine is doing, so an absolute
number means little across machines or days. The target is relative (staffsim
on (a) against plain SimPy's throughput; Ciw manages about 50% of the
process-style one), and the
ratio is only trustworthy when both sides ran under the same conditions.
The engine's ratio to both references is reported; the targets are on (a):
at least ``TARGET_CALLBACK`` of the callback-style one and ``TARGET_PROCESS``
times the process-style one.

Usage::

    python benchmarks/throughput.py                      # 200,000 conversations, best of 3
    python benchmarks/throughput.py --conversations 1000000 --repeat 1   # memory target
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

# The M/M/10 shared by the baseline and case (a).
PER_HOUR = 95.0
HANDLE_MIN = 6.0
SERVERS = 10

# Mean arrival rate of case (b) (its profile has mean 1 over the week).
CHAT_PER_HOUR = 30.0

TARGET_PROCESS = 1.5  # (a) over the process-style reference
TARGET_CALLBACK = 0.6  # (a) over the callback-style reference
TARGET_PEAK_MB = 1024.0
TARGET_KB_EACH = 0.5  # peak over imports, per conversation
MEMORY_CHECK_AT = 1_000_000

CASES = ["plain-simpy-mm10", "callback-simpy-mm10", "(a) mm10-load0.95", "(b) chat-roster-c3"]
BASELINE, CALLBACK_BASELINE = CASES[0], CASES[1]
ENGINE_CASES = CASES[2:]


# -- the reference model --------------------------------------------------------------
def plain_simpy_mm10(customers: int, seed: int) -> int:
    """M/M/10 in bare SimPy: a Resource, an arrival process, one process per customer."""
    import random

    import simpy

    rng = random.Random(seed)
    lam, mu = PER_HOUR / 3600.0, 1.0 / (HANDLE_MIN * 60.0)
    env = simpy.Environment()
    agents = simpy.Resource(env, capacity=SERVERS)
    waits: list[float] = []

    def customer():
        arrived = env.now
        with agents.request() as request:
            yield request
            waits.append(env.now - arrived)
            yield env.timeout(rng.expovariate(mu))

    def arrivals():
        for _ in range(customers):
            yield env.timeout(rng.expovariate(lam))
            env.process(customer())

    env.process(arrivals())
    env.run()
    return len(waits)


def callback_simpy_mm10(customers: int, seed: int) -> int:
    """M/M/10 in bare SimPy with callbacks: a timeout per arrival and per completion."""
    import random
    from collections import deque

    import simpy

    rng = random.Random(seed)
    lam, mu = PER_HOUR / 3600.0, 1.0 / (HANDLE_MIN * 60.0)
    env = simpy.Environment()
    waiting: deque[float] = deque()
    waits: list[float] = []
    free = [SERVERS]
    arrived = [0]

    def start(arrived_at: float) -> None:
        waits.append(env.now - arrived_at)
        env.timeout(rng.expovariate(mu)).callbacks.append(complete)

    def complete(_event: object) -> None:
        if waiting:
            start(waiting.popleft())
        else:
            free[0] += 1

    def arrive(_event: object) -> None:
        if free[0]:
            free[0] -= 1
            start(env.now)
        else:
            waiting.append(env.now)
        arrived[0] += 1
        if arrived[0] < customers:
            env.timeout(rng.expovariate(lam)).callbacks.append(arrive)

    env.timeout(rng.expovariate(lam)).callbacks.append(arrive)
    env.run()
    return len(waits)


# -- the staffsim scenarios -----------------------------------------------------------
def mm10_scenario(conversations: int) -> dict[str, Any]:
    """Case (a): M/M/10 at 95% load, horizon sized for ``conversations`` on average."""
    return {
        "name": "bench-mm10",
        "horizon": f"{conversations / PER_HOUR:.6f}h",
        "streams": {
            "chat": {
                "per_hour": PER_HOUR,
                "conversation": {"handle": {"dist": "exponential", "mean": f"{HANDLE_MIN}min"}},
            }
        },
        "teams": {"support": {"agents": SERVERS, "serves": ["chat"]}},
    }


def chat_roster_scenario(conversations: int) -> dict[str, Any]:
    """Case (b): live chat with several exchanges, concurrency 3 and a roster.

    A frozen copy of an early ``scenarios/live_chat_handback.yaml`` (so the benchmark does not move
    when the shipped example is retuned), with the horizon stretched.
    """
    weekday = "Mon-Fri"
    return {
        "name": "bench-chat-roster",
        "start": "2026-03-02T00:00:00Z",
        "horizon": f"{conversations / CHAT_PER_HOUR:.6f}h",
        "warmup": "1d",
        "targets": {"frt": "2min", "followup": "5min"},
        "streams": {
            "chat": {
                "per_hour": CHAT_PER_HOUR,
                "profile": {
                    "region": "Europe/Dublin",
                    "hourly": [
                        0.3,
                        0.2,
                        0.2,
                        0.2,
                        0.2,
                        0.3,
                        0.5,
                        0.8,
                        1.1,
                        1.3,
                        1.4,
                        1.4,
                        1.4,
                        1.5,
                        1.6,
                        1.8,
                        2.0,
                        2.2,
                        1.9,
                        1.5,
                        1.2,
                        0.9,
                        0.6,
                        0.4,
                    ],
                    "days": {
                        "Mon": 1.2,
                        "Tue": 1.15,
                        "Wed": 1.1,
                        "Thu": 1.05,
                        "Fri": 1.0,
                        "Sat": 0.5,
                        "Sun": 0.4,
                    },
                },
                "noise": {"daily_cv": 0.1},
                "conversation": {
                    "first_handle": {"dist": "lognormal", "mean": "90s", "cv": 0.8},
                    "handle": {"dist": "lognormal", "mean": "60s", "cv": 0.8},
                    "exchanges": {"dist": "geometric", "mean": 3},
                    "reply_delay": {"dist": "lognormal", "mean": "2min", "cv": 1.0},
                    "wrap_up": {"dist": "fixed", "value": "30s"},
                    "patience": {"dist": "exponential", "mean": "6min"},
                },
            }
        },
        "teams": {
            "live": {
                "concurrency": 3,
                "attention": "serial",
                "serves": ["chat"],
                "roster": [
                    {
                        "label": "emea",
                        "region": "Europe/Dublin",
                        "days": weekday,
                        "start": "07:00",
                        "end": "15:00",
                        "agents": 3,
                    },
                    {
                        "label": "emea-late",
                        "region": "Europe/Dublin",
                        "days": weekday,
                        "start": "13:00",
                        "end": "21:00",
                        "agents": 3,
                    },
                    {
                        "label": "amer",
                        "region": "America/New_York",
                        "days": weekday,
                        "start": "09:00",
                        "end": "17:00",
                        "agents": 3,
                    },
                    {
                        "label": "amer-late",
                        "region": "America/New_York",
                        "days": weekday,
                        "start": "15:00",
                        "end": "23:00",
                        "agents": 2,
                    },
                    {
                        "label": "apac",
                        "region": "Australia/Sydney",
                        "days": weekday,
                        "start": "09:00",
                        "end": "17:00",
                        "agents": 1,
                    },
                    {
                        "label": "weekend",
                        "region": "Europe/Dublin",
                        "days": ["Sat", "Sun"],
                        "start": "00:00",
                        "end": "24:00",
                        "agents": 1,
                    },
                ],
            }
        },
        "handoff": {
            "policy": "handback",
            "reread": {"base": "1min", "per_exchange": "20s"},
            "intake_cutoff": "15min",
            "max_overtime": "1h",
            "leftover": "handback",
        },
    }


# -- one measurement, in its own process ----------------------------------------------
def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB on Linux


def prepare(case: str, conversations: int, seed: int) -> Callable[[], int]:
    """Import and set up ``case``; return the call to time, which returns its count."""
    if case in (BASELINE, CALLBACK_BASELINE):
        import simpy  # noqa: F401  (imported before the RSS baseline is read)

        model = plain_simpy_mm10 if case == BASELINE else callback_simpy_mm10
        return lambda: model(conversations, seed)

    import simulator
    from simulator.model.engine import simulate

    build = mm10_scenario if case == ENGINE_CASES[0] else chat_roster_scenario
    scenario = simulator.load_scenario(build(conversations))
    return lambda: len(simulate(scenario, seed, 0).conversations)


def worker(case: str, conversations: int, seed: int) -> None:
    """Measure ``case`` once and print one JSON line."""
    call = prepare(case, conversations, seed)
    after_imports = _peak_mib()
    began, began_cpu = time.perf_counter(), time.process_time()
    count = call()
    seconds, cpu = time.perf_counter() - began, time.process_time() - began_cpu
    print(
        json.dumps(
            {
                "case": case,
                "conversations": count,
                "seconds": seconds,
                "cpu_s": cpu,
                "peak_mib": _peak_mib(),
                "after_imports_mib": after_imports,
            }
        )
    )


def measure(case: str, conversations: int, seed: int) -> dict[str, Any]:
    command = [
        sys.executable,
        __file__,
        "--worker",
        case,
        "--conversations",
        str(conversations),
        "--seed",
        str(seed),
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"case {case!r} failed (exit {done.returncode}):\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# -- the table ------------------------------------------------------------------------
def machine() -> str:
    import simpy

    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            cpu = next(
                line.split(":", 1)[1].strip() for line in info if line.startswith("model name")
            )
    except (OSError, StopIteration):
        pass
    return f"{cpu}; Python {platform.python_version()}; SimPy {simpy.__version__}"


def _rate(m: dict[str, Any], clock: str = "seconds") -> float:
    return m["conversations"] / m[clock]


def report(best: dict[str, dict[str, Any]], conversations: int) -> None:
    process, callback = best[BASELINE], best[CALLBACK_BASELINE]
    header = (
        "case",
        "conversations",
        "seconds",
        "conversations/s",
        "x process-style",
        "x callback-style",
        "peak MB (+ over imports)",
        "cpu s",
    )
    rows = []
    for case in CASES:
        m = best[case]
        rate = _rate(m)
        rows.append(
            (
                case,
                f"{m['conversations']:,}",
                f"{m['seconds']:.2f}",
                f"{rate:,.0f}",
                f"{rate / _rate(process):.2f}",
                f"{rate / _rate(callback):.2f}",
                f"{m['peak_mib']:.0f} (+{m['peak_mib'] - m['after_imports_mib']:.0f})",
                f"{m['cpu_s']:.2f}",
            )
        )
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    line = "| " + " | ".join("-" * w for w in widths) + " |"
    for n, row in enumerate([header, *rows]):
        cells = [
            str(c).ljust(w) if i == 0 else str(c).rjust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        print("| " + " | ".join(cells) + " |")
        if n == 0:
            print(line)
    if any(m["seconds"] > 1.25 * m["cpu_s"] for m in best.values()):
        print(
            "note: wall time well above CPU time: the machine was busy; "
            "the ratios are less reliable (raise --repeat)"
        )
    print()
    a = best[ENGINE_CASES[0]]
    for name, base, target in (
        ("process-style", process, TARGET_PROCESS),
        ("callback-style", callback, TARGET_CALLBACK),
    ):
        ratio = _rate(a) / _rate(base)
        cpu_ratio = _rate(a, "cpu_s") / _rate(base, "cpu_s")
        verdict = "met" if ratio >= target else "MISSED"
        print(
            f"(a) runs at {ratio:.2f}x {name} plain SimPy (target >= {target:.2f}x): "
            f"{verdict}  [by CPU time: {cpu_ratio:.2f}x]"
        )
    if conversations >= MEMORY_CHECK_AT:
        for case in ENGINE_CASES:
            m = best[case]
            over = m["peak_mib"] - m["after_imports_mib"]
            each = over * 1024 / m["conversations"]
            met = m["peak_mib"] <= TARGET_PEAK_MB and each <= TARGET_KB_EACH
            print(
                f"{conversations:,} conversations peak memory: {m['peak_mib']:.0f} MB "
                f"(+{over:.0f} over imports, {each:.2f} KB a conversation) for {case} "
                f"(target <= {TARGET_PEAK_MB:.0f} MB and <= {TARGET_KB_EACH} KB): "
                f"{'met' if met else 'MISSED'}"
            )
    else:
        print(f"(memory target: run with --conversations {MEMORY_CHECK_AT})")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--conversations",
        type=int,
        default=200_000,
        help="conversations per case (staffsim: expected count; default "
        "200000; use 1000000 for the memory target)",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="fresh processes per case; the fastest counts (default 3)",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--worker", choices=CASES, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker(args.worker, args.conversations, args.seed)
        return

    print(f"# {args.conversations:,} conversations per case, best of {args.repeat}; {machine()}")
    runs: dict[str, list[dict[str, Any]]] = {case: [] for case in CASES}
    for _ in range(max(1, args.repeat)):
        for case in CASES:  # interleaved, so drift hits every case alike
            m = measure(case, args.conversations, args.seed)
            runs[case].append(m)
            print(
                f"  {case}: {m['seconds']:.2f} s, peak {m['peak_mib']:.0f} MB",
                file=sys.stderr,
                flush=True,
            )
    best = {}
    for case, measured in runs.items():  # the fastest time, the highest peak
        fastest = min(measured, key=lambda m: m["seconds"])
        highest = max(measured, key=lambda m: m["peak_mib"])
        best[case] = {
            **fastest,
            "peak_mib": highest["peak_mib"],
            "after_imports_mib": highest["after_imports_mib"],
        }
    print()
    report(best, args.conversations)


if __name__ == "__main__":
    main()
