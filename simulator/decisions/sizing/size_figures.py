"""The sizing heatmap: agents needed by hour of week, as planners schedule from it.

Each panel is 7 rows (Monday to Sunday) by 24 columns (hours of the day on the
wall clock of the scenario's start, named with its daylight-saving changes),
one number per cell; panels share one colour scale so "the formula" and "the
simulation" can be compared at a glance. Agents are drawn in the greens of the
run report's agents heatmap: red means a missed target there. Hours the run
never observed (a horizon shorter than a week) are left blank, never drawn as
0. The caption under the panels names each panel's busiest hour, computed from
the numbers drawn. Plots never run simulations: the numbers come in.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from simulator.analysis.hourly import extreme_cell
from simulator.scenario.schema import DAY_NAMES

COLOURS = "Greens"
"""The colour scale of agents, as in the run report's agents-on-shift heatmap."""


def size_caption(panels: Sequence[tuple[str, np.ndarray]], zone: str, unit: str = "agents") -> str:
    """Each panel's highest hour of the week and its value, and the hours with none."""
    places = ("Upper panel", "Lower panel") if len(panels) == 2 else ("",) * len(panels)
    parts = []
    for place, (_, grid) in zip(places, panels, strict=True):
        values = np.asarray(grid, dtype=float)
        cell = extreme_cell(pd.DataFrame(values))
        if cell is None:
            said = "no hour observed"
        else:
            row, column = cell
            zero = int(np.sum(values[np.isfinite(values)] == 0))
            said = f"most {values[row, column]:.0f} {unit} on {DAY_NAMES[row]} {column:02d}:00"
            said += f", none in {zero} hour{'s' * (zero != 1)}" if zero else ""
        parts.append(f"{place}: {said}" if place else said[0].upper() + said[1:])
    return f"Hours of the week on {zone}. " + ". ".join(parts) + "."


def size_heatmap(
    panels: Sequence[tuple[str, np.ndarray]], *, title: str, zone: str = "UTC", unit: str = "agents"
) -> Figure:
    """One heatmap per ``(subtitle, 7×24 array)`` panel, stacked, with a shared
    colour bar and :func:`size_caption` under them; NaN cells are blank. ``zone``
    names the clock (:func:`simulator.analysis.hourly.zone_text`). Returns the
    figure (not shown or saved)."""
    grids = [np.asarray(grid, dtype=float) for _, grid in panels]
    for grid in grids:
        if grid.shape != (7, 24):
            raise ValueError(f"a heatmap panel needs 7×24 values, got {grid.shape}")
    finite = np.concatenate([g[np.isfinite(g)] for g in grids]) if grids else np.array([])
    top = float(finite.max()) if finite.size else 1.0
    height = 1.5 + 3.3 * len(grids)
    # A fixed layout: constrained layout would draw the 168 labels per panel twice.
    figure = Figure(figsize=(13.0, height))
    figure.subplots_adjust(
        left=0.06, right=0.95, bottom=1.0 / height, top=1 - 0.9 / height, hspace=0.45
    )
    axes = figure.subplots(len(grids), 1, squeeze=False)[:, 0]
    image = None
    for ax, (subtitle, _), grid in zip(axes, panels, grids, strict=True):
        image = ax.imshow(
            np.ma.masked_invalid(grid),
            cmap=COLOURS,
            vmin=0,
            vmax=max(top, 1.0),
            aspect="auto",
            interpolation="nearest",
        )
        ax.set_title(subtitle, fontsize=11, loc="left")
        ax.set_yticks(range(7), DAY_NAMES)
        ax.set_xticks(range(24), [f"{h:02d}" for h in range(24)], fontsize=8)
        ax.set_xlabel(f"hour of the day, {zone}")
        ax.set_ylabel("day")
        ax.set_xticks(np.arange(-0.5, 24, 1), minor=True)
        ax.set_yticks(np.arange(-0.5, 7, 1), minor=True)
        ax.grid(which="minor", color="white", linewidth=0.6)
        ax.tick_params(which="minor", length=0)
        for (row, column), value in np.ndenumerate(grid):
            if np.isfinite(value):
                dark = value > 0.6 * max(top, 1.0)
                ax.text(
                    column,
                    row,
                    f"{value:.0f}",
                    ha="center",
                    va="center",
                    fontsize=8,
                    color="white" if dark else "black",
                )
    if image is not None:
        bar = figure.colorbar(image, ax=list(axes), fraction=0.03, pad=0.015)
        bar.set_label(unit)
    figure.suptitle(title, fontsize=13)
    notes = [size_caption(panels, zone, unit)]
    if any(np.isnan(grid).any() for grid in grids):
        notes.append("Blank: hours the simulated window (warmup to horizon) never reaches.")
    figure.text(0.06, 0.01, " ".join(notes), fontsize=8, color="dimgray", wrap=True)
    return figure
