"""What ``fit`` writes and prints: the scenario file, ``fit.json``, ``fit.png`` and a table.

The scenario goes where ``--out`` says; the report goes in a folder of its own
(``--report DIR``, default the scenario's path without ``.yaml`` plus
``-fit``), written atomically by :func:`simulator.results_folder.write_folder` with a
``run.json`` so that a later fit may replace it. Everything is computed and
drawn before anything is written; the report folder is written first and the
scenario last, through a temporary file renamed into place, so a failure leaves
no scenario that has no report.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from simulator.analysis.palette import Colours
from simulator.history.fit import FitResult
from simulator.scenario.schema import DAY_NAMES
from simulator.units import format_duration

EDGE_CASES_LISTED = 20
"""Sessions listed by name in fit.json per kind of edge case."""


def default_report_dir(out: Path) -> Path:
    """``fitted.yaml`` -> ``fitted-fit/`` beside it."""
    return out.with_name(out.stem + "-fit")


def _iso(epoch_s: float, region: str) -> str:
    return pd.Timestamp(epoch_s, unit="s", tz="UTC").tz_convert(region).isoformat()


def fit_json(result: FitResult) -> dict[str, Any]:
    """Every fitted number with its sample size, the choices made and the edge cases."""
    region = result.options["region"]
    streams = {}
    for stream, row in result.classes.iterrows():
        arrivals, handle = result.arrivals[stream], result.handle[stream]
        patience, wrap = result.patience[stream], result.wrap_up[stream]
        delay = result.delays.get(str(stream))
        streams[str(stream)] = {
            "delay_before_routing": None if delay is None else delay.to_json(),
            "stream": row["base_stream"],
            "priority": None if pd.isna(row["priority"]) else int(row["priority"]),
            "observed": {
                "contacts": int(row["contacts"]),
                "answered": int(row["answered"]),
                "abandoned": int(row["abandoned"]),
                "deflected": int(row["deflected"]),
                "abandon_share": row["abandon_share"],
                "share_waited": row["share_waited"],
                "mean_wait_s": row["mean_wait_s"],
                "short_handles_below_10s": int(row["short_handles"]),
            },
            "arrivals": {
                "n": arrivals.n,
                "hours": arrivals.hours,
                "per_hour": arrivals.per_hour,
                "per_hour_ci95": list(arrivals.per_hour_ci),
                "daily_cv": arrivals.daily_cv,
                "daily_cv_rule": "cv² = max(0, Σ(N/E − 1)²/(days − weekdays) − mean(1/E)), "
                "N a day's count, E its expectation from the profile; none when no "
                "weekday is seen twice",
                "days": arrivals.days,
                "unseen_slots": arrivals.unseen_slots,
                "grid": arrivals.grid,
                "slot_counts": arrivals.slot_counts,
                "slot_hours": arrivals.slot_hours,
            },
            "handle": {
                "n": handle.n,
                "mean_s": handle.mean_s,
                "mean_ci95": list(handle.mean_ci),
                "median_s": handle.median_s,
                "zeros": handle.zeros,
                "chosen": handle.chosen,
                "rule": "lowest AIC among families not rejected by KS at 1%; "
                "empirical when all are rejected",
                "candidates": [vars(c) for c in handle.candidates],
            },
            "patience": {
                "n": patience.n,
                "events": patience.events,
                "exposure_s": patience.exposure_s,
                "exponential_mean_s": patience.exp_mean_s,
                "exponential_mean_ci95": (
                    None if patience.exp_mean_ci is None else list(patience.exp_mean_ci)
                ),
                "log_likelihood": patience.log_likelihood,
                "parameters": {k: list(v) for k, v in patience.parameters.items()},
                "chosen": patience.chosen,
                "rule": "a two-parameter family only if 2·Δ log-likelihood > 6.63",
            },
            "wrap_up": {
                "n": wrap.n,
                "mean_s": wrap.mean_s,
                "median_s": wrap.median_s,
                "median_ci95": None if wrap.median_ci is None else list(wrap.median_ci),
                "share_zero": wrap.share_zero,
                "chosen_s": wrap.chosen_s,
                "rule": "fixed at the median of gaps while a contact was waiting",
            },
            "scenario": result.scenario["streams"][str(stream)],
        }
    teams = {}
    for team in result.teams:
        entry: dict[str, Any] = {"streams": team.streams, "agents": team.agents}
        duty = result.on_duty.get(team.name)
        found = result.sessions.get(team.name)
        if duty is not None and found is not None:
            frame = found.frame
            entry["sessions"] = {
                "n": len(frame),
                "single_contact": _listed(found.single_contact, region),
                "across_midnight": _listed(found.across_midnight, region),
            }
            entry["by_slot_of_week"] = {
                "slot_s": duty.interval_s,
                "time_weighted": duty.by_slot_weighted.round(4).tolist(),
                "heads": duty.by_slot_heads.round(4).tolist(),
                "samples": duty.by_slot_samples.tolist(),
                "roster_curve": duty.curve().tolist(),
                "rounding": "half up: floor(mean + 0.5)",
            }
            entry["series"] = {
                "interval_start": [_iso(t, region) for t in duty.edges[:-1]],
                "time_weighted": duty.weighted.round(4).tolist(),
                "heads": duty.heads.tolist(),
            }
        teams[team.name] = entry
    log = result.log
    return {
        "log": {
            "source": log.source,
            "contacts": len(log.contacts),
            "bad_rows": {
                reason: {"column": b.column, "count": b.count, "first_rows": b.rows}
                for reason, b in log.bad.items()
            },
        },
        "period": {
            "start": result.period.start.isoformat(),
            "end": result.period.end.isoformat(),
            "days": result.period.days,
        },
        "options": result.options,
        "streams": streams,
        "teams": teams,
        "notes": result.notes,
    }


def _listed(frame: pd.DataFrame, region: str) -> dict[str, Any]:
    head = frame.head(EDGE_CASES_LISTED)
    return {
        "count": len(frame),
        "first": [
            {"agent": a, "start": _iso(s, region), "end": _iso(e, region), "contacts": int(n)}
            for a, s, e, n in zip(
                head["agent"], head["start"], head["end"], head["contacts"], strict=True
            )
        ],
    }


def fit_table(result: FitResult) -> str:
    """The short table ``fit`` prints: one block per class, then the teams."""
    lines = [
        f"period {result.period.start:%Y-%m-%d} to {result.period.end:%Y-%m-%d} "
        f"({result.period.days} days, {result.options['region']}), "
        f"{len(result.log.contacts)} contacts"
    ]
    lines += [f"  left out: {line}" for line in result.log.bad_lines()]
    for stream, row in result.classes.iterrows():
        arrivals, handle = result.arrivals[stream], result.handle[stream]
        patience, wrap = result.patience[stream], result.wrap_up[stream]
        lines.append(f"{stream}:")
        low, high = arrivals.per_hour_ci
        cv = "-" if arrivals.daily_cv is None else f"{arrivals.daily_cv:.2f}"
        lines.append(
            f"  arrivals  {arrivals.per_hour:8.2f}/h [{low:.2f}, {high:.2f}]  n={arrivals.n}"
            f"  daily cv {cv}"
        )
        low, high = handle.mean_ci
        lines.append(
            f"  handle    {_d(handle.mean_s):>8} [{_d(low)}, {_d(high)}]  n={handle.n}"
            f"  {handle.chosen}; under 10s: {int(row['short_handles'])}"
        )
        if patience.exp_mean_s is None:
            lines.append(f"  patience  none abandoned  n={patience.n}")
        else:
            low, high = patience.exp_mean_ci  # type: ignore[misc]
            lines.append(
                f"  patience  {_d(patience.exp_mean_s):>8} [{_d(low)}, {_d(high)}]"
                f"  {patience.events} abandoned of n={patience.n}  {patience.chosen}"
            )
        median = "-" if wrap.median_s is None else _d(wrap.median_s)
        mean = "-" if wrap.mean_s is None else _d(wrap.mean_s)
        lines.append(f"  wrap-up   {median:>8} median, mean {mean}  n={wrap.n}")
        lines.append(
            f"  observed  abandon {_pct(row['abandon_share'])}  waited "
            f"{_pct(row['share_waited'])}  mean wait {_d(row['mean_wait_s'])}"
        )
        delay = result.delays.get(str(stream))
        if delay is not None and delay.idle_share is not None:
            lines.append(
                f"  idle      {_pct(delay.idle_share)} of its waiting had an agent of its "
                "team free"
                + (
                    f": a delay before routing, median {_d(delay.delay.median_s)}, "
                    f"mean {_d(delay.delay.mean_s)}  n={delay.delay.n}"
                    if delay.delay is not None
                    else ""
                )
            )
    for team in result.teams:
        found = result.sessions.get(team.name)
        extra = ""
        duty = result.on_duty.get(team.name)
        if found is not None and duty is not None:
            extra = (
                f"; {len(found.frame)} sessions, {len(found.single_contact)} of one contact, "
                f"{len(found.across_midnight)} across midnight; on duty per "
                f"{format_duration(duty.interval_s)}: {duty.weighted.mean():.2f} agents "
                f"time-weighted, {duty.heads.mean():.2f} counting heads"
            )
        lines.append(
            f"team {team.name}: serves {', '.join(team.streams)}; {len(team.agents)} agents{extra}"
        )
    lines += [f"note: {note}" for note in result.notes]
    return "\n".join(lines)


def _d(seconds: float | None) -> str:
    if seconds is None or not np.isfinite(seconds):
        return "-"
    return format_duration(round(float(seconds), 1))


def _pct(share: float) -> str:
    return "-" if share is None or not np.isfinite(share) else f"{100 * share:.1f}%"


def fit_colours(result: FitResult) -> Colours:
    """The palette of the fitted scenario (:meth:`Colours.for_scenario`'s order: each
    class is a stream and its own queue, then the teams), so a class or team has
    the same colour in fit.png and in the report of a run of the fitted scenario."""
    streams = [str(name) for name in result.scenario["streams"]]
    return Colours.of(
        [("stream", name) for name in streams]
        + [("queue", name) for name in streams]
        + [("team", str(name)) for name in result.scenario["teams"]]
    )


def fit_figure(result: FitResult) -> Any:
    """Arrivals by hour of week, handle Q-Q, patience Kaplan-Meier, agents on duty:
    one palette colour per class and team, durations in the unit their range calls
    for, hours of the week on the region's clock by name."""
    from zoneinfo import ZoneInfo

    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from simulator.analysis.hourly import zone_text
    from simulator.analysis.time_axes import time_unit
    from simulator.history.patience import kaplan_meier

    colours = fit_colours(result)
    period = result.period
    clock = zone_text(ZoneInfo(period.region), period.start, period.end)
    figure = Figure(figsize=(12, 8))
    FigureCanvasAgg(figure)
    axes = figure.subplots(2, 2)
    figure.subplots_adjust(hspace=0.4, wspace=0.25, left=0.07, right=0.98, top=0.94, bottom=0.08)
    arrivals_ax, qq_ax, km_ax, duty_ax = axes.ravel()
    probabilities = (np.arange(1, 100) - 0.5) / 99
    quantiles: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    survivals: dict[str, tuple[np.ndarray, np.ndarray, Any]] = {}
    for stream in result.classes.index:
        colour = colours("stream", str(stream))
        fit = result.arrivals[stream]
        rate = np.asarray(fit.grid).ravel() * fit.per_hour
        arrivals_ax.step(np.arange(168), rate, where="post", label=str(stream), color=colour)
        handle = result.handle[stream]
        frozen = handle.frozen()
        if frozen is not None:
            observed = np.quantile(handle.quantiles, probabilities)
            quantiles[str(stream)] = (frozen.ppf(probabilities), observed)
        patience = result.patience[stream]
        if patience.exp_mean_s is None:
            km_ax.text(
                0.5,
                0.5 - 0.06 * len(km_ax.texts),
                f"{stream}: nobody abandoned",
                ha="center",
                transform=km_ax.transAxes,
            )
            continue
        contacts = result.contacts
        frame = contacts[(contacts["stream"] == stream) & (contacts["outcome"] != "deflected")]
        answered = (frame["outcome"] == "answered").to_numpy()
        waits = np.where(answered, frame["answered"], frame["ended"]) - frame["arrived"]
        held = result.delays.get(str(stream))
        after = held.delay.mean_s if held is not None and held.delay is not None else 0.0
        # patience starts at the queue: a held class's waits less its delay, as fitted
        times, survival = kaplan_meier(np.maximum(waits.to_numpy() - after, 0.0), ~answered)
        survivals[str(stream)] = (times, survival, patience.frozen())
    handle_unit = time_unit(*(q for pair in quantiles.values() for q in pair))
    for stream, (fitted, observed) in quantiles.items():
        qq_ax.plot(
            handle_unit.of(fitted),
            handle_unit.of(observed),
            ".",
            label=stream,
            color=colours("stream", stream),
        )
    wait_unit = time_unit(*(times for times, _, _ in survivals.values()))
    for stream, (times, survival, frozen) in survivals.items():
        colour = colours("stream", stream)
        km_ax.step(
            wait_unit.of(times),
            survival,
            where="post",
            label=f"{stream} Kaplan-Meier",
            color=colour,
        )
        grid = np.linspace(0, max(float(times.max(initial=1.0)), 1.0), 200)
        km_ax.plot(
            wait_unit.of(grid), frozen.sf(grid), "--", label=f"{stream} fitted", color=colour
        )
    arrivals_ax.set(title="arrivals per hour by hour of the week", ylabel="arrivals per hour")
    top = max(qq_ax.get_xlim()[1], qq_ax.get_ylim()[1])
    qq_ax.plot([0, top], [0, top], color="grey", lw=0.8)
    qq_ax.set(
        title="handle time Q-Q",
        xlabel=f"fitted ({handle_unit.name})",
        ylabel=f"observed ({handle_unit.name})",
    )
    km_ax.set(
        title="patience: share still waiting",
        xlabel=f"wait in queue ({wait_unit.name})",
        ylabel="survival",
    )
    for team, duty in result.on_duty.items():
        colour = colours("team", str(team))
        hours = np.arange(duty.by_slot_weighted.size) * duty.interval_s / 3600
        duty_ax.step(
            hours,
            duty.by_slot_weighted,
            where="post",
            label=f"{team} time-weighted",
            color=colour,
        )
        duty_ax.step(
            hours,
            duty.by_slot_heads,
            where="post",
            alpha=0.5,
            label=f"{team} heads",
            color=colour,
        )
        duty_ax.step(
            hours, duty.curve(), where="post", ls=":", label=f"{team} roster", color=colour
        )
    duty_ax.set(title="agents on duty by slot of the week", ylabel="agents")
    for ax in (arrivals_ax, duty_ax):
        ax.set_xticks(range(0, 169, 24), [*DAY_NAMES, ""])
        ax.set_xlabel(f"hour of the week, {clock}")
    for ax in axes.ravel():
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=7)
    return figure


