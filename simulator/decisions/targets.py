"""Service targets as a planner writes them: ``frt.p90<=2min``, ``abandon_rate<=0.05``.

A target names one statistic of summary.json by its path under a METRICS
block (see the interface notes), a comparison and a value::

    frt_s.p90<=2min                       overall 90th percentile of first response time
    frt.within_target>=80%                short form without ``_s``; a share as a percent
    abandon_rate<=0.05
    queue_wait_s.share_waited<=0.2
    by_stream.new_customer.frt.p90<=2min  one stream's statistic
    by_team.live.per_agent_hour<=6        one team's load (occupancy, per_agent_hour,
                                          replies_per_agent_hour, concurrency_held)
    by_team.live.frt.within_target>=0.8   the share of what one team answered within
                                          each conversation's stream target

Comparisons are ``<=``, ``>=``, ``<`` and ``>``. A time statistic takes a
duration with its unit (``90s``, ``2min``: a bare number is refused, as in the
scenario file); a share takes a number in [0, 1] or a percent; a count a plain
number.

The text is read by one regular expression and the registry of statistic names
(:mod:`simulator.statistics.metric_names`, the same for every command): nothing is
ever evaluated. Every mistake is a :class:`~simulator.errors.ScenarioError`
that names ``--target``, the part that is wrong and how to write it.

``size`` looks for the *smallest* head count meeting a target, which makes
sense only when more agents help; so the comparison must point the way more
agents move the statistic (``frt.p90<=...``, ``frt.within_target>=...``), and a
target pointing the other way is refused with the corrected form.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from simulator.errors import ScenarioError
from simulator.scenario.references import closest_hint
from simulator.statistics.metric_names import (
    DISTRIBUTION_STATS,
    display_name,
    short_field,
    split_metric,
)
from simulator.units import format_duration, parse_duration

SOURCE = "--target"


class Kind(StrEnum):
    """What a statistic's values are, so its target value is read the right way."""

    DURATION = "duration"  # seconds; the target needs a unit
    SHARE = "share"  # in [0, 1]; the target may be a percent
    COUNT = "count"  # conversations per replication
    RATE = "rate"  # per agent-hour, or conversations held per agent


METRICS: dict[str, Kind] = {
    "abandon_rate": Kind.SHARE,
    **{f"counts.{name}": Kind.COUNT for name in ("abandoned", "resolved", "open")},
    **{f"queue_wait_s.{s}": Kind.DURATION for s in DISTRIBUTION_STATS},
    "queue_wait_s.share_waited": Kind.SHARE,
    **{f"frt_s.{s}": Kind.DURATION for s in DISTRIBUTION_STATS},
    "frt_s.within_target": Kind.SHARE,
    **{f"followup_s.{s}": Kind.DURATION for s in DISTRIBUTION_STATS},
    "followup_s.within_target": Kind.SHARE,
    **{f"resolution_s.{s}": Kind.DURATION for s in DISTRIBUTION_STATS},
}
"""Every statistic under a METRICS block that a target may name, by its full path.
``counts.arrived`` and ``counts.deflected`` are left out: staffing does not move them."""

TEAM_METRICS: dict[str, Kind] = {
    "occupancy": Kind.SHARE,
    "per_agent_hour": Kind.RATE,
    "replies_per_agent_hour": Kind.RATE,
    "concurrency_held": Kind.RATE,
    "frt_s.within_target": Kind.SHARE,
    "followup_s.within_target": Kind.SHARE,
}
"""The statistics of a ``by_team`` block a target may name: loads that more agents lower,
and the shares of the conversations the team picked up answered within their targets."""

HIGHER_IS_BETTER = frozenset({"frt_s.within_target", "followup_s.within_target", "counts.resolved"})
"""Statistics that more agents raise; every other one more agents lower."""

