"""The run report: one self-contained ``report.html`` a support manager can read,
and the same figures as PNG files in ``figures/``.

The page holds the scenario's name, seed and replications, the headline
statistics with their 95% intervals, and every figure embedded as a base64
PNG with a caption saying what it shows for this run (computed from the data,
:mod:`simulator.analysis.captions`). It loads no external asset (no scripts,
fonts or style sheets from the web), so it can be mailed or archived as it
stands.

``staffsim run`` writes both into the results folder (inside its atomic
write); from Python::

    from simulator.analysis.report import write_report
    write_report(result, "results/my-run")     # report.html and figures/*.png

A report is drawn after every run, so it must not cost as much as the run:
:func:`drawing` starts one worker process per core (up to one per figure),
each importing matplotlib once and drawing whole figures, while the caller
writes its other files; the parent never imports matplotlib. Where processes
fork (Linux), :func:`drawing_zygote` goes further: started before the
simulation, it imports matplotlib meanwhile, receives the result and forks the
workers, which inherit both, so the import is off the path after the run. The
figures are drawn lazily from the result's records and summary; nothing here simulates.
"""

from __future__ import annotations

import base64
import html
import multiprocessing
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta, tzinfo
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from simulator import processes
from simulator.analysis import captions, hourly, tables
from simulator.analysis.headline import target_verdict
from simulator.analysis.palette import Colours
from simulator.run_info import staffsim_version
from simulator.statistics.intervals import clip_end
from simulator.statistics.metric_names import stat_at
from simulator.units import format_duration

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

    from simulator.experiment import RunResult
    from simulator.scenario.schema import Scenario

REPORT_FILE = "report.html"
FIGURES_FOLDER = "figures"


@dataclass(frozen=True)
class ReportFigure:
    """One figure of the report: its file stem, heading, caption and drawing."""

    name: str
    heading: str
    caption: str
    figure: Figure


@dataclass(frozen=True)
class DrawnFigure:
    """One figure of the report as it goes into the folder: PNG bytes."""

    name: str
    heading: str
    caption: str
    png: bytes


def _pooled_target_text(scenario: Scenario, key: str) -> str:
    """A target of all conversations in words: its duration, "its stream's own target"
    when streams differ, or "no target set"."""
    seconds = scenario.shared_target(key)
    if seconds is None and any(
        getattr(scenario.stream_targets(name), key) is not None for name in scenario.streams
    ):
        return "its stream's own target"
    return _target_text(seconds)


def _targets_text(scenario: Scenario) -> str:
    """The targets in words: per stream when streams have their own."""
    if not scenario.has_stream_targets():
        targets = scenario.targets
        return (
            f"targets: first reply {_target_text(targets.frt)}, follow-up "
            f"{_target_text(targets.followup)}"
        )
    return "targets: " + "; ".join(
        f"{name} first reply {_target_text(own.frt)}, follow-up {_target_text(own.followup)}"
        for name, own in ((name, scenario.stream_targets(name)) for name in scenario.streams)
    )


def _target_text(seconds: float | None) -> str:
    return format_duration(seconds) if seconds is not None else "no target set"


class ReportData:
    """A run's result and what several figures share, each computed when first asked for
    (once per process: a worker computes only what its figures need)."""

    def __init__(self, result: RunResult) -> None:
        self.result = result
        self.scenario = result.scenario

    @cached_property
    def targets(self) -> dict[str, float | None]:
        """The targets of all conversations, for figures that pool them: none where
        streams have different ones (a single line would be wrong for some)."""
        return {key: self.scenario.shared_target(key) for key in ("frt", "followup")}

    @cached_property
    def clock(self) -> tzinfo:
        """The wall clock of every hour and date in the report."""
        return hourly.report_zone(self.scenario)

    @cached_property
    def zone(self) -> str:
        """The clock's name, with its changes over the run (daylight saving)."""
        start = self.scenario.start
        end = start + timedelta(seconds=self.scenario.horizon)
        return hourly.zone_text(self.clock, start, end)

    @cached_property
    def hourly(self) -> pd.DataFrame:
        return hourly.hourly_table(self.result, zone=self.clock)

    def week(self, column: str, scale: float = 1.0) -> pd.DataFrame:
        """One column of the hour-of-week table as a 7×24 grid."""
        return hourly.week_grid(self.hourly[column] * scale)

    @cached_property
    def colours(self) -> Colours:
        return Colours.for_scenario(self.scenario)


