"""Staffing per interval (``teams.*.staffing``): checked like the rest of a
scenario, layered into agents' shifts, and equal bit for bit to a roster that
puts the same people on duty at the same times."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

import simulator
from simulator.errors import ScenarioError
from simulator.scenario import csv_input
from simulator.scenario.describe import describe_scenario
from simulator.scenario.loader import load_scenario
from simulator.scenario.resolved import resolved_scenario
from simulator.scenario.shift_calendar import team_schedules

HOUR = 3600.0
PER_DAY = 96  # 15-minute intervals


def _scenario(team: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "name": "staffing",
        "start": "2026-03-23T00:00:00Z",  # a Monday; Dublin moves to summer time on the 29th
        "horizon": "2w",
        "streams": {
            "chat": {
                "per_hour": 12,
                "conversation": {
                    "handle": {"dist": "exponential", "mean": "6min"},
                    "exchanges": {"dist": "geometric", "mean": 2},
                    "reply_delay": {"dist": "exponential", "mean": "2min"},
                    "patience": {"dist": "exponential", "mean": "20min"},
                },
            }
        },
        "teams": {"support": {"serves": ["chat"], **team}},
        "handoff": {"policy": "handback", "intake_cutoff": "10min"},
        **extra,
    }


def _day(*runs: tuple[str, str, int]) -> list[int]:
    """96 counts: ``agents`` from ``start`` to ``end`` (HH:MM) for each run."""
    row = [0] * PER_DAY
    for start, end, agents in runs:
        first, last = (int(t[:2]) * 4 + int(t[3:]) // 15 for t in (start, end))
        for slot in range(first, last):
            row[slot] += agents
    return row


def _weekday_grid() -> list[list[int]]:
    """2 agents 06:00-02:00 daily (crossing midnight), 1 more 09:00-17:00 Mon-Fri."""
    grid = []
    for day in range(7):
        row = _day(("06:00", "24:00", 2), ("00:00", "02:00", 2))
        if day < 5:
            row = [a + b for a, b in zip(row, _day(("09:00", "17:00", 1)), strict=True)]
        grid.append(row)
    return grid


ROSTER = [
    {
        "label": "staffing1",
        "region": "Europe/Dublin",
        "start": "06:00",
        "end": "26:00",
        "agents": 2,
    },
    {
        "label": "staffing2",
        "region": "Europe/Dublin",
        "days": "Mon-Fri",
        "start": "09:00",
        "end": "17:00",
        "agents": 1,
    },
]
STAFFING = {"interval": "15min", "by": "weekday", "region": "Europe/Dublin"}


def _run(raw: dict[str, Any]) -> tuple[bytes, Any]:
    result = simulator.run(load_scenario(raw), replications=2, seed=11)
    return json.dumps(result.summary, sort_keys=True).encode(), result.conversations


def test_staffing_equal_to_a_roster_gives_identical_results() -> None:
    """Same agents (names, order), same hours across a daylight-saving change and
    midnight, shift-end rules and shrinkage included: bit for bit the same run."""
    common = {"shrinkage": {"share": 0.1}, "concurrency": 2}
    by_roster = _run(_scenario({"roster": ROSTER, **common}))
    by_staffing = _run(_scenario({"staffing": {**STAFFING, "agents": _weekday_grid()}, **common}))
    assert by_roster[0] == by_staffing[0]
    assert by_roster[1].equals(by_staffing[1])
    assert set(by_staffing[1]["agent"].dropna()) >= {"support.staffing1.1", "support.staffing2.1"}


def test_layers_follow_the_head_count() -> None:
    """Layer k works wherever the count is at least k; a drop ends the top layer's shift."""
    row = _day(("08:00", "12:00", 1), ("10:00", "11:00", 2))
    raw = _scenario({"staffing": {"interval": "15min", "by": "weekday", "agents": [row] * 7}})
    scenario = load_scenario({**raw, "start": "2026-01-05T00:00:00Z", "horizon": "1d"})
    schedules = team_schedules("support", scenario.teams["support"], scenario.start, 86400.0)
    assert [(s.name, s.shifts) for s in schedules] == [
        ("support.staffing1.1", ((8 * HOUR, 12 * HOUR),)),
        ("support.staffing2.1", ((10 * HOUR, 11 * HOUR),)),
        ("support.staffing2.2", ((10 * HOUR, 11 * HOUR),)),
    ]


def test_staffing_beside_a_roster_adds_its_agents_after_the_roster() -> None:
    row = _day(("08:00", "09:00", 1))
    raw = _scenario(
        {
            "roster": [{"start": "10:00", "end": "12:00", "agents": 1}],
            "staffing": {"interval": "1h", "by": "weekday", "agents": [row[::4]] * 7},
        }
    )
    scenario = load_scenario({**raw, "start": "2026-01-05T00:00:00Z", "horizon": "1d"})
    schedules = team_schedules("support", scenario.teams["support"], scenario.start, 86400.0)
    assert [(s.name, s.shifts) for s in schedules] == [
        ("support.shift1.1", ((10 * HOUR, 12 * HOUR),)),
        ("support.staffing1.1", ((8 * HOUR, 9 * HOUR),)),
    ]


def _write_dated(folder: Path, lines: list[str]) -> Path:
    (folder / "staffing.csv").write_text("start,agents\n" + "\n".join(lines) + "\n")
    scenario = _scenario({"staffing": {"interval": "30min", "by": "date", "file": "staffing.csv"}})
    path = folder / "scenario.yaml"
    path.write_text(yaml.safe_dump({**scenario, "start": "2026-01-05T00:00:00Z", "horizon": "1d"}))
    return path


