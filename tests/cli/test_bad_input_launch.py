"""Bad input for the launch organisation's keys: exit code 2, the field path and a
fix in the message, no traceback, and nothing written.

Each case breaks one valid launch scenario (bot, routing, triage, skills,
overflow, a rotation pool, an on-call backup, shrinkage, escalation) in one way
and is checked through ``validate`` and ``run``.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.cli.mutations import Mutation, check_refused, set_at


def exponential(mean: str) -> dict[str, Any]:
    return {"dist": "exponential", "mean": mean}


LAUNCH: dict[str, Any] = {
    "name": "launch-small",
    "horizon": "2d",
    "replications": 2,
    "seed": 1,
    "streams": {
        "launch": {
            "per_hour": 6,
            "queue": "tiger",
            "conversation": {"handle": exponential("4min")},
            "bot": {"deflection": 0.2, "time": {"dist": "fixed", "value": "30s"}, "menu": 0.3},
            "routing": {"rules": 0.5, "fallback": "general"},
        },
        "general": {
            "per_hour": 10,
            "conversation": {"handle": exponential("4min")},
            "routing": {"false_positives": {"tiger": 0.05}},
            "escalation": {
                "share": 0.1,
                "after": 1,
                "team": "generalists",
                "work": exponential("1h"),
            },
        },
    },
    "teams": {
        "tiger": {
            "serves": ["tiger"],
            "skills": {"launch": 0.8},
            "roster": [{"region": "Europe/Dublin", "start": "09:00", "end": "17:00", "agents": 1}],
            "rotation": {"members": ["ann", "bob", "cem"]},
        },
        "generalists": {
            "agents": 2,
            "serves": ["general"],
            "skills": {"launch": 1.3},
            "triage": {"time": "1min", "reassign": 0.7},
            "overflow": [{"queue": "tiger", "oldest_wait": "5min"}],
            "backup": [
                {"start": "09:00", "end": "17:00", "agents": 1, "queue_length": 5, "delay": "10min"}
            ],
            "shrinkage": {"share": 0.1, "block": "15min"},
        },
    },
}
"""A valid launch scenario using every new key, small enough to run in a moment."""


def _both(*mutations: Mutation) -> Mutation:
    def mutate(d: dict[str, Any]) -> None:
        for mutation in mutations:
            mutation(d)

    return mutate


@dataclass
class Case:
    """One broken input; ``expect`` must appear in the message (case-insensitive),
    the field path among them; ``fix`` are words of the fix it offers."""

    id: str
    mutate: Mutation
    expect: list[str]
    fix: list[str] = field(default_factory=lambda: ["fix:"])


CASES = [
    # probabilities outside [0, 1]
    Case(
        "bot-deflection-above-1",
        set_at("streams", "launch", "bot", "deflection", 1.5),
        ["'streams.launch.bot.deflection'", "less than or equal to 1", "1.5"],
        ["fix:", "at most 1"],
    ),
    Case(
        "bot-menu-above-1",
        set_at("streams", "launch", "bot", "menu", 1.2),
        ["'streams.launch.bot.menu'", "1.2"],
        ["fix:", "at most 1"],
    ),
    Case(
        "routing-rules-negative",
        set_at("streams", "launch", "routing", "rules", -0.1),
        ["'streams.launch.routing.rules'", "greater than or equal to 0", "-0.1"],
        ["fix:", "at least 0"],
    ),
    Case(
        "false-positive-negative",
        set_at("streams", "launch", "routing", "false_positives", {"general": -0.2}),
        ["'streams.launch.routing.false_positives.general'", "-0.2"],
        ["fix:", "at least 0"],
    ),
    Case(
        "triage-reassign-2",
        set_at("teams", "generalists", "triage", "reassign", 2),
        ["'teams.generalists.triage.reassign'", "less than or equal to 1"],
        ["fix:", "at most 1"],
    ),
    Case(
        "escalation-share-above-1",
        set_at("streams", "general", "escalation", "share", 1.5),
        ["'streams.general.escalation.share'", "1.5"],
        ["fix:", "at most 1"],
    ),
    Case(
        "false-positives-sum-over-1",
        set_at("streams", "general", "routing", "false_positives", {"tiger": 0.7, "general": 0.6}),
        ["'streams.general.routing'", "false_positives", "more than 1"],
    ),
    Case(
        "shrinkage-share-1",
        set_at("teams", "generalists", "shrinkage", "share", 1.0),
        ["'teams.generalists.shrinkage.share'", "less than 1", "1.0"],
    ),
    # a rotation pool smaller than the shifts it must fill
    Case(
        "rotation-pool-too-small",
        _both(
            set_at("teams", "tiger", "rotation", "members", ["ann", "bob"]),
            set_at("teams", "tiger", "roster", 0, "agents", 3),
        ),
        ["'teams.tiger.rotation.members'", "2 members", "needs 3 people at once"],
        ["fix:", "add members (at least 3)"],
    ),
    Case(
        "rotation-pool-too-small-overlapping-shifts",
        _both(
            set_at("teams", "tiger", "rotation", "members", 2),
            set_at(
                "teams",
                "tiger",
                "roster",
                [
                    {"start": "09:00", "end": "17:00", "agents": 2},
                    {"start": "16:00", "end": "23:00", "agents": 1},
                ],
            ),
        ),
        ["'teams.tiger.rotation.members'", "needs 3 people at once"],
        ["fix:", "add members"],
    ),
    Case(
        "rotation-without-roster",
        set_at("teams", "generalists", "rotation", {"members": 3}),
        ["'teams.generalists'", "rotation"],
        ["give the team a roster"],
    ),
    Case(
        "rotation-assigns-a-non-member",
        set_at("teams", "tiger", "rotation", "assignments", {"2026-01-05": ["zed"]}),
        ["'teams.tiger.rotation'", "zed", "not members"],
    ),
    # on-call backups: a trigger needs a window and a window a trigger
    Case(
        "backup-trigger-without-window",
        set_at("teams", "generalists", "backup", [{"agents": 1, "queue_length": 5}]),
        ["'teams.generalists.backup.0.start'", "'teams.generalists.backup.0.end'", "required"],
        ["fix:", "add 'start'", "add 'end'"],
    ),
    Case(
        "backup-window-without-trigger",
        set_at("teams", "generalists", "backup", [{"start": "09:00", "end": "17:00", "agents": 1}]),
        ["'teams.generalists.backup.0'", "needs a trigger"],
        ["queue_length (e.g. 10)", "oldest_wait (e.g. 5min)"],
    ),
    Case(
        "backup-delay-bare-number",
        set_at("teams", "generalists", "backup", 0, "delay", 300),
        ["'teams.generalists.backup.0.delay'", "unit"],
        ["'300s'"],
    ),
    # reassignment targets nobody serves
    Case(
        "fallback-served-by-no-team",
        set_at("streams", "launch", "routing", "fallback", "billing"),
        ["'streams.launch.routing.fallback'", "'billing'", "served by no team"],
        ["fix:", "add 'billing' to some team's serves"],
    ),
    Case(
        "false-positive-to-unserved-queue",
        set_at("streams", "launch", "routing", "false_positives", {"billing": 0.1}),
        ["'streams.launch.routing.false_positives.billing'", "served by no team"],
        ["fix:", "add 'billing' to some team's serves"],
    ),
    # unknown names
    Case(
        "overflow-unknown-queue",
        set_at("teams", "generalists", "overflow", [{"queue": "tigre", "oldest_wait": "5min"}]),
        ["'teams.generalists.overflow.0.queue'", "'tigre' is no queue"],
        ["fix:", "did you mean 'tiger'"],
    ),
    Case(
        "overflow-without-condition",
        set_at("teams", "generalists", "overflow", [{"queue": "tiger"}]),
        ["'teams.generalists.overflow.0'", "needs a condition"],
        ["oldest_wait (e.g. 5min)", "length (e.g. 10)"],
    ),
    Case(
        "skills-unknown-stream",
        set_at("teams", "tiger", "skills", {"lunch": 0.8}),
        ["'teams.tiger.skills.lunch'", "'lunch' is no stream"],
        ["fix:", "did you mean 'launch'"],
    ),
    Case(
        "team-streams-unknown",
        set_at("teams", "tiger", "streams", ["lunch"]),
        ["'teams.tiger.streams.0'", "'lunch' is no stream"],
        ["fix:", "did you mean 'launch'"],
    ),
    Case(
        "escalation-unknown-team",
        set_at("streams", "general", "escalation", "team", "backoffice"),
        ["'streams.general.escalation.team'", "'backoffice' is no team"],
        ["fix:", "teams are: tiger, generalists"],
    ),
    Case(
        "skill-zero",
        set_at("teams", "tiger", "skills", "launch", 0),
        ["'teams.tiger.skills.launch'", "greater than 0"],
        ["fix:", "positive"],
    ),
    Case(
        "learning-half-life-zero",
        set_at("teams", "tiger", "learning", {"half_life": 0}),
        ["'teams.tiger.learning.half_life'", "greater than 0"],
        ["fix:", "positive"],
    ),
]


FILE = "scenario.yaml"
"""The file ``write_scenario`` writes: every refusal's message names it."""


