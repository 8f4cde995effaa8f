"""How long the run report takes, and what a whole ``staffsim run`` costs next to plain SimPy.

Prints a table with:

* ``report-default``: writing the results folder of the shipped default
  scenario (``scenarios/inbox_launch_tiger.yaml``, its 10 replications) once
  the simulation is done, with the report (``report.html`` and ``figures/``)
  and, in another fresh process, without it (the baseline: the data files
  alone). As in ``staffsim run``, the report's drawing process starts before
  the simulation and loads matplotlib meanwhile; its workers draw the figures
  while the data files are written, so the first number is what a user waits
  after the simulation.
* ``run-mm10-380k``: the whole ``python -m simulator run`` (report included) of
  an M/M/10 at 95% load sized for 380,000 conversations, one replication,
  interpreter start, imports and writing included, against the plain-SimPy
  M/M/10 of ``benchmarks/throughput.py`` for as many customers, also in a fresh
  interpreter (the baseline). The ratio is plain SimPy's seconds over staffsim's:
  staffsim's speed relative to the bare model.
* ``figures-default``: the CPU milliseconds of each figure of the default
  scenario's report (drawn and saved as PNG in one process), and the whole
  report drawn serially in one process and by the worker pool.

Targets (issue 9): the default scenario's folder, report included, in under 1 s
after the simulation; the end-to-end run at >= 0.8x plain SimPy. Each case
runs in a fresh process, interleaved, best of ``--repeat``; CPU seconds (the
process and its workers) are printed beside wall seconds, since on a shared
machine wall time includes waiting for a core.

Usage::

    python benchmarks/report.py               # best of 3
    python benchmarks/report.py --repeat 1
    python benchmarks/report.py --case figures-default   # CPU ms per figure
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from throughput import mm10_scenario, plain_simpy_mm10  # noqa: E402

CONVERSATIONS = 380_000
SEED = 1
TARGET_REPORT_S = 1.0
TARGET_RATIO = 0.8
CASES = ("report-default", "figures-default", "run-mm10-380k")
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _timed(command: list[str]) -> dict[str, Any]:
    """Run ``command`` in a fresh process: its wall and CPU seconds and last JSON line."""
    cpu, began = _children_cpu(), time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=ENV, check=False)
    seconds, cpu = time.perf_counter() - began, _children_cpu() - cpu
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed (exit {done.returncode}):\n{done.stderr}")
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    return {"seconds": seconds, "cpu_s": cpu, **(json.loads(lines[-1]) if lines else {})}


# -- the cases, each in its own process ----------------------------------------------
def write_default(report: bool) -> None:
    """Simulate the default scenario, then time writing its folder; print one JSON line.

    As ``staffsim run`` does, the report's drawing process is started before the
    simulation (it loads matplotlib meanwhile): the seconds are those from the
    simulation's end to the folder's; the CPU seconds are this process's while
    writing plus the drawing processes' whole lives, matplotlib's import included.
    """
    from simulator.analysis.report import drawing_zygote
    from simulator.results_writer import write_results

    children = _children_cpu()
    with tempfile.TemporaryDirectory() as folder:
        with drawing_zygote(enabled=report) as zygote:
            result = _default_result()
            cpu, began = time.process_time(), time.perf_counter()
            write_results(result, Path(folder) / "out", report=report, zygote=zygote)
            seconds = time.perf_counter() - began
            cpu = time.process_time() - cpu
        cpu += _children_cpu() - children  # the drawing processes, reaped with the block
    print(
        json.dumps({"seconds": seconds, "cpu_s": cpu, "conversations": len(result.conversations)})
    )


def _default_result() -> Any:
    from simulator.experiment import run
    from simulator.scenario.loader import load_scenario
    from simulator.scenario.shipped import DEFAULT, shipped_scenario

    return run(load_scenario(shipped_scenario(DEFAULT)), jobs=1)


def draw_default(repeat: int) -> None:
    """Simulate the default scenario, then time drawing its figures; print one JSON line.

    Each figure is drawn in this process (after one untimed drawing of all, so
    matplotlib is loaded and shared tables are cached), best CPU time of ``repeat``;
    then the whole report is drawn serially here and by the worker pool, CPU
    time of this process and its workers, matplotlib's import in each worker included.
    """
    from simulator.analysis.report import FIGURES, ReportData, draw_figure, drawing

    result = _default_result()
    for frame in ("conversations", "followups", "states"):
        getattr(result, frame)

    def whole(workers: int | None) -> tuple[float, float]:
        cpu, children, began = time.process_time(), _children_cpu(), time.perf_counter()
        with drawing(result, workers=workers) as drawn:
            for _ in drawn:
                pass
        seconds = time.perf_counter() - began
        return seconds, time.process_time() - cpu + _children_cpu() - children

    pool_s, pool_cpu = whole(None)  # one worker per core, as staffsim run draws
    serial_s, serial_cpu = whole(1)  # the first serial drawing loads matplotlib here
    data = ReportData(result)
    best = {name: float("inf") for name, _, _ in FIGURES}
    for _ in range(repeat):
        for name in best:
            began = time.process_time()
            draw_figure(data, name)
            best[name] = min(best[name], time.process_time() - began)
    serial_s, serial_cpu = min((serial_s, serial_cpu), whole(1))
    print(
        json.dumps(
            {
                "figures_ms": {name: round(1000 * cpu) for name, cpu in best.items()},
                "serial_s": serial_s,
                "serial_cpu_s": serial_cpu,
                "pool_s": pool_s,
                "pool_cpu_s": pool_cpu,
            }
        )
    )


def plain(customers: int) -> None:
    print(json.dumps({"conversations": plain_simpy_mm10(customers, SEED)}))


def measure(case: str, scenario: Path, out: Path) -> dict[str, Any]:
    me = [sys.executable, __file__]
    if case == "figures-default":
        return _timed([*me, "--worker", "draw", "--repeat", "3"])
    if case == "report-default":
        inner = _timed([*me, "--worker", "write-report"])
        return {**inner, "baseline": _timed([*me, "--worker", "write-data"])}
    run = [sys.executable, "-m", "simulator", "run", str(scenario), "--out", str(out), "-q"]
    return {
        **_timed(run),
        "baseline": _timed([*me, "--worker", "plain", "--conversations", str(CONVERSATIONS)]),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="fresh processes per case")
    parser.add_argument("--conversations", type=int, default=CONVERSATIONS)
    parser.add_argument(
        "--case", choices=CASES, action="append", help="only this case (default: both)"
    )
    parser.add_argument(
        "--worker",
        choices=["write-report", "write-data", "draw", "plain"],
        help=argparse.SUPPRESS,
    )
    args = parser.parse_args(argv)
    if args.worker == "plain":
        plain(args.conversations)
        return
    if args.worker == "draw":
        draw_default(args.repeat)
        return
    if args.worker:
        write_default(report=args.worker == "write-report")
        return

    import simpy
    import yaml

    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(
        f"# best of {args.repeat}; {cores} cores; load average {os.getloadavg()[0]:.1f}; "
        f"Python {sys.version.split()[0]}; SimPy {simpy.__version__}"
    )
    cases = args.case or list(CASES)
    runs: dict[str, list[dict[str, Any]]] = {case: [] for case in cases}
    with tempfile.TemporaryDirectory() as work:
        scenario = Path(work) / "mm10.yaml"
        spec = {**mm10_scenario(args.conversations), "replications": 1, "seed": SEED}
        scenario.write_text(yaml.safe_dump(spec), encoding="utf-8")
        for _ in range(max(1, args.repeat)):
            for case in cases:  # interleaved, so drift hits every case alike
                m = measure(case, scenario, Path(work) / "out")
                runs[case].append(m)
                print(f"  {case}: {_progress(m)}", file=sys.stderr, flush=True)
    figures = runs.pop("figures-default", None)
    best = {case: min(found, key=lambda m: m["seconds"]) for case, found in runs.items()}
    for case, found in runs.items():  # the baseline's best, whichever repeat it came from
        best[case] = {**best[case], "baseline": min((m["baseline"] for m in found), key=_wall)}
    report(best)
    if figures:
        report_figures(figures)


def _progress(m: dict[str, Any]) -> str:
    if "figures_ms" in m:
        return f"pool {m['pool_s']:.2f} s, serial {m['serial_s']:.2f} s"
    return f"{m['seconds']:.2f} s (baseline {m['baseline']['seconds']:.2f} s)"


def report_figures(runs: list[dict[str, Any]]) -> None:
    """Per-figure CPU milliseconds (best over the runs) and the whole report's cost."""
    names = list(runs[0]["figures_ms"])
    ms = {name: min(m["figures_ms"][name] for m in runs) for name in names}
    pool = min(runs, key=lambda m: m["pool_s"])
    serial = min(runs, key=lambda m: m["serial_s"])
    width = max(len(name) for name in names)
    print(f"| {'figure'.ljust(width)} | cpu ms |")
    print(f"| {'-' * width} | ------ |")
    for name in names:
        print(f"| {name.ljust(width)} | {ms[name]:6d} |")
    print(f"| {'all ten'.ljust(width)} | {sum(ms.values()):6d} |")
    print()
    print(
        f"report drawn serially in one process (matplotlib loaded): {serial['serial_s']:.2f} s, "
        f"{serial['serial_cpu_s']:.2f} s CPU; by the worker pool (one per core, each "
        f"loading matplotlib): {pool['pool_s']:.2f} s, {pool['pool_cpu_s']:.2f} s CPU"
    )