# --------------------------------------------------------------------------- the figures
# Each draws one figure and writes its caption from the same table.


def _headline(data: ReportData) -> tuple[Figure, str]:
    from simulator.analysis import figures

    summary = data.result.summary
    return (
        figures.headline_figure(summary, data.targets, data.colours),
        captions.headline_caption(summary, data.targets),
    )


def _response_times(data: ReportData) -> tuple[Figure, str]:
    from simulator.analysis import figures

    times = tables.response_times(data.result)
    return (
        figures.response_distribution_figure(times, data.targets, data.colours),
        captions.response_caption(times, data.targets),
    )


def _arrivals(data: ReportData) -> tuple[Figure, str]:
    from simulator.analysis import figures

    grid = data.week("arrivals_per_h")
    streams = len(data.scenario.streams)
    return figures.arrivals_heatmap(grid, data.zone), captions.arrivals_caption(
        grid, data.zone, streams
    )


def _agents(data: ReportData) -> tuple[Figure, str]:
    from simulator.analysis import figures

    grid = data.week("agents_on_shift")
    teams = len(data.scenario.teams)
    return figures.agents_heatmap(grid, data.zone), captions.agents_caption(grid, data.zone, teams)


def _frt_p90(data: ReportData) -> tuple[Figure, str]:
    from simulator.analysis import figures

    grid = data.week("frt_p90_s")
    target = data.targets["frt"]
    teams = len(data.scenario.teams)
    return (
        figures.frt_p90_heatmap(grid, target, data.zone),
        captions.frt_p90_caption(grid, target, data.zone, teams),
    )


def _within_target(data: ReportData) -> tuple[Figure, str]:
    from simulator.analysis import figures

    grid = data.week("frt_within_target", 100.0)
    target = data.targets["frt"]
    return (
        figures.within_target_heatmap(grid, target, data.zone),
        captions.within_target_caption(
            grid, target, data.zone, own_targets=data.scenario.has_stream_targets()
        ),
    )


def _queues(data: ReportData) -> tuple[Figure, str]:
    from simulator.analysis import figures

    scenario = data.scenario
    queues = tables.queue_over_time(data.result)
    agents = tables.agents_over_time(data.result)
    figure = figures.queue_figure(
        queues,
        agents,
        start=scenario.start,
        horizon_s=scenario.horizon,
        warmup_s=scenario.warmup,
        zone=data.zone,
        clock=data.clock,
        colours=data.colours,
    )
    return figure, captions.queue_caption(queues, agents, scenario.start, data.clock, data.zone)


def _occupancy(data: ReportData) -> tuple[Figure, str]:
    from simulator.analysis import figures

    by_team = data.result.summary.get("by_team") or {}
    return figures.occupancy_figure(by_team, data.colours), captions.occupancy_caption(by_team)


def _shift_ends(data: ReportData) -> tuple[Figure, str]:
    from simulator.analysis import figures

    table = tables.handoff_table(data.result)
    return figures.handoff_figure(table, data.colours), captions.handoff_caption(table)


def _shift_ends_week(data: ReportData) -> tuple[Figure, str]:
    from simulator.analysis import figures

    table = tables.shift_end_table(data.result, data.clock)
    return (
        figures.shift_end_week_figure(table, _policies(data.scenario)),
        captions.shift_end_week_caption(table, data.zone),
    )


