"""One Markdown table of headline numbers, a row per scenario (and per stream).

``staffsim table scenarios/*.yaml --replications 10 --seed 1`` runs every
scenario with the same seed and prints this table; from Python::

    from simulator.analysis.scenario_table import scenario_table, to_markdown
    frame = scenario_table([result_a, result_b])     # RunResults or summary.json dicts
    print(to_markdown(frame))

Rows: one per scenario (labelled by its ``name``), followed, when the scenario
has more than one stream, by one per stream (``inbox-launch-tiger / launch``).

Columns (every cell ``mean [low, high]``, the mean over replications and its
95% confidence interval, as summary.json reports them):

- FRT p50 and p90, follow-up p90 and resolution p90: durations;
- FRT within target: share first answered within the target of the conversation's
  stream (``streams.NAME.targets.frt``, else ``targets.frt``; the targets differ
  between scenarios; :func:`caption` names them);
- abandonment: ``abandon_rate``;
- overtime (h per run) and handbacks (per run): summed over all teams. They
  belong to teams, not streams, so stream rows leave them empty. Given a
  :class:`~simulator.experiment.RunResult`, the total is formed in each
  replication and its interval computed from those totals (exact); given only
  a summary dict with several teams, the team means are added and so are the
  ends of their intervals, which is conservative (the half-width of a sum is
  never more than the sum of half-widths).

Interval ends are clipped to what the quantity can be (no negative times or
counts, no share above 100%): a Student t interval over few replications of a
mostly-zero quantity can otherwise reach below zero. A statistic without data
shows ``-``; with one replication a cell shows the mean alone.

Everything here works on finished results; nothing runs a simulation.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from simulator.analysis.headline import format_stat
from simulator.errors import ScenarioError
from simulator.results_folder import (
    check_out_path,
    nearest_existing,
    staging_name,
    tidy_stale,
    umask,
)
from simulator.statistics.intervals import clip_end, mean_ci
from simulator.statistics.metric_names import stat_at
from simulator.units import format_duration

COLUMNS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("FRT p50", ("frt_s", "p50"), "seconds"),
    ("FRT p90", ("frt_s", "p90"), "seconds"),
    ("FRT within target", ("frt_s", "within_target"), "share"),
    ("follow-up p90", ("followup_s", "p90"), "seconds"),
    ("resolution p90", ("resolution_s", "p90"), "seconds"),
    ("abandonment", ("abandon_rate",), "share"),
    ("overtime (h per run)", ("overtime_h",), "hours"),
    ("handbacks (per run)", ("handbacks",), "count"),
)
"""Display name, path of the statistic (in a METRICS block, or a team total) and kind."""

COLUMN_NAMES = tuple(name for name, _, _ in COLUMNS)
TEAM_TOTALS = ("overtime_h", "handbacks")
"""Statistics that belong to teams: summed over the teams, shown on scenario rows only."""
NO_DATA = "-"

Item = Mapping[str, Any] | Any
"""A summary.json dict, or anything with a ``summary`` (a RunResult)."""


# --------------------------------------------------------------------------- numbers


def scenario_values(summaries: Iterable[Item] | Mapping[str, Item]) -> pd.DataFrame:
    """The table's numbers in long form: one row per table row and column.

    Columns ``row`` (the label), ``scenario``, ``stream`` (``None`` on a
    scenario's own row), ``column`` (a name from :data:`COLUMN_NAMES`),
    ``kind`` (``seconds``, ``share``, ``hours`` or ``count``), ``value``,
    ``low`` and ``high`` (NaN where there is no data or no interval; not clipped)
    and ``applies`` (false for team totals on stream rows, left empty).
    ``summaries`` is a sequence of RunResults or summary.json dicts, or a
    mapping ``{label: ...}`` whose labels replace the scenario names.
    """
    rows: list[dict[str, Any]] = []
    for label, item in _labelled(summaries):
        summary = _summary(item)
        streams = summary.get("by_stream") or {}
        blocks: list[tuple[str, str | None, Mapping[str, Any]]] = [
            (label, None, summary.get("overall") or {})
        ]
        if len(streams) > 1:
            blocks += [
                (f"{label} / {name}", name, metrics or {}) for name, metrics in streams.items()
            ]
        totals = _team_totals(item, summary)
        for row, stream, metrics in blocks:
            for name, path, kind in COLUMNS:
                if path[0] in TEAM_TOTALS:
                    stat = totals[path[0]] if stream is None else None
                else:
                    stat = stat_at(metrics, *path)
                value, low, high = _numbers(stat)
                rows.append(
                    {
                        "row": row,
                        "scenario": label,
                        "stream": stream,
                        "column": name,
                        "kind": kind,
                        "value": value,
                        "low": low,
                        "high": high,
                        "applies": stream is None or path[0] not in TEAM_TOTALS,
                    }
                )
    return pd.DataFrame(
        rows,
        columns=["row", "scenario", "stream", "column", "kind", "value", "low", "high", "applies"],
    )


def _labelled(summaries: Iterable[Item] | Mapping[str, Item]) -> list[tuple[str, Item]]:
    if isinstance(summaries, Mapping) and not _is_summary(summaries):
        return [(str(label), item) for label, item in summaries.items()]
    items = [summaries] if _is_summary(summaries) else list(summaries)
    names = [str(_summary(item).get("scenario") or "scenario") for item in items]
    repeated = {name for name in names if names.count(name) > 1}
    seen: dict[str, int] = {}
    for index, name in enumerate(names):
        if name in repeated:
            seen[name] = seen.get(name, 0) + 1
            names[index] = f"{name} #{seen[name]}"
    return list(zip(names, items, strict=True))


def _is_summary(value: Any) -> bool:
    return isinstance(value, Mapping) and "overall" in value


def _summary(item: Item) -> Mapping[str, Any]:
    summary = item if isinstance(item, Mapping) else getattr(item, "summary", None)
    if not isinstance(summary, Mapping):
        raise TypeError(f"expected a summary.json dict or a RunResult, got {type(item).__name__}")
    return summary


def _numbers(stat: Any) -> tuple[float, float, float]:
    """``(value, low, high)`` of a ``{"value", "ci95"}`` statistic, NaN where missing."""
    if not isinstance(stat, Mapping):
        return math.nan, math.nan, math.nan
    value = _float(stat.get("value"))
    interval = stat.get("ci95")
    if isinstance(interval, Sequence) and len(interval) == 2:
        return value, _float(interval[0]), _float(interval[1])
    return value, math.nan, math.nan


def _float(value: Any) -> float:
    try:
        return math.nan if value is None else float(value)
    except (TypeError, ValueError):
        return math.nan


def _team_totals(item: Item, summary: Mapping[str, Any]) -> dict[str, dict | None]:
    """Overtime hours and handbacks of all teams together, as ``{"value", "ci95"}``."""
    records = getattr(item, "records", None) if not isinstance(item, Mapping) else None
    if records:
        exact = _totals_from_records(records)
        if exact is not None:
            return exact
    teams = [team for team in (summary.get("by_team") or {}).values() if isinstance(team, Mapping)]
    totals: dict[str, dict | None] = {}
    for key in TEAM_TOTALS:
        stats = [
            team.get(key)
            for team in teams
            if isinstance(team.get(key), Mapping) and team[key].get("value") is not None
        ]
        if not stats:
            totals[key] = None
            continue
        value = sum(float(stat["value"]) for stat in stats)
        intervals = [stat.get("ci95") for stat in stats]
        ci = None
        if all(isinstance(i, Sequence) and len(i) == 2 and None not in i for i in intervals):
            ci = [sum(float(i[0]) for i in intervals), sum(float(i[1]) for i in intervals)]
        totals[key] = {"value": value, "ci95": ci}
    return totals


def _totals_from_records(records: Sequence[Any]) -> dict[str, dict | None] | None:
    """Each replication's totals over every team, then their mean and interval."""
    overtime, handbacks = [], []
    for record in records:
        teams = getattr(record, "teams", None)
        if not isinstance(teams, pd.DataFrame) or not {"overtime_s", "handbacks"} <= set(
            teams.columns
        ):
            return None
        if teams.empty:
            overtime.append(None)
            handbacks.append(None)
            continue
        overtime.append(float(teams["overtime_s"].sum()) / 3600.0)
        handbacks.append(float(teams["handbacks"].sum()))
    return {
        "overtime_h": mean_ci(overtime, kind="amount"),
        "handbacks": mean_ci(handbacks, kind="amount"),
    }


# --------------------------------------------------------------------------- table


def scenario_table(summaries: Iterable[Item] | Mapping[str, Item]) -> pd.DataFrame:
    """The table as text cells: index ``scenario`` (row labels), one column per
    entry of :data:`COLUMN_NAMES`, each cell ``mean [low, high]`` (see the module notes).

    ``summaries``: RunResults or summary.json dicts (labelled by scenario name),
    or a mapping ``{label: RunResult or summary}``.
    """
    values = scenario_values(summaries)
    order = list(dict.fromkeys(values["row"]))
    cells = {
        (row.row, row.column): format_cell(row.value, row.low, row.high, row.kind)
        if row.applies
        else ""
        for row in values.itertuples(index=False)
    }
    frame = pd.DataFrame(
        [[cells[(row, column)] for column in COLUMN_NAMES] for row in order],
        index=pd.Index(order, name="scenario"),
        columns=list(COLUMN_NAMES),
    )
    return frame


def format_cell(value: float, low: float, high: float, kind: str) -> str:
    """``mean [low, high]`` in human units; ``-`` without data, the mean alone without
    an interval. The interval's ends are clipped to the quantity's possible range."""
    if not math.isfinite(value):
        return NO_DATA
    text = format_stat(value, kind)
    if math.isfinite(low) and math.isfinite(high):
        low, high = clip_end(low, kind), clip_end(high, kind)
        text += f" [{format_stat(low, kind)}, {format_stat(high, kind)}]"
    return text


def caption(summaries: Iterable[Item] | Mapping[str, Item]) -> str:
    """One line that says how to read :func:`scenario_table`: replications, seed and,
    for RunResults, each scenario's FRT target."""
    labelled = _labelled(summaries)
    reps = sorted(
        {_summary(item).get("replications") for _, item in labelled}, key=lambda v: (v is None, v)
    )
    seeds = sorted(
        {_summary(item).get("seed") for _, item in labelled}, key=lambda v: (v is None, v)
    )
    runs = (
        "/".join(str(r) for r in reps)
        + " replications"
        + (f" (seed {'/'.join(str(s) for s in seeds)})" if seeds != [None] else "")
    )
    if reps == [1]:
        text = (
            f"Each cell: one replication{runs[len('1 replications') :]}, so no intervals; "
            "overtime and handbacks per run, all teams together."
        )
    else:
        text = (
            f"Each cell: mean over {runs} [95% confidence interval]; overtime and "
            "handbacks per run, all teams together."
        )
    targets: dict[str, list[str]] = {}
    for label, item in labelled:
        scenario = getattr(item, "scenario", None)
        if scenario is None:
            continue
        if scenario.has_stream_targets():  # each stream judged by its own
            own = [(name, scenario.stream_targets(name).frt) for name in scenario.streams]
            shown = ", ".join(f"{name} {format_duration(s)}" for name, s in own if s is not None)
        else:
            frt = scenario.targets.frt
            shown = format_duration(float(frt)) if frt is not None else ""
        if shown:
            targets.setdefault(shown, []).append(label)
    if len(targets) == 1:
        text += f" FRT target: {next(iter(targets))}."
    elif targets:
        text += (
            " FRT target: "
            + "; ".join(f"{target} ({', '.join(labels)})" for target, labels in targets.items())
            + "."
        )
    return text


def to_markdown(frame: pd.DataFrame, *, index: bool = True) -> str:
    """A DataFrame as a GitHub-flavoured Markdown table, columns padded to line up.

    The index (when ``index``) becomes the first, left-aligned column, headed by
    the index's name; the other columns are right-aligned. ``|`` is escaped,
    line breaks become spaces, missing values empty cells.
    """
    headers = [_markdown_cell(column) for column in frame.columns]
    body = [[_markdown_cell(value) for value in row] for row in frame.itertuples(index=False)]
    align = ["right"] * len(headers)
    if index:
        headers = [_markdown_cell(frame.index.name or ""), *headers]
        body = [[_markdown_cell(label), *row] for label, row in zip(frame.index, body, strict=True)]
        align = ["left", *align]
    widths = [
        max([3, len(header)] + [len(row[i]) for row in body]) for i, header in enumerate(headers)
    ]

    def line(cells: Sequence[str]) -> str:
        padded = [
            cell.ljust(width) if side == "left" else cell.rjust(width)
            for cell, width, side in zip(cells, widths, align, strict=True)
        ]
        return "| " + " | ".join(padded) + " |"

    rule = [
        "-" * width if side == "left" else "-" * (width - 1) + ":"
        for width, side in zip(widths, align, strict=True)
    ]
    return "\n".join([line(headers), "| " + " | ".join(rule) + " |", *(line(row) for row in body)])


def _markdown_cell(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = " ".join(str(value).split())
    return text.replace("|", "\\|")


# --------------------------------------------------------------------------- file


def check_out_file(path: Path) -> None:
    """Refuse, before anything runs, an ``--out`` file that could not be written."""
    path = Path(path)
    check_out_path(path)
    if path.is_dir():
        raise ScenarioError(
            "this is a folder; the table is written to a file",
            source=f"--out {path}",
            fix="name a file, e.g. --out table.md",
        )
    probe = nearest_existing(path.absolute().parent) / staging_name()
    try:  # permissions alone do not tell (root may write anywhere, but not in /proc)
        probe.mkdir()
        probe.rmdir()
    except OSError as error:
        raise ScenarioError(
            f"cannot write in '{probe.parent}' ({error.strerror or error})",
            source=f"--out {path}",
            fix="choose a folder you can write to",
        ) from None


def write_text_atomic(text: str, path: Path) -> Path:
    """Write ``text`` to ``path`` through a temporary sibling and one rename: a reader
    sees the old file or the whole new one, never half of it. Temporary files a
    killed run left beside it go first."""
    path = Path(path).absolute()
    path.parent.mkdir(parents=True, exist_ok=True)
    tidy_stale(path.parent)
    temporary = path.parent / staging_name(".md")
    try:
        handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.chmod(temporary, 0o666 & ~umask())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return path
