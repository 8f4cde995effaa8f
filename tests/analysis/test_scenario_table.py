"""The scenario table: summaries in, one Markdown table out; and ``staffsim table``.

The pure part is checked on hand-written summary dicts (every number known);
the command on tiny scenarios written to ``tmp_path`` that run in well under a
second each.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

import simulator
from simulator.analysis.scenario_table import (
    COLUMN_NAMES,
    caption,
    format_cell,
    scenario_table,
    scenario_values,
    to_markdown,
    write_text_atomic,
)
from tests.conftest import scenario_writer

TINY: dict[str, Any] = {
    "name": "tiny",
    "horizon": "6h",
    "warmup": "1h",
    "replications": 2,
    "seed": 3,
    "targets": {"frt": "2min", "followup": "5min"},
    "streams": {
        "chat": {
            "per_hour": 20,
            "conversation": {
                "handle": {"dist": "exponential", "mean": "4min"},
                "exchanges": 2,
                "reply_delay": {"dist": "exponential", "mean": "1min"},
                "patience": {"dist": "exponential", "mean": "5min"},
            },
        },
    },
    "teams": {"support": {"agents": 2, "serves": ["chat"]}},
}
"""A one-stream, one-team scenario that runs in a fraction of a second."""


def _two_streams() -> dict[str, Any]:
    data = copy.deepcopy(TINY)
    data["name"] = "two-streams"
    data["streams"]["email"] = {
        "per_hour": 3,
        "conversation": {"handle": {"dist": "exponential", "mean": "6min"}},
    }
    data["teams"]["support"]["serves"] = ["chat", "email"]
    data["teams"]["late"] = {
        "serves": ["chat"],
        "roster": [{"start": "02:00", "end": "04:00", "agents": 1}],
    }
    return data


def _stat(value: float | None, low: float | None = None, high: float | None = None) -> dict:
    return {"value": value, "ci95": None if low is None else [low, high]}


def _metrics(frt_p90: float = 300.0) -> dict[str, Any]:
    return {
        "counts": {"arrived": _stat(100.0)},
        "abandon_rate": _stat(0.05, 0.03, 0.07),
        "frt_s": {
            "p50": _stat(45.0, 30.0, 60.0),
            "p90": _stat(frt_p90, 0.8 * frt_p90, 1.2 * frt_p90),
            "within_target": _stat(0.82, 0.78, 1.03),
        },
        "followup_s": {"p90": _stat(None)},
        "resolution_s": {"p90": _stat(5400.0, 3600.0, 7200.0)},
    }


def _summary(
    name: str = "alpha",
    streams: tuple[str, ...] = ("chat",),
    teams: dict[str, tuple[float, float, float]] | None = None,
) -> dict[str, Any]:
    teams = teams if teams is not None else {"support": (1.5, 0.5, 2.5)}
    return {
        "scenario": name,
        "seed": 7,
        "replications": 5,
        "overall": _metrics(),
        "by_stream": {stream: _metrics(frt_p90=60.0 * (i + 1)) for i, stream in enumerate(streams)},
        "by_team": {
            team: {
                "occupancy": _stat(0.7, 0.6, 0.8),
                "overtime_h": _stat(v, lo, hi),
                "handbacks": _stat(4.0, -1.0, 9.0),
            }
            for team, (v, lo, hi) in teams.items()
        },
    }


# --------------------------------------------------------------------------- pure


def test_one_row_per_single_stream_scenario_with_every_column() -> None:
    frame = scenario_table([_summary("alpha"), _summary("beta")])
    assert list(frame.index) == ["alpha", "beta"]
    assert frame.index.name == "scenario"
    assert list(frame.columns) == list(COLUMN_NAMES)
    row = frame.loc["alpha"]
    assert row["FRT p50"] == "45s [30s, 1min]"
    assert row["FRT p90"] == "5min [4min, 6min]"
    assert row["FRT within target"] == "82.0% [78.0%, 100.0%]"  # clipped at 100%
    assert row["follow-up p90"] == "-"  # no data
    assert row["resolution p90"] == "1.5h [1h, 2h]"
    assert row["abandonment"] == "5.0% [3.0%, 7.0%]"
    assert row["overtime (h per run)"] == "1.5h [30min, 2.5h]"
    assert row["handbacks (per run)"] == "4.0 [0.0, 9.0]"  # clipped at zero


def test_several_streams_add_a_row_per_stream_without_team_totals() -> None:
    frame = scenario_table([_summary("launch", streams=("launch", "general"))])
    assert list(frame.index) == ["launch", "launch / launch", "launch / general"]
    assert frame.loc["launch / launch", "FRT p90"] == "1min [48s, 1.2min]"
    assert frame.loc["launch / general", "FRT p90"] == "2min [1.6min, 2.4min]"
    for column in ("overtime (h per run)", "handbacks (per run)"):
        assert frame.loc["launch", column] != ""
        assert frame.loc["launch / launch", column] == ""


def test_team_totals_from_summaries_add_means_and_interval_ends() -> None:
    summary = _summary(teams={"tiger": (1.0, 0.5, 1.5), "generalists": (2.0, 1.0, 3.0)})
    values = scenario_values([summary]).set_index("column")
    overtime = values.loc["overtime (h per run)"]
    assert (overtime["value"], overtime["low"], overtime["high"]) == (3.0, 1.5, 4.5)
    handbacks = values.loc["handbacks (per run)"]
    assert (handbacks["value"], handbacks["low"], handbacks["high"]) == (8.0, -2.0, 18.0)


def test_one_replication_shows_the_mean_alone() -> None:
    summary = _summary()
    summary["overall"]["frt_s"]["p90"] = _stat(90.0)
    assert scenario_table([summary]).loc["alpha", "FRT p90"] == "1.5min"
    assert format_cell(float("nan"), 1.0, 2.0, "seconds") == "-"


def test_labels_from_a_mapping_and_repeated_names_numbered() -> None:
    assert list(scenario_table({"A": _summary(), "B": _summary()}).index) == ["A", "B"]
    assert list(scenario_table([_summary(), _summary()]).index) == ["alpha #1", "alpha #2"]
    assert list(scenario_table(_summary()).index) == ["alpha"]  # a single summary


def test_markdown_lines_up_and_escapes_pipes() -> None:
    frame = scenario_table([_summary("a|b", streams=("x", "y"))])
    text = to_markdown(frame)
    lines = text.splitlines()
    assert len(lines) == 2 + 3
    assert len({len(line) for line in lines}) == 1  # padded to one width
    assert lines[0].startswith("| scenario ")
    assert all(cell.strip().endswith(":") for cell in lines[1].strip("|").split("|")[1:])
    assert lines[1].split("|")[1].strip().startswith("---")
    assert "a\\|b / x" in text
    assert len(lines[2].split(" | ")) == len(COLUMN_NAMES) + 1  # escaped pipes do not split


def test_caption_names_replications_and_seed() -> None:
    text = caption([_summary(), _summary("beta")])
    assert "5 replications (seed 7)" in text and "95%" in text


def test_atomic_write_replaces_the_whole_file(tmp_path: Path) -> None:
    target = tmp_path / "deeper" / "table.md"
    write_text_atomic("first\n", target)
    write_text_atomic("second\n", target)
    assert target.read_text(encoding="utf-8") == "second\n"
    assert sorted(p.name for p in target.parent.iterdir()) == ["table.md"]


# --------------------------------------------------------------------------- from runs


def test_team_totals_from_a_run_use_each_replications_total() -> None:
    scenario = simulator.load_scenario(_two_streams())
    result = simulator.run(scenario, replications=3, seed=5)
    values = scenario_values([result]).set_index("row")
    own = values.loc["two-streams"].set_index("column")
    per_run = [float(record.teams["handbacks"].sum()) for record in result.records]
    assert own.loc["handbacks (per run)", "value"] == pytest.approx(sum(per_run) / 3)
    assert set(values.index) == {"two-streams", "two-streams / chat", "two-streams / email"}
    assert "FRT target: 2min" in caption([result])
    own = dataclasses.replace(
        result,
        scenario=simulator.load_scenario(
            {
                **_two_streams(),
                "streams": {
                    **_two_streams()["streams"],
                    "email": {**_two_streams()["streams"]["email"], "targets": {"frt": "1h"}},
                },
            }
        ),
    )
    assert "FRT target: chat 2min, email 1h" in caption([own])


# --------------------------------------------------------------------------- command


@pytest.fixture
def scenarios(tmp_path: Path) -> list[Path]:
    write = scenario_writer(tmp_path, TINY, "tiny.yaml")
    return [write(), write(_two_streams(), "two.yaml")]


def test_command_prints_one_table_and_writes_the_same_file(
    invoke: Callable[..., Result], scenarios: list[Path], tmp_path: Path
) -> None:
    out = tmp_path / "tables" / "all.md"
    result = invoke("table", *scenarios, "--replications", "2", "--seed", "9", "--out", out)
    assert result.exit_code == 0, result.stderr
    assert out.read_text(encoding="utf-8") == result.stdout
    rows = [line for line in result.stdout.splitlines() if line.startswith("| ")]
    labels = [row.split("|")[1].strip() for row in rows[2:]]
    assert labels == ["tiny", "two-streams", "two-streams / chat", "two-streams / email"]
    assert all(name in rows[0] for name in COLUMN_NAMES)
    assert "2 replications (seed 9)" in result.stdout


def test_command_runs_every_scenario_with_the_same_seed(
    invoke: Callable[..., Result], scenarios: list[Path]
) -> None:
    result = invoke(
        "table", scenarios[0], scenarios[0], "-r", "2", "--set", "teams.support.agents=3"
    )
    assert result.exit_code == 0, result.stderr
    rows = [line.split("|")[2:] for line in result.stdout.splitlines()[2:4]]
    assert rows[0] == rows[1]  # the first file's seed (3) for both


@pytest.mark.parametrize(
    "make_args",
    [
        lambda paths, tmp: [tmp / "missing.yaml"],
        lambda paths, tmp: [paths[0], "--set", "teams.support.agents=-1"],
        lambda paths, tmp: [paths[0], paths[1], "--set", "teams.nobody.agents=2"],
        lambda paths, tmp: [paths[0], "--out", tmp],
        lambda paths, tmp: [paths[0], "--replications", "0"],
        lambda paths, tmp: [],
    ],
    ids=[
        "missing-file",
        "bad-set",
        "set-not-in-every-scenario",
        "out-is-a-folder",
        "zero-replications",
        "no-scenario",
    ],
)
def test_bad_input_exits_2_without_a_traceback_or_a_file(
    invoke: Callable[..., Result], scenarios: list[Path], tmp_path: Path, make_args: Any
) -> None:
    before = sorted(p.name for p in tmp_path.iterdir())
    result = invoke("table", *make_args(scenarios, tmp_path))
    assert result.exit_code == 2
    assert "Traceback" not in result.stderr and result.stderr.strip()
    assert result.stdout == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == before
