"""Fuzzing the command line with broken shipped scenarios: whatever a file says,
``staffsim run`` ends with exit 0 or 2, never a traceback; on 2 it writes nothing,
on 0 every arrival is accounted for.

Each example starts from a shipped scenario cut to one day and one replication
(so that the examples that do run finish in well under a second) and breaks it
in a few ways at once: keys deleted, duplicated or renamed, values of the wrong
type or at extremes, YAML tags, anchors and alias bombs, deep nesting, unicode
and terminal escape codes. ``--max-conversations`` keeps a mutation that asks
for a huge run from taking the suite's time: it must be refused, which is one of
the things checked.
"""

from __future__ import annotations

import copy
import json
import re
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from simulator.cli import cli

SCENARIOS = sorted((Path(__file__).resolve().parents[2] / "scenarios").glob("*.yaml"))
MAX_CONVERSATIONS = "20000"

WRONG_VALUES: list[Any] = [
    None,
    True,
    False,
    "",
    "yes",
    "9",
    "1e400min",
    "-5min",
    "99999999w",
    "nan s",
    0,
    -1,
    10**30,
    1e308,
    float("inf"),
    float("-inf"),
    float("nan"),
    [],
    [1, 2],
    {},
    {"dist": "lognormal"},
    "\x1b[31mred\x1b[0m",
    "名前",
    "\u202eevil",
]
NAMES = ["\x1b[2J", "é" * 300, "a/b", "..", "名前", "x" * 5000, "", "null", "1"]
TEXT_INJECTIONS = [
    "!!python/object/apply:os.system ['echo pwned']",
    "!!python/name:os.system",
    "!custom value",
    "!!binary aGVsbG8=",
    "!!timestamp 2026-01-01",
    "*undefined_alias",
    "&anchor 5",
    "9:00",
    ".inf",
    "1e400",
]
BOMB = "\n".join(
    ["bomb_0: &b0 [x, x, x, x, x, x, x, x, x, x]"]
    + [f"bomb_{i}: &b{i} [{', '.join([f'*b{i - 1}'] * 10)}]" for i in range(1, 9)]
)


def _baseline(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data.update(horizon="1d", warmup="0s", replications=1, seed=1)
    return data


BASELINES = [_baseline(path) for path in SCENARIOS]


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every key path in a parsed scenario (mapping keys and list indices)."""
    found: list[tuple[Any, ...]] = []
    items = (
        node.items()
        if isinstance(node, dict)
        else enumerate(node)
        if isinstance(node, list)
        else ()
    )
    for key, child in items:
        found.append((*prefix, key))
        found += _paths(child, (*prefix, key))
    return found


def _parent(data: dict[str, Any], path: tuple[Any, ...]) -> Any:
    node: Any = data
    for key in path[:-1]:
        node = node[key]
    return node


@st.composite
def broken_scenarios(draw: st.DrawFn) -> str:
    """The text of a shipped scenario broken in up to three ways (and sometimes in its
    text alone, or not at all, so that runs that must succeed are tried too)."""
    data = copy.deepcopy(draw(st.sampled_from(BASELINES)))
    for _ in range(draw(st.sampled_from([0, 0, 1, 1, 2, 3]))):
        paths = _paths(data)
        path = draw(st.sampled_from(paths))
        parent = _parent(data, path)
        action = draw(st.sampled_from(["delete", "retype", "rename", "wrap"]))
        if action == "delete":
            del parent[path[-1]]
        elif action == "retype":
            parent[path[-1]] = draw(st.sampled_from(WRONG_VALUES))
        elif action == "rename" and isinstance(parent, dict):
            parent[draw(st.sampled_from(NAMES))] = parent.pop(path[-1])
        else:
            parent[path[-1]] = [parent[path[-1]]]
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    return draw(_text_mutations(text))


@st.composite
def _text_mutations(draw: st.DrawFn, text: str) -> str:
    """Breakage that only the file's text can carry: duplicate keys, tags, aliases,
    nesting."""
    lines = text.splitlines()
    keyed = [i for i, line in enumerate(lines) if re.match(r"^\s*[^\s#-][^:]*:", line)]
    action = draw(
        st.sampled_from(["none", "none", "none", "duplicate", "inject", "bomb", "nest", "anchor"])
    )
    if action == "duplicate" and keyed:
        i = draw(st.sampled_from(keyed))
        lines.insert(i + 1, lines[i])
    elif action == "inject" and keyed:
        i = draw(st.sampled_from(keyed))
        key = lines[i].split(":", 1)[0]
        lines[i] = f"{key}: {draw(st.sampled_from(TEXT_INJECTIONS))}"
    elif action == "bomb":
        lines = BOMB.splitlines() + lines
    elif action == "nest":
        depth = draw(st.sampled_from([100, 5000, 20000]))
        lines.append("deep: " + "[" * depth + "]" * depth)
    elif action == "anchor" and keyed:
        # A legitimate anchor and alias: the anchored value reused elsewhere.
        i, j = sorted(draw(st.lists(st.sampled_from(keyed), min_size=2, max_size=2)))
        key_i, value_i = lines[i].split(":", 1)
        if value_i.strip():
            lines[i] = f"{key_i}: &shared {value_i.strip()}"
            lines[j] = lines[j].split(":", 1)[0] + ": *shared"
    return "\n".join(lines) + "\n"


@pytest.mark.slow
@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(text=broken_scenarios())
def test_a_broken_scenario_runs_or_is_refused_cleanly(text: str, tmp_path: Path) -> None:
    case = Path(tempfile.mkdtemp(dir=tmp_path, prefix="case-"))
    scenario = case / "scenario.yaml"
    scenario.write_text(text, encoding="utf-8")
    out = case / "out"
    result = CliRunner().invoke(
        cli,
        [
            "run",
            str(scenario),
            "--out",
            str(out),
            "--no-report",
            "--quiet",
            "--max-conversations",
            MAX_CONVERSATIONS,
        ],
    )
    stderr = result.stderr if result.stderr_bytes is not None else result.output
    event(f"exit {result.exit_code}")
    assert result.exit_code in (0, 2), (result.exit_code, stderr, result.exception)
    assert result.exception is None or isinstance(result.exception, SystemExit), text
    assert "Traceback" not in stderr
    left = sorted(p.name for p in case.iterdir() if p.name != "scenario.yaml")
    if result.exit_code == 2:
        assert left == [], (left, stderr)
        assert stderr.startswith("error"), stderr
        assert "\x1b" not in stderr, "escape codes must be printed escaped"
        return
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    for block in [summary["overall"], *summary["by_stream"].values()]:
        counts = {name: stat["value"] for name, stat in block["counts"].items()}
        assert counts["arrived"] == pytest.approx(
            counts["deflected"] + counts["abandoned"] + counts["resolved"] + counts["open"]
        )