@pytest.fixture
def launch() -> dict[str, Any]:
    return copy.deepcopy(LAUNCH)


def _prepare(case: Case, write_scenario: Callable[..., Path], launch: dict[str, Any]) -> Path:
    case.mutate(launch)
    return write_scenario(launch)


def test_the_unbroken_scenario_validates_and_runs(
    write_scenario, launch, invoke, workdir: Path
) -> None:
    path = write_scenario(launch)
    assert invoke("validate", path).exit_code == 0
    result = invoke("run", path, "--replications", "2", "--no-report", "--out", workdir / "ok")
    assert result.exit_code == 0, result.output
    assert (workdir / "ok" / "summary.json").exists()


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_validate_refuses(case: Case, write_scenario, launch, invoke) -> None:
    check_refused(invoke("validate", _prepare(case, write_scenario, launch)), [FILE, *case.expect])


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_run_refuses_and_writes_nothing(
    case: Case, write_scenario, launch, invoke, leftovers, workdir: Path
) -> None:
    path = _prepare(case, write_scenario, launch)
    check_refused(invoke("run", path), [FILE, *case.expect])
    check_refused(invoke("run", path, "--out", workdir / "out"), [FILE, *case.expect])
    assert leftovers() == []
    assert not (workdir / "out").exists()


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_message_offers_a_fix(case: Case, write_scenario, launch, invoke) -> None:
    check_refused(invoke("validate", _prepare(case, write_scenario, launch)), [FILE, *case.fix])