FIGURES: tuple[tuple[str, str, Callable[[ReportData], tuple[Figure, str]]], ...] = (
    ("headline", "Headline results", _headline),
    ("response_times", "How long customers waited", _response_times),
    ("heatmap_arrivals", "When conversations arrive", _arrivals),
    ("heatmap_agents", "Who is on shift", _agents),
    ("heatmap_frt_p90", "First reply time by hour", _frt_p90),
    ("heatmap_within_target", "Share answered in time, by hour", _within_target),
    ("queue_over_time", "The queue over the whole run", _queues),
    ("occupancy", "How busy agents are", _occupancy),
    ("shift_ends", "What shift ends cost", _shift_ends),
    ("shift_ends_week", "Where shift ends leave work waiting", _shift_ends_week),
)
"""File stem, heading and drawing of every figure, in the report's order."""
COSTLIEST_FIRST = (
    "shift_ends",
    "response_times",
    "shift_ends_week",
    "queue_over_time",
    "headline",
    "heatmap_frt_p90",
    "heatmap_arrivals",
    "heatmap_agents",
    "heatmap_within_target",
    "occupancy",
)
"""The order figures are handed to the workers (CPU time measured on the default
scenario, ``benchmarks/report.py --case figures-default``): the last to start is a
cheap one, so no worker is left drawing alone."""


def _cost_rank(name: str) -> int:
    return COSTLIEST_FIRST.index(name) if name in COSTLIEST_FIRST else len(COSTLIEST_FIRST)


def build_figures(result: RunResult) -> list[ReportFigure]:
    """Every figure of the report drawn here, in the order the report shows them."""
    data = ReportData(result)
    return [
        ReportFigure(name, heading, caption, figure)
        for name, heading, draw in FIGURES
        for figure, caption in [draw(data)]
    ]


def draw_figure(data: ReportData, name: str) -> DrawnFigure:
    """One figure of the report, drawn and saved as PNG bytes."""
    from simulator.analysis.figures import png_bytes

    heading, draw = next((heading, draw) for stem, heading, draw in FIGURES if stem == name)
    figure, caption = draw(data)
    return DrawnFigure(name, heading, caption, png_bytes(figure))


# --------------------------------------------------------------------------- drawing


