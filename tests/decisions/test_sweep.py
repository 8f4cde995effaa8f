"""``staffsim sweep`` and ``simulator.sweep``: a grid point is exactly a plain run,
the files' shapes, independence from ``jobs``, figures, and bad grids."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import simulator
from simulator.errors import ScenarioError
from tests.conftest import written


def test_a_grid_point_equals_a_plain_run_with_the_same_seed(queue: dict[str, Any]) -> None:
    result = simulator.sweep(
        queue,
        ["teams.support.agents=3..4", "handoff.policy=handback,ownership"],
        replications=2,
        seed=7,
    )
    assert result.points == [
        {"teams.support.agents": 3, "handoff.policy": "handback"},
        {"teams.support.agents": 3, "handoff.policy": "ownership"},
        {"teams.support.agents": 4, "handoff.policy": "handback"},
        {"teams.support.agents": 4, "handoff.policy": "ownership"},
    ]
    for point, summary in zip(result.points, result.summaries, strict=True):
        overrides = [f"{key}={value}" for key, value in point.items()]
        plain = simulator.run(simulator.load_scenario(queue, overrides), replications=2, seed=7)
        assert summary == plain.summary, point


def test_results_do_not_depend_on_jobs(queue: dict[str, Any]) -> None:
    grid = {"teams.support.agents": [3, 4, 5]}
    serial = simulator.sweep(queue, grid, replications=2, seed=1)
    parallel = simulator.sweep(queue, grid, replications=2, seed=1, jobs=4)
    assert parallel.summaries == serial.summaries
    pd.testing.assert_frame_equal(parallel.table, serial.table)


def test_tables(queue: dict[str, Any]) -> None:
    result = simulator.sweep(
        queue,
        {"teams.support.agents": [3, 4], "streams.chat.per_hour": [20, 30.5]},
        replications=3,
        seed=2,
    )
    table = result.table
    assert len(table) == 4 * 3
    assert list(table.columns[:5]) == [
        "point",
        "label",
        "teams.support.agents",
        "streams.chat.per_hour",
        "replication",
    ]
    assert {
        "overall.frt_s.p90",
        "overall.abandon_rate",
        "by_stream.chat.frt_s.p90",
        "by_team.support.occupancy",
        "overall.counts.arrived",
    } <= set(table.columns)
    first = table[table["point"] == 0]
    assert first["overall.frt_s.p90"].mean() == pytest.approx(
        result.summaries[0]["overall"]["frt_s"]["p90"]["value"]
    )

    frt = result.metric("frt.p90")
    assert list(frt["teams.support.agents"]) == [3, 3, 4, 4]
    assert list(frt["value"]) == [s["overall"]["frt_s"]["p90"]["value"] for s in result.summaries]
    assert (frt["ci95_low"] <= frt["value"]).all() and (frt["value"] <= frt["ci95_high"]).all()
    with pytest.raises(ScenarioError, match="no statistic"):
        result.metric("frt.p91")


def test_sweep_writes_its_folder(write_scenario, invoke, workdir: Path) -> None:
    path = write_scenario()
    out = workdir / "out"
    result = invoke(
        "sweep",
        path,
        "--grid",
        "teams.support.agents=3..5",
        "--grid",
        "teams.support.concurrency=1,2",
        "--replications",
        "2",
        "--seed",
        "3",
        "--jobs",
        "2",
        "--out",
        out,
        "--metric",
        "frt.p90",
        "--metric",
        "by_team.support.occupancy",
    )
    assert result.exit_code == 0, (result.stderr, result.exception)

    table = pd.read_parquet(out / "sweep.parquet")
    assert len(table) == 6 * 2
    assert sorted(
        set(zip(table["teams.support.agents"], table["teams.support.concurrency"], strict=True))
    ) == [(a, c) for a in (3, 4, 5) for c in (1, 2)]
    assert set(table["replication"]) == {0, 1}

    document = json.loads((out / "sweep.json").read_text())
    assert isinstance(document, list) and len(document) == 6
    assert set(document[0]) == {"point", "summary"}
    assert document[0]["point"] == {"teams.support.agents": 3, "teams.support.concurrency": 1}
    assert document[0]["summary"]["seed"] == 3
    assert set(document[0]["summary"]) >= {"overall", "by_stream", "by_team"}

    points = pd.read_parquet(out / "sweep_points.parquet")
    assert set(points["point"]) == set(range(6))
    figures = sorted(p.name for p in (out / "figures").iterdir())
    assert figures == [
        "sweep-by_team-support-occupancy-heatmap.png",
        "sweep-by_team-support-occupancy.png",
        "sweep-frt_s-p90-heatmap.png",
        "sweep-frt_s-p90.png",
    ]
    saved = simulator.load_scenario(out / "scenario.yaml")
    assert saved.seed == 3
    assert json.loads((out / "run.json").read_text())["points"] == 6
    assert "teams.support.agents=5, teams.support.concurrency=2" in result.stdout
    assert "team support: occupancy" in result.stdout


def test_default_metrics_and_out_with_a_word_grid(write_scenario, invoke, workdir: Path) -> None:
    path = write_scenario()
    result = invoke("sweep", path, "--grid", "handoff.policy=handback,ownership", "-r", "1", "-q")
    assert result.exit_code == 0, (result.stderr, result.exception)
    out = workdir / "results" / "sweep-queue"
    assert sorted(p.name for p in (out / "figures").iterdir()) == [
        "sweep-abandon_rate.png",
        "sweep-frt_s-p90.png",
    ]
    assert len(pd.read_parquet(out / "sweep.parquet")) == 2


@pytest.mark.parametrize(
    ("grid", "message"),
    [
        ("nonsense", "is not KEY=V1,V2"),
        ("teams.support.agents=", "no value after 'teams.support.agents='"),
        ("teams.support.agents=a..b", "'a..b' is not a range of whole numbers"),
        ("teams.support.agents=-1", "at least 0"),
        ("teams.support.agents=1,-1", "teams.support.agents=-1"),
        ("teams.nosuch.agents=3", "no team 'nosuch'"),
        ("nosuchkey=1", "unknown key 'nosuchkey'"),
        ("teams.support.agentz=2", "did you mean 'agents'?"),
    ],
)
def test_bad_grids_exit_2_and_write_nothing(
    write_scenario, invoke, workdir: Path, grid: str, message: str
) -> None:
    result = invoke(
        "sweep",
        write_scenario(),
        "--grid",
        grid,
        "--grid",
        "teams.support.concurrency=1,2",
        "-r",
        "1",
    )
    assert result.exit_code == 2, (result.stdout, result.stderr, result.exception)
    assert message in result.stderr
    assert "--grid" in result.stderr and "fix:" in result.stderr
    assert "Traceback" not in result.stderr
    assert written(workdir) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--grid", "teams.support.agents=3,4", "--metric", "frt.p91"], "did you mean"),
        (["--grid", "teams.support.agents=3", "--grid", "teams.support.agents=4"], "given twice"),
        (["--grid", "teams.support.agents=3", "--set", "horizon=1"], "horizon"),
        ([], "Missing option '--grid'"),
    ],
)
def test_other_bad_input_exits_2(
    write_scenario, invoke, workdir: Path, args: list[str], message: str
) -> None:
    result = invoke("sweep", write_scenario(), *args)
    assert result.exit_code == 2, (result.stdout, result.stderr, result.exception)
    assert message in result.stderr
    assert written(workdir) == []


def test_a_policy_grid_takes_the_preset_and_says_so(queue: dict[str, Any]) -> None:
    from simulator.decisions.sweep import sweep, sweep_table

    result = sweep(queue, ["handoff.policy=handback,ownership"], replications=2)
    assert [v.preset for v in result.variants] == [
        {},
        {
            "handoff.intake_cutoff": "15min",
            "handoff.max_overtime": "1h",
            "handoff.leftover": "wait_for_owner",
        },
    ]
    assert result.variants[1].scenario.handoff.leftover.value == "wait_for_owner"
    notes = [line for line in sweep_table(result).splitlines() if "preset" in line]
    assert len(notes) == 1 and "handoff.policy=ownership also set" in notes[0]