_EXPRESSION = re.compile(
    r"^\s*(?P<path>[^<>=!]*?)\s*(?P<op><=|>=|=<|=>|==|!=|<|>|=)"
    r"\s*(?P<value>.*?)\s*$"
)
_NUMBER = re.compile(r"^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$")
_PERCENT = re.compile(r"^(?P<number>[-+]?(?:\d+\.?\d*|\.\d+))\s*%$")
_EXAMPLES = "e.g. --target 'frt.p90<=2min', 'frt.within_target>=0.8' or 'abandon_rate<=0.05'"


@dataclass(frozen=True)
class Target:
    """A parsed target: ``metric`` (the field path, such as ``frt_s.p90``) of ``stream``
    or of ``team`` (both ``None``: overall) compared by ``op`` with ``threshold``."""

    text: str
    metric: str
    stream: str | None
    op: str
    threshold: float
    team: str | None = None

    @property
    def kind(self) -> Kind:
        """Duration, share, count or rate."""
        return TEAM_METRICS[self.metric] if self.team is not None else METRICS[self.metric]

    @property
    def path(self) -> tuple[str, ...]:
        """Keys from the root of summary.json (or of one replication's metrics)."""
        if self.team is not None:
            head: tuple[str, ...] = ("by_team", self.team)
        else:
            head = ("overall",) if self.stream is None else ("by_stream", self.stream)
        return (*head, *self.metric.split("."))

    @property
    def name(self) -> str:
        """The statistic's one printed name (``frt_s.p90``, ``by_stream.chat.frt_s.p90``)."""
        return display_name(".".join(self.path))

    @property
    def label(self) -> str:
        """The target as every command prints it: ``frt_s.p90<=2min``, whatever the
        short form it was written in."""
        return f"{self.name}{self.op}{self.format(self.threshold)}"

    @property
    def higher_is_better(self) -> bool:
        """Whether the target asks the statistic to be large (``>=``, ``>``)."""
        return self.op in (">=", ">")

    def meets(self, value: float | None) -> bool:
        """Whether a value meets the target; a missing value never does."""
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return False
        return {
            "<=": value <= self.threshold,
            "<": value < self.threshold,
            ">=": value >= self.threshold,
            ">": value > self.threshold,
        }[self.op]

    def bound(
        self, value: float | None, interval: tuple[float, float] | list[float] | None
    ) -> float | None:
        """The end of ``interval`` that must meet the target (its upper end when lower
        is better), or ``value`` when there is no interval."""
        if interval is None:
            return value
        return interval[0] if self.higher_is_better else interval[1]

    def statistic(self, tree: Mapping[str, Any]) -> Any:
        """The node at :attr:`path` of a summary (``{"value", "ci95"}``) or of one
        replication's metrics (a number or ``None``)."""
        node: Any = tree
        for key in self.path:
            if not isinstance(node, Mapping) or key not in node:
                return None
            node = node[key]
        return node

    def format(self, value: float | None) -> str:
        """A value of this statistic as a person reads it (``1.5min``, ``80.0%``)."""
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return "-"
        if self.kind is Kind.DURATION:
            return format_duration(value) if math.isfinite(value) else "unbounded"
        if self.kind is Kind.SHARE:
            return f"{value * 100:.1f}%"
        return f"{value:,.2f}" if self.kind is Kind.RATE else f"{value:,.1f}"


