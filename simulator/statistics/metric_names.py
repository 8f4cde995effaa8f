"""Names, units and look-ups of the statistics in a summary, for comparisons and sweeps.

A statistic is named by its dotted path in ``summary.json``:
``overall.frt_s.p90``, ``by_stream.chat.abandon_rate``,
``by_team.support.occupancy``. People may leave out ``overall.`` and the
``_s`` of a time (``frt.p90``); :func:`resolve_metric` turns what they wrote
into the full path or explains what exists.

Each statistic has a *kind* that decides how it is shown: ``seconds`` (shown
in minutes in figures), ``share`` (shown in percent), ``hours`` or ``count``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from simulator.errors import ScenarioError
from simulator.scenario.references import closest_hint

DISTRIBUTION_STATS = ("mean", "p50", "p90", "p95", "p99")
METRIC_FIELDS: dict[str, tuple[str, ...]] = {
    "counts": ("arrived", "deflected", "abandoned", "resolved", "open", "repeats"),
    "abandon_rate": (),
    "queue_wait_s": (*DISTRIBUTION_STATS, "share_waited"),
    "frt_s": (*DISTRIBUTION_STATS, "within_target"),
    "followup_s": (*DISTRIBUTION_STATS, "within_target"),
    "resolution_s": DISTRIBUTION_STATS,
    "overtime_h": (),
    "intake_cutoff_h": (),
    "handed_back": ("conversations", "wait_s.mean", "wait_s.p50", "wait_s.p90"),
    "waiting_for_owner": ("conversations", "wait_s.mean", "wait_s.p50", "wait_s.p90"),
}
"""Every statistic of a METRICS block: block name and the fields inside it."""

OVERALL_ONLY = frozenset({"overtime_h", "intake_cutoff_h"})
"""Blocks of ``overall`` that streams do not have (overtime is the teams')."""

TEAM_FIELDS = ("occupancy", "overtime_h", "handbacks")

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
SHARES = frozenset({"abandon_rate", "within_target", "share_waited", "occupancy"})
"""Statistics that are shares (0 to 1); every other one is a time, count or amount (at least 0)."""


def metric_paths(streams: Iterable[str] = (), teams: Iterable[str] = ()) -> list[str]:
    """Every statistic's full dotted path for these streams and teams."""
    blocks = ["overall", *(f"by_stream.{name}" for name in streams)]
    paths = []
    for block in blocks:
        for name, fields in METRIC_FIELDS.items():
            if name in OVERALL_ONLY and block != "overall":
                continue
            paths += [f"{block}.{name}.{field}" for field in fields] or [f"{block}.{name}"]
    paths += [f"by_team.{team}.{field}" for team in teams for field in TEAM_FIELDS]
    return paths


def resolve_metric(
    expression: str,
    streams: Iterable[str] = (),
    teams: Iterable[str] = (),
    option: str = "--metric",
) -> str:
    """The full dotted path meant by ``expression`` (``frt.p90`` -> ``overall.frt_s.p90``)."""
    streams, teams = list(streams), list(teams)
    known = metric_paths(streams, teams)
    text = expression.strip()
    candidates = (
        [text] if text.startswith(("overall.", "by_stream.", "by_team.")) else [f"overall.{text}"]
    )
    parts = candidates[0].split(".")
    measure_at = 3 if parts[0] == "by_stream" else 1
    if len(parts) > measure_at and not parts[measure_at].endswith("_s"):
        with_unit = [*parts[:measure_at], parts[measure_at] + "_s", *parts[measure_at + 1 :]]
        candidates.append(".".join(with_unit))
    for candidate in candidates:
        if candidate in known:
            return candidate
    short = [path.removeprefix("overall.") for path in known]
    raise ScenarioError(
        f"'{expression}' is no statistic of this scenario",
        source=option,
        fix=closest_hint(text, short, cutoff=0.6)
        + "name one by its summary.json path, e.g. frt_s.p90, abandon_rate, "
        "frt_s.within_target, by_stream.NAME.frt_s.p90 or "
        "by_team.NAME.occupancy",
    )


def full_path(name: str) -> str:
    """The summary path of a metric name (``frt_s.p90`` is ``overall.frt_s.p90``)."""
    return name if name.startswith(("overall.", "by_stream.", "by_team.")) else f"overall.{name}"


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
    """``seconds``, ``share``, ``hours`` or ``count``: how the statistic is shown."""
    parts = full_path(path).split(".")
    leaf = parts[-1]
    if leaf in SHARES:
        return "share"
    if leaf in ("overtime_h", "intake_cutoff_h"):
        return "hours"
    if parts[0] == "by_team" or "counts" in parts:
        return "count"
    return "seconds" if any(part.endswith("_s") for part in parts) else "count"


def metric_title(path: str) -> str:
    """A reader's name: ``FRT p90``, ``stream chat: abandon rate``, ``team live: occupancy``."""
    parts = full_path(path).split(".")
    prefix = ""
    if parts[0] == "by_stream":
        prefix, parts = f"stream {parts[1]}: ", parts[2:]
    elif parts[0] == "by_team":
        return f"team {parts[1]}: {parts[2].replace('_h', '').replace('_', ' ')}"
    else:
        parts = parts[1:]
    if parts == ["abandon_rate"]:
        return prefix + "abandon rate"
    if parts == ["overtime_h"]:
        return prefix + "overtime hours"
    if parts == ["intake_cutoff_h"]:
        return prefix + "hours closed by intake cutoff"
    if parts[0] in ("handed_back", "waiting_for_owner"):
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
