"""fit.png and backtest.png read like the run report: each class and team in its
palette colour (the fitted scenario's own), durations in the unit their range
calls for, shares in percent, hours on the region's clock by name, never red for
data (red marks a missed target). Read through the matplotlib artists, not pixels.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.colors import to_hex

from simulator import load_scenario
from simulator.analysis.palette import Colours
from simulator.analysis.time_axes import time_unit
from simulator.history.backtest import backtest
from simulator.history.backtest_report import backtest_figure
from simulator.history.fit import fit
from simulator.history.fit_report import fit_colours, fit_figure
from tests.history.test_fit import _two_team_log

RED = "#d62728"


def _colours(ax) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {line.get_label(): to_hex(line.get_color()) for line in ax.get_lines()}


def test_fit_figure_colours_classes_and_teams_as_the_fitted_scenario_does(
    tmp_path: Path,
) -> None:
    result = fit(_two_team_log(tmp_path), region="Europe/Dublin")
    palette = Colours.for_scenario(load_scenario(result.scenario))
    assert fit_colours(result) == palette
    arrivals, qq, _, duty = fit_figure(result).axes
    streams = _colours(arrivals)
    assert streams == {name: palette("stream", name) for name in ("chat", "email", "phone")}
    assert len(set(streams.values())) == 3
    teams = {label.split()[0]: colour for label, colour in _colours(duty).items()}
    assert len(teams) == 2 and len(set(teams.values())) == 2
    assert teams == {name: palette("team", name) for name in teams}
    for ax in (arrivals, duty):
        assert ax.get_xlabel() == "hour of the week, Europe/Dublin (GMT)"
        assert [t.get_text() for t in ax.get_xticklabels()][:2] == ["Mon", "Tue"]
    # Handle times of 3 minutes' mean: their quantiles are drawn in minutes.
    fitted = np.concatenate([line.get_xdata() for line in qq.get_lines()[:-1]])
    assert qq.get_xlabel() == "fitted (minutes)" == f"fitted ({time_unit(fitted * 60).name})"
    assert RED not in set(streams.values()) | set(teams.values())


def test_backtest_figure_draws_waits_in_their_unit_and_shares_in_percent(
    week_run: Path, week_log: Path
) -> None:
    scenario = load_scenario(week_run / "scenario.yaml")
    result = backtest(scenario, week_log, replications=2, seed=1, region="Europe/Dublin")
    figure = backtest_figure(result)
    by_hour = result.tables["by_hour"]
    abandoned, wait, waited, served = figure.axes[:4]
    assert served.get_title() == "answered (contacts, all days)"
    highs = [band[1] for band in by_hour["simulated_mean_wait_s_ci95"] if band]
    unit = time_unit(
        by_hour["mean_wait_s"],
        by_hour["simulated_mean_wait_s"],
        by_hour["erlang_a_mean_wait_s"],
        np.asarray(highs, dtype=float),
    )
    assert wait.get_title() == f"mean wait in queue ({unit.name})"
    observed = next(line for line in wait.get_lines() if line.get_label() == "observed")
    assert np.allclose(observed.get_ydata(), by_hour["mean_wait_s"] / unit.seconds, equal_nan=True)
    assert abandoned.get_title() == "abandoned (percent)"
    assert waited.get_title() == "share who waited (percent)"
    assert np.nanmax(abandoned.get_lines()[0].get_ydata()) == np.nanmax(
        by_hour["abandon_share"] * 100
    )
    colours = _colours(abandoned)
    assert len(set(colours.values())) == 3 and RED not in colours.values()
    assert any(
        text.get_text() == "Hours and dates on Europe/Dublin (GMT)." for text in figure.texts
    )
    days = figure.axes[4:]
    assert days and days[0].get_ylabel() == "abandoned (percent), worst days"
    dates = {row["start"][:10] for _, row in result.tables["by_date_hour"].iterrows()}
    shown = {pd.Timestamp(date).strftime("%a %d %b %Y") for date in dates}
    assert {ax.get_title() for ax in days} <= shown
    # The 95% bands stay within what a share can be, with two replications too.
    band = abandoned.collections[0].get_paths()[0].vertices[:, 1]
    assert band.min() >= 0 and band.max() <= 100
