"""``staffsim run`` and the results folder: every file, the exact summary shape,
same seed same bytes, and atomic replacement (a failed write leaves the previous
folder, or nothing, and never a lone summary)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml

import simulator.results_folder as results_folder
import simulator.results_writer as output
from simulator.analysis.headline import headline_table
from simulator.experiment import run as run_experiment
from simulator.recording import CONVERSATION_COLUMNS, FOLLOWUP_COLUMNS
from simulator.results_writer import RESULT_FILES, write_results
from simulator.scenario.loader import load_scenario
from tests.cli.conftest import run_on_terminal

SUMMARY_KEYS = {"scenario", "seed", "replications", "overall", "by_stream", "by_team"}
METRIC_KEYS = {"counts", "abandon_rate", "queue_wait_s", "frt_s", "followup_s", "resolution_s"}
SPELL_KEYS = {"handed_back", "waiting_for_owner"}  # conversations left unowned at shift ends


def _run_ok(invoke: Any, *args: str | Path, report: bool = False) -> Any:
    # Drawing the report takes seconds; tests/analysis/test_report.py covers it.
    result = invoke("run", *args, *(() if report else ("--no-report",)))
    assert result.exit_code == 0, (result.stderr, result.exception)
    return result


def test_run_writes_every_file(write_scenario, invoke, workdir: Path) -> None:
    out = workdir / "out"
    result = _run_ok(invoke, write_scenario(), "--replications", "2", "--seed", "1", "--out", out)
    assert sorted(p.name for p in out.iterdir()) == sorted(RESULT_FILES)
    assert [p.name for p in workdir.iterdir() if p.name.startswith(".staffsim-")] == []
    assert "FRT p90" in result.stdout
    assert f"results: {out}" in result.stdout

    summary = json.loads((out / "summary.json").read_text())
    assert set(summary) == SUMMARY_KEYS
    assert (summary["scenario"], summary["seed"], summary["replications"]) == ("tiny", 1, 2)
    assert set(summary["overall"]) == METRIC_KEYS | SPELL_KEYS | {"overtime_h", "intake_cutoff_h"}
    assert set(summary["by_stream"]) == {"chat"}
    assert set(summary["by_stream"]["chat"]) == METRIC_KEYS | SPELL_KEYS
    team_keys = {"occupancy", "overtime_h", "handbacks", "intake_cutoff_h"}
    team_keys |= {"per_agent_hour", "replies_per_agent_hour", "concurrency_held"}
    team_keys |= {"frt_s", "followup_s"}  # within_target only: what the team answered
    assert set(summary["by_team"]["support"]) == team_keys | SPELL_KEYS
    assert set(summary["by_team"]["support"]["frt_s"]) == {"within_target"}

    conversations = pd.read_parquet(out / "conversations.parquet")
    assert list(conversations.columns) == ["replication", *CONVERSATION_COLUMNS]
    assert set(conversations["replication"]) == {0, 1}
    for column in ("stream", "queue", "outcome"):
        assert isinstance(conversations[column].dtype, pd.CategoricalDtype), column
    followups = pd.read_parquet(out / "followups.parquet")
    assert list(followups.columns) == ["replication", *FOLLOWUP_COLUMNS]

    info = json.loads((out / "run.json").read_text())
    assert {
        "staffsim_version",
        "python",
        "seed",
        "replications",
        "jobs",
        "wall_time_s",
        "started_at",
        "command",
    } <= set(info)
    assert (info["seed"], info["replications"], info["jobs"]) == (1, 2, 1)
    assert info["command"][0] == "staffsim"


def test_scenario_yaml_is_the_resolved_rerunnable_scenario(
    write_scenario, invoke, workdir: Path
) -> None:
    out = workdir / "out"
    _run_ok(
        invoke,
        write_scenario(),
        "--replications",
        "2",
        "--seed",
        "5",
        "--out",
        out,
        "--set",
        "teams.support.agents=3",
    )
    saved = yaml.safe_load((out / "scenario.yaml").read_text())
    assert (saved["seed"], saved["replications"]) == (5, 2)
    assert saved["horizon"] == "8h"  # durations keep a unit so the file loads again
    reloaded = load_scenario(out / "scenario.yaml")
    original = load_scenario(workdir / "scenario.yaml", ["teams.support.agents=3"])
    assert reloaded == original.model_copy(update={"seed": 5, "replications": 2})
    assert invoke("validate", out / "scenario.yaml").exit_code == 0


def test_same_seed_same_summary(write_scenario, invoke, workdir: Path) -> None:
    path = write_scenario()
    first, second = workdir / "first", workdir / "second"
    _run_ok(invoke, path, "--replications", "2", "--seed", "1", "--out", first)
    _run_ok(invoke, path, "--replications", "2", "--seed", "1", "--out", second)
    assert (first / "summary.json").read_bytes() == (second / "summary.json").read_bytes()
    # Running again into an existing results folder replaces it whole.
    _run_ok(invoke, path, "--replications", "2", "--seed", "1", "--out", first)
    assert (first / "summary.json").read_bytes() == (second / "summary.json").read_bytes()


def test_seed_and_replications_override_the_file(write_scenario, invoke, workdir: Path) -> None:
    out = workdir / "out"
    _run_ok(invoke, write_scenario(), "--replications", "3", "--seed", "9", "--out", out)
    summary = json.loads((out / "summary.json").read_text())
    assert (summary["seed"], summary["replications"]) == (9, 3)


def test_drawn_seed_is_recorded(write_scenario, small, invoke, workdir: Path) -> None:
    del small["seed"]
    out = workdir / "out"
    _run_ok(invoke, write_scenario(small), "--replications", "2", "--out", out)
    seed = json.loads((out / "summary.json").read_text())["seed"]
    assert isinstance(seed, int)
    assert json.loads((out / "run.json").read_text())["seed"] == seed
    assert yaml.safe_load((out / "scenario.yaml").read_text())["seed"] == seed


def test_default_out_is_results_slash_name(write_scenario, small, invoke, workdir: Path) -> None:
    small["name"] = "launch week/EU"
    result = _run_ok(invoke, write_scenario(small), "--replications", "2")
    folder = workdir / "results" / "launch-week-EU"
    assert (folder / "summary.json").is_file()
    assert str(Path("results") / "launch-week-EU") in result.stdout


def test_quiet_prints_only_the_folder(write_scenario, invoke, workdir: Path) -> None:
    result = _run_ok(
        invoke, write_scenario(), "--replications", "2", "--quiet", "--out", workdir / "out"
    )
    assert result.stdout.strip() == f"results: {workdir / 'out'}"
    assert all(line.startswith("warning: ") for line in result.stderr.splitlines())


def test_shipped_default_runs(invoke, workdir: Path) -> None:
    _run_ok(invoke, "--replications", "1", "--set", "horizon=1d", "--set", "warmup=1h", "--quiet")
    assert len(list((workdir / "results").glob("*/summary.json"))) == 1


def test_real_process_run(write_scenario, run_module, workdir: Path) -> None:
    done = run_module(
        "run", write_scenario(), "-r", "2", "--seed", "1", "--out", "out", "-q", "--no-report"
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "results: out"
    assert (workdir / "out" / "summary.json").is_file()


def test_progress_bar_only_on_a_terminal(write_scenario, run_module, workdir: Path) -> None:
    """Piped or logged output stays clean; a person at a terminal sees the bar."""
    scenario = write_scenario()
    piped = run_module("run", scenario, "-r", "3", "--out", "piped", "--no-report")
    assert piped.returncode == 0, piped.stderr
    assert "\r" not in piped.stderr and "rep/s" not in piped.stderr, piped.stderr

    shown = run_on_terminal(
        run_module, "run", scenario, "-r", "3", "--out", "terminal", "--no-report"
    )
    assert b"/3" in shown and b"\r" in shown, shown


# --------------------------------------------------------------------------- atomic writing


class Boom(RuntimeError):
    """A simulated failure in the middle of writing."""


def _fail_on_parquet(*args: Any, **kwargs: Any) -> None:
    raise Boom("disk fell over")


def test_failure_while_writing_leaves_nothing(
    write_scenario, invoke, monkeypatch, workdir: Path
) -> None:
    monkeypatch.setattr(output, "_write_parquet", _fail_on_parquet)
    result = invoke("run", write_scenario(), "--replications", "2", "--out", workdir / "out")
    assert result.exit_code == 1  # a bug, not bad input: it keeps its traceback
    assert isinstance(result.exception, Boom)
    assert not (workdir / "out").exists()
    assert not list(workdir.rglob("summary.json"))
    assert [p for p in workdir.iterdir() if p.name.startswith(".staffsim-")] == []


def test_failure_while_writing_keeps_the_previous_results(
    write_scenario, invoke, monkeypatch, workdir: Path
) -> None:
    out = workdir / "out"
    _run_ok(invoke, write_scenario(), "--replications", "2", "--seed", "1", "--out", out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    monkeypatch.setattr(output, "_write_parquet", _fail_on_parquet)
    result = invoke("run", workdir / "scenario.yaml", "--replications", "3", "--out", out)
    assert isinstance(result.exception, Boom)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert [p for p in workdir.iterdir() if p.name.startswith(".staffsim-")] == []


@pytest.fixture
def api_result(small: dict[str, Any]) -> Any:
    return run_experiment(load_scenario(small), replications=2, seed=1)


def test_interrupt_while_writing_cleans_up(api_result, monkeypatch, tmp_path: Path) -> None:
    """Ctrl-C halfway: no target folder, no temporary folder, no summary anywhere."""
    calls = []

    def interrupted(data: Any, path: Path) -> None:
        calls.append(path.name)
        raise KeyboardInterrupt

    monkeypatch.setattr(output, "write_json", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_results(api_result, tmp_path / "out")
    assert calls
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("exchange", [True, False], ids=["exchange", "two-renames"])
def test_failed_swap_puts_the_previous_folder_back(
    api_result, monkeypatch, tmp_path: Path, exchange: bool
) -> None:
    out = tmp_path / "out"
    write_results(api_result, out)
    before = (out / "summary.json").read_bytes()
    real_rename = results_folder.os.rename
    renames = []

    def flaky_rename(src: Any, dst: Any) -> None:
        renames.append((src, dst))
        if len(renames) == 2:  # the new folder moving in
            raise OSError("simulated")
        real_rename(src, dst)

    def failed_exchange(first: Any, second: Any) -> bool:
        raise OSError("simulated")

    if exchange:
        monkeypatch.setattr(results_folder, "_rename_exchange", failed_exchange)
    else:  # a system without renameat2: the previous folder steps aside, then back
        monkeypatch.setattr(results_folder, "_rename_exchange", lambda first, second: False)
        monkeypatch.setattr(results_folder.os, "rename", flaky_rename)
    with pytest.raises(OSError, match="simulated"):
        write_results(api_result, out)
    assert (out / "summary.json").read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_write_results_returns_the_folder(api_result, tmp_path: Path) -> None:
    assert write_results(api_result, tmp_path / "a" / "b") == tmp_path / "a" / "b"
    assert (tmp_path / "a" / "b" / "summary.json").is_file()


# --------------------------------------------------------------------------- headline table


def _stat(
    value: float | None, low: float | None = None, high: float | None = None
) -> dict[str, Any]:
    return {"value": value, "ci95": None if low is None else [low, high]}


def _metrics(frt_p90: dict[str, Any]) -> dict[str, Any]:
    return {
        "counts": {"arrived": _stat(960.0, 950.0, 970.0)},
        "abandon_rate": _stat(0.032, 0.028, 0.036),
        "frt_s": {
            "mean": _stat(66.0, 60.0, 72.0),
            "p50": _stat(None),
            "p90": frt_p90,
            "within_target": _stat(None),
        },
        "followup_s": {"p90": _stat(240.0, 230.0, 250.0)},
        "resolution_s": {"p90": _stat(1800.0, 1700.0, 1900.0)},
    }


def test_headline_table_formats_durations_shares_and_nulls() -> None:
    summary = {
        "scenario": "demo",
        "seed": 1,
        "replications": 10,
        "overall": _metrics(_stat(108.0, 96.0, 120.0)),
        "by_stream": {"chat": _metrics(_stat(108.0, 96.0, 120.0))},
        "by_team": {
            "support": {
                "occupancy": _stat(0.78, 0.75, 0.81),
                "overtime_h": _stat(0.5, 0.25, 0.75),
                "handbacks": _stat(None),
            }
        },
    }
    table = headline_table(summary)
    lines = [" ".join(line.split()) for line in table.splitlines()]
    assert "FRT p90 1.8min [1.6min, 2min]" in lines
    assert "arrived 960 [950, 970]" in lines
    assert "abandon rate 3.2% [2.8%, 3.6%]" in lines
    assert "FRT p50 -" in lines
    assert "FRT within target -" in lines
    assert "resolution p90 30min [28.3min, 31.7min]" in lines
    assert "occupancy 78.0% [75.0%, 81.0%]" in lines
    assert "overtime 30min [15min, 45min]" in lines
    assert "handbacks -" in lines
    assert "stream chat" in lines and "team support" in lines


def test_headline_table_with_one_replication_has_no_intervals() -> None:
    summary = {
        "scenario": "demo",
        "seed": 1,
        "replications": 1,
        "overall": _metrics(_stat(108.0)),
        "by_stream": {},
        "by_team": {},
    }
    table = headline_table(summary)
    assert "no intervals with one replication" in table
    assert any(" ".join(line.split()) == "FRT p90 1.8min" for line in table.splitlines())


def test_summary_nan_is_written_as_null(api_result, tmp_path: Path) -> None:
    api_result.summary["overall"]["frt_s"]["p99"] = {"value": math.nan, "ci95": None}
    write_results(api_result, tmp_path / "out")
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["overall"]["frt_s"]["p99"]["value"] is None


def test_run_warns_about_the_plan_and_strict_refuses_before_running(
    write_scenario, invoke, workdir: Path
) -> None:
    warned = _run_ok(invoke, write_scenario(), "-r", "1", "--out", workdir / "warned")
    assert "warning: team 'support': offered load above staffed capacity" in warned.stderr
    strict = invoke("run", write_scenario(), "-r", "1", "--strict", "--out", workdir / "strict")
    assert strict.exit_code == 2
    assert "--strict was given" in strict.stderr
    assert not (workdir / "strict").exists()
