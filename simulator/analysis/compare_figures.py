"""Figures for comparisons and sweeps: tables in, matplotlib Figures out.

Every function takes numbers already computed (the DataFrames of
:class:`~simulator.decisions.compare.CompareResult` and
:class:`~simulator.decisions.sweep.SweepResult`) and returns a
:class:`matplotlib.figure.Figure` drawn on an Agg canvas; none runs a
simulation, and none touches ``pyplot``'s global state, so they work with no
display and leave a notebook's backend alone.

Conventions shared with the run report: times in the unit their range calls for,
shares in percent and differences of shares in percentage points, service
targets as dashed red lines, and every title and axis saying what is measured
and in which unit.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from simulator.analysis.figures import PALETTE, TARGET_STYLE
from simulator.analysis.figures import save_png as save_png  # re-exported: decisions use it
from simulator.analysis.time_axes import format_time, time_unit
from simulator.statistics.metric_names import metric_kind, metric_title

UNPAIRED_COLOUR = "#9a9a9a"
NONE = "none"
"""How a wait statistic reads where a variant counted no such conversation (no
hand-backs under ownership): in compare's terminal table and figure alike, matching
the difference's ``none`` list in ``compare.json``."""
LINE_STYLES = ("-", "--", "-.", ":")


def _figure(width: float, height: float) -> Figure:
    figure = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(figure)  # render with Agg whatever backend pyplot has chosen
    return figure


def display_scale(kind: str, values: Sequence[float] | np.ndarray = ()) -> tuple[float, str]:
    """(divisor, unit) to show a statistic of this kind: seconds in the unit their
    range calls for (:func:`simulator.analysis.time_axes.time_unit`), shares percent."""
    if kind == "seconds":
        unit = time_unit(np.asarray(values, dtype=float))
        return unit.seconds, unit.short
    if kind == "share":
        return 0.01, "%"
    if kind == "hours":
        return 1.0, "h"
    return 1.0, "count"


# --------------------------------------------------------------------------- compare


def compare_figure(
    times: pd.DataFrame,
    differences: pd.DataFrame,
    *,
    frt_target: float | None = None,
    title: str = "Comparison",
) -> Figure:
    """Distributions per variant (top) and the differences with their intervals (bottom).

    ``times``: columns ``variant``, ``frt_s``, ``resolution_s`` (seconds, NaN
    where it did not happen), as :meth:`CompareResult.response_times` gives.
    ``differences``: :attr:`CompareResult.table`. Top: the share of
    conversations answered (resolved) within each time, per variant. Bottom:
    each headline difference (times, shares, then overtime hours and counts of
    hand-backs), variant minus baseline, with its paired 95%
    interval (thick) and the unpaired interval independent runs would give
    (thin, grey); a ``*`` marks differences whose paired interval excludes 0.
    """
    variants = list(
        times["variant"].cat.categories
        if hasattr(times["variant"], "cat")
        else dict.fromkeys(times["variant"])
    )
    colours = {label: PALETTE[i % len(PALETTE)] for i, label in enumerate(variants)}
    figure = _figure(14, 14)
    grid = figure.add_gridspec(3, 2, height_ratios=[1, 1.15, 0.8])
    _ecdf(
        figure.add_subplot(grid[0, 0]),
        times,
        "frt_s",
        variants,
        colours,
        "First response time",
        "answered conversations",
        frt_target,
    )
    _ecdf(
        figure.add_subplot(grid[0, 1]),
        times,
        "resolution_s",
        variants,
        colours,
        "Resolution time",
        "resolved conversations",
        None,
    )
    overall = differences[~differences["metric"].str.startswith("by_stream.")]
    kinds = overall["metric"].map(metric_kind)
    time_rows = overall[kinds == "seconds"]
    share_rows = overall[(kinds == "share")]
    _differences(
        figure.add_subplot(grid[1, 0]), time_rows, colours, "seconds", "Time statistics: difference"
    )
    _differences(figure.add_subplot(grid[1, 1]), share_rows, colours, "share", "Shares: difference")
    # What a shift-end policy costs: overtime on one side, hand-backs on the other.
    _differences(
        figure.add_subplot(grid[2, 0]),
        overall[kinds == "hours"],
        colours,
        "hours",
        "Overtime hours: difference",
    )
    _differences(
        figure.add_subplot(grid[2, 1]),
        overall[kinds == "count"],
        colours,
        "count",
        "Conversations handed back or left waiting: difference",
    )
    paired_colour = colours[variants[1]] if len(variants) > 1 else PALETTE[1]
    figure.legend(
        handles=[
            Line2D(
                [],
                [],
                color=paired_colour,
                linewidth=5,
                alpha=0.85,
                label="paired 95% interval (same customers in both variants)",
            ),
            Line2D(
                [],
                [],
                color=UNPAIRED_COLOUR,
                linewidth=2,
                label="unpaired 95% interval (what independent runs would give)",
            ),
            Line2D(
                [],
                [],
                color="black",
                marker="o",
                linestyle="",
                markersize=4,
                label="mean difference;  * = paired interval excludes 0",
            ),
        ],
        loc="outside lower center",
        ncol=3,
        fontsize=9,
        frameon=False,
    )
    figure.suptitle(title, fontsize=13)
    return figure


