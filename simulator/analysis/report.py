"""The run report: one self-contained ``report.html`` a support manager can read,
and the same figures as PNG files in ``figures/``.

The page holds the scenario's name, seed and replications, the headline
statistics with their 95% intervals, and every figure embedded as a base64
PNG with a short caption saying what it shows and how to read it. It loads no
external asset (no scripts, fonts or style sheets from the web), so it can be
mailed or archived as it stands.

``staffsim run`` writes both into the results folder (inside its atomic
write); from Python::

    from simulator.analysis.report import write_report
    write_report(result, "results/my-run")     # report.html and figures/*.png

Nothing here runs a simulation: the figures are drawn from the result's
records and summary.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from matplotlib.figure import Figure

from simulator.analysis import figures, hourly, tables
from simulator.analysis.headline import target_verdict
from simulator.run_info import staffsim_version
from simulator.statistics.intervals import clip_end
from simulator.statistics.metric_names import stat_at
from simulator.units import format_duration

if TYPE_CHECKING:
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


def _targets(result: RunResult) -> dict[str, float | None]:
    """The targets of all conversations, for figures that pool them: none where streams
    have different ones (a single line would be wrong for some)."""
    scenario = result.scenario
    return {key: scenario.shared_target(key) for key in ("frt", "followup")}


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


def build_figures(result: RunResult) -> list[ReportFigure]:
    """Every figure of the report, in the order the report shows them."""
    scenario = result.scenario
    targets = _targets(result)
    zone = hourly.zone_label(scenario.start)
    frt_target = _pooled_target_text(scenario, "frt")
    table = hourly.hourly_table(result)
    byhour = hourly.week_grid
    made: list[tuple[str, str, str, Callable[[], Figure]]] = [
        (
            "headline",
            "Headline results",
            "Each dot is the average over the replications (repeated runs with different "
            "random customers); the whiskers show the 95% confidence interval: the range the "
            "true average very likely lies in. Dashed red lines mark the service targets "
            f"(first reply {frt_target}, follow-up {_pooled_target_text(scenario, 'followup')}). "
            "Narrow whiskers mean the answer is settled; wide ones call for more replications.",
            lambda: figures.headline_figure(result.summary, targets),
        ),
        (
            "response_times",
            "How long customers waited",
            "Read a curve as: y% of customers got their first reply (left), their follow-up "
            "answered (middle) or their question resolved (right) within x minutes. The higher "
            "and further left the curve, the better. First-reply curves stop short of 100% "
            "because customers who left, or were still waiting at the end, never got a reply. "
            "The dashed line is the target, with the share that met it.",
            lambda: figures.response_distribution_figure(tables.response_times(result), targets),
        ),
        (
            "heatmap_arrivals",
            "When conversations arrive",
            "New conversations per hour in an average week, for each day (rows) and hour "
            f"(columns, {zone}). Darker is busier: these are the hours that need the most "
            "people.",
            lambda: figures.arrivals_heatmap(byhour(table["arrivals_per_h"]), zone),
        ),
        (
            "heatmap_agents",
            "Who is on shift",
            "Agents on shift in each hour of an average week (all teams, people working "
            "overtime included). Compare with the arrivals above: busy hours with few agents "
            "are where customers wait.",
            lambda: figures.agents_heatmap(byhour(table["agents_on_shift"]), zone),
        ),
        (
            "heatmap_frt_p90",
            "First reply time by hour",
            "For customers who wrote in each hour of the week: 90% of those who were answered "
            f"got their first reply within this many minutes. Green is under the target "
            f"({frt_target}), red over it. Red cells are the holes in the roster.",
            lambda: figures.frt_p90_heatmap(
                byhour(table["frt_p90_s"] / 60.0), targets["frt"], zone
            ),
        ),
        (
            "heatmap_within_target",
            "Share answered in time, by hour",
            f"Of the customers who wrote in each hour, the percentage whose first reply came "
            f"within {frt_target}. Customers who gave up waiting count as missed. A common goal "
            "is 80% or more in every hour.",
            lambda: figures.within_target_heatmap(
                byhour(table["frt_within_target"] * 100.0), targets["frt"], zone
            ),
        ),
        (
            "queue_over_time",
            "The queue over the whole run",
            "Top: conversations waiting for an agent, averaged over the replications (line) "
            "with the range of the middle 80% of replications (band). Bottom: agents on shift "
            "per team. Queues build when arrivals outrun the people on shift; the grey area at "
            "the start is the warm-up, left out of every statistic.",
            lambda: figures.queue_figure(
                tables.queue_over_time(result),
                tables.agents_over_time(result),
                start=scenario.start,
                horizon_s=scenario.horizon,
                warmup_s=scenario.warmup,
                zone=zone,
            ),
        ),
        (
            "occupancy",
            "How busy agents are",
            "Share of their on-shift time agents spent typing replies or wrapping up, per team, "
            "with the 95% interval. Very high occupancy (above about 85%) leaves no slack for "
            "peaks and burns people out; very low means more people than the work needs.",
            lambda: figures.occupancy_figure(result.summary.get("by_team") or {}),
        ),
        (
            "shift_ends",
            "What shift ends cost",
            "Per team, with its shift-end policy in brackets: conversations handed back to the "
            "queue at shift end, hours colleagues spent re-reading them, overtime per shift, "
            "and how fast follow-ups were answered when the conversation had been handed back "
            "versus kept by the same agent.",
            lambda: figures.handoff_figure(tables.handoff_table(result)),
        ),
        (
            "shift_ends_week",
            "Where shift ends leave work waiting",
            "For each shift end of the week (local time of the scenario's start): open "
            "conversations handed back to a queue, or kept for their owner's next shift, per "
            "occurrence of that shift end, and how long they then waited until someone worked "
            "on them. Hours of waiting here are the pile of handed-back chats a team feels; "
            "run the other policy to compare.",
            lambda: figures.shift_end_week_figure(
                tables.shift_end_table(result), _policies(scenario)
            ),
        ),
    ]
    return [ReportFigure(name, heading, caption, draw()) for name, heading, caption, draw in made]


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


def write_report(result: RunResult, folder: Path | str) -> Path:
    """Write ``report.html`` and ``figures/*.png`` for ``result`` into ``folder``.

    The folder is created if needed; files of the same names are replaced.
    Returns the path of ``report.html``.
    """
    folder = Path(folder)
    (folder / FIGURES_FOLDER).mkdir(parents=True, exist_ok=True)
    images: list[tuple[ReportFigure, bytes]] = []
    for item in build_figures(result):
        png = figures.png_bytes(item.figure)
        (folder / FIGURES_FOLDER / f"{item.name}.png").write_bytes(png)
        images.append((item, png))
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
    lines.append("</table>")
    return "\n".join(lines)


def render_html(result: RunResult, images: list[tuple[ReportFigure, bytes]]) -> str:
    """The report page, with ``images`` (figure and PNG bytes) embedded as data URIs."""
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
    for item, png in images:
        data = base64.b64encode(png).decode("ascii")
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