def test_rules_and_false_positives_over_1_are_refused(write_scenario, launch, invoke) -> None:
    launch["streams"]["launch"]["routing"].update(rules=0.5, false_positives={"general": 0.6})
    check_refused(
        invoke("validate", write_scenario(launch)),
        [FILE, "'streams.launch.routing'", "rules", "false_positives"],
    )


@pytest.mark.parametrize("backup", [False, True], ids=["roster-labels", "backup-label"])
def test_duplicate_shift_labels_are_refused(
    backup: bool, write_scenario, launch, invoke, leftovers, workdir: Path
) -> None:
    """Two roster entries, or a roster entry and a backup, labelled alike would give
    agents the same names: refused, naming the label."""
    team = launch["teams"]["generalists"]
    del team["agents"]
    team["roster"] = [{"start": "00:00", "end": "12:00", "agents": 1, "label": "day"}]
    if backup:
        team["backup"][0]["label"] = "day"
    else:
        team["roster"].append({"start": "12:00", "end": "24:00", "agents": 1, "label": "day"})
    result = invoke(
        "run",
        write_scenario(launch),
        "--replications",
        "2",
        "--no-report",
        "--out",
        workdir / "labels",
    )
    check_refused(
        result,
        [
            FILE,
            "'teams.generalists'",
            "roster and backup labels must differ",
            "'day' is used twice",
            "fix: rename one",
        ],
    )
    assert leftovers() == []
    assert not (workdir / "labels").exists()
