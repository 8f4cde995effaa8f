"""Variants of a scenario: ``--vary`` for ``compare`` and ``--grid`` for ``sweep``.

A *variant* is a scenario with some values changed by dotted key
(``teams.support.agents=5``, ``handoff.policy=ownership``); its *label* says
which, e.g. ``handoff.policy=ownership``. A *grid* is the cartesian product of
several keys' values; each of its *points* is one variant.

Values on the command line are written ``KEY=V1,V2,...``. Each value is parsed
as YAML (hardened safe loading, never ``eval``), exactly like ``--set``; commas
inside brackets or quotes do not split (``efficiency=[1.0,0.8],[1.0,0.9]``).
Whole-number ranges are written ``START..END`` (both ends included) or
``START..END..STEP``: ``4..12..2`` is 4, 6, 8, 10, 12.

Every variant is applied to the raw scenario (after ``--set``) with the
loader's own override code and validated before anything runs, so a bad value
is refused up front with a :class:`~simulator.errors.ScenarioError` naming the
option, the key and the fix. The scenario itself (after ``--set``) is checked
first, so a mistake there is blamed on the file or ``--set``, not on a variant.

A variant that changes a shift-end policy (``handoff.policy=ownership``, or a
team's ``teams.NAME.handoff.policy``) also takes that policy's own settings from
:data:`POLICY_PRESETS` for every key of the preset that neither the scenario (after
``--set``) nor the variant sets: otherwise ``--vary handoff.policy=handback,ownership``
would give ownership handback's defaults (no intake cutoff) and compare a policy
nobody runs. :func:`preset_note` says which values were applied.
"""

from __future__ import annotations

import copy
import itertools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from simulator.errors import ScenarioError
from simulator.scenario.loader import (
    anchor_files,
    apply_override,
    load_scenario,
    read_yaml,
    validate_with_overrides,
)
from simulator.scenario.references import closest_hint
from simulator.scenario.safe_yaml import load_yaml
from simulator.scenario.schema import Scenario

_RANGE = re.compile(r"^(-?\d+)\.\.(-?\d+)(?:\.\.(-?\d+))?$")
MAX_RANGE = 10_000
"""The most values one range may expand to (a typo like ``1..100000`` is refused)."""

POLICY_PRESETS: dict[str, dict[str, str]] = {
    "handback": {},
    "ownership": {"intake_cutoff": "15min", "max_overtime": "1h", "leftover": "wait_for_owner"},
}
"""A shift-end policy's own settings (keys of the ``handoff`` block), applied when a
variant changes ``handoff.policy`` and the scenario leaves them unset. Ownership: no
new chats in the last quarter hour, up to an hour of overtime, and what is still
open then waits for its owner ("what you take on your shift is yours to finish");
handback reads none of these. Documented in docs/modelling-guide.md."""

_NAMED_BLOCKS = {"teams": "team", "streams": "stream"}
"""Top-level blocks whose keys are names the user chose: a name that is not
there is a typo, not a new team or stream."""


@dataclass(frozen=True)
class Variant:
    """One scenario to run: its label, the values changed, and the validated scenario."""

    label: str
    scenario: Scenario
    point: dict[str, Any]
    """The changed values by dotted key (empty for a scenario file as it stands)."""
    preset: dict[str, str] = field(default_factory=dict)
    """Values :data:`POLICY_PRESETS` added to ``point``, by dotted key."""


# --------------------------------------------------------------------------- parsing


def yaml_text(value: Any) -> str:
    """``value`` written as one line of YAML that ``yaml.safe_load`` reads back."""
    text = yaml.safe_dump(value, default_flow_style=True, width=10**9, allow_unicode=True)
    return text.removesuffix("\n").removesuffix("\n...").strip()


def value_label(value: Any) -> str:
    """A value as it reads in a label: strings bare, everything else as YAML."""
    return value if isinstance(value, str) else yaml_text(value)


def point_label(point: Mapping[str, Any]) -> str:
    """``key=value`` pairs joined by commas: ``teams.support.agents=5, handoff.policy=x``."""
    return ", ".join(f"{key}={value_label(value)}" for key, value in point.items())


def parse_spec(spec: str, option: str = "--vary") -> tuple[str, list[Any]]:
    """``KEY=V1,V2,...`` (with ``START..END[..STEP]`` ranges) as the key and its values.

    ``option`` (``--vary`` or ``--grid``) names the source in error messages.
    """
    source = f"{option} {spec}"
    example = (
        f"{option} teams.support.agents=4..8"
        if option == "--grid"
        else (f"{option} handoff.policy=handback,ownership")
    )
    if "=" not in spec:
        raise ScenarioError(
            f"'{spec}' is not KEY=V1,V2,...", source=source, fix=f"write e.g. {example}"
        )
    key, text = (part.strip() for part in spec.split("=", 1))
    if not key or not all(key.split(".")):
        raise ScenarioError(
            f"'{key}' is not a dotted key path", source=source, fix=f"write e.g. {example}"
        )
    tokens = _split(text)
    if not tokens or any(not token for token in tokens):
        problem = f"an empty value in '{text}'" if tokens else f"no value after '{key}='"
        raise ScenarioError(
            problem, source=source, fix=f"list values separated by commas, e.g. {example}"
        )
    values: list[Any] = []
    for token in tokens:
        if ".." in token and not token.startswith(("[", "{", "'", '"')):
            values += _expand_range(token, key, source)
        else:
            values.append(_parse_value(token, key, source))
    seen: list[Any] = []
    for value in values:
        # 1 == True in Python: a boolean is not a repeat of 1, and is refused later.
        if any(value == v and isinstance(value, bool) == isinstance(v, bool) for v in seen):
            raise ScenarioError(
                f"the value {value_label(value)} is listed twice for '{key}'",
                source=source,
                fix="list each value once",
            )
        seen.append(value)
    return key, values


