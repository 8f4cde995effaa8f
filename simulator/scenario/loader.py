"""Reading scenarios: YAML through hardened safe loading, ``--set`` overrides, and errors a
user can act on.

Every problem becomes a :class:`~simulator.errors.ScenarioError` naming the file,
the dotted field path and the fix; pydantic's messages are rewritten into that
form (with the closest valid key for a typo).
"""

from __future__ import annotations

import copy
import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from simulator.errors import ScenarioError
from simulator.scenario.references import check_references, closest_hint
from simulator.scenario.safe_yaml import MAX_DEPTH, load_yaml
from simulator.scenario.schema import Scenario

MAX_ERRORS_SHOWN = 8
MAX_FILE_BYTES = 10_000_000
"""Larger is not a scenario (shipped ones are a few kilobytes): refused before parsing."""


def load_scenario(
    source: str | Path | Mapping[str, Any], overrides: Iterable[str] = ()
) -> Scenario:
    """A validated :class:`Scenario` from a YAML file or a dict, after ``KEY=VALUE``
    overrides; raises :class:`ScenarioError` for anything a user must fix."""
    if isinstance(source, Mapping):
        label = "scenario"
        raw: Any = _deep_copy(source)
    else:
        label = str(source)
        raw = anchor_files(read_yaml(Path(source)), Path(source).parent)
    if not isinstance(raw, dict):
        raise ScenarioError(
            "the file must hold a mapping of keys (name, horizon, streams, teams, ...)",
            source=label,
            fix="start the file with 'name: my-scenario'",
        )
    return validate_with_overrides(raw, label, overrides)


def validate_with_overrides(raw: dict[str, Any], label: str, overrides: Iterable[str]) -> Scenario:
    """``raw`` after the ``--set`` overrides, validated; a problem an override causes
    names ``--set KEY=VALUE``, not the file (``raw`` itself is left unchanged)."""
    changed = copy.deepcopy(raw)
    blame = {apply_override(changed, override): f"--set {override}" for override in overrides}
    try:
        return validate(changed, label, blame)
    except ScenarioError as error:
        if error.source != label or not blame:
            raise
        try:  # not under an overridden key: still the overrides' doing if the file is valid
            validate(raw, label)
        except ScenarioError:
            raise error from None
        raise error.with_source(" and ".join(blame.values())) from None


