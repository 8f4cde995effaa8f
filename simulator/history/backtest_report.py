"""What ``backtest`` prints and writes: the MAE table, ``backtest.png`` and the folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

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


def backtest_figure(result: BacktestResult) -> Any:
    """Observed vs simulated (95% band) vs Erlang A by hour of day, and the five
    days whose simulated abandonment missed the observed most."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(15, 7))
    FigureCanvasAgg(figure)
    figure.subplots_adjust(hspace=0.45, wspace=0.3, left=0.05, right=0.98, top=0.93, bottom=0.08)
    grid = figure.add_gridspec(2, 20)
    by_hour = result.tables["by_hour"]
    for k, metric in enumerate(METRICS):
        ax = figure.add_subplot(grid[0, 5 * k : 5 * k + 5])
        ax.plot(by_hour["hour"], by_hour[metric], "k.-", label="observed")
        ax.plot(by_hour["hour"], by_hour[f"simulated_{metric}"], label="simulated")
        bands = by_hour[f"simulated_{metric}_ci95"]
        low = [b[0] if b else np.nan for b in bands]
        high = [b[1] if b else np.nan for b in bands]
        ax.fill_between(by_hour["hour"], low, high, alpha=0.3)
        ax.plot(by_hour["hour"], by_hour[f"erlang_a_{metric}"], "--", label="Erlang A")
        ax.set(title=metric.replace("_", " "), xlabel="hour of day")
        if k == 0:
            ax.legend(fontsize=7)
    days = result.tables["by_date_hour"].copy()
    days["date"] = days["start"].str.slice(0, 10)
    days["error"] = (days["simulated_abandon_share"] - days["abandon_share"]).abs()
    worst = days.groupby("date")["error"].mean().nlargest(5).index
    for k, date in enumerate(sorted(worst)):
        ax = figure.add_subplot(grid[1, 4 * k : 4 * k + 4])
        day = days[days["date"] == date]
        hours = day["start"].str.slice(11, 13).astype(int)
        ax.plot(hours, day["abandon_share"], "k.-")
        ax.plot(hours, day["simulated_abandon_share"])
        ax.plot(hours, day["erlang_a_abandon_share"], "--")
        ax.set(title=f"{date}: abandonment", xlabel="hour", ylim=(0, 1))
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
