"""Comparisons: run two or more variants on the same customers and difference them.

``compare(["handback.yaml", "ownership.yaml"])`` or
``compare("live.yaml", vary="handoff.policy=handback,ownership")`` runs every
variant with the *same* root seed. The engine draws each conversation's
arrival time, work content, exchanges and patience from generators keyed by
purpose (see :mod:`simulator.rng`), so replication ``r`` of every variant
serves the same customers: *common random numbers*. Replication ``r`` of the
baseline (the first variant) and of another variant then form a pair, and the
difference of each headline statistic is estimated from the pairwise
differences (:func:`~simulator.statistics.intervals.paired_difference`). The
luck both share (a busy Monday, a run of long chats) cancels, so the paired
interval is narrower than the Welch interval two independent runs would give;
both are reported so the reader sees what pairing bought. A difference is
*significant* when its paired 95% interval excludes zero.

Pairing helps most when the variants' replication-to-replication swings are
alike; when one variant is far noisier than the other (a queue near
saturation against one with slack) its own noise dominates and the two
intervals come closer.

A comparison's folder (:func:`write_compare`): ``compare.json`` (the
interface's ``variants`` and ``differences``, plus ``baseline``, ``seed``,
``replications``, the policy presets applied under ``presets`` and each variant's
summary under ``summaries``),
``figures/compare.png``, ``scenarios/`` (each variant as run) and ``run.json``.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from simulator.analysis.compare_figures import NONE
from simulator.analysis.headline import format_value
from simulator.decisions.variants import Variant, apply_point, preset_note, raw_scenario
from simulator.decisions.variants import vary as vary_scenario
from simulator.errors import ScenarioError
from simulator.experiment import RunResult, run_points
from simulator.recording import ReplicationRecord
from simulator.rng import replications_and_seed
from simulator.scenario.schema import Scenario
from simulator.statistics.intervals import paired_difference
from simulator.statistics.metric_names import (
    full_path,
    lookup,
    metric_kind,
    metric_title,
    resolve_metric,
    split_metric,
)
from simulator.statistics.metrics import (
    counted_conversations,
    replication_metrics,
    summarise_metrics,
)
from simulator.units import format_duration

OVERALL_METRICS = (
    "frt_s.mean",
    "frt_s.p50",
    "frt_s.p90",
    "frt_s.within_target",
    "followup_s.p90",
    "followup_s.within_target",
    "resolution_s.p90",
    "queue_wait_s.mean",
    "abandon_rate",
    "overtime_h",
    "intake_cutoff_h",
    "handed_back.conversations",
    "handed_back.wait_s.p90",
    "waiting_for_owner.conversations",
    "waiting_for_owner.wait_s.p90",
)
"""Headline statistics compared for all conversations (summary.json ``overall``);
the last are what a shift-end policy costs: overtime, or conversations left unowned."""

STREAM_METRICS = ("frt_s.p90", "frt_s.within_target", "resolution_s.p90", "abandon_rate")
"""Compared per stream, for streams both variants have, when there is more than one."""

TEAM_METRICS = (
    "occupancy",
    "overtime_h",
    "handbacks",
    "per_agent_hour",
    "replies_per_agent_hour",
    "concurrency_held",
    "frt_s.within_target",
)
"""Compared per team, for teams both variants have (a team's share within target: of
what it picked up and answered, each against its stream's own target)."""

TITLE_WIDTH = 60
"""The widest a statistic's title gets in the terminal table before it is clipped."""


Source = str | Path | Mapping[str, Any] | Scenario


# --------------------------------------------------------------------------- result


@dataclass
class CompareResult:
    """A finished comparison: each variant's run and the paired differences."""

    variants: list[str]
    """Labels, baseline first."""
    results: list[RunResult]
    differences: list[dict]
    """One ``{"metric", "title", "variant", "baseline", "diff", "ci95", "unpaired_ci95",
    "significant", "none"}`` per headline statistic and non-baseline variant (``title``:
    its reader's name, see :func:`row_title`); ``none``
    lists the sides (labels) that counted no such conversation at all, so a wait
    statistic there is "none" rather than missing (no difference can be taken)."""
    seed: int
    replications: int
    wall_time_s: float
    jobs: int = 1
    presets: dict[str, dict[str, str]] = field(default_factory=dict)
    """By label, the values :data:`~simulator.decisions.variants.POLICY_PRESETS` added
    to variants that change ``handoff.policy`` (only those that took any)."""

    @property
    def baseline(self) -> str:
        """The first variant's label: every difference is variant minus baseline."""
        return self.variants[0]

    @property
    def summaries(self) -> dict[str, dict]:
        """Each variant's summary.json dict by label."""
        return {
            label: result.summary for label, result in zip(self.variants, self.results, strict=True)
        }

    def differences_of(self, name: str) -> list[dict]:
        """The paired differences of one statistic, named in any form every command
        accepts (``frt.p90``, ``overall.frt_s.p90``, ``by_team.live.per_agent_hour``)."""
        scenario = self.results[0].scenario
        path = resolve_metric(name, scenario.streams, scenario.teams, option="metric")
        return [entry for entry in self.differences if full_path(entry["metric"]) == path]

    def to_dict(self) -> dict[str, Any]:
        """The ``compare.json`` document."""
        return {
            "variants": list(self.variants),
            "baseline": self.baseline,
            "seed": self.seed,
            "replications": self.replications,
            "differences": self.differences,
            "presets": self.presets,
            "summaries": self.summaries,
        }

    @property
    def table(self) -> pd.DataFrame:
        """The differences as a DataFrame, with each side's mean and interval widths."""
        rows = []
        for entry in self.differences:
            paired, unpaired = entry["ci95"], entry["unpaired_ci95"]
            rows.append(
                {
                    **{key: entry[key] for key in ("metric", "title", "variant", "baseline")},
                    "baseline_value": _mean(self.summaries[entry["baseline"]], entry["metric"]),
                    "variant_value": _mean(self.summaries[entry["variant"]], entry["metric"]),
                    "diff": entry["diff"],
                    "ci95_low": paired[0] if paired else None,
                    "ci95_high": paired[1] if paired else None,
                    "unpaired_ci95_low": unpaired[0] if unpaired else None,
                    "unpaired_ci95_high": unpaired[1] if unpaired else None,
                    "significant": entry["significant"],
                    "baseline_none": entry["baseline"] in entry.get("none", ()),
                    "variant_none": entry["variant"] in entry.get("none", ()),
                }
            )
        frame = pd.DataFrame(rows)
        for column in (
            "baseline_value",
            "variant_value",
            "diff",
            "ci95_low",
            "ci95_high",
            "unpaired_ci95_low",
            "unpaired_ci95_high",
        ):
            frame[column] = frame[column].astype(float)
        frame["paired_width"] = frame["ci95_high"] - frame["ci95_low"]
        frame["unpaired_width"] = frame["unpaired_ci95_high"] - frame["unpaired_ci95_low"]
        return frame

    def response_times(self) -> pd.DataFrame:
        """Counted conversations' FRT and resolution time (seconds), one row each.

        Columns ``variant``, ``replication``, ``frt_s`` (NaN if unanswered) and
        ``resolution_s`` (NaN unless resolved), over conversations that arrived
        after warmup and reached a queue, as summary.json counts them.
        """
        frames = []
        for label, result in zip(self.variants, self.results, strict=True):
            for record in result.records:
                table = counted_conversations(record, result.scenario)
                reached = table["reached"].to_numpy(dtype=bool)
                frames.append(
                    pd.DataFrame(
                        {
                            "variant": label,
                            "replication": np.full(int(reached.sum()), record.replication),
                            "frt_s": table["frt"].to_numpy()[reached],
                            "resolution_s": table["resolution"].to_numpy()[reached],
                        }
                    )
                )
        frame = pd.concat(frames, ignore_index=True)
        frame["variant"] = pd.Categorical(frame["variant"], categories=self.variants)
        return frame


def _mean(summary: Mapping[str, Any], metric: str) -> float | None:
    stat = lookup(summary, metric)
    return stat.get("value") if isinstance(stat, Mapping) else None


# --------------------------------------------------------------------------- API


def compare(
    variants: Source | Sequence[Source] | Mapping[str, Source],
    *,
    vary: str | tuple[str, Sequence[Any]] | None = None,
    labels: Sequence[str] | None = None,
    overrides: Iterable[str] = (),
    replications: int | None = None,
    seed: int | None = None,
    jobs: int = 1,
    cluster: str | None = None,
    progress: bool = False,
) -> CompareResult:
    """Run every variant with one root seed and difference each against the first.

    ``variants`` is a list of scenarios (YAML paths, raw dicts or
    :class:`Scenario` objects; labelled by file stem or scenario name unless
    ``labels`` is given), a mapping ``{label: scenario}``, or, with ``vary``
    (``"KEY=V1,V2"`` or ``(key, values)``), one scenario whose variants are
    labelled ``KEY=VALUE``. ``overrides`` (``KEY=VALUE``) apply to every
    variant first. ``replications`` and ``seed`` default to the baseline's; at
    least two replications are needed for intervals. ``jobs`` and ``cluster`` say
    where the replications run (see :func:`simulator.executor.run_in_order`).
    """
    built = build_variants(variants, vary=vary, labels=labels, overrides=overrides)
    baseline = built[0].scenario
    count, root = replications_and_seed(baseline, replications, seed)
    if count < 2:
        raise ScenarioError(
            f"a comparison needs at least 2 replications for its intervals; got {count}",
            source="--replications",
            fix="give --replications 10 or more (paired intervals are "
            "narrow, but need a few pairs)",
        )
    return run_compare(built, root, count, jobs=jobs, cluster=cluster, progress=progress)


def build_variants(
    variants: Source | Sequence[Source] | Mapping[str, Source],
    *,
    vary: str | tuple[str, Sequence[Any]] | None = None,
    labels: Sequence[str] | None = None,
    overrides: Iterable[str] = (),
) -> list[Variant]:
    """The validated variants of a comparison (see :func:`compare`); at least two."""
    overrides = list(overrides)
    if vary is not None:
        if isinstance(variants, Sequence) and not isinstance(variants, str):
            if len(variants) != 1:
                raise ScenarioError(
                    f"--vary takes one scenario; got {len(variants)}",
                    source="--vary",
                    fix="give one scenario with --vary, or several scenario files without it",
                )
            variants = variants[0]
        built = vary_scenario(variants, vary, overrides=overrides, option="--vary")
    else:
        if isinstance(variants, Mapping) and not _is_raw_scenario(variants):
            labels, sources = list(variants), list(variants.values())
        elif isinstance(variants, str | Path | Scenario) or _is_raw_scenario(variants):
            sources = [variants]
        else:
            sources = list(variants)
        names = list(labels) if labels is not None else _labels(sources)
        if len(names) != len(sources):
            raise ScenarioError(
                f"{len(names)} labels for {len(sources)} variants",
                source="labels",
                fix="give one label per variant",
            )
        built = []
        for name, source in zip(names, sources, strict=True):
            raw, source_label = raw_scenario(source)
            built.append(
                Variant(
                    name,
                    apply_point(
                        raw, {}, option="--set", source_label=source_label, overrides=overrides
                    ),
                    {},
                )
            )
    if len(built) < 2:
        raise ScenarioError(
            f"a comparison needs at least two variants; got {len(built)}",
            source="compare",
            fix="give two or more scenario files, or one with "
            "--vary KEY=V1,V2 (e.g. --vary handoff.policy=handback,"
            "ownership)",
        )
    if len({variant.label for variant in built}) != len(built):
        raise ScenarioError(
            "two variants have the same label",
            source="compare",
            fix="give each variant its own label",
        )
    return built


def _is_raw_scenario(value: Any) -> bool:
    return isinstance(value, Mapping) and "streams" in value and "teams" in value


def _labels(sources: Sequence[Source]) -> list[str]:
    """File stems (or scenario names); made unique with the parent folder, then a number."""
    names = []
    for source in sources:
        if isinstance(source, Scenario):
            names.append(source.name)
        elif isinstance(source, Mapping):
            names.append(str(source.get("name", "scenario")))
        else:
            names.append(Path(source).stem)
    for index, source in enumerate(sources):
        if names.count(names[index]) > 1 and isinstance(source, str | Path):
            names[index] = f"{Path(source).parent.name}/{Path(source).stem}".lstrip("/")
    seen: dict[str, int] = {}
    for index, name in enumerate(names):
        if names.count(name) > 1:
            seen[name] = seen.get(name, 0) + 1
            names[index] = f"{name}#{seen[name]}"
    return names


def run_compare(
    variants: Sequence[Variant],
    seed: int,
    replications: int,
    *,
    jobs: int = 1,
    cluster: str | None = None,
    progress: bool = False,
) -> CompareResult:
    """Run validated variants under one seed and compute the paired differences."""
    began = time.perf_counter()

    def reduce(
        index: int, records: list[ReplicationRecord]
    ) -> tuple[list[ReplicationRecord], list[dict], dict]:
        scenario = variants[index].scenario
        trees = [replication_metrics(record, scenario) for record in records]
        return records, trees, summarise_metrics(trees, scenario, seed)

    done = run_points(
        [variant.scenario for variant in variants],
        seed,
        replications,
        reduce,
        jobs=jobs,
        cluster=cluster,
        progress=progress,
        desc="compare",
    )
    wall = time.perf_counter() - began
    results = [
        RunResult(
            variant.scenario,
            seed,
            replications,
            records,
            summary,
            wall,
            jobs,
            _replication_metrics=trees,
        )
        for variant, (records, trees, summary) in zip(variants, done, strict=True)
    ]
    metrics = [result.replication_metrics for result in results]
    differences = []
    for index in range(1, len(variants)):
        for metric in headline_metrics(variants[0].scenario, variants[index].scenario):
            base_values = [lookup(tree, metric) for tree in metrics[0]]
            values = [lookup(tree, metric) for tree in metrics[index]]
            if _nothing_to_compare(metric, base_values + values):
                continue
            sides = ((variants[0].label, metrics[0]), (variants[index].label, metrics[index]))
            differences.append(
                {
                    "metric": metric,
                    "title": row_title(metric, variants[0].scenario),
                    "variant": variants[index].label,
                    "baseline": variants[0].label,
                    **paired_difference(base_values, values),
                    "none": [label for label, trees in sides if _none_counted(metric, trees)],
                }
            )
    return CompareResult(
        [variant.label for variant in variants],
        results,
        differences,
        seed,
        replications,
        wall,
        jobs,
        {variant.label: variant.preset for variant in variants if variant.preset},
    )


def row_title(metric: str, scenario: Scenario) -> str:
    """A statistic's reader's name; a ``within_target`` share also names the target each
    of its streams is held to when the scenario's streams have different ones
    (``stream chat: FRT within target (2min)``, ``FRT within target (chat 2min, inbox
    1h)``): a share read against the wrong number is misread."""
    title = metric_title(metric)
    scope, name, field = split_metric(metric)
    key = {"frt_s.within_target": "frt", "followup_s.within_target": "followup"}.get(field)
    if key is None:
        return title
    seconds = {stream: getattr(scenario.stream_targets(stream), key) for stream in scenario.streams}
    if len({value for value in seconds.values() if value is not None}) < 2:
        return title  # one target for all streams, or none: nothing to tell apart
    if scope == "by_stream":
        streams = [name]
    elif scope == "by_team":
        streams = scenario.meant_for(str(name)) if name in scenario.teams else []
    else:
        streams = list(scenario.streams)
    judged = {stream: seconds[stream] for stream in streams if seconds.get(stream) is not None}
    if not judged:
        return title
    if len(set(judged.values())) == 1:
        return f"{title} ({format_duration(next(iter(judged.values())))})"
    named = ", ".join(f"{stream} {format_duration(value)}" for stream, value in judged.items())
    return f"{title} ({named})"


def _nothing_to_compare(metric: str, values: list[Any]) -> bool:
    """No data on either side (``within_target`` without a target), or overtime, hand-backs
    or conversations left waiting at zero throughout (the policy does not apply): such
    rows only add noise."""
    if all(v is None for v in values):
        return True
    quiet = metric.endswith(("_h", ".handbacks", ".conversations"))
    return quiet and all(v in (None, 0) for v in values)


def _none_counted(metric: str, trees: list[dict]) -> bool:
    """Whether ``metric`` is a wait of conversations (``handed_back.wait_s.p90``) of which
    this variant counted none in any replication: its value is "none", not missing."""
    if ".wait_s." not in metric:
        return False
    count = metric.split(".wait_s.")[0] + ".conversations"
    return all(lookup(tree, metric) is None and lookup(tree, count) == 0 for tree in trees)


def headline_metrics(baseline: Scenario, variant: Scenario) -> list[str]:
    """The statistics compared between two scenarios, by summary.json path
    (``overall.`` left out, as in the interface: ``frt_s.p90``)."""
    metrics = list(OVERALL_METRICS)
    streams = [name for name in baseline.streams if name in variant.streams]
    if len(set(baseline.streams) | set(variant.streams)) > 1:
        metrics += [f"by_stream.{name}.{metric}" for name in streams for metric in STREAM_METRICS]
    metrics += [
        f"by_team.{team}.{metric}"
        for team in baseline.teams
        if team in variant.teams
        for metric in TEAM_METRICS
    ]
    return metrics


# --------------------------------------------------------------------------- terminal


def policy_note(scenarios: Sequence[Scenario]) -> str | None:
    """Say which shift-end settings variants that differ only in ``handoff.policy`` kept:
    ``--vary handoff.policy=handback,ownership`` changes the name, not the intake cutoff,
    overtime limit or leftovers that give ownership its cost."""
    kept = []
    for team in scenarios[0].teams:
        handoffs = [s.team_handoff(team) for s in scenarios if team in s.teams]
        if len({h.policy for h in handoffs}) < 2:
            continue
        rest = {h.model_dump_json(exclude={"policy"}) for h in handoffs}
        if len(rest) == 1:
            h = handoffs[0]
            kept.append(
                f"team {team}: intake_cutoff {format_duration(h.intake_cutoff)}, "
                f"max_overtime {format_duration(h.max_overtime)}, leftover {h.leftover.value}"
                f"{f' in {h.continue_in}' if h.continue_in else ''}, "
                f"handback to {h.handback.to or 'its own queue'} by {h.handback.order.value}"
            )
    if not kept:
        return None
    return (
        "note: the variants differ only in handoff.policy; every one kept "
        + "; ".join(kept)
        + " (set them per variant, e.g. compare two files, to give ownership its own cutoff)"
    )


def compare_table(result: CompareResult) -> str:
    """The comparison as a terminal table: each side's mean, the difference with its
    paired 95% interval, the unpaired interval, and ``*`` where significant."""
    lines = [
        f"{len(result.variants)} variants, {result.replications} replications each, "
        f"seed {result.seed}, same customers in every variant (common random numbers)",
        "difference = variant - baseline; * = paired 95% interval excludes 0",
    ]
    for note in (preset_note(result.presets), policy_note([r.scenario for r in result.results])):
        if note:
            lines.append(note)
    table = result.table
    # as wide as the longest title (targets named per stream), within reason
    width = min(max([30, *(len(title) for title in table["title"])]), TITLE_WIDTH)
    for label in result.variants[1:]:
        rows = table[table["variant"] == label]
        lines += ["", f"{label}  vs  baseline {result.baseline}"]
        header = (
            f"  {'metric':<{width}} {'baseline':>9} {'variant':>9}  "
            f"{'difference [paired 95%]':<32} {'unpaired 95%':<22}"
        )
        lines += [header.rstrip(), "  " + "-" * (len(header) - 2)]
        for row in rows.itertuples(index=False):
            kind = metric_kind(row.metric)
            paired = _interval(row.ci95_low, row.ci95_high, kind)
            unpaired = _interval(row.unpaired_ci95_low, row.unpaired_ci95_high, kind)
            sides = (
                f"{_side(row.baseline_value, kind, row.baseline_none):>9} "
                f"{_side(row.variant_value, kind, row.variant_none):>9}"
            )
            diff = format_value(row.diff, kind, signed=True) + " " + paired
            if row.baseline_none or row.variant_none:
                diff = "none on one side"
            text = (
                f"  {_clip(row.title, width):<{width}} {sides}"
                f"  {diff:<32} {unpaired:<22}{' *' if row.significant else ''}"
            )
            lines.append(text.rstrip())
    return "\n".join(lines)


def _side(value: float, kind: str, none: bool) -> str:
    return NONE if none else format_value(value, kind)


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _interval(low: float, high: float, kind: str) -> str:
    if low is None or high is None or not (np.isfinite(low) and np.isfinite(high)):
        return "-"
    return f"[{format_value(low, kind, signed=True)}, {format_value(high, kind, signed=True)}]"


# --------------------------------------------------------------------------- files


def write_compare(
    result: CompareResult,
    out_dir: Path,
    *,
    started_at: datetime | None = None,
    command: Iterable[str] | None = None,
) -> Path:
    """Write the comparison's folder atomically (see the module docstring) and return it."""
    from simulator.analysis.compare_figures import compare_figure, save_png
    from simulator.results_writer import write_command_folder, write_json, write_scenario

    figure = compare_figure(
        result.response_times(),
        result.table,
        frt_target=result.results[0].scenario.shared_target("frt"),
        title=_figure_title(result),
    )

    def fill(folder: Path) -> None:
        write_json(result.to_dict(), folder / "compare.json")
        scenarios = folder / "scenarios"
        scenarios.mkdir()
        for index, (label, run) in enumerate(zip(result.variants, result.results, strict=True)):
            safe = re.sub(r"[^A-Za-z0-9._=-]+", "-", label).strip(".-") or "variant"
            write_scenario(
                run.scenario,
                scenarios / f"{index + 1}-{safe}.yaml",
                seed=result.seed,
                replications=result.replications,
            )
        figures = folder / "figures"
        figures.mkdir()
        save_png(figure, figures / "compare.png")

    return write_command_folder(
        out_dir,
        fill,
        kind="compare",
        scenario=None,  # one per variant, in scenarios/
        seed=result.seed,
        replications=result.replications,
        jobs=result.jobs,
        wall_time_s=result.wall_time_s,
        started_at=started_at,
        command=command,
        extra={"variants": list(result.variants)},
    )


def _figure_title(result: CompareResult) -> str:
    return (
        f"Comparison against baseline {result.baseline}: {result.replications} "
        f"replications per variant on the same customers (seed {result.seed})"
    )