def _wall(m: dict[str, Any]) -> float:
    return m["seconds"]


def report(best: dict[str, dict[str, Any]]) -> None:
    header = ("case", "what", "seconds", "cpu s", "baseline", "baseline s", "cpu s ", "ratio")
    d, r = best.get("report-default"), best.get("run-mm10-380k")
    rows = []
    if d:
        rows.append(
            (
                "report-default",
                f"folder + report, {d['conversations']:,} conversations",
                f"{d['seconds']:.2f}",
                f"{d['cpu_s']:.2f}",
                "folder, no report",
                f"{d['baseline']['seconds']:.2f}",
                f"{d['baseline']['cpu_s']:.2f}",
                f"{d['seconds'] / d['baseline']['seconds']:.1f}x",
            )
        )
    if r:
        rows.append(
            (
                "run-mm10-380k",
                "python -m simulator run, 1 replication",
                f"{r['seconds']:.2f}",
                f"{r['cpu_s']:.2f}",
                f"plain SimPy, {r['baseline']['conversations']:,} customers",
                f"{r['baseline']['seconds']:.2f}",
                f"{r['baseline']['cpu_s']:.2f}",
                f"{r['baseline']['seconds'] / r['seconds']:.2f}x",
            )
        )
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    for n, row in enumerate([header, *rows]):
        print("| " + " | ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)) + " |")
        if n == 0:
            print("| " + " | ".join("-" * w for w in widths) + " |")
    print()
    if d:
        _report_verdict(d)
    if r:
        _run_verdict(r)


def _report_verdict(d: dict[str, Any]) -> None:
    verdict = "met" if d["seconds"] < TARGET_REPORT_S else "MISSED"
    print(
        f"default scenario's folder with the report written {d['seconds']:.2f} s after the "
        f"simulation (the report adds {d['seconds'] - d['baseline']['seconds']:.2f} s; "
        f"target under {TARGET_REPORT_S:.0f} s): {verdict}"
    )


def _run_verdict(r: dict[str, Any]) -> None:
    ratio = r["baseline"]["seconds"] / r["seconds"]
    cpu_ratio = r["baseline"]["cpu_s"] / r["cpu_s"]
    verdict = "met" if ratio >= TARGET_RATIO else "MISSED"
    print(
        f"staffsim run end to end at {ratio:.2f}x plain SimPy (target >= {TARGET_RATIO}x): "
        f"{verdict}  [by CPU time: {cpu_ratio:.2f}x]"
    )


if __name__ == "__main__":
    main()