def test_staffing_by_date_reads_a_csv_beside_the_scenario(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _write_dated(
        tmp_path,
        [
            "2026-01-05T09:00:00+01:00,1",  # 08:00 UTC
            "2026-01-05T09:30:00+01:00,2",
            "2026-01-05T11:00:00+01:00,1",  # a gap before: nobody from 10:00 to 11:00
        ],
    )
    monkeypatch.chdir("/")  # relative to the scenario file, not the working folder
    scenario = load_scenario(path)
    schedules = team_schedules("support", scenario.teams["support"], scenario.start, 86400.0)
    assert [(s.name, s.shifts) for s in schedules] == [
        ("support.staffing1.1", ((8 * HOUR, 9 * HOUR), (10 * HOUR, 10.5 * HOUR))),
        ("support.staffing2.1", ((8.5 * HOUR, 9 * HOUR),)),
    ]


@pytest.mark.parametrize(
    ("lines", "where", "says"),
    [
        (["2026-01-05T09:00:00,1"], "row 2, column 'start'", "with an offset"),
        (["2026-01-05T09:00:00Z,-1"], "row 2, column 'agents'", "whole number"),
        (["2026-01-05T09:00:00Z,1", "2026-01-05T09:10:00Z,1"], "row 3, column 'start'", "grid"),
        (["2026-01-05T09:00:00Z,1", "2026-01-05T08:00:00Z,1"], "row 3, column 'start'", "order"),
    ],
)
def test_a_bad_staffing_row_is_named_by_file_row_and_column(
    tmp_path: Path, lines: list[str], where: str, says: str
) -> None:
    path = _write_dated(tmp_path, lines)
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert caught.value.path == "teams.support.staffing"
    assert str(tmp_path / "staffing.csv") in caught.value.message
    assert where in caught.value.message and says in str(caught.value)


def test_a_missing_staffing_file_or_column_is_an_error(tmp_path: Path) -> None:
    path = _write_dated(tmp_path, [])
    (tmp_path / "staffing.csv").write_text("begin,agents\n2026-01-05T09:00:00Z,1\n")
    with pytest.raises(ScenarioError, match="row 1 \\(the header\\): no column 'start'"):
        load_scenario(path)
    (tmp_path / "staffing.csv").unlink()
    with pytest.raises(ScenarioError, match="no such file"):
        load_scenario(path)


@pytest.mark.parametrize(
    ("staffing", "says"),
    [
        ({"interval": "7min", "agents": [[1] * 205] * 7}, "does not divide a day"),
        ({"interval": "1h", "agents": [[1] * 24] * 6}, "7 rows"),
        ({"interval": "1h", "agents": [[1] * 23] * 7}, "of 24 counts"),
        ({"interval": "1h", "agents": [[-1] * 24] * 7}, "greater than or equal to 0"),
        ({"interval": "1h", "file": "x.csv"}, "not a file"),
    ],
)
def test_a_bad_weekday_block_is_refused(staffing: dict[str, Any], says: str) -> None:
    with pytest.raises(ScenarioError, match=says) as caught:
        load_scenario(_scenario({"staffing": {"by": "weekday", **staffing}}))
    assert "teams.support.staffing" in str(caught.value)


def test_staffing_with_always_on_agents_is_refused() -> None:
    staffing = {"interval": "1h", "by": "weekday", "agents": [[1] * 24] * 7}
    with pytest.raises(ScenarioError, match="agents or staffing, not both"):
        load_scenario(_scenario({"agents": 2, "staffing": staffing}))


def test_a_resolved_scenario_loads_back_with_its_staffing_and_trace(tmp_path: Path) -> None:
    """A run's scenario.yaml re-runs as it stands: the files' paths are absolute."""
    path = _write_dated(tmp_path, ["2026-01-05T09:00:00Z,2"])
    (tmp_path / "trace.csv").write_text("arrived_at\n2026-01-05T09:30:00Z\n")
    raw = yaml.safe_load(path.read_text())
    raw["streams"]["chat"] = {**raw["streams"]["chat"], "arrivals": {"trace": "trace.csv"}}
    del raw["streams"]["chat"]["per_hour"]
    path.write_text(yaml.safe_dump(raw))
    scenario = load_scenario(path)
    again = load_scenario(resolved_scenario(scenario))
    assert again == scenario
    assert again.teams["support"].staffing.dated() == scenario.teams["support"].staffing.dated()
    assert again.streams["chat"].arrivals.times("chat", again.start).tolist() == [9.5 * HOUR]


def test_a_staffing_file_past_the_limits_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The CSV is untrusted: rows and bytes are bounded, and a folder is no file."""
    path = _write_dated(tmp_path, [f"2026-01-05T{h:02d}:00:00Z,1" for h in range(5)])
    monkeypatch.setattr(csv_input, "MAX_CSV_ROWS", 3)
    with pytest.raises(ScenarioError, match="more than 3 rows"):
        load_scenario(path)
    monkeypatch.setattr(csv_input, "MAX_CSV_BYTES", 20)
    with pytest.raises(ScenarioError, match="larger than"):
        load_scenario(path)
    (tmp_path / "staffing.csv").unlink()
    (tmp_path / "staffing.csv").mkdir()
    with pytest.raises(ScenarioError, match="not a regular file"):
        load_scenario(path)


def test_validate_describes_the_staffing() -> None:
    scenario = load_scenario(_scenario({"staffing": {**STAFFING, "agents": _weekday_grid()}}))
    text = describe_scenario(scenario)
    assert "support: staffing per interval" in text
    assert "staffing: by weekday every 15min (Europe/Dublin), up to 3 agents" in text
