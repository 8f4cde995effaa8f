"""Reading scenarios: YAML through ``safe_load``, ``--set`` overrides, and errors a
user can act on.

Every problem becomes a :class:`~simulator.errors.ScenarioError` naming the file,
the dotted field path and the fix; pydantic's messages are rewritten into that
form (with the closest valid key for a typo).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from simulator.errors import ScenarioError
from simulator.scenario.references import check_references, closest_hint
from simulator.scenario.schema import Scenario

MAX_ERRORS_SHOWN = 8


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
        raw = read_yaml(Path(source))
    if not isinstance(raw, dict):
        raise ScenarioError(
            "the file must hold a mapping of keys (name, horizon, streams, teams, ...)",
            source=label,
            fix="start the file with 'name: my-scenario'",
        )
    for override in overrides:
        apply_override(raw, override)
    return validate(raw, label)


def read_yaml(path: Path) -> Any:
    """Parsed YAML (safe_load only); a missing file or bad syntax is a ScenarioError."""
    if not path.exists():
        raise ScenarioError(
            "no such file",
            source=str(path),
            fix="check the path; shipped scenarios are in scenarios/",
        )
    if path.is_dir():
        raise ScenarioError(
            "this is a folder, not a scenario file", source=str(path), fix="name a .yaml file"
        )
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ScenarioError(f"cannot read the file ({error})", source=str(path)) from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(error, "problem", None) or str(error)
        context, start = getattr(error, "context", None), getattr(error, "context_mark", None)
        if context and start and mark and start.line != mark.line:
            # The mistake is often where the unclosed block began, not where it was noticed.
            problem += (
                f" ({context} that began at line {start.line + 1}, column {start.column + 1})"
            )
        raise ScenarioError(
            f"malformed YAML{where}: {problem}",
            source=str(path),
            fix="check indentation, closing brackets and quotes, and that every "
            "'key: value' pair has a space after the colon",
        ) from None


def apply_override(raw: dict[str, Any], override: str) -> None:
    """Apply one ``dotted.path=value`` in place; the value is parsed as YAML (never eval)."""
    if "=" not in override:
        raise ScenarioError(
            f"'{override}' is not KEY=VALUE",
            source="--set",
            fix="write e.g. --set teams.support.agents=6",
        )
    key, text = override.split("=", 1)
    parts = [p for p in key.strip().split(".")]
    if not all(parts):
        raise ScenarioError(
            f"'{key}' is not a dotted key path",
            source="--set",
            fix="write e.g. --set handoff.policy=ownership",
        )
    try:
        value = yaml.safe_load(text) if text.strip() else ""
    except yaml.YAMLError:
        value = text
    node: Any = raw
    for depth, part in enumerate(parts[:-1]):
        child = node.get(part) if isinstance(node, dict) else None
        if child is None:
            child = {}
            node[part] = child
        if not isinstance(child, dict):
            raise ScenarioError(
                f"'{'.'.join(parts[: depth + 1])}' is a value, not a block",
                source="--set",
                path=key,
                fix="set the value itself, not a key inside it",
            )
        node = child
    node[parts[-1]] = value


def validate(raw: dict[str, Any], label: str) -> Scenario:
    """Validate a parsed scenario and its cross-references."""
    try:
        scenario = Scenario.model_validate(raw)
    except ValidationError as error:
        raise rewrite_errors(error, raw, label) from None
    check_references(scenario, label)
    return scenario


def rewrite_errors(
    error: ValidationError, raw: Any, label: str, model: type[BaseModel] = Scenario
) -> ScenarioError:
    """One ScenarioError for pydantic's errors (of ``model``, a scenario unless
    said), each as path, message and fix."""
    problems = [_describe(item, raw, model) for item in error.errors()]
    if len(problems) == 1:
        path, message, fix = problems[0]
        return ScenarioError(message, source=label, path=path or None, fix=fix)
    lines = [f"{len(problems)} problems:"]
    for path, message, fix in problems[:MAX_ERRORS_SHOWN]:
        lines.append(f"  '{path}': {message}" + (f"\n      fix: {fix}" if fix else ""))
    if len(problems) > MAX_ERRORS_SHOWN:
        lines.append(f"  ... and {len(problems) - MAX_ERRORS_SHOWN} more")
    return ScenarioError("\n".join(lines), source=label)


def _describe(item: Any, raw: Any, model: type[BaseModel]) -> tuple[str, str, str | None]:
    """(path, message, fix) for one pydantic error."""
    path = ".".join(str(part) for part in item["loc"])
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
            f"unknown key '{key}'",
            (hint + f"valid keys here: {', '.join(valid)}" if valid else "remove it"),
        )
    if kind == "missing":
        return path, "this field is required", f"add '{loc[-1]}' here"
    if "; fix: " in message:
        message, fix = message.split("; fix: ", 1)
        return path, message, fix
    value = item.get("input")
    shown = f" (got {value!r})" if not isinstance(value, dict | list) else ""
    fixes = {
        "greater_than": "use a positive value",
        "greater_than_equal": f"use a value of at least {item.get('ctx', {}).get('ge')}",
        "less_than_equal": f"use a value of at most {item.get('ctx', {}).get('le')}",
        "less_than": f"use a value below {item.get('ctx', {}).get('lt')}",
        "enum": f"use one of {item.get('ctx', {}).get('expected', '')}",
    }
    return path, message + shown, fixes.get(kind)


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