def _split(text: str) -> list[str]:
    """Split on commas outside brackets, braces and quotes; tokens are stripped."""
    tokens, current, depth, quote = [], [], 0, ""
    for char in text:
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char in "[{":
            depth += 1
        elif char in "]}":
            depth -= 1
        elif char == "," and depth == 0:
            tokens.append("".join(current).strip())
            current = []
            continue
        current.append(char)
    if text.strip() or tokens:
        tokens.append("".join(current).strip())
    return tokens


def _parse_value(token: str, key: str, source: str) -> Any:
    try:
        return load_yaml(token, source)
    except yaml.YAMLError:
        raise ScenarioError(
            f"cannot read the value '{token}' for '{key}'",
            source=source,
            fix="write plain YAML values; quote strings that hold commas or colons",
        ) from None


def _expand_range(token: str, key: str, source: str) -> list[int]:
    fix = "write START..END or START..END..STEP with whole numbers, e.g. 4..12 or 4..12..2"
    match = _RANGE.match(token)
    if match is None:
        raise ScenarioError(
            f"'{token}' is not a range of whole numbers (for '{key}')", source=source, fix=fix
        )
    if max(len(part or "") for part in match.groups()) > 9:  # int() stops at 4,300 digits
        raise ScenarioError(
            f"the numbers in the range '{token[:40]}' are too large", source=source, fix=fix
        )
    start, end = int(match[1]), int(match[2])
    step = int(match[3]) if match[3] is not None else 1
    if step <= 0:
        raise ScenarioError(f"the step of '{token}' must be positive", source=source, fix=fix)
    if end < start:
        raise ScenarioError(
            f"the range '{token}' is empty (it ends before it starts)",
            source=source,
            fix=f"write it upwards: {end}..{start}",
        )
    if (end - start) // step + 1 > MAX_RANGE:
        raise ScenarioError(
            f"the range '{token}' has more than {MAX_RANGE:,} values",
            source=source,
            fix="use a larger step or a shorter range",
        )
    return list(range(start, end + 1, step))


def parse_grid(specs: Iterable[str], option: str = "--grid") -> dict[str, list[Any]]:
    """Several ``KEY=V1,V2`` specs as ``{key: values}``, in the order given."""
    grid: dict[str, list[Any]] = {}
    for spec in specs:
        key, values = parse_spec(spec, option)
        if key in grid:
            raise ScenarioError(
                f"'{key}' is given twice",
                source=f"{option} {spec}",
                fix=f"list all of its values in one {option} {key}=V1,V2,...",
            )
        grid[key] = values
    return grid


def grid_points(grid: Mapping[str, Sequence[Any]]) -> list[dict[str, Any]]:
    """The cartesian product of ``grid``, the first key varying slowest."""
    keys = list(grid)
    return [
        dict(zip(keys, combo, strict=True))
        for combo in itertools.product(*(grid[key] for key in keys))
    ]


# --------------------------------------------------------------------------- applying


def raw_scenario(source: str | Path | Mapping[str, Any] | Scenario) -> tuple[dict[str, Any], str]:
    """The raw (YAML-shaped) scenario of a file, dict or :class:`Scenario`, and its label."""
    if isinstance(source, Scenario):
        from simulator.scenario.resolved import resolved_scenario

        return resolved_scenario(source), source.name
    if isinstance(source, Mapping):
        return copy.deepcopy(dict(source)), str(source.get("name", "scenario"))
    raw = anchor_files(read_yaml(Path(source)), Path(source).parent)
    if not isinstance(raw, dict):
        load_scenario(source)  # raises the loader's own message for a non-mapping file
    return raw, str(source)


