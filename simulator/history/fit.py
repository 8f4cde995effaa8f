"""Fit a scenario to a contact log: each part by its own module, put together here.

What becomes what (each number in ``fit.json`` carries its sample size):

- a *class* is a stream, split by priority when the log has one
  (``chat-p2``); the scenario has no priority order between streams of one
  queue, so each class is its own queue and its team serves its queues in
  priority order (higher first), which is how the scenario orders queues;
- arrivals (:mod:`~simulator.history.arrivals`) become ``per_hour``, a
  ``profile`` grid and ``noise``; deflected contacts a ``bot`` deflection share;
- handle times (:mod:`~simulator.history.durations`) the conversation's
  ``handle`` with ``exchanges: 1``; patience (:mod:`~simulator.history.patience`)
  ``patience``; wrap-up (:mod:`~simulator.history.wrap_up`) ``wrap_up``;
- a class that waits while agents who serve it sit idle
  (:mod:`~simulator.history.class_delays`) a delay before routing, its
  ``bot.time``; its patience is then fitted to its waits less the delay's mean,
  since patience starts at the queue;
- teams (:mod:`~simulator.history.teams`) and agents on duty
  (:mod:`~simulator.history.on_duty`) each team's ``staffing``: by weekday,
  the time-weighted mean per slot of the week, rounded half up; by date, each
  interval's time-weighted count, rounded half up, in a CSV beside the scenario.

With ``arrivals="trace"`` each stream replays the log's own arrivals (a CSV
of ``arrived_at,stream`` beside the scenario) instead of a fitted rate model.
The CSVs are in :attr:`FitResult.files`, named relative to the scenario;
:func:`~simulator.history.fit_report.write_fit` writes them beside it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from simulator.errors import ScenarioError
from simulator.history.arrivals import ArrivalFit, Period, fit_arrivals, log_period
from simulator.history.class_delays import ClassDelay, IdleClock, class_delays
from simulator.history.contact_log import ContactLog, read_contact_log, zone
from simulator.history.durations import DurationFit, fit_duration, seconds
from simulator.history.on_duty import OnDuty, Sessions, on_duty, sessions
from simulator.history.patience import PatienceFit, fit_patience
from simulator.history.teams import Team, group_teams
from simulator.history.wrap_up import WrapUpFit, fit_wrap_up, wrap_up_gaps
from simulator.units import DAY, parse_duration

SHORT_HANDLE_S = 10.0
"""Handle times below this are flagged: often a misclick or an auto-close."""


@dataclass
class FitResult:
    """Everything fitted from one log, and the scenario made of it."""

    log: ContactLog
    contacts: pd.DataFrame  # the log's contacts, ``stream`` being each one's class
    period: Period
    options: dict[str, Any]
    classes: pd.DataFrame
    arrivals: dict[str, ArrivalFit]
    handle: dict[str, DurationFit]
    patience: dict[str, PatienceFit]
    wrap_up: dict[str, WrapUpFit]
    teams: list[Team]
    sessions: dict[str, Sessions]
    on_duty: dict[str, OnDuty]
    scenario: dict[str, Any]
    notes: list[str] = field(default_factory=list)
    delays: dict[str, ClassDelay] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)  # CSV name beside the scenario -> text


def fit(
    log: Path | str | ContactLog,
    *,
    tz: str = "UTC",
    region: str | None = None,
    columns: dict[str, str] | str | None = None,
    interval: str | float = "15min",
    session_gap: str | float = "15min",
    wrap_up: str | float | None = "auto",
    one_team: bool = False,
    allow_bad_rows: bool = False,
    name: str | None = None,
    by: str = "weekday",
    arrivals: str = "rate",
) -> FitResult:
    """Fit a scenario to the contact log at ``log`` (see the module docstring).

    ``tz``: zone of times written without an offset; ``region``: the wall clock
    of the profile and roster (default ``tz``); ``interval``: staffing interval;
    ``session_gap``: the longest break inside a working session; ``wrap_up``:
    ``"auto"`` (fitted), a duration, or ``None``/``"none"`` (no wrap-up);
    ``by``: staffing by ``weekday`` or ``date``; ``arrivals``: a fitted ``rate``
    model or a replayed ``trace``.
    """
    _choice(by, ("weekday", "date"), "--by")
    _choice(arrivals, ("rate", "trace"), "--arrivals")
    arrivals_from = arrivals  # the name is the fitted rates' below
    zone(tz, "--tz")
    region = region or tz
    zone(region, "--region")
    if wrap_up not in ("auto", None, "none"):
        wrap_up = _duration(wrap_up, "--wrap-up")  # type: ignore[arg-type]
    interval_s = _duration(interval, "--interval")
    gap_s = _duration(session_gap, "--session-gap")
    if interval_s <= 0 or round(DAY / interval_s) * interval_s != DAY or interval_s % 60:
        raise ScenarioError(
            f"{interval} does not divide a day into whole minutes",
            source="--interval",
            fix="use an interval such as 15min, 30min or 1h",
        )
    contact_log = (
        log
        if isinstance(log, ContactLog)
        else read_contact_log(log, tz=tz, columns=columns, allow_bad_rows=allow_bad_rows)
    )
    if not contact_log.has_agent:
        raise ScenarioError(
            "the log has no agent column: staffing is read off who answered what",
            source=f"{contact_log.source}, row 1 (the header), column 'agent'",
            fix="add the agent column, or map yours: --columns agent=YOUR_COLUMN",
        )
    contacts = with_classes(contact_log)
    answered = contacts[contacts["outcome"] == "answered"]
    if answered.empty:
        raise ScenarioError(
            "no contact in the log was answered: nothing to fit handle times or staffing from",
            source=contact_log.source,
            path="outcome",
            fix="export a log that includes answered contacts",
        )
    notes: list[str] = []
    nameless = int(answered["agent"].isna().sum())
    if nameless:
        notes.append(
            f"{nameless} answered contacts name no agent: left out of staffing and wrap-up"
        )
    period = log_period(contacts["arrived"].to_numpy(), region)
    classes = _class_table(contacts)
    order = classes.index.tolist()
    arrivals = {c: fit_arrivals(_rows(contacts, c)["arrived"].to_numpy(), period) for c in order}
    handle = {}
    for c in order:
        own = _rows(answered, c)
        if own.empty:
            handle[c] = fit_duration((answered["ended"] - answered["answered"]).to_numpy())
            notes.append(f"stream '{c}': nobody answered it; its handle time is all streams'")
        else:
            handle[c] = fit_duration((own["ended"] - own["answered"]).to_numpy())
    reached = contacts[contacts["outcome"] != "deflected"]
    wait = _waits(reached)
    teams = group_teams(contacts, one_team=one_team)
    found, duty = {}, {}
    for team in teams:
        if not team.agents:
            notes.append(f"team '{team.name}': nobody answered its streams; it gets no agents")
            continue
        mine = answered[answered["agent"].isin(team.agents)]
        found[team.name] = sessions(
            mine["agent"].to_numpy(),
            mine["answered"].to_numpy(),
            mine["ended"].to_numpy(),
            gap_s,
            region,
        )
        duty[team.name] = on_duty(found[team.name], period, interval_s)
    clocks = {
        team.name: IdleClock(found[team.name].frame, answered[answered["agent"].isin(team.agents)])
        for team in teams
        if team.name in found
    }
    team_of = {stream: team.name for team in teams for stream in team.streams}
    delays = class_delays(reached, wait, clocks, team_of)
    held = {c for c, delay in delays.items() if delay.delay is not None}
    patience = {}
    for c in order:
        mine = (reached["stream"] == c).to_numpy()
        # Patience starts at the queue, after a held class's delay (as in the model).
        after = delays[c].delay.mean_s if c in held else 0.0  # type: ignore[union-attr]
        patience[c] = fit_patience(
            np.maximum(wait[mine] - after, 0.0),
            (reached["outcome"] == "abandoned").to_numpy()[mine],
        )
    gaps = wrap_up_gaps(contacts, gap_s, held)
    wrap = {c: fit_wrap_up(gaps["gap"][gaps["stream"] == c].to_numpy()) for c in order}
    options = {
        "tz": tz,
        "region": region,
        "interval_s": interval_s,
        "session_gap_s": gap_s,
        "wrap_up": None if wrap_up == "none" else wrap_up,
        "one_team": one_team,
        "by": by,
        "arrivals": arrivals_from,
    }
    result = FitResult(
        log=contact_log,
        contacts=contacts,
        period=period,
        options=options,
        classes=classes,
        arrivals=arrivals,
        handle=handle,
        patience=patience,
        wrap_up=wrap,
        teams=teams,
        sessions=found,
        on_duty=duty,
        scenario={},
        notes=notes,
        delays=delays,
    )
    result.scenario = fitted_scenario(result, name or f"fitted-{Path(contact_log.source).stem}")
    return result


def _choice(value: str, choices: tuple[str, ...], option: str) -> None:
    if value not in choices:
        raise ScenarioError(
            f"'{value}' is not one of {', '.join(choices)}",
            source=option,
            fix=f"use {' or '.join(choices)}",
        )


def _hours_text(hours: int) -> str:
    return f"{hours // 24}d" if hours % 24 == 0 else f"{hours}h"


def _duration(value: str | float, option: str) -> float:
    if isinstance(value, int | float):
        return float(value)
    try:
        return parse_duration(value)
    except ValueError as error:
        raise ScenarioError(str(error), source=option) from None


def with_classes(log: ContactLog) -> pd.DataFrame:
    """The contacts with ``stream`` replaced by its class (stream and priority)."""
    contacts = log.contacts.copy()
    contacts["base_stream"] = contacts["stream"]
    if log.has_priority:
        given = contacts["priority"].notna().to_numpy()
        level = contacts["priority"].fillna(0).astype(int).astype(str).to_numpy()
        contacts["stream"] = np.where(
            given, contacts["stream"].to_numpy(dtype=object) + "-p" + level, contacts["stream"]
        )
    return contacts


def _rows(frame: pd.DataFrame, stream: str) -> pd.DataFrame:
    return frame[frame["stream"] == stream]


def _waits(reached: pd.DataFrame) -> np.ndarray:
    """Queue wait: to the answer, or until an abandoned contact left."""
    until = np.where(reached["outcome"] == "answered", reached["answered"], reached["ended"])
    return until - reached["arrived"].to_numpy()


def _class_table(contacts: pd.DataFrame) -> pd.DataFrame:
    """Per class, as summary.json defines them: counts, abandon share (of those that
    reached a queue), share waited and mean queue wait; rows in priority order."""
    reached = contacts[contacts["outcome"] != "deflected"]
    wait = pd.Series(_waits(reached), index=reached.index)
    grouped = contacts.groupby("stream", sort=True)
    table = pd.DataFrame(
        {
            "base_stream": grouped["base_stream"].first(),
            "priority": grouped["priority"].max(),
            "contacts": grouped.size(),
            "answered": grouped["outcome"].apply(lambda o: int((o == "answered").sum())),
            "abandoned": grouped["outcome"].apply(lambda o: int((o == "abandoned").sum())),
            "deflected": grouped["outcome"].apply(lambda o: int((o == "deflected").sum())),
        }
    )
    by_stream = wait.groupby(reached["stream"])
    table["reached"] = table["contacts"] - table["deflected"]
    table["abandon_share"] = table["abandoned"] / table["reached"].where(table["reached"] > 0)
    table["share_waited"] = by_stream.apply(lambda w: float((w > 0).mean()))
    table["mean_wait_s"] = by_stream.mean()
    table["short_handles"] = (
        contacts[contacts["outcome"] == "answered"]
        .assign(short=lambda f: (f["ended"] - f["answered"]) < SHORT_HANDLE_S)
        .groupby("stream")["short"]
        .sum()
    )
    table["short_handles"] = table["short_handles"].fillna(0).astype(int)
    rank = -table["priority"].fillna(-np.inf)
    return table.assign(_rank=rank).sort_values(["_rank"], kind="stable").drop(columns="_rank")


def fitted_scenario(result: FitResult, name: str) -> dict[str, Any]:
    """The scenario as YAML writes it (see the module docstring); the CSVs it
    names go into ``result.files``."""
    region = result.options["region"]
    override = result.options["wrap_up"]
    trace = result.options.get("arrivals") == "trace"
    if trace:
        result.files[f"{name}-arrivals.csv"] = _trace_csv(result.contacts)
    streams: dict[str, Any] = {}
    for stream, row in result.classes.iterrows():
        arrivals = result.arrivals[stream]
        conversation: dict[str, Any] = {"handle": result.handle[stream].scenario(), "exchanges": 1}
        patience = result.patience[stream].scenario()
        if patience is not None:
            conversation["patience"] = patience
        if override == "auto":
            wrap = result.wrap_up[stream].scenario()
        elif override is None:
            wrap = None
        else:
            wrap = {"dist": "fixed", "value": seconds(override)}
        if wrap is not None:
            conversation["wrap_up"] = wrap
        spec: dict[str, Any] = {}
        if trace:
            spec["arrivals"] = {"trace": f"{name}-arrivals.csv"}
        else:
            spec["per_hour"] = round(arrivals.per_hour, 4)
            spec["profile"] = {"region": region, "grid": arrivals.grid}
            if arrivals.daily_cv:
                spec["noise"] = {"daily_cv": round(arrivals.daily_cv, 4)}
        bot: dict[str, Any] = {}
        if row["deflected"]:
            bot["deflection"] = round(row["deflected"] / row["contacts"], 4)
        delay = result.delays.get(str(stream))
        if delay is not None and delay.delay is not None:
            bot["time"] = delay.delay.scenario()
        if bot:
            spec["bot"] = bot
        spec["conversation"] = conversation
        streams[str(stream)] = spec
    teams: dict[str, Any] = {}
    order = result.classes.index.tolist()
    for team in result.teams:
        serves = sorted(team.streams, key=order.index)
        duty = result.on_duty.get(team.name)
        if duty is None:
            teams[team.name] = {"serves": serves, "agents": 0}
            continue
        staffing: dict[str, Any] = {"interval": _duration_text(duty.interval_s)}
        if result.options["by"] == "date":
            file = f"{name}-{team.name}-staffing.csv"
            result.files[file] = _staffing_csv(duty)
            staffing.update(by="date", file=file)
        else:
            per_day = round(86400 / duty.interval_s)
            staffing.update(
                by="weekday", region=region, agents=duty.curve().reshape(7, per_day).tolist()
            )
        teams[team.name] = {"serves": serves, "staffing": staffing}
    return {
        "name": name,
        "start": result.period.start.isoformat(),
        "horizon": _hours_text(result.period.hours),
        "replications": 10,
        "streams": streams,
        "teams": teams,
    }


def _duration_text(interval_s: float) -> str:
    minutes = round(interval_s / 60)
    return f"{minutes // 60}h" if minutes % 60 == 0 else f"{minutes}min"


def _iso(epoch_s: np.ndarray) -> pd.Index:
    return pd.to_datetime(epoch_s, unit="s", utc=True).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")


def _staffing_csv(duty: OnDuty) -> str:
    """Each interval's time-weighted agents on duty, rounded half up (as by weekday)."""
    agents = np.floor(duty.weighted + 0.5).astype(int)
    frame = pd.DataFrame({"start": _iso(duty.edges[:-1]), "agents": agents})
    return frame.to_csv(index=False)


def _trace_csv(contacts: pd.DataFrame) -> str:
    """Every contact's arrival (deflected ones too: the bot deflects its share) and class."""
    frame = pd.DataFrame(
        {"arrived_at": _iso(contacts["arrived"].to_numpy()), "stream": contacts["stream"]}
    )
    return frame.to_csv(index=False)
