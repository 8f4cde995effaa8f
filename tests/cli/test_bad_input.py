"""Every user mistake: exit code 2, one message on stderr naming the file, the field
path and the fix, no traceback, and nothing written.

Each case breaks the small valid scenario from ``conftest.py`` in one way and is
checked through both ``validate`` and ``run`` (which must refuse before it runs).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

import simulator.scenario.shipped as shipped
from tests.cli.mutations import Mutation, check_refused, set_at


def _conversation(d: dict[str, Any]) -> dict[str, Any]:
    return d["streams"]["chat"]["conversation"]


def _rename_patience(d: dict[str, Any]) -> None:
    _conversation(d)["patiense"] = _conversation(d).pop("patience")


def _second_stream(d: dict[str, Any]) -> None:
    d["streams"]["email"] = {
        "per_hour": 2,
        "conversation": {"handle": {"dist": "fixed", "value": "10min"}},
    }


def _roster(**shift: Any) -> Mutation:
    def mutate(d: dict[str, Any]) -> None:
        del d["teams"]["support"]["agents"]
        d["teams"]["support"]["roster"] = [{"start": "09:00", "end": "17:00", "agents": 2, **shift}]

    return mutate


def _team(**values: Any) -> Mutation:
    return lambda d: d["teams"]["support"].update(values)


@dataclass
class Case:
    """One broken input and what its message must contain (case-insensitive)."""

    id: str
    expect: list[str]
    mutate: Mutation | None = None
    text: str | None = None  # raw file text instead of a mutation
    args: list[str] = field(default_factory=list)


CASES = [
    Case(
        "malformed-yaml",
        ["scenario.yaml", "malformed yaml", "line 5, column 6", "line 4", "fix"],
        text="name: broken\nhorizon: 8h\nstreams:\n  chat: {per_hour: 20\nteams: {}\n",
    ),
    Case(
        "unknown-key",
        ["streams.chat.conversation.patiense", "did you mean 'patience'"],
        mutate=_rename_patience,
    ),
    Case("bare-number-duration", ["'horizon'", "unit", "300h"], mutate=set_at("horizon", 300)),
    Case(
        "zero-rate",
        ["'streams.chat.per_hour'", "positive"],
        mutate=set_at("streams", "chat", "per_hour", 0),
    ),
    Case(
        "negative-rate",
        ["'streams.chat.per_hour'", "positive"],
        mutate=set_at("streams", "chat", "per_hour", -5),
    ),
    Case(
        "concurrency-below-1",
        ["'teams.support.concurrency'", "at least 1"],
        mutate=_team(concurrency=0),
    ),
    Case(
        "efficiency-too-long",
        ["'teams.support'", "efficiency", "raise concurrency"],
        mutate=_team(concurrency=2, attention="shared", efficiency=[1.0, 0.8, 0.7]),
    ),
    Case(
        "serves-unknown-queue",
        ["'teams.support.serves.0'", "did you mean 'chat'"],
        mutate=_team(serves=["chta"]),
    ),
    Case(
        "stream-served-by-no-team",
        ["'streams.email'", "served by no team", "serves"],
        mutate=_second_stream,
    ),
    Case(
        "hourly-23-values",
        ["'streams.chat.profile'", "hourly", "24"],
        mutate=set_at("streams", "chat", "profile", {"hourly": [1.0] * 23}),
    ),
    Case(
        "unknown-time-zone",
        ["'streams.chat.profile.region'", "europe/dublinn", "Europe/Dublin"],
        mutate=set_at(
            "streams", "chat", "profile", {"region": "Europe/Dublinn", "hourly": [1.0] * 24}
        ),
    ),
    Case(
        "unknown-roster-time-zone",
        ["'teams.support.roster.0.region'", "time zone"],
        mutate=_roster(region="Mars/Olympus"),
    ),
    Case(
        "shift-ends-when-it-starts",
        ["'teams.support.roster.0'", "ends when it starts", "33:00"],
        mutate=_roster(start="09:00", end="09:00"),
    ),
    Case(
        "warmup-not-shorter",
        ["'warmup'", "shorter than horizon", "shorten warmup"],
        mutate=set_at("warmup", "8h"),
    ),
    Case(
        "set-negative-agents",
        ["'teams.support.agents'", "at least 0"],
        args=["--set", "teams.support.agents=-1"],
    ),
    Case("set-not-key-value", ["--set", "'nonsense'", "key=value"], args=["--set", "nonsense"]),
    Case(
        "set-unknown-key",
        ["'teams.support.agentz'", "did you mean 'agents'"],
        args=["--set", "teams.support.agentz=3"],
    ),
    Case("set-into-a-value", ["'name.first'", "not a block"], args=["--set", "name.first=x"]),
]


def _prepare(case: Case, write_scenario: Callable[..., Path], small: dict[str, Any]) -> Path:
    if case.text is not None:
        return write_scenario(case.text)
    if case.mutate is not None:
        case.mutate(small)
    return write_scenario(small)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_validate_refuses(case: Case, write_scenario, small, invoke) -> None:
    path = _prepare(case, write_scenario, small)
    check_refused(invoke("validate", path, *case.args), case.expect)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_run_refuses_and_writes_nothing(
    case: Case, write_scenario, small, invoke, leftovers, workdir: Path
) -> None:
    path = _prepare(case, write_scenario, small)
    check_refused(invoke("run", path, *case.args), case.expect)
    check_refused(invoke("run", path, "--out", workdir / "out", *case.args), case.expect)
    assert leftovers() == []
    assert not (workdir / "out").exists()


def test_errors_name_the_file(write_scenario, small, invoke) -> None:
    small["streams"]["chat"]["per_hour"] = 0
    path = write_scenario(small, name="launch-week.yaml")
    result = invoke("run", path)
    assert result.exit_code == 2
    assert "launch-week.yaml" in result.stderr


@pytest.mark.parametrize("command", ["validate", "run"])
def test_missing_file(command: str, invoke, leftovers, workdir: Path) -> None:
    result = invoke(command, workdir / "no-such.yaml")
    check_refused(result, ["no-such.yaml", "no such file", "fix", "check the path"])
    assert leftovers() == []


def test_folder_instead_of_file(invoke, workdir: Path) -> None:
    (workdir / "folder.yaml").mkdir()
    check_refused(invoke("validate", workdir / "folder.yaml"), ["folder.yaml", "folder", "fix"])


def test_missing_shipped_default(invoke, leftovers, monkeypatch, workdir: Path) -> None:
    monkeypatch.setattr(shipped, "DEFAULT", "gone")
    check_refused(
        invoke("run"), ["shipped_scenarios", "scenarios are missing", "staffsim run FILE.yaml"]
    )
    assert leftovers() == []


@pytest.mark.parametrize(
    "args, expect",
    [
        (["--replications", "0"], "--replications"),
        (["--replications", "two"], "--replications"),
        (["--seed", "-1"], "--seed"),
        (["--jobs", "0"], "--jobs"),
        (["--no-such-option"], "--no-such-option"),
    ],
    ids=["replications-0", "replications-word", "seed-negative", "jobs-0", "unknown-option"],
)
def test_command_line_usage_errors(
    args: list[str], expect: str, write_scenario, invoke, leftovers
) -> None:
    result = invoke("run", write_scenario(), *args)
    assert result.exit_code == 2
    assert expect in result.stderr
    assert "Traceback" not in result.stderr
    assert leftovers() == []


def test_out_is_an_existing_file(write_scenario, invoke, leftovers, workdir: Path) -> None:
    target = workdir / "notes.txt"
    target.write_text("keep me")
    check_refused(
        invoke("run", write_scenario(), "--out", target),
        ["--out", "notes.txt", "existing file", "fix"],
    )
    assert target.read_text() == "keep me"
    assert leftovers() == []


def test_out_inside_a_file(write_scenario, invoke, leftovers, workdir: Path) -> None:
    (workdir / "notes.txt").write_text("keep me")
    check_refused(
        invoke("run", write_scenario(), "--out", workdir / "notes.txt" / "run"),
        ["--out", "notes.txt", "is a file", "fix"],
    )
    assert leftovers() == []


def test_out_is_a_folder_of_other_things(write_scenario, invoke, workdir: Path) -> None:
    """Replacing --out removes it, so a folder that is not a run's results is refused."""
    project = workdir / "project"
    project.mkdir()
    (project / "thesis.tex").write_text("years of work")
    check_refused(
        invoke("run", write_scenario(), "--out", project),
        ["--out", "project", "not a staffsim results folder", "fix"],
    )
    assert (project / "thesis.tex").read_text() == "years of work"


@pytest.mark.skipif(
    not hasattr(__import__("os"), "geteuid") or __import__("os").geteuid() == 0,
    reason="root may write anywhere",
)
def test_out_not_writable(write_scenario, invoke, workdir: Path) -> None:
    locked = workdir / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        check_refused(
            invoke("run", write_scenario(), "--out", locked / "run"), ["--out", "permission", "fix"]
        )
        assert not (locked / "run").exists()
    finally:
        locked.chmod(0o755)


def test_real_process_exit_code_without_traceback(
    write_scenario, small, run_module, leftovers
) -> None:
    """The console entry point, not only the in-process runner, exits 2 cleanly."""
    _rename_patience(small)
    path = write_scenario(small)
    for command in ("validate", "run"):
        done = run_module(command, path)
        assert done.returncode == 2, done.stderr
        assert "Traceback" not in done.stderr
        assert "did you mean 'patience'" in done.stderr
    done = run_module("run", path, "--replications", "0")
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert leftovers() == []