def drawing_workers() -> int:
    """Processes to draw with: one per core this process may use, one per figure at most."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return min(cores, len(FIGURES))


_worker: dict[str, ReportData] = {}


def _worker_setup(result: RunResult) -> None:
    """Pool-worker setup: the run to draw from, and matplotlib loaded while the
    parent still writes its other files."""
    import simulator.analysis.figures  # noqa: F401

    _worker["data"] = ReportData(result)


def _draw_in_worker(name: str) -> DrawnFigure:
    return draw_figure(_worker["data"], name)


@contextmanager
def drawing(
    result: RunResult, workers: int | None = None, zygote: DrawingZygote | None = None
) -> Iterator[Iterator[DrawnFigure]]:
    """Start drawing every figure of the report and give them, in the report's order.

    With ``workers`` above 1 (default :func:`drawing_workers`) the figures are
    drawn in a pool of worker processes that starts at once, so the caller can
    write other files meanwhile; with one they are drawn here as they are asked
    for. A ``zygote`` from :func:`drawing_zygote` draws them instead, unless it
    died before taking the result. Leaving the block early stops the workers.
    The bytes are the same every way.
    """
    workers = drawing_workers() if workers is None else workers
    for frame in ("conversations", "followups", "states"):
        getattr(result, frame)  # stacked once here, not once in every worker
    if zygote is not None and zygote.take(result):
        try:
            yield zygote.figures()
        except BaseException:
            zygote.close()
            raise
        return
    if workers <= 1:
        data = ReportData(result)
        yield (draw_figure(data, name) for name, _, _ in FIGURES)
        return
    with processes.worker_pool(workers, _worker_setup, (result,)) as pool:
        with processes.signals_deferred():  # a signal mid-fork would orphan a worker
            names = [name for name, _, _ in FIGURES]
            futures = {
                name: pool.submit(_draw_in_worker, name) for name in sorted(names, key=_cost_rank)
            }
        yield (futures[name].result() for name in names)


READY_TIMEOUT_S = 60.0
"""How long a simulated run waits for the drawing zygote to have loaded matplotlib
before it draws without it (a zygote that never gets there must not hang the run)."""
_READY = "ready"


class ZygoteFailed(RuntimeError):
    """The drawing zygote ended without sending every figure."""


class DrawingZygote:
    """A forked process that imports matplotlib now, then waits for one result and
    draws its report in a pool it forks (so the workers inherit matplotlib and the
    result), sending the figures back in the report's order.

    Like a pool worker it leaves Ctrl-C to its parent and exits by itself if the
    parent vanishes; SIGTERM (from :meth:`close`) stops its workers before it exits.
    """

    def __init__(self, workers: int) -> None:
        context = multiprocessing.get_context("fork")
        self._conn, child = context.Pipe()
        self._process = context.Process(
            target=_zygote_main,
            args=(child, os.getpid(), processes.own_token(), workers),
            name="staffsim-drawing",
        )
        with processes.signals_deferred():  # a signal mid-fork would orphan it
            self._process.start()
        child.close()
        self._drawn = False

    @property
    def pid(self) -> int | None:
        return self._process.pid

    def take(self, result: RunResult) -> bool:
        """Send ``result`` to draw; ``False`` if the zygote is gone or never got ready
        (then it is stopped: draw otherwise)."""
        if not self._ready():
            self.close()
            return False
        try:
            self._conn.send(result)
        except OSError:  # it died before the run ended: a broken pipe
            self.close()
            return False
        return True

    def _ready(self) -> bool:
        deadline = time.monotonic() + READY_TIMEOUT_S
        while not self._conn.poll(processes.PARENT_POLL_S):
            if not self._process.is_alive() or time.monotonic() > deadline:
                return False
        try:
            return self._conn.recv() == _READY
        except EOFError:
            return False

    def figures(self) -> Iterator[DrawnFigure]:
        """The figures, in the report's order, as the zygote sends them."""
        for _ in FIGURES:
            while not self._conn.poll(processes.PARENT_POLL_S):
                if not self._process.is_alive() and not self._conn.poll():
                    raise ZygoteFailed(f"drawing process ended ({self._process.exitcode})")
            try:
                item = self._conn.recv()
            except EOFError:
                raise ZygoteFailed("drawing process ended early") from None
            if isinstance(item, BaseException):
                raise item
            yield item
        self._drawn = True

    def close(self) -> None:
        """Reap the zygote: once it has sent every figure it exits by itself after
        reaping its workers; otherwise it is stopped, and its workers with it."""
        if self._drawn:
            self._process.join(processes.WORKER_EXIT_S)
        if self._process.is_alive():
            self._process.terminate()
        self._process.join(processes.WORKER_EXIT_S)
        if self._process.is_alive():
            self._process.kill()
            self._process.join()
        self._conn.close()


@contextmanager
def drawing_zygote(
    enabled: bool = True, workers: int | None = None
) -> Iterator[DrawingZygote | None]:
    """A :class:`DrawingZygote` for the block, started now (before the simulation),
    drawing with ``workers`` (default :func:`drawing_workers`); ``None`` where it
    would not help: not wanted, one worker, or not Linux (then :func:`drawing`
    starts its own pool after the run, as without it). Leaving the block stops it."""
    workers = drawing_workers() if workers is None else workers
    if not enabled or workers <= 1 or not sys.platform.startswith("linux"):  # fork is safe
        yield None
        return
    zygote = DrawingZygote(workers)
    try:
        yield zygote
    finally:
        zygote.close()


def _zygote_main(conn: Any, parent: int, token: str, workers: int) -> None:
    processes.forked_helper_setup(parent, token)
    multiprocessing.set_start_method("fork", force=True)  # workers inherit what is loaded here
    try:
        from simulator.analysis import figures  # the point: loaded while the run simulates

        figures.warm_up()  # and the fonts and glyph caches filled, for every worker
        conn.send(_READY)
        result = conn.recv()
        with drawing(result, workers) as drawn:
            for item in drawn:
                conn.send(item)
    except (EOFError, KeyboardInterrupt):  # the run ended or stopped us: quietly
        return
    except Exception as error:
        conn.send(ZygoteFailed(f"drawing failed: {error!r}"))