def _ecdf(
    ax: Axes,
    times: pd.DataFrame,
    column: str,
    variants: list[str],
    colours: dict[str, str],
    name: str,
    population: str,
    target: float | None,
) -> None:
    finite: dict[str, np.ndarray] = {}
    for label in variants:
        values = times.loc[times["variant"] == label, column].to_numpy(dtype=float)
        finite[label] = np.sort(values[np.isfinite(values)])
    tails = [np.percentile(values, 99) for values in finite.values() if values.size]
    scale, unit = display_scale("seconds", tails)
    for index, label in enumerate(variants):
        values = finite[label]
        if not values.size:
            continue
        share = np.arange(1, values.size + 1) / values.size * 100
        # Dashed after the baseline, so a variant that matches it does not hide it.
        ax.step(
            values / scale,
            share,
            where="post",
            color=colours[label],
            linewidth=2.2 if index == 0 else 1.6,
            linestyle=LINE_STYLES[index % 4],
            label=f"{label} (median {_format(np.median(values), 'seconds')})",
        )
    if target is not None:
        ax.axvline(target / scale, **TARGET_STYLE, label=f"target {_format(target, 'seconds')}")
    if tails:
        ax.set_xlim(0, max(tails) / scale * 1.05)
    else:
        ax.text(
            0.5,
            0.5,
            f"no {population}",
            ha="center",
            va="center",
            transform=ax.transAxes,
            color="#555555",
        )
    ax.set_ylim(0, 100)
    ax.set_title(
        _wrap(
            f"{name}: share of {population} within x (all replications pooled; "
            "x axis cut at the 99th percentile)"
        ),
        fontsize=10.5,
    )
    ax.set_xlabel(f"{name.lower()} ({unit})")
    ax.set_ylabel(f"{population} within this time (%)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8.5, loc="lower right")


def _differences(
    ax: Axes, rows: pd.DataFrame, colours: dict[str, str], kind: str, name: str
) -> None:
    if rows.empty:
        ax.text(
            0.5,
            0.5,
            "nothing to compare",
            ha="center",
            va="center",
            transform=ax.transAxes,
            color="#555555",
        )
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title(_wrap(name), fontsize=10.5)
        return
    numbers = rows[
        ["diff", "ci95_low", "ci95_high", "unpaired_ci95_low", "unpaired_ci95_high"]
    ].to_numpy(dtype=float)
    finite = numbers[np.isfinite(numbers)]
    if kind == "share":
        scale, unit = 0.01, "percentage points"
    else:
        scale, unit = display_scale(kind, finite)
    several = rows["variant"].nunique() > 1
    labels = []
    for position, row in enumerate(rows.itertuples(index=False)):
        y = -position
        colour = colours.get(row.variant, PALETTE[0])
        diff = row.diff / scale if row.diff is not None else np.nan
        if np.isfinite(row.unpaired_ci95_low):
            ax.plot(
                [row.unpaired_ci95_low / scale, row.unpaired_ci95_high / scale],
                [y - 0.22] * 2,
                color=UNPAIRED_COLOUR,
                linewidth=2,
                solid_capstyle="butt",
            )
            for end in (row.unpaired_ci95_low, row.unpaired_ci95_high):
                ax.plot(
                    [end / scale] * 2, [y - 0.3, y - 0.14], color=UNPAIRED_COLOUR, linewidth=1.2
                )
        if np.isfinite(row.ci95_low):
            ax.plot(
                [row.ci95_low / scale, row.ci95_high / scale],
                [y] * 2,
                color=colour,
                linewidth=5,
                solid_capstyle="butt",
                alpha=0.85,
            )
        nobody = [
            side
            for side, flag in (
                (getattr(row, "baseline", ""), "baseline_none"),
                (row.variant, "variant_none"),
            )
            if getattr(row, flag, False)
        ]
        if nobody:  # a wait of conversations one side never had: say so, draw nothing
            ax.text(0, y, f"  {NONE} in {', '.join(nobody)}", va="center", fontsize=8.5)
        else:
            ax.plot([diff], [y], "o", color="black", markersize=4, zorder=3)
        title = getattr(row, "title", None) or metric_title(row.metric)
        label = title + (f"\n{row.variant}" if several else "")
        labels.append(label + ("  *" if row.significant else ""))
    ax.axvline(0, color="black", linewidth=0.9)
    ax.set_yticks([-i for i in range(len(rows))], labels, fontsize=9)
    ax.set_ylim(-len(rows) + 0.4, 0.6)
    ax.set_xlabel(f"variant − baseline ({unit})")
    ax.set_title(_wrap(f"{name}, variant − baseline"), fontsize=10.5)
    ax.grid(axis="x", alpha=0.3)


def _wrap(title: str) -> str:
    """A panel title broken into lines that fit above a half-width panel (a title wider
    than its axes is not shrunk by the layout engine: it runs off the figure)."""
    return textwrap.fill(title, 55)


def _format(seconds: float, kind: str) -> str:
    return format_time(seconds) if kind == "seconds" else f"{seconds:.3g}"


# --------------------------------------------------------------------------- sweep


def _is_numeric(values: Sequence[object]) -> bool:
    return all(
        isinstance(v, int | float | np.integer | np.floating) and not isinstance(v, bool | np.bool_)
        for v in values
    )


def sweep_lines(
    rows: pd.DataFrame,
    metric: str,
    keys: Sequence[str],
    *,
    target: float | None = None,
    subtitle: str = "",
) -> Figure:
    """One statistic against the first grid key, one line per value of the other keys.

    ``rows``: one row per grid point for this ``metric`` with the grid key
    columns, ``value``, ``ci95_low`` and ``ci95_high``
    (:attr:`SweepResult.point_table` filtered to the metric); the 95% interval
    is shaded. ``target`` (seconds) draws the service target for times.
    """
    kind = metric_kind(metric)
    scale, unit = display_scale(kind, rows["value"].to_numpy(dtype=float))
    x_key, others = keys[0], list(keys[1:])
    x_values = list(dict.fromkeys(rows[x_key]))
    numeric = _is_numeric(x_values)
    position = {value: (value if numeric else index) for index, value in enumerate(x_values)}
    figure = _figure(9, 5.5)
    ax = figure.add_subplot()
    groups = [((), rows)] if not others else list(rows.groupby(others, sort=False))
    for index, (group, part) in enumerate(groups):
        group = group if isinstance(group, tuple) else (group,)
        xs = np.array([position[v] for v in part[x_key]], dtype=float)
        order = np.argsort(xs, kind="stable")
        xs = xs[order]
        value = part["value"].to_numpy(dtype=float)[order] / scale
        low = part["ci95_low"].to_numpy(dtype=float)[order] / scale
        high = part["ci95_high"].to_numpy(dtype=float)[order] / scale
        colour = PALETTE[index % len(PALETTE)]
        label = (
            ", ".join(f"{k}={v}" for k, v in zip(others, group, strict=True))
            if len(others) > 1
            else (str(group[0]) if others else None)
        )
        ax.plot(xs, value, "o-", color=colour, linewidth=1.8, markersize=5, label=label)
        ax.fill_between(xs, low, high, color=colour, alpha=0.18, linewidth=0)
    if target is not None and kind == "seconds":
        ax.axhline(target / scale, **TARGET_STYLE, label=f"target {_format(target, 'seconds')}")
    if not numeric:
        ax.set_xticks(range(len(x_values)), [str(v) for v in x_values])
        ax.set_xlim(-0.5, len(x_values) - 0.5)
    elif all(float(v).is_integer() for v in x_values) and len(x_values) <= 25:
        ax.set_xticks([float(v) for v in x_values])
    if kind == "share":
        ax.set_ylim(bottom=0)
    ax.set_xlabel(x_key)
    ax.set_ylabel(f"{metric_title(metric)} ({unit})")
    ax.set_title(
        f"{metric_title(metric)} by {x_key}\n{subtitle}; shaded: 95% interval", fontsize=11
    )
    ax.grid(alpha=0.3)
    if others or target is not None:
        ax.legend(fontsize=9, title=", ".join(others) if others else None, title_fontsize=9)
    return figure


def sweep_heatmap(
    rows: pd.DataFrame, metric: str, x_key: str, y_key: str, *, subtitle: str = ""
) -> Figure:
    """One statistic over a grid of two numeric keys, each cell labelled with its value."""
    kind = metric_kind(metric)
    scale, unit = display_scale(kind, rows["value"].to_numpy(dtype=float))
    table = (
        rows.pivot_table(index=y_key, columns=x_key, values="value", aggfunc="first", dropna=False)
        .sort_index()
        .sort_index(axis=1)
    )
    values = table.to_numpy(dtype=float) / scale
    figure = _figure(9, 6)
    ax = figure.add_subplot()
    image = ax.imshow(np.ma.masked_invalid(values), origin="lower", aspect="auto", cmap="viridis")
    finite = values[np.isfinite(values)]
    middle = (finite.min() + finite.max()) / 2 if finite.size else 0.0
    for (i, j), value in np.ndenumerate(values):
        text = "-" if not np.isfinite(value) else f"{value:.3g}"
        ax.text(
            j,
            i,
            text,
            ha="center",
            va="center",
            fontsize=9,
            color="white" if np.isfinite(value) and value < middle else "black",
        )
    ax.set_xticks(range(table.shape[1]), [f"{v:g}" for v in table.columns])
    ax.set_yticks(range(table.shape[0]), [f"{v:g}" for v in table.index])
    ax.set_xlabel(x_key)
    ax.set_ylabel(y_key)
    bar = figure.colorbar(image, ax=ax)
    bar.set_label(f"{metric_title(metric)} ({unit})")
    ax.set_title(f"{metric_title(metric)} ({unit}) by {x_key} and {y_key}\n{subtitle}", fontsize=11)
    return figure
