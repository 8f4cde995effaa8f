"""Names, units and look-ups of the statistics in a summary, for comparisons and sweeps.

A statistic is named by its dotted path in ``summary.json``:
``overall.frt_s.p90``, ``by_stream.chat.abandon_rate``,
``by_team.support.occupancy``. People may leave out ``overall.`` and the
``_s`` of a time (``frt.p90``); :func:`resolve_metric` turns what they wrote
into the full path or explains what exists.

Each statistic has a *kind* that decides how it is shown: ``seconds`` (shown
in minutes in figures), ``share`` (shown in percent), ``hours``, ``count`` or
``rate`` (conversations or replies per agent-hour, conversations per agent).

This module is the one registry of names: ``size --target``, ``sweep --metric``,
``compare``, summary.json and the reports all read a name through
:func:`split_metric`/:func:`resolve_metric` and print it with
:func:`display_name` or :func:`metric_title`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from simulator.errors import ScenarioError
from simulator.scenario.references import closest_hint

DISTRIBUTION_STATS = ("mean", "p50", "p90", "p95", "p99")
SPELL_FIELDS = ("conversations", "wait_s.mean", "wait_s.p50", "wait_s.p90")
METRIC_FIELDS: dict[str, tuple[str, ...]] = {
    "counts": ("arrived", "deflected", "abandoned", "resolved", "open", "repeats"),
    "abandon_rate": (),
    "queue_wait_s": (*DISTRIBUTION_STATS, "share_waited"),
    "frt_s": (*DISTRIBUTION_STATS, "within_target"),
    "followup_s": (*DISTRIBUTION_STATS, "within_target"),
    "resolution_s": DISTRIBUTION_STATS,
    "overtime_h": (),
    "intake_cutoff_h": (),
    "handed_back": SPELL_FIELDS,
    "waiting_for_owner": SPELL_FIELDS,
}
"""Every statistic of a METRICS block: block name and the fields inside it."""

OVERALL_ONLY = frozenset({"overtime_h", "intake_cutoff_h"})
"""Blocks of ``overall`` that streams do not have (overtime is the teams')."""

TEAM_STATISTICS = (
    "occupancy",
    "overtime_h",
    "handbacks",
    "intake_cutoff_h",
    "per_agent_hour",
    "replies_per_agent_hour",
    "concurrency_held",
)
"""The numbers of a ``by_team`` block (besides its hand-back spells), in summary order."""

TEAM_FIELDS = (
    *TEAM_STATISTICS,
    "frt_s.within_target",
    "followup_s.within_target",
    *(
        f"{spell}.{field}"
        for spell in ("handed_back", "waiting_for_owner")
        for field in SPELL_FIELDS
    ),
)
"""Every statistic of a ``by_team`` block."""

SHORT_FORMS = {
    "frt": "frt_s",
    "followup": "followup_s",
    "resolution": "resolution_s",
    "queue_wait": "queue_wait_s",
}
"""The accepted short forms: ``frt.p90`` is ``frt_s.p90`` wherever a statistic is named."""

SCOPES = ("overall", "by_stream", "by_team")

_MEASURES = {
    "frt_s": "FRT",
    "followup_s": "follow-up",
    "resolution_s": "resolution",
    "queue_wait_s": "queue wait",
    "counts": "conversations",
}
_STATS = {
    "mean": "mean",
    "p50": "median",
    "p90": "p90",
    "p95": "p95",
    "p99": "p99",
    "within_target": "within target",
    "share_waited": "share that waited",
}
_TEAM_TITLES = {
    "occupancy": "occupancy",
    "overtime_h": "overtime",
    "handbacks": "handbacks",
    "intake_cutoff_h": "intake cutoff",
    "per_agent_hour": "answered/agent-hour",
    "replies_per_agent_hour": "replies/agent-hour",
    "concurrency_held": "held per agent",
}
SHARES = frozenset({"abandon_rate", "within_target", "share_waited", "occupancy"})
"""Statistics that are shares (0 to 1); every other one is a time, count or amount (at least 0)."""


def _block_fields(scope: str) -> list[str]:
    """The field paths one block of ``scope`` holds (``frt_s.p90``, ``occupancy``, ...)."""
    if scope == "by_team":
        return list(TEAM_FIELDS)
    fields = []
    for name, inner in METRIC_FIELDS.items():
        if name in OVERALL_ONLY and scope != "overall":
            continue
        fields += [f"{name}.{field}" for field in inner] or [name]
    return fields


def metric_paths(streams: Iterable[str] = (), teams: Iterable[str] = ()) -> list[str]:
    """Every statistic's full dotted path for these streams and teams."""
    paths = [f"overall.{field}" for field in _block_fields("overall")]
    paths += [f"by_stream.{name}.{f}" for name in streams for f in _block_fields("by_stream")]
    paths += [f"by_team.{name}.{f}" for name in teams for f in _block_fields("by_team")]
    return paths


def canonical_field(parts: Sequence[str]) -> str:
    """A field path with its short form spelled out (``frt.p90`` -> ``frt_s.p90``)."""
    if not parts:
        return ""
    return ".".join([SHORT_FORMS.get(parts[0], parts[0]), *parts[1:]])


def short_field(field: str) -> str:
    """The short form of a field path (``frt_s.p90`` -> ``frt.p90``), for menus."""
    head, dot, tail = field.partition(".")
    shorter = {full: short for short, full in SHORT_FORMS.items()}
    return f"{shorter.get(head, head)}{dot}{tail}"


def split_metric(expression: str) -> tuple[str, str | None, str]:
    """``(scope, name, field)`` of a statistic as people write it, without knowing the
    scenario: ``frt.p90`` -> ``("overall", None, "frt_s.p90")``,
    ``by_stream.a.b.frt.p90`` -> ``("by_stream", "a.b", "frt_s.p90")`` (names may hold
    dots: the field is the longest known tail). The field may be unknown; a
    ``by_stream``/``by_team`` path without a known field gets name ``None``."""
    parts = expression.strip().split(".")
    if parts[0] == "overall":
        return "overall", None, canonical_field(parts[1:])
    if parts[0] in ("by_stream", "by_team"):
        known = _block_fields(parts[0])
        rest = parts[1:]
        for cut in range(1, len(rest)):
            field = canonical_field(rest[cut:])
            if field in known:
                return parts[0], ".".join(rest[:cut]), field
        return parts[0], None, canonical_field(rest)
    return "overall", None, canonical_field(parts)


def join_metric(scope: str, name: str | None, field: str) -> str:
    """The full path of ``(scope, name, field)``."""
    return f"overall.{field}" if scope == "overall" else f"{scope}.{name}.{field}"


def resolve_metric(
    expression: str,
    streams: Iterable[str] = (),
    teams: Iterable[str] = (),
    option: str = "--metric",
) -> str:
    """The full dotted path meant by ``expression`` (``frt.p90`` -> ``overall.frt_s.p90``);
    every command names statistics through this, so every alias works everywhere."""
    streams, teams = list(streams), list(teams)
    scope, name, field = split_metric(expression)
    path = join_metric(scope, name, field)
    if path in metric_paths(streams, teams):
        return path
    if scope != "overall" and name is None:
        members = streams if scope == "by_stream" else teams
        kind = "STREAM" if scope == "by_stream" else "TEAM"
        raise ScenarioError(
            f"'{expression}' is not {scope}.{kind}.STATISTIC with a known statistic",
            source=option,
            fix=f"write e.g. {scope}.{members[0] if members else 'NAME'}."
            f"{'frt_s.p90' if scope == 'by_stream' else 'occupancy'}",
        )
    if scope != "overall" and name not in (streams if scope == "by_stream" else teams):
        members = streams if scope == "by_stream" else teams
        what = "stream" if scope == "by_stream" else "team"
        raise ScenarioError(
            f"'{expression}' names {what} '{name}', which the scenario does not have",
            source=option,
            fix=closest_hint(str(name), members, cutoff=0.6) + f"{what}s are: {', '.join(members)}",
        )
    short = [display_name(p) for p in metric_paths(streams, teams)]
    raise ScenarioError(
        f"'{expression}' is no statistic of this scenario",
        source=option,
        fix=closest_hint(expression.strip(), short, cutoff=0.6)
        + "name one by its summary.json path, e.g. frt_s.p90, abandon_rate, "
        "frt_s.within_target, by_stream.NAME.frt_s.p90, by_team.NAME.occupancy or "
        "by_team.NAME.per_agent_hour",
    )


def display_name(path: str) -> str:
    """The one printed name of a statistic: its summary.json path without ``overall.``
    (``frt.p90`` and ``overall.frt_s.p90`` both print as ``frt_s.p90``)."""
    return full_path(path).removeprefix("overall.")


def full_path(name: str) -> str:
    """The summary path of a metric name, short forms spelled out (``frt.p90`` is
    ``overall.frt_s.p90``); a path naming no known field is only given its scope."""
    scope, member, field = split_metric(name)
    if scope != "overall" and member is None:
        return name.strip()
    return join_metric(scope, member, field)


def stat_at(node: Any, *keys: str) -> Any:
    """The value under ``keys`` in nested dicts (``stat_at(block, "frt_s", "p90")``);
    ``None`` where a key is absent or a level is no dict."""
    for key in keys:
        node = node.get(key) if isinstance(node, Mapping) else None
    return node


def lookup(tree: Mapping[str, Any], path: str) -> Any:
    """The value at a dotted path of a (summary or replication) tree; ``None`` if absent."""
    return stat_at(tree, *full_path(path).split("."))


def metric_kind(path: str) -> str:
    """``seconds``, ``share``, ``hours`` or ``count`` (counts, rates per agent-hour and
    conversations held): how the statistic is shown."""
    parts = split_metric(path)[2].split(".")
    leaf = parts[-1]
    if leaf in SHARES:
        return "share"
    if leaf in ("overtime_h", "intake_cutoff_h"):
        return "hours"
    if parts[0] == "counts":
        return "count"
    return "seconds" if any(part.endswith("_s") for part in parts) else "count"


def metric_title(path: str) -> str:
    """A reader's name: ``FRT p90``, ``stream chat: abandon rate``, ``team live: occupancy``."""
    scope, name, field = split_metric(path)
    prefix = {"overall": "", "by_stream": f"stream {name}: ", "by_team": f"team {name}: "}[scope]
    parts = field.split(".")
    if scope == "by_team" and field in _TEAM_TITLES:
        return prefix + _TEAM_TITLES[field]
    if parts == ["abandon_rate"]:
        return prefix + "abandon rate"
    if parts == ["overtime_h"]:
        return prefix + "overtime hours"
    if parts == ["intake_cutoff_h"]:
        return prefix + "hours closed by intake cutoff"
    if parts[0] in ("handed_back", "waiting_for_owner") and len(parts) > 1:
        spell = parts[0].replace("_", " ")
        if parts[1] == "conversations":
            return prefix + f"{spell} (conversations)"
        return prefix + f"{spell}: wait {_STATS.get(parts[-1], parts[-1])}"
    measure = _MEASURES.get(parts[0], parts[0])
    stat = _STATS.get(parts[1], parts[1]) if len(parts) > 1 else ""
    return prefix + f"{measure} {stat}".strip()


def flatten(tree: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """A nested dict's leaves by dotted path (``{"overall.frt_s.p90": ...}``)."""
    flat: dict[str, Any] = {}
    for key, value in tree.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(flatten(value, path + "."))
        else:
            flat[path] = value
    return flat
