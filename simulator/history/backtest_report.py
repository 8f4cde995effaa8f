"""What ``backtest`` prints and writes: the MAE table, ``backtest.png`` and the folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from simulator.analysis.hourly import zone_text
from simulator.analysis.palette import ALL_COLOUR
from simulator.analysis.time_axes import time_unit
from simulator.history.backtest import METRICS, BacktestResult


def mae_table(result: BacktestResult) -> str:
    """The printed table: each metric's MAE per date and hour, simulated and Erlang A."""
    lines = [
        f"backtest of '{result.scenario.name}' on {result.source}: {result.period.days} days, "
        f"{result.replications} replications (seed {result.seed})",
        f"{'metric':<16}{'simulated MAE':>16}{'Erlang A MAE':>16}",
    ]
    for metric in METRICS:
        lines.append(
            f"{metric:<16}{_fmt(result.mae[metric]):>16}{_fmt(result.baseline_mae[metric]):>16}"
        )
    return "\n".join(lines)


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.4g}"


OBSERVED, SIMULATED, ERLANG = ALL_COLOUR, "#1f77b4", "#ff7f0e"
"""The log, the simulation and Erlang A: never red, which marks a missed target."""
TITLES = {
    "abandon_share": "abandoned",
    "mean_wait_s": "mean wait in queue",
    "share_waited": "share who waited",
    "served": "answered",
}


def _scale(metric: str, values: np.ndarray) -> tuple[float, str]:
    """What a metric is divided by on its axis, and the axis label: waits in the unit
    their range calls for, shares in percent, counts as they are."""
    if metric.endswith("_s"):
        unit = time_unit(values)
        return unit.seconds, unit.name
    if "share" in metric:
        return 0.01, "percent"
    return 1.0, "contacts, all days"


def backtest_figure(result: BacktestResult) -> Any:
    """Observed vs simulated (95% band) vs Erlang A by hour of day, and the five
    days whose simulated abandonment missed the observed most; each title ends in
    its unit (waits in the one their range calls for, shares in percent), hours and
    dates on the region's clock by name."""
    from zoneinfo import ZoneInfo

    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    period = result.period
    clock = zone_text(ZoneInfo(period.region), period.start, period.end)
    figure = Figure(figsize=(15, 7))
    FigureCanvasAgg(figure)
    figure.subplots_adjust(hspace=0.5, wspace=0.3, left=0.05, right=0.98, top=0.93, bottom=0.09)
    grid = figure.add_gridspec(2, 20)
    by_hour = result.tables["by_hour"]
    for k, metric in enumerate(METRICS):
        ax = figure.add_subplot(grid[0, 5 * k : 5 * k + 5])
        bands = by_hour[f"simulated_{metric}_ci95"]
        low = np.array([b[0] if b else np.nan for b in bands], dtype=float)
        high = np.array([b[1] if b else np.nan for b in bands], dtype=float)
        lines = {
            name: by_hour[column].to_numpy(dtype=float)
            for name, column in (
                ("observed", metric),
                ("simulated", f"simulated_{metric}"),
                ("Erlang A", f"erlang_a_{metric}"),
            )
        }
        scale, label = _scale(metric, np.concatenate([*lines.values(), low, high]))
        hours = by_hour["hour"]
        ax.plot(hours, lines["observed"] / scale, ".-", color=OBSERVED, label="observed")
        ax.plot(hours, lines["simulated"] / scale, color=SIMULATED, label="simulated")
        ax.fill_between(hours, low / scale, high / scale, alpha=0.3, color=SIMULATED)
        ax.plot(hours, lines["Erlang A"] / scale, "--", color=ERLANG, label="Erlang A")
        ax.set(title=f"{TITLES[metric]} ({label})", xlabel="hour of the day")
        if k == 0:
            ax.legend(fontsize=7)
    figure.text(0.05, 0.005, f"Hours and dates on {clock}.", fontsize=8, color="dimgray")
    days = result.tables["by_date_hour"].copy()
    days["date"] = days["start"].str.slice(0, 10)
    days["error"] = (days["simulated_abandon_share"] - days["abandon_share"]).abs()
    worst = days.groupby("date")["error"].mean().nlargest(5).index
    for k, date in enumerate(sorted(worst)):
        ax = figure.add_subplot(grid[1, 4 * k : 4 * k + 4])
        day = days[days["date"] == date]
        hours = day["start"].str.slice(11, 13).astype(int)
        ax.plot(hours, day["abandon_share"] * 100, ".-", color=OBSERVED)
        ax.plot(hours, day["simulated_abandon_share"] * 100, color=SIMULATED)
        ax.plot(hours, day["erlang_a_abandon_share"] * 100, "--", color=ERLANG)
        weekday = pd.Timestamp(date).strftime("%a %d %b %Y")
        ax.set(title=weekday, xlabel="hour of the day", ylim=(0, 100))
        if k == 0:
            ax.set_ylabel("abandoned (percent), worst days")
    return figure


def write_backtest(
    result: BacktestResult,
    out_dir: Path,
    *,
    started_at: Any = None,
    command: Any = None,
) -> Path:
    """Write ``backtest.json``, ``backtest.png`` and ``run.json`` atomically."""
    from simulator.analysis.figures import save_png
    from simulator.results_writer import write_command_folder, write_json

    figure = backtest_figure(result)

    def fill(folder: Path) -> None:
        write_json(result.to_json(), folder / "backtest.json")
        save_png(figure, folder / "backtest.png")

    return write_command_folder(
        out_dir,
        fill,
        kind="backtest",
        scenario=None,  # the scenario file backtested stays the user's
        seed=result.seed,
        replications=result.replications,
        jobs=result.jobs,
        wall_time_s=result.wall_time_s,
        started_at=started_at,
        command=command,
        extra={"log": result.source, "scenario": result.scenario.name},
    )