def parse_target(text: str) -> Target:
    """Read ``METRIC OP VALUE`` (see the module notes); raises :class:`ScenarioError`."""
    if not isinstance(text, str) or not text.strip():
        raise ScenarioError("the target is empty", source=SOURCE, fix=f"write {_EXAMPLES}")
    match = _EXPRESSION.match(text)
    if not match:
        raise ScenarioError(
            f"'{text}' has no comparison",
            source=SOURCE,
            fix=f"write a statistic, <=, >=, < or >, and a value: {_EXAMPLES}",
        )
    path, op, value = match.group("path"), match.group("op"), match.group("value")
    if op in ("=", "==", "!=") or op in ("=<", "=>"):
        better = {"=<": "<=", "=>": ">="}.get(op)
        fix = (
            f"write '{path}{better}{value}'"
            if better
            else "a target is a limit, not an exact value: use <=, >=, < or >, e.g. "
            f"'{path}<={value}'"
        )
        raise ScenarioError(
            f"'{op}' in '{text}' is not a comparison a target can use", source=SOURCE, fix=fix
        )
    if not path:
        raise ScenarioError(
            f"'{text}' names no statistic before '{op}'", source=SOURCE, fix=f"write {_EXAMPLES}"
        )
    if not value:
        raise ScenarioError(
            f"'{text}' has no value after '{op}'", source=SOURCE, fix=f"write {_EXAMPLES}"
        )
    metric, stream, team = _metric_and_scope(path, text)
    kind = TEAM_METRICS[metric] if team is not None else METRICS[metric]
    threshold = _threshold(metric, kind, value, text)
    target = Target(
        text=text.strip(), metric=metric, stream=stream, op=op, threshold=threshold, team=team
    )
    _check_direction(target, path, value)
    return target


def check_target(target: Target, scenario: Any) -> None:
    """Refuse a target the scenario cannot report: an unknown stream or team, or a
    ``within_target`` share without a target (the stream's or the scenario's) it counts
    against."""
    for member, names, what in (
        (target.stream, list(scenario.streams), "stream"),
        (target.team, list(scenario.teams), "team"),
    ):
        if member is not None and member not in names:
            raise ScenarioError(
                f"'{target.text}' names {what} '{member}', which the scenario does not have",
                source=SOURCE,
                fix=closest_hint(member, names, cutoff=0.6) + f"{what}s are: {', '.join(names)}",
            )
    for statistic, key in (
        ("frt_s.within_target", "frt"),
        ("followup_s.within_target", "followup"),
    ):
        if target.metric != statistic:
            continue
        streams = [target.stream] if target.stream is not None else list(scenario.streams)
        if all(getattr(scenario.stream_targets(name), key) is None for name in streams):
            where = f"stream {target.stream}" if target.stream is not None else "scenario"
            raise ScenarioError(
                f"'{target.text}' needs the {where}'s {key} target, which is not set "
                f"(within_target is the share answered within targets.{key})",
                source=SOURCE,
                fix=f"add 'targets: {{{key}: 2min}}' to the scenario or pass "
                f"--set targets.{key}=2min",
            )


def formula_frt_target(target: Target, scenario: Any) -> float | None:
    """The one FRT target a staffing formula can judge ``frt_s.within_target`` against:
    the target's stream's own, or overall the one all streams share; ``None`` when the
    streams' targets differ (then only simulation can tell)."""
    if target.stream is not None:
        return scenario.stream_targets(target.stream).frt
    return scenario.shared_target("frt")


def _metric_and_scope(path: str, text: str) -> tuple[str, str | None, str | None]:
    """The field path, the stream and the team (``None``: overall) in ``path``."""
    scope, name, metric = split_metric(path)
    if scope != "overall" and name is None:
        example = (
            "by_stream.chat.frt.p90<=2min"
            if scope == "by_stream"
            else ("by_team.live.occupancy<=85%")
        )
        kind = "STREAM" if scope == "by_stream" else "TEAM"
        raise ScenarioError(
            f"'{path}' in '{text}' is not {scope}.{kind}.STATISTIC with a known statistic",
            source=SOURCE,
            fix=f"write e.g. '{example}'",
        )
    if scope == "by_team":
        if metric not in TEAM_METRICS:
            raise ScenarioError(
                f"'{path}' in '{text}' is no team statistic a head count can be sized to",
                source=SOURCE,
                fix=f"use by_team.{name}.{{{','.join(TEAM_METRICS)}}}",
            )
        return metric, None, name
    if metric in ("counts.arrived", "counts.deflected"):
        raise ScenarioError(
            f"'{path}' in '{text}' does not depend on the number of agents",
            source=SOURCE,
            fix=f"size to a service statistic: {_EXAMPLES}",
        )
    if metric not in METRICS:
        known = sorted({short_field(m) for m in METRICS} | set(METRICS))
        hint = closest_hint(path.removeprefix("overall."), known, cutoff=0.6) or closest_hint(
            metric, known, cutoff=0.6
        )
        raise ScenarioError(
            f"'{path}' in '{text}' is not a statistic of summary.json",
            source=SOURCE,
            fix=hint + "use one of " + _menu(),
        )
    return metric, name, None


