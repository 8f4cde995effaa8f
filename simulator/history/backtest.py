"""Backtest: run a scenario over a log's own period and compare hour by hour.

The scenario is run from the log's first local day at 00:00 (in ``region``)
for the log's whole days, with ``warmup`` (default 0: a log has no empty
start to hide). Contacts (observed and simulated) are tallied by the hour they
arrived in, with the definitions of summary.json (see
:mod:`simulator.statistics.metrics`): *abandonment* = abandoned / reached a queue,
*mean wait* over those that reached a queue (abandoned ones until they left,
simulated ones still waiting at the horizon until the horizon), *share waited*
= waits above zero, *served* = answered contacts (by arrival hour). Groups are
the hour of day, the hour of week and each date and hour; each group's value
is a ratio of summed tallies, so a group is weighted by its contacts.

Simulated values are the mean over replications with a Student t 95%
interval, clipped at the metric's natural bounds (as every command's). The
baseline is Erlang A per date and hour and per team, fed the same inputs as
the simulation (:mod:`~simulator.history.baseline`): that hour's observed
arrivals per class, the agents on shift as a time-weighted mixture of whole
counts, service with wrap-up, each class's patience, priority order and delay
before routing.
``mae`` (and ``baseline_mae``) is the mean absolute error over the date-hours
with at least one contact that reached a queue.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import stdtrit

from simulator.errors import ScenarioError
from simulator.history.arrivals import Period, log_period, slot_of_week
from simulator.history.baseline import erlang_a_baseline
from simulator.history.contact_log import ContactLog, read_contact_log, zone
from simulator.history.fit import with_classes
from simulator.scenario.loader import load_scenario
from simulator.scenario.schema import Scenario
from simulator.statistics.intervals import clip_end
from simulator.statistics.metrics import WAITED, counted_conversations

METRICS = ("abandon_share", "mean_wait_s", "share_waited", "served")
KINDS = {
    "abandon_share": "share",
    "mean_wait_s": "duration",
    "share_waited": "share",
    "served": "count",
}
"""What each metric is, for clipping its interval at natural bounds (no share above 1)."""
TALLIES = ("reached", "abandoned", "wait_s", "waited", "served")


@dataclass
class BacktestResult:
    """Observed, simulated and Erlang A values per group, and the errors."""

    scenario: Scenario
    period: Period
    seed: int
    replications: int
    jobs: int
    wall_time_s: float
    tables: dict[str, pd.DataFrame]  # by_hour, by_hour_of_week, by_date_hour, by_class
    mae: dict[str, float | None]
    baseline_mae: dict[str, float | None]
    source: str

    def to_json(self) -> dict[str, Any]:
        return {
            "log": self.source,
            "scenario": self.scenario.name,
            "period": {
                "start": self.period.start.isoformat(),
                "end": self.period.end.isoformat(),
                "days": self.period.days,
            },
            "seed": self.seed,
            "replications": self.replications,
            "mae": self.mae,
            "baseline_mae": self.baseline_mae,
            **{name: table.to_dict(orient="records") for name, table in self.tables.items()},
        }


def backtest(
    scenario: Path | str | Scenario,
    log: Path | str | ContactLog,
    *,
    tz: str = "UTC",
    region: str | None = None,
    columns: dict[str, str] | str | None = None,
    replications: int | None = None,
    seed: int | None = None,
    jobs: int = 1,
    warmup: float = 0.0,
    allow_bad_rows: bool = False,
    progress: bool = False,
    check_work: Callable[[Scenario], None] | None = None,
) -> BacktestResult:
    """Run ``scenario`` over ``log``'s period and compare (see the module docstring).

    ``region``: the wall clock of days and hours (default: the first stream
    profile's region, else ``tz``). ``check_work`` sees the scenario as it will run
    (over the log's period) before it runs: the command line's size limit.
    """
    from simulator.experiment import run

    loaded = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    contact_log = (
        log
        if isinstance(log, ContactLog)
        else read_contact_log(log, tz=tz, columns=columns, allow_bad_rows=allow_bad_rows)
    )
    region = region or _profile_region(loaded) or tz
    zone(region, "--region")
    contacts = with_classes(contact_log)
    unknown = sorted(set(contacts["stream"]) - set(loaded.streams))
    if unknown:
        raise ScenarioError(
            f"the log's stream '{unknown[0]}' is not in the scenario "
            f"(its streams: {', '.join(loaded.streams)})",
            source=f"{contact_log.source}, column 'stream'",
            fix="backtest the scenario fitted from this log, or name the streams alike",
        )
    period = log_period(contacts["arrived"].to_numpy(), region)
    horizon = period.end_s - period.start_s
    if warmup >= horizon:
        raise ScenarioError(
            f"warmup ({warmup:g}s) must be shorter than the log's {period.days} days",
            source="--warmup",
            fix="shorten the warmup",
        )
    scenario_run = loaded.model_copy(
        update={"start": period.start.to_pydatetime(), "horizon": horizon, "warmup": warmup}
    )
    if check_work is not None:
        check_work(scenario_run)
    result = run(scenario_run, replications=replications, seed=seed, jobs=jobs, progress=progress)
    hours = round(horizon / 3600)
    hour_starts = period.start_s + 3600.0 * np.arange(hours)
    first_hour = int(warmup // 3600)

    observed = _observed_tallies(contacts, period.start_s, hours, warmup)
    simulated = np.stack(
        [
            _simulated_tallies(counted_conversations(record, scenario_run), hours)
            for record in result.records
        ]
    )
    baseline_by_class = _erlang_tallies(scenario_run, contacts, hour_starts, period)
    baseline = sum(baseline_by_class.values(), np.zeros((hours, len(TALLIES))))
    local = pd.to_datetime(hour_starts, unit="s", utc=True).tz_convert(region)
    groups = {
        "by_hour": local.hour.to_numpy(),
        "by_hour_of_week": slot_of_week(hour_starts, region, 3600),
        "by_date_hour": np.arange(hours),
    }
    labels = {
        "by_hour": lambda g: {"hour": int(g)},
        "by_hour_of_week": lambda g: {"day": int(g) // 24, "hour": int(g) % 24},
        "by_date_hour": lambda g: {"start": local[int(g)].isoformat()},
    }
    keep = (np.arange(hours) >= first_hour) & (hour_starts >= period.covered_s)
    tables = {
        name: _table(key[keep], observed[keep], simulated[:, keep], baseline[keep], labels[name])
        for name, key in groups.items()
    }
    tables["by_class"] = _class_table(
        contacts, result.records, scenario_run, baseline_by_class, period, warmup, keep
    )
    by_date_hour = tables["by_date_hour"]
    seen = by_date_hour["observed_reached"] > 0
    mae = {
        m: _mae(by_date_hour.loc[seen, f"simulated_{m}"], by_date_hour.loc[seen, m])
        for m in METRICS
    }
    baseline_mae = {
        m: _mae(by_date_hour.loc[seen, f"erlang_a_{m}"], by_date_hour.loc[seen, m]) for m in METRICS
    }
    return BacktestResult(
        scenario=scenario_run,
        period=period,
        seed=result.seed,
        replications=result.replications,
        jobs=jobs,
        wall_time_s=result.wall_time_s,
        tables=tables,
        mae=mae,
        baseline_mae=baseline_mae,
        source=contact_log.source,
    )


def _class_table(
    contacts: pd.DataFrame,
    records: list[Any],
    scenario: Scenario,
    baseline_by_class: dict[str, np.ndarray],
    period: Period,
    warmup: float,
    keep: np.ndarray,
) -> pd.DataFrame:
    """Every metric per class (stream) over the kept hours: classes served by the same
    agents can fare very differently, which one pooled figure hides."""
    hours = keep.size
    frames = []
    for stream in sorted(set(contacts["stream"])):
        mine = contacts[contacts["stream"] == stream]
        observed = _observed_tallies(mine, period.start_s, hours, warmup)[keep].sum(axis=0)
        simulated = np.stack(
            [
                _simulated_tallies(_only(counted_conversations(r, scenario), stream), hours)[
                    keep
                ].sum(axis=0)
                for r in records
            ]
        )
        baseline = baseline_by_class[stream]
        frame = _table(
            np.zeros(1, dtype=int),
            observed[None, :],
            simulated[:, None, :],
            baseline[keep].sum(axis=0)[None, :],
            lambda _g, s=stream: {"class": s},
        )
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def _only(counted: pd.DataFrame, stream: str) -> pd.DataFrame:
    return counted[(counted["stream"] == stream).to_numpy()]


def _profile_region(scenario: Scenario) -> str | None:
    for stream in scenario.streams.values():
        if stream.profile is not None:
            return stream.profile.region
    return None


def _bins(hour: np.ndarray, values: np.ndarray, hours: int) -> np.ndarray:
    inside = (hour >= 0) & (hour < hours)
    return np.bincount(hour[inside], values[inside].astype(float), minlength=hours)


def _tallies(hour: np.ndarray, reached, abandoned, wait, served, hours: int) -> np.ndarray:  # type: ignore[no-untyped-def]
    """Per hour: reached, abandoned, summed wait, waited, served (columns of TALLIES)."""
    wait = np.where(reached, np.nan_to_num(wait), 0.0)
    return np.stack(
        [
            _bins(hour, reached, hours),
            _bins(hour, abandoned, hours),
            _bins(hour, wait, hours),
            _bins(hour, reached & (wait > WAITED), hours),
            _bins(hour, served, hours),
        ],
        axis=1,
    )


def _observed_tallies(
    contacts: pd.DataFrame, start_s: float, hours: int, warmup: float
) -> np.ndarray:
    arrived = contacts["arrived"].to_numpy() - start_s
    outcome = contacts["outcome"].astype(str).to_numpy()
    answered = outcome == "answered"
    reached = outcome != "deflected"
    until = np.where(answered, contacts["answered"], contacts["ended"]) - contacts["arrived"]
    hour = np.floor(arrived / 3600).astype(int)
    hour = np.where(arrived >= warmup, hour, -1)
    return _tallies(hour, reached, outcome == "abandoned", until.to_numpy(), answered, hours)


def _simulated_tallies(counted: pd.DataFrame, hours: int) -> np.ndarray:
    """One replication's tallies (arrived at = horizon − remaining)."""
    horizon = hours * 3600.0
    arrived = horizon - counted["remaining"].to_numpy()
    hour = np.floor(arrived / 3600).astype(int)
    return _tallies(
        hour,
        counted["reached"].to_numpy(),
        counted["abandoned"].to_numpy(),
        counted["wait"].to_numpy(),
        counted["resolved"].to_numpy(),
        hours,
    )


def _erlang_tallies(
    scenario: Scenario, contacts: pd.DataFrame, hour_starts: np.ndarray, period: Period
) -> dict[str, np.ndarray]:
    """Per class, the expected tallies per hour of :func:`erlang_a_baseline` for the
    observed arrivals that reached a queue."""
    hours = hour_starts.size
    reached = contacts[contacts["outcome"] != "deflected"]
    hour = np.floor((reached["arrived"].to_numpy() - period.start_s) / 3600).astype(int)
    stream = reached["stream"].to_numpy()
    arrivals = {
        s: _bins(hour[stream == s], np.ones(int((stream == s).sum())), hours)
        for s in sorted(set(stream))
    }
    tallies = {s: np.zeros((hours, len(TALLIES))) for s in set(contacts["stream"])}
    for name, law in erlang_a_baseline(scenario, arrivals, hour_starts).items():
        c = arrivals[name]
        tallies[name] = np.stack(
            [c, c * law.p_abandon, c * law.mean_wait_s, c * law.p_wait, c * (1 - law.p_abandon)],
            axis=1,
        )
    return tallies


def _metrics(tallies: np.ndarray) -> np.ndarray:
    """METRICS from summed tallies (last axis TALLIES); NaN where nothing reached."""
    reached = tallies[..., 0]
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(reached > 0, 1.0, np.nan) / np.where(reached > 0, reached, 1.0)
        return np.stack(
            [
                tallies[..., 1] * share,
                tallies[..., 2] * share,
                tallies[..., 3] * share,
                tallies[..., 4],
            ],
            axis=-1,
        )


def _group(key: np.ndarray, tallies: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Tallies summed per group (tallies: [..., hours, TALLIES])."""
    index = np.searchsorted(groups, key)
    out = np.zeros((*tallies.shape[:-2], groups.size, tallies.shape[-1]))
    np.add.at(out, (..., index, slice(None)), tallies)
    return out


def _table(key, observed, simulated, baseline, label) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    groups = np.unique(key)
    obs = _metrics(_group(key, observed, groups))
    sim = _metrics(_group(key, simulated, groups))  # [replications, groups, metrics]
    base = _metrics(_group(key, baseline, groups))
    count = np.sum(~np.isnan(sim), axis=0)
    with warnings.catch_warnings(), np.errstate(invalid="ignore", divide="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)  # groups empty in every replication
        mean = np.nanmean(sim, axis=0)
        spread = np.nanstd(sim, axis=0, ddof=1)
        half = stdtrit(np.maximum(count - 1, 1), 0.975) * spread / np.sqrt(count)
    rows = []
    observed_reached = _group(key, observed, groups)[:, 0]
    for i, g in enumerate(groups):
        row = {**label(g), "observed_reached": int(observed_reached[i])}
        for j, metric in enumerate(METRICS):
            row[metric] = _num(obs[i, j])
            row[f"simulated_{metric}"] = _num(mean[i, j])
            row[f"simulated_{metric}_ci95"] = (
                None
                if not np.isfinite(half[i, j])
                else [
                    clip_end(mean[i, j] - half[i, j], KINDS[metric]),
                    clip_end(mean[i, j] + half[i, j], KINDS[metric]),
                ]
            )
            row[f"erlang_a_{metric}"] = _num(base[i, j])
        rows.append(row)
    return pd.DataFrame(rows)


def _num(value: float) -> float | None:
    return float(value) if np.isfinite(value) else None


def _mae(predicted: pd.Series, observed: pd.Series) -> float | None:
    error = (predicted.astype(float) - observed.astype(float)).abs().dropna()
    return float(error.mean()) if len(error) else None