def apply_point(
    raw: Mapping[str, Any],
    point: Mapping[str, Any],
    *,
    option: str,
    source_label: str,
    overrides: Iterable[str] = (),
) -> Scenario:
    """``raw`` after ``overrides`` (``--set``) and then ``point``, validated.

    A value the scenario refuses raises a :class:`ScenarioError` that names
    ``option``, the key and the value, with the loader's reason and fix.
    """
    if not point:
        return validate_with_overrides(dict(raw), source_label, overrides)
    before_point = with_overrides(raw, overrides)
    changed = copy.deepcopy(before_point)
    source = f"{option} {_spec(point)}"
    try:
        for key, value in point.items():
            _check_names(before_point, key, option, value)
            apply_override(changed, f"{key}={yaml_text(value)}")
        for key, value in policy_preset(before_point, point).items():
            apply_override(changed, f"{key}={value}")
    except ScenarioError as error:
        if not (error.source or "").startswith("--set"):
            raise
        raise ScenarioError(error.message, source=source, path=error.path, fix=error.fix) from None
    try:
        return load_scenario(changed)
    except ScenarioError as error:
        raise ScenarioError(
            f"this makes {source_label} invalid: {error.message}",
            source=source,
            path=error.path,
            fix=error.fix or f"choose values of {', '.join(point)} that the scenario accepts",
        ) from None


def with_overrides(raw: Mapping[str, Any], overrides: Iterable[str]) -> dict[str, Any]:
    """A copy of ``raw`` after ``--set`` overrides (whose errors name ``--set``)."""
    changed = copy.deepcopy(dict(raw))
    for override in overrides:
        apply_override(changed, override)
    return changed


def policy_preset(raw: Mapping[str, Any], point: Mapping[str, Any]) -> dict[str, str]:
    """What :data:`POLICY_PRESETS` adds to ``point`` over ``raw`` (after ``--set``): for
    each ``...handoff.policy`` the point sets, the preset's keys that neither ``raw``'s
    handoff block nor the point sets, by dotted key."""
    added: dict[str, str] = {}
    for key, value in point.items():
        parts = key.split(".")
        if parts[-2:-1] != ["handoff"] or parts[-1] != "policy" or not isinstance(value, str):
            continue
        block: Any = raw
        for part in parts[:-1]:
            block = block.get(part) if isinstance(block, Mapping) else None
        for name, setting in POLICY_PRESETS.get(value, {}).items():
            dotted = ".".join([*parts[:-1], name])
            if dotted not in point and not (isinstance(block, Mapping) and name in block):
                added[dotted] = setting
    return added


def preset_note(presets: Mapping[str, Mapping[str, str]]) -> str | None:
    """One line saying which :data:`POLICY_PRESETS` values each variant (by label) took."""
    applied = [f"{label} also set {point_label(preset)}" for label, preset in presets.items()]
    if not applied:
        return None
    return (
        "policy preset applied (POLICY_PRESETS, docs/modelling-guide.md): "
        + "; ".join(applied)
        + " (values the scenario or --set gives are kept; set them to override)"
    )


def _spec(point: Mapping[str, Any]) -> str:
    return point_label(point) if point else "(no change)"


def _check_names(raw: Mapping[str, Any], key: str, option: str, value: Any) -> None:
    """A team or stream name in ``key`` must exist: a typo would otherwise make a new one."""
    parts = key.split(".")
    kind = _NAMED_BLOCKS.get(parts[0])
    block = raw.get(parts[0])
    if kind is None or len(parts) < 3 or not isinstance(block, Mapping):
        return
    if parts[1] not in block:
        names = [str(name) for name in block]
        raise ScenarioError(
            f"there is no {kind} '{parts[1]}'",
            source=f"{option} {key}={value_label(value)}",
            path=key,
            fix=closest_hint(parts[1], names) + f"{kind}s are: {', '.join(names)}",
        )


# --------------------------------------------------------------------------- variants


def vary(
    source: str | Path | Mapping[str, Any] | Scenario,
    spec: str | tuple[str, Sequence[Any]],
    *,
    overrides: Iterable[str] = (),
    option: str = "--vary",
) -> list[Variant]:
    """One variant per value of ``spec`` (``"KEY=V1,V2"`` or ``(key, values)``): a grid
    of one key (:func:`grid_variants`)."""
    grid = [spec] if isinstance(spec, str) else {spec[0]: spec[1]}
    return grid_variants(source, grid, overrides=overrides, option=option)[2]


def grid_variants(
    source: str | Path | Mapping[str, Any] | Scenario,
    grid: Mapping[str, Sequence[Any]] | Iterable[str],
    *,
    overrides: Iterable[str] = (),
    option: str = "--grid",
) -> tuple[dict[str, list[Any]], Scenario, list[Variant]]:
    """The grid (parsed when given as ``KEY=V1,V2`` strings), the base scenario (after
    ``overrides``) and one variant per point; ``option`` names the source of errors."""
    parsed = (
        dict((str(k), list(v)) for k, v in grid.items())
        if isinstance(grid, Mapping)
        else parse_grid(grid, option)
    )
    if not parsed:
        raise ScenarioError(
            "no grid to sweep", source=option, fix=f"give at least one {option} KEY=V1,V2,..."
        )
    raw, source_label = raw_scenario(source)
    overrides = list(overrides)
    base = apply_point(raw, {}, option=option, source_label=source_label, overrides=overrides)
    before = with_overrides(raw, overrides)
    variants = [
        Variant(
            point_label(point),
            apply_point(raw, point, option=option, source_label=source_label, overrides=overrides),
            point,
            policy_preset(before, point),
        )
        for point in grid_points(parsed)
    ]
    return parsed, base, variants