def _policies(scenario: Scenario) -> str:
    """The shift-end policies in force, e.g. ``handback (after_new to inbox)``."""
    names = []
    for team in scenario.teams:
        handoff = scenario.team_handoff(team)
        route = handoff.handback
        text = f"{handoff.policy.value}"
        if route.order.value != "arrival" or route.to:
            text += f" ({route.order.value}{f' to {route.to}' if route.to else ''})"
        if handoff.policy.value == "ownership":
            text += f", leftovers {handoff.leftover.value}"
        names.append(text)
    return "; ".join(dict.fromkeys(names))


def write_report(
    result: RunResult, folder: Path | str, drawn: Iterable[DrawnFigure] | None = None
) -> Path:
    """Write ``report.html`` and ``figures/*.png`` for ``result`` into ``folder``.

    ``drawn`` are the figures from :func:`drawing` (started earlier, to overlap
    with other work); by default they are drawn now. The folder is created if
    needed; files of the same names are replaced. Returns the path of ``report.html``.
    """
    if drawn is None:
        with drawing(result) as figures:
            return write_report(result, folder, figures)
    folder = Path(folder)
    (folder / FIGURES_FOLDER).mkdir(parents=True, exist_ok=True)
    images = []
    for item in drawn:
        (folder / FIGURES_FOLDER / f"{item.name}.png").write_bytes(item.png)
        images.append(item)
    path = folder / REPORT_FILE
    path.write_text(render_html(result, images), encoding="utf-8")
    return path


# --------------------------------------------------------------------------- HTML

_STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
       max-width: 1200px; margin: 2em auto; padding: 0 1em; color: #222; line-height: 1.45; }
