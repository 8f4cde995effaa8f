"""``staffsim roster`` and ``simulator.roster``: templates staffed by the integer
program, checked by simulation, and the folder it writes.

The small cases use a one-day M/M/c+M queue so every round runs in a second;
the shipped live-chat case (slow) is the issue's proof that the generated
roster meets the target with fewer agent-hours than a flat roster at the peak.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

import simulator
from simulator.decisions.roster.roster import roster
from simulator.decisions.roster.shift_templates import ShiftTemplates
from tests.cli.mutations import check_refused
from tests.conftest import written

ROOT = Path(__file__).resolve().parents[2]

DAY: dict[str, Any] = {
    "name": "day",
    "horizon": "1d",
    "warmup": "0s",
    "replications": 4,
    "seed": 5,
    "streams": {
        "chat": {
            "per_hour": 30,
            "conversation": {
                "handle": {"dist": "exponential", "mean": "4min"},
                "patience": {"dist": "exponential", "mean": "10min"},
            },
        }
    },
    "teams": {"support": {"agents": 2, "serves": ["chat"]}},
}
"""30 an hour, 4-minute replies: 2 agents offered, too few for the target below."""

TEMPLATES = {
    "templates": [
        {
            "label": "eight",
            "starts": {"from": "00:00", "to": "16:00", "every": "8h"},
            "length": "8h",
        }
    ]
}
TARGET = "queue_wait_s.mean<=1min"


def test_the_proposal_meets_the_target_and_drops_into_the_scenario() -> None:
    scenario = simulator.load_scenario(DAY)
    result = roster(
        scenario,
        team="support",
        target=TARGET,
        shifts=ShiftTemplates.model_validate(TEMPLATES),
        rounds=3,
        seed=5,
    )
    assert result.met
    assert not result.original.met  # two agents always on do not
    entries = result.roster
    assert entries and all(e.label.startswith("eight ") for e in entries)
    assert {(e.start, e.end) for e in entries} == {(0, 480), (480, 960), (960, 1440)}
    # Every hour of the day gets at least the formula's requirement.
    covered = result.chosen.cover.covered[:24]
    assert np.all(covered + 1e-9 >= result.rounds[0].required[:24])
    # The proposal is an ordinary scenario: it validates and runs on its own.
    rerun = simulator.run(result.proposed, replications=4, seed=5)
    assert rerun.summary == result.chosen.outcome.summary


def test_a_miss_the_formula_cannot_see_is_repaired_in_the_next_round() -> None:
    # Erlang assumes exponential replies; with a cv of 3 waits are longer than it
    # says, so the formula's roster misses the target and the simulation must add.
    heavy = copy.deepcopy(DAY)
    heavy["streams"]["chat"]["conversation"]["handle"] = {
        "dist": "lognormal",
        "mean": "4min",
        "cv": 3,
    }
    result = roster(
        simulator.load_scenario(heavy),
        team="support",
        target="queue_wait_s.mean<=20s",
        shifts=ShiftTemplates.model_validate(TEMPLATES),
        rounds=3,
        seed=5,
    )
    first, second = result.rounds[0], result.rounds[1]
    assert not first.outcome.met
    raised = second.required > first.required
    assert second.raised == int(raised.sum()) > 0
    assert np.all(second.required[raised] == np.floor(first.cover.covered[raised] + 1e-9) + 1)
    assert np.all(second.cover.covered + 1e-9 >= second.required)
    assert second.cover.cost > first.cover.cost
    assert result.met and result.chosen is second


def test_the_command_writes_the_roster_folder(invoke, workdir: Path) -> None:
    (workdir / "day.yaml").write_text(yaml.safe_dump(DAY), encoding="utf-8")
    (workdir / "shifts.yaml").write_text(yaml.safe_dump(TEMPLATES), encoding="utf-8")
    result = invoke(
        "roster", "day.yaml", "--team", "support", "--target", TARGET,
        "--shifts", "shifts.yaml", "--out", "out", "-r", "3", "--quiet",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    out = workdir / "out"
    names = sorted(p.name for p in out.iterdir())
    for expected in ("figures", "roster.json", "roster.yaml", "run.json", "scenario.yaml"):
        assert expected in names
    assert (out / "figures" / "roster.png").stat().st_size > 0
    report = json.loads((out / "roster.json").read_text())
    assert report["met"] is True
    assert len(report["by_interval"]) == 168
    assert report["agent_hours_per_week"] > 0
    drop_in = yaml.safe_load((out / "roster.yaml").read_text())["roster"]
    changed = {**DAY, "teams": {"support": {"roster": drop_in, "serves": ["chat"]}}}
    assert simulator.load_scenario(changed).teams["support"].roster


@pytest.mark.parametrize(
    ("templates", "expect"),
    [
        ("templates: []\n", ["--shifts", "templates"]),
        ("templates:\n  - {label: x, starts: ['25:00'], length: 8h}\n", ["--shifts", "starts"]),
        ("templates:\n  - {label: x, starts: ['09:00'], length: 8h, colour: red}\n", ["colour"]),
        ("templates:\n  - {label: x, starts: ['09:00'], length: 1h}\n", ["no shift template"]),
    ],
    ids=["empty", "bad-start", "unknown-key", "uncovered-hours"],
)
def test_bad_templates_are_refused(invoke, workdir: Path, templates: str, expect) -> None:
    (workdir / "day.yaml").write_text(yaml.safe_dump(DAY), encoding="utf-8")
    (workdir / "shifts.yaml").write_text(templates, encoding="utf-8")
    result = invoke(
        "roster", "day.yaml", "--team", "support", "--target", TARGET, "--shifts", "shifts.yaml",
    )  # fmt: skip
    check_refused(result, expect)
    assert written(workdir) == []


@pytest.mark.slow
def test_the_live_chat_roster_meets_the_target_with_fewer_hours_than_a_flat_one() -> None:
    """The issue's proof on the shipped scenario (first replies shortened so that 80%
    within 2 minutes is reachable): met with its interval, fewer agent-hours than a
    flat roster staffed at the peak requirement (README states both)."""
    scenario = simulator.load_scenario(
        ROOT / "scenarios" / "live_chat_handback.yaml",
        ["streams.chat.conversation.first_handle.mean=45s"],
    )
    result = roster(
        scenario,
        team="live",
        target="frt.within_target>=0.8",
        shifts=ROOT / "scenarios" / "shifts" / "live_chat.yaml",
        replications=5,
        seed=1,
    )
    assert result.met
    low, _high = result.chosen.outcome.interval
    assert low >= 0.8
    assert result.chosen.outcome.agent_hours < result.flat_agent_hours