def write_fit(
    result: FitResult,
    out: Path,
    report_dir: Path | None = None,
    *,
    started_at: datetime | None = None,
    command: Iterable[str] | None = None,
    wall_time_s: float = 0.0,
) -> Path:
    """Write the report folder, the CSVs the scenario names (beside it), then the
    scenario file (see the module docstring)."""
    from simulator.analysis.figures import save_png
    from simulator.analysis.scenario_table import write_text_atomic
    from simulator.results_writer import write_command_folder, write_json

    report_dir = report_dir if report_dir is not None else default_report_dir(out)
    text = yaml.safe_dump(result.scenario, sort_keys=False, allow_unicode=True)
    document = fit_json(result)
    figure = fit_figure(result)

    def fill(folder: Path) -> None:
        write_json(document, folder / "fit.json")
        save_png(figure, folder / "fit.png")

    write_command_folder(
        report_dir,
        fill,
        kind="fit",
        scenario=None,  # the fitted scenario is written to OUT, beside the folder
        seed=0,
        replications=0,
        jobs=None,
        wall_time_s=wall_time_s,
        started_at=started_at,
        command=command,
        # A fit simulates nothing: no seed and no replications to record.
        extra={"scenario": str(out), "seed": None, "replications": None},
    )
    for name, csv in result.files.items():  # before the scenario that names them
        write_text_atomic(csv, Path(out).parent / name)
    write_text_atomic(text, out)
    return report_dir