h1 { margin-bottom: 0.2em; } h2 { margin-top: 2em; border-bottom: 1px solid #ddd; }
.meta { color: #555; }
table { border-collapse: collapse; margin: 1em 0; font-size: 0.95em; }
th, td { padding: 0.3em 0.9em; text-align: right; border-bottom: 1px solid #eee; }
th:first-child, td:first-child { text-align: left; }
tr.group td { font-weight: 600; background: #f4f6f8; text-align: left; }
td.interval { color: #555; }
pre.verdict { font-size: 1.05em; font-weight: 600; white-space: pre-wrap; }
figure { margin: 1.5em 0; } figure img { max-width: 100%; height: auto; }
figcaption { color: #333; max-width: 60em; }
"""


def _version() -> str:
    version = staffsim_version()
    return "(version unknown)" if version == "unknown" else version


def _format(value: Any, kind: str) -> str:
    if value is None:
        return "–"
    value = float(value)
    if kind == "time":
        return format_duration(value)
    if kind == "share":
        return f"{value * 100:.1f}%"
    if kind == "hours":
        return format_duration(value * 3600.0) if value else "0"
    return f"{value:,.0f}" if abs(value) >= 100 or value.is_integer() else f"{value:,.1f}"


_ROWS = (
    ("conversations arrived (per run)", ("counts", "arrived"), "count"),
    ("resolved by a bot or article", ("counts", "deflected"), "count"),
    ("customers who left before a reply", ("abandon_rate",), "share"),
    ("waiting for an agent: average", ("queue_wait_s", "mean"), "time"),
    ("first reply: average", ("frt_s", "mean"), "time"),
    ("first reply: median", ("frt_s", "p50"), "time"),
    ("first reply: 90% within", ("frt_s", "p90"), "time"),
    ("first reply within target", ("frt_s", "within_target"), "share"),
    ("follow-up reply: 90% within", ("followup_s", "p90"), "time"),
    ("follow-up reply within target", ("followup_s", "within_target"), "share"),
    ("resolution: median", ("resolution_s", "p50"), "time"),
    ("resolution: 90% within", ("resolution_s", "p90"), "time"),
)


_TEAM_RATES = (
    ("conversations first answered per agent-hour on shift", "per_agent_hour"),
    ("replies per agent-hour on shift", "replies_per_agent_hour"),
    ("conversations held per agent present (time-weighted)", "concurrency_held"),
)
_TEAM_SHARES = (
    ("frt_s", "conversations it picked up, answered within their stream's target"),
    ("followup_s", "follow-ups of its conversations answered within target"),
)


def _table_row(label: str, stat: Any, kind: str) -> str:
    value = stat.get("value") if isinstance(stat, Mapping) else None
    interval = stat.get("ci95") if isinstance(stat, Mapping) else None
    shown = (
        f"{_format(clip_end(interval[0], kind), kind)} to "
        f"{_format(clip_end(interval[1], kind), kind)}"
        if isinstance(interval, list | tuple) and len(interval) == 2
        else "–"
    )
    return (
        f"<tr><td>{html.escape(label)}</td><td>{_format(value, kind)}</td>"
        f'<td class="interval">{shown}</td></tr>'
    )


def headline_html(summary: Mapping[str, Any]) -> str:
    """The headline statistics as an HTML table with means and 95% intervals."""
    lines = ["<table>", "<tr><th>statistic</th><th>mean</th><th>95% interval</th></tr>"]
    blocks = [("All conversations", summary.get("overall") or {})]
    streams = summary.get("by_stream") or {}
    if len(streams) > 1:
        blocks += [(f"Stream {name}", block) for name, block in streams.items()]
    for title, block in blocks:
        lines.append(f'<tr class="group"><td colspan="3">{html.escape(title)}</td></tr>')
        lines += [_table_row(label, stat_at(block, *keys), kind) for label, keys, kind in _ROWS]
    for name, team in (summary.get("by_team") or {}).items():
        lines.append(f'<tr class="group"><td colspan="3">Team {html.escape(name)}</td></tr>')
        lines.append(_table_row("occupancy", stat_at(team, "occupancy"), "share"))
        lines.append(_table_row("overtime (per run)", stat_at(team, "overtime_h"), "hours"))
        lines.append(
            _table_row("conversations handed back (per run)", stat_at(team, "handbacks"), "count")
        )
        for label, key in _TEAM_RATES:
            lines.append(_table_row(label, stat_at(team, key), "count"))
        for key, label in _TEAM_SHARES:
            share = stat_at(team, key, "within_target")
            if stat_at(share, "value") is not None:
                lines.append(_table_row(label, share, "share"))
    lines.append("</table>")
    return "\n".join(lines)


def render_html(result: RunResult, images: list[DrawnFigure]) -> str:
    """The report page, with ``images`` embedded as data URIs."""
    scenario = result.scenario
    summary = result.summary
    name = html.escape(scenario.name)
    replications = int(result.replications)
    start = scenario.start.isoformat().replace("+00:00", "Z")
    facts = (
        f"seed {int(result.seed)} · {replications} replication"
        f"{'s' if replications != 1 else ''} · start {html.escape(start)} · "
        f"simulated {format_duration(scenario.horizon)}, of which the first "
        f"{format_duration(scenario.warmup)} is warm-up (not counted) · "
        f"{html.escape(_targets_text(scenario))}"
    )
    verdict = target_verdict(summary, scenario)
    note = (
        "With one replication there are no confidence intervals."
        if replications < 2
        else "Each number is the average over the replications; the 95% interval is the "
        "range its true value very likely lies in."
    )
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f"<title>staffsim report: {name}</title>",
        f"<style>{_STYLE}</style>",
        "</head>",
        "<body>",
        f"<h1>Staffing report: {name}</h1>",
        *([f'<pre class="verdict">{html.escape(chr(10).join(verdict))}</pre>'] if verdict else []),
        f'<p class="meta">{facts}</p>',
        "<h2>Headline numbers</h2>",
        f"<p>{note} Times are per conversation; counts are per run of the scenario.</p>",
        headline_html(summary),
    ]
    for item in images:
        data = base64.b64encode(item.png).decode("ascii")
        parts += [
            f'<h2 id="{item.name}">{html.escape(item.heading)}</h2>',
            "<figure>",
            f'<img src="data:image/png;base64,{data}" alt="{html.escape(item.heading)}">',
            f"<figcaption>{html.escape(item.caption)}</figcaption>",
            "</figure>",
        ]
    parts += [
        f'<p class="meta">Made by staffsim {html.escape(_version())}. The figures '
        f"are also saved as PNG files in {FIGURES_FOLDER}/.</p>",
        "</body>",
        "</html>",
    ]
    return "\n".join(parts) + "\n"