def read_yaml(path: Path) -> Any:
    """Parsed YAML (hardened safe loading); a missing file or bad syntax is a ScenarioError."""
    if not path.exists():
        raise ScenarioError(
            "no such file",
            source=str(path),
            fix="check the path, or name a shipped scenario (staffsim scenarios lists them)",
        )
    if path.is_dir():
        raise ScenarioError(
            "this is a folder, not a scenario file", source=str(path), fix="name a .yaml file"
        )
    if not path.is_file():
        raise ScenarioError(
            "this is not a regular file (a device or a pipe)",
            source=str(path),
            fix="name a .yaml file",
        )
    try:
        with path.open("rb") as file:
            data = file.read(MAX_FILE_BYTES + 1)
        text = data.decode("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ScenarioError(f"cannot read the file ({error})", source=str(path)) from None
    if len(data) > MAX_FILE_BYTES:
        raise ScenarioError(
            f"the file is larger than {MAX_FILE_BYTES // 1_000_000} MB",
            source=str(path),
            fix="a scenario is a few kilobytes: check that this is the right file",
        )
    try:
        return load_yaml(text, str(path))
    except yaml.YAMLError as error:
        raise _malformed(error, str(path)) from None


def anchor_files(raw: Any, folder: Path) -> Any:
    """``raw`` with the CSV files it names (``teams.*.staffing.file``,
    ``streams.*.arrivals.trace``) made absolute from ``folder``, the scenario
    file's: a relative name means beside the scenario, wherever it is run from,
    and the resolved ``scenario.yaml`` of a run then finds them too."""
    if not isinstance(raw, dict):
        return raw
    for block, key, name in (("teams", "staffing", "file"), ("streams", "arrivals", "trace")):
        entries = raw.get(block)
        for entry in entries.values() if isinstance(entries, dict) else ():
            inner = entry.get(key) if isinstance(entry, dict) else None
            if isinstance(inner, dict) and isinstance(inner.get(name), str):
                inner[name] = os.path.abspath(folder / inner[name])
    return raw


def _malformed(error: yaml.YAMLError, source: str) -> ScenarioError:
    """A syntax error, located where the user can see the mistake."""
    mark = getattr(error, "problem_mark", None)
    where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
    problem = getattr(error, "problem", None) or str(error)
    context, start = getattr(error, "context", None), getattr(error, "context_mark", None)
    if context and start and mark and start.line != mark.line:
        # The mistake is often where the unclosed block began, not where it was noticed.
        problem += f" ({context} that began at line {start.line + 1}, column {start.column + 1})"
    return ScenarioError(
        f"malformed YAML{where}: {problem}",
        source=source,
        fix="check indentation, closing brackets and quotes, and that every "
        "'key: value' pair has a space after the colon",
    )


def apply_override(raw: dict[str, Any], override: str) -> str:
    """Apply one ``dotted.path=value`` in place and return the path; the value is
    parsed as YAML (hardened safe loading, never eval). A number in the path indexes
    a list, and a roster or backup entry's ``label`` names it:
    ``teams.support.roster.0.agents=3``, ``teams.support.roster.emea.agents=3``."""
    source = f"--set {override}"
    if "=" not in override:
        raise ScenarioError(
            f"'{override}' is not KEY=VALUE",
            source="--set",
            fix="write e.g. --set teams.support.agents=6",
        )
    key, text = override.split("=", 1)
    key = key.strip()
    parts = key.split(".")
    if not all(parts) or len(parts) > MAX_DEPTH:
        raise ScenarioError(
            f"'{key}' is not a dotted key path",
            source=source,
            fix="write e.g. --set handoff.policy=ownership",
        )
    try:
        value = load_yaml(text, source) if text.strip() else ""
    except yaml.YAMLError:
        value = text  # not YAML: the text itself, e.g. a name holding ': '
    node: Any = raw
    for depth, part in enumerate(parts):
        index: str | int = part
        if isinstance(node, list):
            index = _list_index(node, part, ".".join(parts[:depth]), source, key)
        elif not isinstance(node, dict):
            raise ScenarioError(
                f"'{'.'.join(parts[:depth])}' is a value, not a block",
                source=source,
                path=key,
                fix="set the value itself, not a key inside it",
            )
        if depth == len(parts) - 1:
            node[index] = value
        else:
            if isinstance(node, dict) and node.get(index) is None:
                node[index] = {}
            node = node[index]
    return key


def _list_index(entries: list[Any], part: str, where: str, source: str, key: str) -> int:
    """The position ``part`` names in a list: a number from 0, or an entry's ``label``
    (a number is a position first, as in every YAML path tool)."""
    if re.fullmatch(r"[0-9]{1,9}", part) and int(part) < len(entries):
        return int(part)
    labels = [
        str(entry["label"]) if isinstance(entry, dict) and "label" in entry else None
        for entry in entries
    ]
    if part in labels:
        return labels.index(part)
    named = [label for label in labels if label is not None]
    numbers = (
        f"number its entries from 0 to {len(entries) - 1}" if entries else "set the whole list"
    )
    by_label = f", or name one by its label: {', '.join(named)}" if named else ""
    raise ScenarioError(
        f"'{where}' is a list of {len(entries)} entries, with no entry '{part}'",
        source=source,
        path=key,
        fix=closest_hint(part, named) + numbers + by_label,
    )


def validate(raw: dict[str, Any], label: str, blame: Mapping[str, str] | None = None) -> Scenario:
    """Validate a parsed scenario and its cross-references; ``blame`` maps overridden
    key paths to the option that set them, which problems under them name."""
    blame = blame or {}
    try:
        scenario = Scenario.model_validate(raw)
    except ValidationError as error:
        raise rewrite_errors(error, label, blame=blame) from None
    try:
        check_references(scenario, label)
    except ScenarioError as error:
        raise error.with_source(_source(error.path, label, blame)) from None
    return scenario


def _source(path: str | None, label: str, blame: Mapping[str, str]) -> str:
    """The option that set ``path`` (or a block above it), else ``label``."""
    keys = [key for key in blame if path and (path == key or path.startswith(key + "."))]
    return blame[max(keys, key=len)] if keys else label


def rewrite_errors(
    error: ValidationError,
    label: str,
    model: type[BaseModel] = Scenario,
    blame: Mapping[str, str] | None = None,
) -> ScenarioError:
    """One ScenarioError for pydantic's errors (of ``model``, a scenario unless
    said), each as path, message and fix, blamed on the option that set the field
    (``blame``: dotted path to ``--set KEY=VALUE``) or else on ``label``."""
    blame = blame or {}
    problems = [_describe(item, model) for item in _one_per_field(error.errors())]
    sources = list(dict.fromkeys(_source(path, label, blame) for path, _, _ in problems))
    if len(problems) == 1:
        path, message, fix = problems[0]
        return ScenarioError(message, source=sources[0], path=path or None, fix=fix)
    lines = [f"{len(problems)} problems:"]
    for path, message, fix in problems[:MAX_ERRORS_SHOWN]:
        lines.append(f"  '{path}': {message}" + (f"\n      fix: {fix}" if fix else ""))
    if len(problems) > MAX_ERRORS_SHOWN:
        lines.append(f"  ... and {len(problems) - MAX_ERRORS_SHOWN} more")
    return ScenarioError("\n".join(lines), source=" and ".join(sources))


_UNION_MEMBER = re.compile(r"^[A-Za-z][\w-]*\[.*\]$|^[A-Z][A-Za-z]*$")
"""How pydantic names the member of a union it tried (``list[...]``, ``function-after[...]``,
``StartRange``) in an error's location: not a key the user wrote."""


def _one_per_field(items: list[Any]) -> list[Any]:
    """pydantic's errors with union members left out of their locations, one per field:
    a value that fits no member of ``A | B`` gives an error per member, and the one
    that says more than "wrong type" is the one to show."""
    chosen: dict[tuple[Any, ...], Any] = {}
    for item in items:
        loc = tuple(
            part
            for part in item["loc"]
            if not (isinstance(part, str) and _UNION_MEMBER.match(part))
        )
        item = {**item, "loc": loc}
        held = chosen.get(loc)
        if held is None or (held["type"].endswith("_type") and not item["type"].endswith("_type")):
            chosen[loc] = item
    return list(chosen.values())


def _describe(item: Any, model: type[BaseModel]) -> tuple[str, str, str | None]:
    """(path, message, fix) for one pydantic error."""
    path = ".".join(_short(str(part)) for part in item["loc"])
    kind = item["type"]
    message = str(item["msg"])
    if message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    if message.startswith("Assertion failed, "):
        message = message[len("Assertion failed, ") :]
    loc = item["loc"]
    if kind == "extra_forbidden":
        key = str(loc[-1])
        valid = _valid_keys(loc[:-1], model)
        hint = closest_hint(key, valid)
        return (
            path,
            f"unknown key '{_short(key)}'",
            (hint + f"valid keys here: {', '.join(valid)}" if valid else "remove it"),
        )
    if kind == "missing":
        return path, "this field is required", f"add '{loc[-1]}' here"
    if "; fix: " in message:
        message, fix = message.split("; fix: ", 1)
        return path, message, fix
    value = item.get("input")
    shown = f" (got {_short(repr(value))})" if not isinstance(value, dict | list) else ""
    fixes = {
        "greater_than": "use a positive value",
        "greater_than_equal": f"use a value of at least {item.get('ctx', {}).get('ge')}",
        "less_than_equal": f"use a value of at most {item.get('ctx', {}).get('le')}",
        "less_than": f"use a value below {item.get('ctx', {}).get('lt')}",
        "enum": f"use one of {item.get('ctx', {}).get('expected', '')}",
        "finite_number": "write an ordinary number (not .inf, .nan or beyond 1e308)",
    }
    return path, message + shown, fixes.get(kind)


def _short(text: str, limit: int = 60) -> str:
    """``text`` cut to ``limit`` characters for a message: a key or value may be huge."""
    return text if len(text) <= limit else f"{text[: limit - 20]}...({len(text):,} characters)"


def _valid_keys(loc: tuple[Any, ...], top: type[BaseModel]) -> list[str]:
    """Field names allowed at ``loc`` (a path into the raw document of ``top``)."""
    model: type[BaseModel] | None = top
    for part in loc:
        if model is None:
            return []
        field = model.model_fields.get(str(part))
        if field is None:
            continue  # a mapping key such as a stream or team name, or a list index
        model = _model_of(field.annotation)
    return sorted(model.model_fields) if model else []


def _model_of(annotation: Any) -> type[BaseModel] | None:
    """The pydantic model inside an annotation such as ``dict[str, Stream] | None``."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _model_of(arg)
        if found is not None:
            return found
    origin = getattr(annotation, "__origin__", None)
    if origin is not None and origin is not annotation:
        return _model_of(origin)
    return None


def _deep_copy(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _deep_copy(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_deep_copy(v) for v in value]
    return value