def _menu() -> str:
    """The known statistics, grouped: ``frt.{mean,p50,...}, abandon_rate, ...``."""
    groups: dict[str, list[str]] = {}
    for metric in METRICS:
        head, _, tail = short_field(metric).rpartition(".")
        groups.setdefault(head, []).append(tail)
    return ", ".join(
        f"{head}.{{{','.join(tails)}}}" if head else ",".join(tails)
        for head, tails in groups.items()
    )


def _threshold(metric: str, kind: Kind, value: str, text: str) -> float:
    if kind is Kind.DURATION:
        if _NUMBER.match(value):
            raise ScenarioError(
                f"'{value}' in '{text}' has no time unit",
                source=SOURCE,
                fix=f"write '{value}s' or '{value}min' ({short_field(metric)} is a time)",
            )
        try:
            seconds = parse_duration(value)
        except ValueError as error:
            raise ScenarioError(
                f"in '{text}': {error}",
                source=SOURCE,
                fix=f"{short_field(metric)} is a time: give a number with a unit, "
                f"e.g. '{short_field(metric)}<=2min' or '90s'",
            ) from None
        if seconds < 0:
            raise ScenarioError(
                f"'{value}' in '{text}' is negative",
                source=SOURCE,
                fix="give a duration of zero or more",
            )
        return seconds
    percent = _PERCENT.match(value)
    if percent and kind is Kind.SHARE:
        number = float(percent.group("number")) / 100.0
    elif _NUMBER.match(value):
        number = float(value)
    else:
        example = "0.8 or 80%" if kind is Kind.SHARE else "6"
        raise ScenarioError(
            f"'{value}' in '{text}' is not a number",
            source=SOURCE,
            fix=f"{short_field(metric)} is a {kind.value}: give e.g. {example}",
        )
    if not math.isfinite(number):
        raise ScenarioError(
            f"'{value}' in '{text}' is not a finite number",
            source=SOURCE,
            fix=f"give an ordinary number: {short_field(metric)} is a {kind.value}",
        )
    if kind is Kind.SHARE and not 0.0 <= number <= 1.0:
        raise ScenarioError(
            f"'{value}' in '{text}' is not a share between 0 and 1",
            source=SOURCE,
            fix="write a share such as 0.8 or 80%",
        )
    if kind in (Kind.COUNT, Kind.RATE) and number < 0:
        raise ScenarioError(
            f"'{value}' in '{text}' is negative", source=SOURCE, fix="give a count of zero or more"
        )
    return number


def _check_direction(target: Target, path: str, value: str) -> None:
    """More agents must move the statistic toward the target."""
    wanted_high = target.metric in HIGHER_IS_BETTER
    if wanted_high != target.higher_is_better:
        flipped = {"<=": ">=", "<": ">", ">=": "<=", ">": "<"}[target.op]
        more = "raise" if wanted_high else "lower"
        raise ScenarioError(
            f"'{target.text}' asks {short_field(target.metric)} to be "
            f"{'at most' if target.op in ('<=', '<') else 'at least'} {value}, but more agents "
            f"{more} it, so the smallest team would always meet it",
            source=SOURCE,
            fix=f"write '{path}{flipped}{value}'",
        )
