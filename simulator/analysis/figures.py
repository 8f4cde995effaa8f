"""Figures a support manager can read: summaries and tables in, matplotlib Figures out.

Every function takes data already computed (a summary dict, or a DataFrame
from :mod:`simulator.analysis.tables` or :mod:`simulator.analysis.hourly`)
and returns a :class:`matplotlib.figure.Figure`; none runs a simulation. The
figures are ``Figure`` objects on an Agg canvas, not ``pyplot`` figures, so
drawing them keeps no global state, needs no display, leaves a notebook's
backend alone and still shows inline there.

Conventions: times are shown in the unit their range calls for (seconds,
minutes, hours or days, :mod:`simulator.analysis.time_axes`), shares in
percent, the service targets as dashed lines, each stream, queue and team in
its own colour in every figure (:mod:`simulator.analysis.palette`), and every
title says what is measured and every axis its unit. Figures are kept cheap to
draw (a report is drawn after every run): few text artists, no per-cell labels,
titles at a fixed height, and value labels placed inside the axes and never
clipped (the check costs more than drawing them)."""

from __future__ import annotations

import io
from collections.abc import Mapping
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib import colormaps, rc_context
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PolyCollection
from matplotlib.colors import BoundaryNorm, Colormap, ListedColormap, Normalize
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from PIL import Image

from simulator.analysis.hourly import extreme_cell
from simulator.analysis.palette import ALL_COLOUR, Colours
from simulator.analysis.time_axes import TimeUnit, format_time, time_unit
from simulator.scenario.schema import DAY_NAMES
from simulator.statistics.metric_names import stat_at

DPI = 100
PNG_COMPRESSION = 1
"""zlib level of the PNG files: flat-coloured figures compress almost as well at 1
as at the default 6, several times faster."""
RENDERING = {"text.hinting": "no_hinting", "savefig.bbox": "standard"}
"""Settings in force while a figure is saved (and only then: a notebook's are left
alone): unhinted text, and the whole figure whatever ``savefig.bbox`` says."""
PALETTE = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
)
"""Colours of things a scenario does not name (variants of a comparison, kinds of a measure)."""
TARGET_STYLE = {"color": "#c0392b", "linestyle": "--", "linewidth": 1.3}
MISSING_COLOUR = "#d9d9d9"
TARGET_BANDS = np.array([0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0])
"""Colour bands of the FRT heatmap, in multiples of the target: two greens
under it, yellow to red over it, darkest red past the last band."""
TARGET_COLOURS = ("#1a9850", "#91cf60", "#fee08b", "#fdae61", "#f46d43", "#d73027", "#a50026")
OVER_TARGET_COLOUR = "#67001f"
MEASURE_TITLES = {
    "frt": "First response",
    "followup": "Follow-up response",
    "resolution": "Resolution",
}


def save_png(figure: Figure, path: Path | str | io.BytesIO) -> None:
    """Write ``figure`` as a PNG, the same bytes for the same figure.

    Text is drawn unhinted (half the cost of hinted glyphs, barely different at
    this size), and an opaque figure is stored as RGB: a quarter less to
    compress, and a smaller report.
    """
    raw = io.BytesIO()
    with rc_context(RENDERING):
        figure.savefig(raw, format="rgba", dpi=DPI)
    size = tuple(int(inches) for inches in figure.get_size_inches() * DPI)
    image = Image.frombuffer("RGBA", size, raw.getbuffer(), "raw", "RGBA", 0, 1)
    if image.getextrema()[3] == (255, 255):
        image = image.convert("RGB")
    image.save(path, format="png", compress_level=PNG_COMPRESSION, dpi=(DPI, DPI))


def png_bytes(figure: Figure) -> bytes:
    """``figure`` as PNG bytes, as :func:`save_png` writes them."""
    buffer = io.BytesIO()
    save_png(figure, buffer)
    return buffer.getvalue()


def warm_up() -> None:
    """Draw and discard a small figure with text, ticks and a line: a process's first
    figure otherwise pays for loading the fonts and filling the glyph caches (about
    85 ms on the default scenario's report). The report's drawing process does this
    while the run still simulates, so every worker it forks starts warm. Bytes are
    unchanged."""
    figure = _figure(4, 3, left=0.2, right=0.95, bottom=0.2, top=0.85)
    ax = figure.add_subplot()
    ax.plot([0.0, 1.0], [0.0, 1.0])
    _title(ax, "Warm-up: 0123456789 ABCDEFGHIJKLMNOPQRSTUVWXYZ abcdefghijklmnopqrstuvwxyz %")
    ax.set_xlabel("hours (UTC)")
    ax.set_ylabel("share (%)")
    png_bytes(figure)


def _figure(width: float, height: float, **margins: float) -> Figure:
    """A figure with fixed margins (fractions of its size).

    Fixed margins rather than a layout engine: constrained layout measures every
    text twice more and makes a report several times slower to draw.
    """
    figure = Figure(figsize=(width, height))
    figure.subplots_adjust(**margins)
    FigureCanvasAgg(figure)  # render with Agg whatever backend pyplot has chosen
    return figure


def _title(ax: Axes, text: str, fontsize: float = 11) -> None:
    """``text`` over ``ax``, flush left, at a fixed height: no tick labels sit above
    an axes here, and placing a title automatically measures every tick label again."""
    ax.set_title(text, fontsize=fontsize, loc="left", y=1.0)


def _mark_target(ax: Axes, seconds: float, unit: TimeUnit) -> None:
    """A dashed vertical line at the target, labelled at its foot."""
    at = float(unit.of(seconds))
    ax.axvline(at, **TARGET_STYLE)
    ax.text(
        at,
        0.02,
        f" target {format_time(seconds)}",
        color=TARGET_STYLE["color"],
        fontsize=8,
        ha="left",
        va="bottom",
        transform=ax.get_xaxis_transform(),
    )


def _names(column: pd.Series) -> list[str]:
    """Distinct names in their categorical order (the scenario's), else as they appear."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        present = set(column.unique())
        return [str(name) for name in column.cat.categories if name in present]
    return [str(name) for name in dict.fromkeys(column)]


def _bars(
    ax: Axes,
    positions: np.ndarray,
    heights: pd.Series,
    width: float,
    colour: str,
    label: str | None = None,
    alpha: float | None = None,
) -> None:
    """Vertical bars from 0 as one artist (``ax.bar`` makes one per bar); NaN draws none."""
    top = heights.to_numpy(dtype=float)
    left, right = positions - width / 2, positions + width / 2
    corners = np.stack([left, np.zeros_like(top), left, top, right, top, right, np.zeros_like(top)])
    bars = PolyCollection(
        corners.T.reshape(-1, 4, 2), facecolors=colour, linewidths=0, alpha=alpha, label=label
    )
    bars.sticky_edges.y.append(0.0)  # the axis starts at 0, as with ax.bar
    ax.add_collection(bars, autolim=True)
    ax.update_datalim([(float(left.min()), 0.0), (float(right.max()), 0.0)])
    ax.autoscale_view()


def _no_data(ax: Axes, text: str) -> None:
    ax.text(
        0.5,
        0.5,
        text,
        ha="center",
        va="center",
        transform=ax.transAxes,
        color="#555555",
        fontsize=10,
        wrap=True,
    )
    ax.set_xticks([])
    ax.set_yticks([])


# --------------------------------------------------------------------------- headline


def _stat(node: Any, *keys: str) -> tuple[float, float, float]:
    """(value, low, high) of a summary statistic; NaN where missing."""
    node = stat_at(node, *keys)
    if not isinstance(node, Mapping) or node.get("value") is None:
        return (np.nan, np.nan, np.nan)
    value = float(node["value"])
    interval = node.get("ci95")
    if interval is None:
        return (value, value, value)
    # Every statistic drawn here is non-negative: a t interval from few
    # replications may reach below 0, but the quantity cannot.
    return (value, max(float(interval[0]), 0.0), float(interval[1]))


_HEADLINE_PANELS: tuple[
    tuple[str, bool, str | None, tuple[tuple[str, tuple[str, ...]], ...]], ...
] = (
    (
        "First response time",
        False,
        "frt",
        (
            ("average", ("frt_s", "mean")),
            ("median", ("frt_s", "p50")),
            ("90% answered within", ("frt_s", "p90")),
            ("95% answered within", ("frt_s", "p95")),
        ),
    ),
    (
        "Follow-up response time",
        False,
        "followup",
        (
            ("average", ("followup_s", "mean")),
            ("median", ("followup_s", "p50")),
            ("90% answered within", ("followup_s", "p90")),
        ),
    ),
    (
        "Resolution time",
        False,
        None,
        (
            ("average", ("resolution_s", "mean")),
            ("median", ("resolution_s", "p50")),
            ("90% resolved within", ("resolution_s", "p90")),
        ),
    ),
    (
        "Service level",
        True,
        None,
        (
            ("first reply within target", ("frt_s", "within_target")),
            ("follow-ups within target", ("followup_s", "within_target")),
            ("customer left unanswered", ("abandon_rate",)),
        ),
    ),
)


def headline_figure(
    summary: Mapping[str, Any],
    targets: Mapping[str, float | None],
    colours: Colours | None = None,
) -> Figure:
    """The headline statistics with their 95% intervals, overall and per stream.

    ``targets`` maps ``frt`` and ``followup`` to seconds (or ``None``); they
    are drawn as dashed lines. Dots are means over replications, whiskers the
    95% confidence intervals; each time panel has the unit its values call for.
    """
    streams = summary.get("by_stream") or {}
    colours = colours or Colours.of(("stream", name) for name in streams)
    groups: list[tuple[str, str, Mapping[str, Any]]] = [
        ("all conversations", ALL_COLOUR, summary.get("overall") or {})
    ]
    if len(streams) > 1:
        groups += [
            (f"stream {name}", colours("stream", name), block) for name, block in streams.items()
        ]
    height = 5.4 + 0.7 * max(0, len(groups) - 1)
    figure = _figure(
        12,
        height,
        left=0.16,
        right=0.98,
        top=1 - 0.6 / height,
        bottom=0.5 / height,
        wspace=0.62,
        hspace=0.5,
    )
    axes = figure.subplots(2, 2)
    offsets = np.linspace(-0.25, 0.25, len(groups)) if len(groups) > 1 else np.zeros(1)
    for ax, (title, share, target_key, rows) in zip(axes.flat, _HEADLINE_PANELS, strict=True):
        stats = np.array([[_stat(block, *keys) for _, keys in rows] for *_, block in groups])
        target = targets.get(target_key) if target_key else None
        unit = time_unit(stats, target)
        scale = 100.0 if share else 1.0 / unit.seconds
        for index, (label, colour, _) in enumerate(groups):
            values = stats[index] * scale
            if share:
                values = np.minimum(values, 100.0)  # an interval cannot pass 100%
            positions = np.arange(len(rows)) + offsets[index]
            present = ~np.isnan(values[:, 0])
            ax.errorbar(
                values[present, 0],
                positions[present],
                xerr=[
                    values[present, 0] - values[present, 1],
                    values[present, 2] - values[present, 0],
                ],
                fmt="o",
                capsize=4,
                color=colour,
                label=label,
                markersize=6,
                linewidth=1.5,
            )
            if len(groups) == 1:
                for value, position in zip(values[present, 0], positions[present], strict=True):
                    text = f"{value:.1f}%" if share else format_time(value * unit.seconds, unit)
                    ax.annotate(
                        text,
                        (value, position),
                        xytext=(0, 7),
                        textcoords="offset points",
                        annotation_clip=False,
                        ha="center",
                        fontsize=9,
                    )
        ax.set_yticks(np.arange(len(rows)), [label for label, _ in rows])
        ax.set_ylim(len(rows) - 0.5, -0.5)
        _title(ax, title)
        ax.set_xlabel("percent of conversations" if share else unit.name)
        ax.grid(axis="x", alpha=0.3)
        if target is not None:
            _mark_target(ax, target, unit)
        if share:
            ax.set_xlim(0, 105)
        else:
            ax.set_xlim(left=0)
            right = ax.get_xlim()[1] * 1.08
            ax.set_xlim(0, max(right, unit.of(target) * 1.3) if target is not None else right)
        if not np.isfinite(stats[:, :, 0]).any():
            _no_data(ax, "no data in this run")
    if len(groups) > 1:
        handles, labels = axes.flat[0].get_legend_handles_labels()
        figure.legend(
            handles, labels, loc="upper right", ncols=min(len(groups), 4), fontsize=9, frameon=False
        )
    replications = summary.get("replications")
    figure.suptitle(
        f"Headline results: mean over {replications} replications with 95% confidence intervals",
        fontsize=12,
        x=0.01,
        ha="left",
    )
    return figure


# --------------------------------------------------------------------------- distributions


def _ecdf(values: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """Share (%) of ``values`` at most each grid point; NaN values never count."""
    finite = np.sort(values[~np.isnan(values)])
    return 100.0 * np.searchsorted(finite, grid, side="right") / max(values.size, 1)


def response_distribution_figure(
    times: pd.DataFrame, targets: Mapping[str, float | None], colours: Colours | None = None
) -> Figure:
    """Cumulative distributions of first response, follow-up response and
    resolution time, one line per stream (plus all streams when there are several).

    ``times`` is :func:`simulator.analysis.tables.response_times`. A curve at
    height y over x says y% were answered (resolved) within x; first-response
    curves end below 100% by the share never answered.
    """
    figure = _figure(14, 4.6, left=0.05, right=0.99, top=0.86, bottom=0.12, wspace=0.2)
    axes = figure.subplots(1, 3)
    streams = _names(times["stream"]) if len(times) else []
    colours = colours or Colours.of(("stream", name) for name in streams)
    for ax, measure in zip(axes, MEASURE_TITLES, strict=True):
        rows = times[(times["measure"] == measure).to_numpy()]
        seconds = rows["seconds"].to_numpy(dtype=float)
        title = MEASURE_TITLES[measure]
        if not np.isfinite(seconds).any():
            _title(ax, f"{title} time")
            _no_data(ax, f"no {title.lower()} in this run")
            continue
        target = targets.get(measure)
        top = float(np.nanpercentile(seconds, 99)) * 1.05
        top = max(top, 2 * target) if target else top
        unit = time_unit(top)
        grid = np.linspace(0.0, top, 600)
        curves = [("all streams" if len(streams) > 1 else "all conversations", ALL_COLOUR, seconds)]
        if len(streams) > 1:
            curves += [
                (
                    f"stream {name}",
                    colours("stream", name),
                    seconds[(rows["stream"] == name).to_numpy()],
                )
                for name in streams
            ]
        for index, (label, colour, values) in enumerate(curves):
            if values.size == 0:  # e.g. no follow-ups in a one-reply stream
                continue
            ax.plot(
                unit.of(grid),
                _ecdf(values, grid),
                color=colour,
                linewidth=2.2 if index == 0 else 1.6,
                label=label,
                drawstyle="steps-post",
            )
        if target is not None:
            within = _ecdf(seconds, np.array([target]))[0]
            ax.axvline(unit.of(target), **TARGET_STYLE)
            ax.annotate(
                f"target {format_time(target)}:\n{within:.0f}% within",
                (unit.of(target), 3),
                xytext=(5, 0),
                textcoords="offset points",
                annotation_clip=False,
                color=TARGET_STYLE["color"],
                fontsize=9,
                va="bottom",
            )
        ax.set_xlim(0, unit.of(top))
        ax.set_ylim(0, 101)
        _title(ax, f"{title} time")
        since = (
            "arrival"
            if measure == "resolution"
            else ("the customer's first message" if measure == "frt" else "the customer's message")
        )
        ax.set_xlabel(f"{unit.name} since {since}")
        done = "resolved" if measure == "resolution" else "answered"
        ax.set_ylabel(f"% {done} within that time")
        ax.grid(alpha=0.3)
        ax.locator_params(nbins=6)
    if len(streams) > 1:
        handles, labels = max(
            (ax.get_legend_handles_labels() for ax in axes), key=lambda pair: len(pair[1])
        )
        figure.legend(
            handles, labels, loc="upper right", ncols=min(len(labels), 5), fontsize=9, frameon=False
        )
    figure.suptitle(
        "How long customers waited (all replications together; axes end at the 99th percentile)",
        fontsize=12,
        x=0.01,
        ha="left",
    )
    return figure


# --------------------------------------------------------------------------- heatmaps


def heatmap_figure(
    grid: pd.DataFrame,
    *,
    title: str,
    colour_label: str,
    cmap: str | Colormap = "Blues",
    norm: Normalize | None = None,
    value_format: str = "{:.0f}",
    zone: str = "UTC",
    note: str | None = None,
    extend: str = "neither",
    highlight: str | None = "highest",
    colour_ticks: Mapping[float, str] | None = None,
) -> Figure:
    """A 7×24 hour-of-week heatmap (rows Mon..Sun, columns hours) with a colour bar
    labelled ``colour_label`` (its ticks ``colour_ticks``, value to text, where
    given); the ``highlight`` cell (``highest``, ``lowest`` or none) is outlined
    and its value written beside it.

    ``grid`` is :func:`simulator.analysis.hourly.week_grid` output; NaN cells
    (hours the run did not simulate) are grey. The colours carry the values: a
    label in each of 168 cells costs more to draw than the rest of the figure.
    """
    values = grid.to_numpy(dtype=float)
    colours = (colormaps[cmap] if isinstance(cmap, str) else cmap).with_extremes(bad=MISSING_COLOUR)
    if norm is None:
        finite = values[np.isfinite(values)]
        top = float(finite.max()) if finite.size else 1.0
        norm = Normalize(vmin=0.0, vmax=top if top > 0 else 1.0)
    figure = _figure(14, 4.2, left=0.045, right=0.965, top=0.9, bottom=0.13)
    ax = figure.subplots()
    image = ax.imshow(np.ma.masked_invalid(values), cmap=colours, norm=norm, aspect="auto")
    cell = extreme_cell(grid, highlight == "highest") if highlight else None
    if cell is not None:
        row, column = cell
        ax.add_patch(
            Rectangle((column - 0.5, row - 0.5), 1, 1, fill=False, edgecolor="black", linewidth=2)
        )
        ax.annotate(
            f"{highlight} {value_format.format(values[row, column])}",
            (column + 0.5, row),
            xytext=(3, 0),
            textcoords="offset points",
            annotation_clip=False,
            va="center",
            ha="left" if column < 20 else "right",
            fontsize=9,
            fontweight="bold",
            bbox={"boxstyle": "round,pad=0.2", "facecolor": "white", "alpha": 0.85, "lw": 0},
        )
    ax.tick_params(length=0)  # before the ticks are made, not applied to each after
    ax.set_yticks(range(7), list(grid.index))
    ax.set_xticks(range(24), [f"{h:02d}" for h in range(24)])
    ax.set_xlabel(f"hour of the day, {zone}")
    _title(ax, title, 12)
    bar = figure.colorbar(image, ax=ax, fraction=0.05, pad=0.012, aspect=15, extend=extend)
    bar.set_label(colour_label)
    if colour_ticks is not None:
        bar.set_ticks(list(colour_ticks), labels=list(colour_ticks.values()))
    footnotes = [note] if note else []
    if np.isnan(values).any():
        footnotes.append("grey: no data (hour not simulated, or nobody answered)")
    if footnotes:
        ax.text(
            1.0,
            1.02,
            ";  ".join(footnotes),
            transform=ax.transAxes,
            fontsize=8.5,
            color="#555555",
            ha="right",
            va="bottom",
        )
    return figure


def arrivals_heatmap(grid: pd.DataFrame, zone: str = "UTC") -> Figure:
    """Conversations arriving per hour, by hour of week."""
    top = np.nanmax(grid.to_numpy(dtype=float)) if np.isfinite(grid.to_numpy()).any() else 0
    return heatmap_figure(
        grid,
        title="New conversations per hour (average week)",
        colour_label="conversations per hour",
        cmap="Blues",
        value_format="{:.0f}" if top >= 10 else "{:.1f}",
        zone=zone,
    )


def agents_heatmap(grid: pd.DataFrame, zone: str = "UTC") -> Figure:
    """Agents on shift (present, overtime included), by hour of week."""
    return heatmap_figure(
        grid,
        title="Agents on shift, all teams (average week)",
        colour_label="agents on shift (incl. overtime)",
        cmap="Greens",
        value_format="{:.1f}",
        zone=zone,
        highlight="lowest",
    )


def frt_p90_heatmap(grid_s: pd.DataFrame, target_s: float | None, zone: str = "UTC") -> Figure:
    """90th percentile of first response time (seconds in ``grid_s``) by hour of
    arrival, in the unit its range calls for.

    With a target the colours are banded on it: green below, red above.
    """
    values = grid_s.to_numpy(dtype=float)
    # Banded on a target, the bands set the scale; else the data's range does.
    unit = time_unit(target_s * TARGET_BANDS[-1]) if target_s is not None else time_unit(values)
    grid = grid_s / unit.seconds
    top = float(np.nanmax(values)) / unit.seconds if np.isfinite(values).any() else 1.0
    extend, ticks = "neither", None
    if target_s is not None:
        # Bands in multiples of the target, green under it and red from twice it.
        bands = target_s * TARGET_BANDS
        norm: Normalize = BoundaryNorm(bands / unit.seconds, ncolors=len(TARGET_COLOURS))
        cmap: str | Colormap = ListedColormap(TARGET_COLOURS).with_extremes(over=OVER_TARGET_COLOUR)
        extend = "max"
        note = f"green: within the {format_time(target_s)} target; red: far over it"
        ticks = {band / unit.seconds: format_time(band) if band else "0" for band in bands}
    else:
        norm, cmap, note = Normalize(0.0, max(top, 1e-9)), "OrRd", None
    return heatmap_figure(
        grid,
        title="First response time, 90th percentile, by hour of arrival",
        colour_label="90% answered within" if ticks else f"{unit.name} (90% answered within)",
        cmap=cmap,
        norm=norm,
        value_format="{:.2g} " + unit.short if top < 10 else "{:.0f} " + unit.short,
        zone=zone,
        note=note,
        extend=extend,
        highlight="highest",
        colour_ticks=ticks,
    )


def within_target_heatmap(
    grid_percent: pd.DataFrame, target_s: float | None, zone: str = "UTC"
) -> Figure:
    """Share of conversations first answered within the target, by hour of arrival."""
    target = format_time(target_s) if target_s is not None else "target"
    return heatmap_figure(
        grid_percent,
        title=f"Share answered within {target}, by hour of arrival",
        colour_label=f"% first answered within {target}",
        cmap="RdYlGn",
        norm=Normalize(0.0, 100.0),
        value_format="{:.0f}%",
        zone=zone,
        note="abandoned conversations count as missed",
        highlight="lowest",
    )


# --------------------------------------------------------------------------- over time


def local_clock(
    at_s: np.ndarray | pd.Series, start: datetime, zone: tzinfo | None = None
) -> pd.DatetimeIndex:
    """Seconds since ``start`` as wall-clock times of ``zone`` (default ``start``'s), for axes."""
    instants = pd.Timestamp(start) + pd.to_timedelta(np.asarray(at_s, dtype=float), unit="s")
    return instants.tz_convert(zone or start.tzinfo).tz_localize(None)


def queue_figure(
    queues: pd.DataFrame,
    agents: pd.DataFrame,
    *,
    start: datetime,
    horizon_s: float,
    warmup_s: float = 0.0,
    zone: str = "UTC",
    clock: tzinfo | None = None,
    colours: Colours | None = None,
) -> Figure:
    """Conversations waiting per queue over time (mean over replications, with
    the 10-90% band across them) above the agents on shift per team, stacked.

    ``queues`` and ``agents`` are :func:`simulator.analysis.tables.queue_over_time`
    and :func:`~simulator.analysis.tables.agents_over_time`; times are drawn on
    the wall clock of ``clock`` (default ``start``'s zone), named ``zone``.
    """
    figure = _figure(14, 6.4, left=0.06, right=0.98, top=0.94, bottom=0.1, hspace=0.08)
    top, bottom = figure.subplots(2, 1, sharex=True, height_ratios=(2, 1))
    names = _names(agents["team"]) if len(agents) else []
    queue_names = _names(queues["queue"]) if len(queues) else []
    colours = colours or Colours.of(
        [("queue", name) for name in queue_names] + [("team", name) for name in names]
    )
    for name, rows in queues.groupby("queue", sort=False, observed=True):
        when = local_clock(rows["at_s"], start, clock)
        colour = colours("queue", str(name))
        top.fill_between(
            when, rows["low"], rows["high"], color=colour, alpha=0.2, linewidth=0, step="post"
        )
        top.plot(
            when,
            rows["mean"],
            color=colour,
            linewidth=1.3,
            drawstyle="steps-post",
            label=f"queue {name} (mean)",
        )
    if len(queues):
        top.fill_between([], [], [], color="grey", alpha=0.2, label="10-90% of replications")
    width = float(np.diff(np.unique(queues["at_s"])).min()) if queues["at_s"].nunique() > 1 else 0.0
    every = f"\n(average per {format_time(width)})" if width > 0 else ""
    top.set_ylabel(f"conversations waiting{every}")
    if len(queues):
        top.set_ylim(0, max(float(np.nanmax(queues[["mean", "high"]].to_numpy())), 1.0) * 1.3)
    _title(top, "Queue length over time, with the agents on shift below", 12)
    top.grid(alpha=0.3)

    if names:
        wide = (
            agents.pivot_table(
                index="at_s", columns="team", values="mean", aggfunc="first", observed=True
            )
            .reindex(columns=names)
            .fillna(0.0)
        )
        bottom.stackplot(
            local_clock(wide.index.to_numpy(), start, clock),
            wide.to_numpy().T,
            labels=[f"team {n}" for n in names],
            colors=[colours("team", n) for n in names],
            alpha=0.6,
            step="post",
        )
        bottom.legend(fontsize=8, loc="upper left", ncols=min(len(names), 4))
        bottom.set_ylim(0, max(float(wide.sum(axis=1).max()), 1.0) * 1.35)  # legend room
    bottom.set_ylabel("agents on shift")
    bottom.grid(alpha=0.3)
    bottom.set_xlabel(f"date and time, {zone}")
    locator = AutoDateLocator(maxticks=16)
    bottom.xaxis.set_major_locator(locator)
    bottom.xaxis.set_major_formatter(
        ConciseDateFormatter(locator, formats=["%Y", "%b", "%a %d", "%H:%M", "%H:%M", "%S.%f"])
    )
    bottom.set_xlim(local_clock([0.0, horizon_s], start, clock))
    if warmup_s > 0:
        begin, end = local_clock([0.0, warmup_s], start, clock)
        for ax in (top, bottom):
            ax.axvspan(begin, end, color="#999999", alpha=0.15, linewidth=0)
        top.axvspan(begin, begin, color="#999999", alpha=0.15, label="warm-up (not counted)")
    if len(queues):
        top.legend(fontsize=8, loc="upper right")
    return figure


# --------------------------------------------------------------------------- teams


def occupancy_figure(by_team: Mapping[str, Any], colours: Colours | None = None) -> Figure:
    """Occupancy per team (share of on-shift time spent on replies) with 95% intervals."""
    names = list(by_team)
    colours = colours or Colours.of(("team", name) for name in names)
    height = 1.6 + 0.55 * max(len(names), 1)
    figure = _figure(9, height, left=0.2, right=0.97, top=1 - 0.45 / height, bottom=0.7 / height)
    ax = figure.subplots()
    values = np.array([_stat(by_team[name], "occupancy") for name in names]).reshape(-1, 3)
    values *= 100.0
    positions = np.arange(len(names))
    present = ~np.isnan(values[:, 0])
    ax.barh(
        positions[present],
        values[present, 0],
        color=[colours("team", name) for name, shown in zip(names, present, strict=True) if shown],
        alpha=0.8,
        height=0.55,
    )
    ax.errorbar(
        values[present, 0],
        positions[present],
        xerr=[values[present, 0] - values[present, 1], values[present, 2] - values[present, 0]],
        fmt="none",
        ecolor="black",
        capsize=5,
        linewidth=1.3,
    )
    for position, (value, _, high) in zip(positions, values, strict=True):
        text = f"{value:.0f}%" if np.isfinite(value) else "nobody on shift"
        ax.text((high if np.isfinite(high) else 0) + 1.5, position, text, va="center", fontsize=9)
    ax.set_yticks(positions, [f"team {name}" for name in names])
    ax.set_ylim(len(names) - 0.5, -0.5)
    ax.set_xlim(0, 110)
    ax.set_xticks(range(0, 101, 20))
    ax.set_xlabel("% of on-shift time spent on replies and wrap-up (95% interval)")
    _title(ax, "Occupancy by team", 12)
    ax.grid(axis="x", alpha=0.3)
    return figure


_HANDOFF_PANELS: tuple[tuple[str, str, tuple[str, ...], float | None], ...] = (
    ("Conversations handed back at shift end", "conversations per run", ("handbacks",), None),
    ("Time spent re-reading handed-back conversations", "per run", ("reread_h",), 3600.0),
    ("Overtime after shift end", "per agent-shift", ("overtime_min_per_shift",), 60.0),
    (
        "Follow-up response, 90% answered within",
        "",
        ("followup_p90_kept_s", "followup_p90_handed_back_s"),
        1.0,
    ),
)
"""Title, unit (after the time unit where there is one), measures, and seconds per
unit of the table's values (None: not a time)."""
_HANDOFF_LABELS = {
    "followup_p90_kept_s": "kept by the same agent",
    "followup_p90_handed_back_s": "after a handback",
}


def handoff_figure(table: pd.DataFrame, colours: Colours | None = None) -> Figure:
    """What shift ends cost per team and policy: handbacks, re-read time,
    overtime, and follow-up speed of handed-back versus kept conversations.

    ``table`` is :func:`simulator.analysis.tables.handoff_table`. Bars take
    their team's colour; handed-back follow-ups are hatched.
    """
    teams = list(dict.fromkeys(table["team"]))
    colours = colours or Colours.of(("team", name) for name in teams)
    policies = table.drop_duplicates("team").set_index("team")["policy"]
    labels = [f"{team}\n({policies[team]})" for team in teams]
    team_colours = [colours("team", team) for team in teams]
    figure = _figure(12, 6.4, left=0.07, right=0.98, top=0.89, bottom=0.1, hspace=0.55, wspace=0.2)
    axes = figure.subplots(2, 2)
    for ax, (title, unit_text, measures, per) in zip(axes.flat, _HANDOFF_PANELS, strict=True):
        rows_of = {
            m: table[table["measure"] == m].set_index("team").reindex(teams) for m in measures
        }
        unit = (
            time_unit(
                *(rows_of[m][["value", "high"]].to_numpy(dtype=float) * per for m in measures)
            )
            if per is not None
            else None
        )
        scale = per / unit.seconds if unit is not None and per is not None else 1.0
        width = 0.6 / len(measures)
        anything = False
        highest = 0.0
        for index, measure in enumerate(measures):
            rows = rows_of[measure]
            value = rows["value"].to_numpy(dtype=float) * scale
            low = rows["low"].to_numpy(dtype=float) * scale
            high = rows["high"].to_numpy(dtype=float) * scale
            positions = np.arange(len(teams)) + (index - (len(measures) - 1) / 2) * width
            present = np.isfinite(value)
            anything |= bool((value[present] > 0).any())
            ax.bar(
                positions[present],
                value[present],
                width=width * 0.9,
                color=[c for c, shown in zip(team_colours, present, strict=True) if shown],
                alpha=0.8 if index == 0 else 0.5,
                hatch="//" if index else None,
                edgecolor="white" if index else None,
                label=_HANDOFF_LABELS.get(measure) if present.any() else None,
            )
            spread = np.isfinite(low) & present
            ax.errorbar(
                positions[spread],
                value[spread],
                yerr=[value[spread] - low[spread], high[spread] - value[spread]],
                fmt="none",
                ecolor="black",
                capsize=4,
                linewidth=1.2,
            )
            tops = np.where(np.isfinite(high), np.maximum(high, value), value)
            highest = max([highest, *tops[present]])
            for position, number, tip in zip(
                positions[present], value[present], tops[present], strict=True
            ):
                ax.annotate(
                    f"{number:.3g}",
                    (position, tip),
                    xytext=(0, 3),
                    textcoords="offset points",
                    annotation_clip=False,
                    ha="center",
                    fontsize=8.5,
                )
        ax.set_xticks(np.arange(len(teams)), labels)
        ax.set_xlim(-0.7, len(teams) - 0.3)
        ax.set_ylabel(" ".join(part for part in (unit and unit.name, unit_text) if part))
        _title(ax, title)
        ax.set_ylim(0, highest * 1.2 if highest > 0 else 1.0)
        ax.grid(axis="y", alpha=0.3)
        if len(measures) > 1 and anything:
            ax.legend(fontsize=8)
        if not anything:
            ax.text(
                0.5,
                0.5,
                "none in this run",
                ha="center",
                va="center",
                transform=ax.transAxes,
                color="#555555",
                fontsize=10,
            )
    figure.suptitle(
        "Shift ends per team (policy in brackets): mean over replications, 95% intervals",
        fontsize=12,
    )
    return figure


_SPELL_LABELS = {"handed_back": "handed back", "waiting_for_owner": "waiting for the owner"}
SHIFT_ENDS_FLAT = 34
"""Most shift ends a week whose labels (day over time) fit side by side under the
shift-end week figure; past it they stand on end."""


def shift_end_week_figure(table: pd.DataFrame, policies: str) -> Figure:
    """For each shift end of the week: open conversations let go there (top) and
    how long they waited for someone (bottom), by kind of spell.

    ``table`` is :func:`simulator.analysis.tables.shift_end_table`; ``policies``
    names the shift-end policy (or the teams' policies) for the title."""
    figure = _figure(12, 6.4, left=0.07, right=0.98, top=0.9, bottom=0.1, hspace=0.35)
    count_ax, wait_ax = figure.subplots(2, 1, sharex=True)
    count_ax.xaxis.set_visible(False)  # the shift ends are named below: 30-odd ticks fewer to draw
    unit = time_unit(
        *(table[c].to_numpy(dtype=float) * 3600.0 for c in ("wait_mean_h", "wait_p90_h"))
    )
    if table.empty:
        _no_data(count_ax, "no conversation was left open at a shift end after warmup")
        _no_data(wait_ax, "")
    else:
        ends = table[["weekday", "clock"]].drop_duplicates().sort_values(["weekday", "clock"])
        keys = list(zip(ends["weekday"], ends["clock"], strict=True))
        crowded = len(keys) > SHIFT_ENDS_FLAT
        between = " " if crowded else "\n"  # on end, one line; side by side, two
        labels = [f"{DAY_NAMES[day]}{between}{clock}" for day, clock in keys]
        kinds = [k for k in _SPELL_LABELS if k in set(table["kind"])]
        width = 0.8 / len(kinds)
        scale = 3600.0 / unit.seconds
        for index, kind in enumerate(kinds):
            rows = table[table["kind"] == kind].set_index(["weekday", "clock"]).reindex(keys)
            positions = np.arange(len(keys)) + (index - (len(kinds) - 1) / 2) * width
            colour = PALETTE[(index * 3) % len(PALETTE)]
            _bars(count_ax, positions, rows["per_end"], width * 0.9, colour, _SPELL_LABELS[kind])
            _bars(wait_ax, positions, rows["wait_mean_h"] * scale, width * 0.9, colour, alpha=0.8)
            wait_ax.scatter(positions, rows["wait_p90_h"] * scale, color="black", marker="_", s=120)
        wait_ax.set_xticks(np.arange(len(keys)), labels, fontsize=7, rotation=90 if crowded else 0)
        if crowded:
            figure.subplots_adjust(bottom=0.15)
        count_ax.legend(fontsize=8.5)
    count_ax.set_ylabel("conversations per shift end")
    _title(count_ax, "Open conversations let go at each shift end")
    wait_ax.set_ylabel(unit.name)
    _title(wait_ax, "Their wait for someone to work on them: mean (bar), p90 (tick)")
    for ax in (count_ax, wait_ax):
        ax.grid(axis="y", alpha=0.3)
    figure.suptitle(f"Shift ends through the week ({policies})", fontsize=12)
    return figure
