"""The shipped scenarios from any folder: ``staffsim scenarios`` lists them, ``staffsim
init`` copies one to edit (never over a file), ``staffsim run --csv`` adds CSV tables."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from simulator.results_writer import RESULT_FILES
from simulator.scenario.loader import load_scenario
from simulator.scenario.shipped import DEFAULT, shipped_folder
from tests.cli.conftest import REPO_ROOT
from tests.conftest import written

TABLES = ("conversations", "followups", "agents", "tickets")


def test_a_checkout_uses_its_own_scenarios_folder() -> None:
    assert shipped_folder() == REPO_ROOT / "scenarios"


def test_scenarios_lists_each_shipped_file_with_its_description(invoke) -> None:
    result = invoke("scenarios")
    assert result.exit_code == 0, result.stderr
    files = sorted((REPO_ROOT / "scenarios").glob("*.yaml"))
    lines = result.stdout.splitlines()
    assert [line.split()[0] for line in lines] == [path.stem for path in files]
    for line, path in zip(lines, files, strict=True):
        description = load_scenario(path).description
        assert description, f"{path.name} has no description"
        assert line.split(maxsplit=1)[1].startswith(description)
    assert [line for line in lines if line.endswith("(default)")] == [
        next(line for line in lines if line.startswith(DEFAULT + " "))
    ]


def test_init_copies_a_shipped_scenario_here(invoke, workdir: Path) -> None:
    result = invoke("init", "live_chat_handback")
    assert result.exit_code == 0, result.stderr
    copy = workdir / "live_chat_handback.yaml"
    assert copy.read_bytes() == (REPO_ROOT / "scenarios" / "live_chat_handback.yaml").read_bytes()
    assert "staffsim run live_chat_handback.yaml" in result.stdout


def test_init_to_a_file_or_a_folder(invoke, workdir: Path) -> None:
    assert invoke("init", "live_chat_ownership.yaml", "--to", "mine.yaml").exit_code == 0
    (workdir / "plans").mkdir()
    assert invoke("init", "live_chat_ownership", "--to", "plans").exit_code == 0
    original = (REPO_ROOT / "scenarios" / "live_chat_ownership.yaml").read_bytes()
    assert (workdir / "mine.yaml").read_bytes() == original
    assert (workdir / "plans" / "live_chat_ownership.yaml").read_bytes() == original


def test_init_never_replaces_a_file(invoke, workdir: Path) -> None:
    mine = workdir / "live_chat_handback.yaml"
    mine.write_text("my edits\n")
    result = invoke("init", "live_chat_handback")
    assert result.exit_code == 2
    assert "exists already" in result.stderr and "--to NEW.yaml" in result.stderr
    assert mine.read_text() == "my edits\n"


def test_init_of_an_unknown_name_lists_the_shipped_ones(invoke, workdir: Path) -> None:
    result = invoke("init", "live_chat_handbak")
    assert result.exit_code == 2
    assert "did you mean 'live_chat_handback'?" in result.stderr
    assert "inbox_launch_tiger" in result.stderr
    assert list(workdir.iterdir()) == []


def test_run_csv_writes_each_table_beside_its_parquet(write_scenario, invoke, workdir) -> None:
    result = invoke("run", write_scenario(), "-r", "2", "--out", "out", "--no-report", "--csv")
    assert result.exit_code == 0, result.stderr
    out = workdir / "out"
    for stem in TABLES:
        parquet = pd.read_parquet(out / f"{stem}.parquet")
        csv = pd.read_csv(out / f"{stem}.csv")
        assert list(csv.columns) == list(parquet.columns)
        assert len(csv) == len(parquet)
        for column in parquet.columns:
            expected = parquet[column]
            if expected.dtype.kind in "fiub":
                pd.testing.assert_series_equal(csv[column], expected, check_dtype=False)
            else:
                assert csv[column].fillna("").astype(str).tolist() == (
                    expected.astype(object).fillna("").astype(str).tolist()
                ), (stem, column)


def test_run_without_csv_writes_no_csv(write_scenario, invoke, workdir) -> None:
    result = invoke("run", write_scenario(), "-r", "2", "--out", "out", "--no-report")
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in (workdir / "out").iterdir()) == sorted(RESULT_FILES)
    assert written(workdir) == ["out"]


def test_validate_shows_the_description(write_scenario, small, invoke) -> None:
    small["description"] = "Two agents on a small chat queue"
    result = invoke("validate", write_scenario(small))
    assert result.exit_code == 0, result.stderr
    assert "description   Two agents on a small chat queue\n" in result.stdout
    small["description"] = "two\nlines"
    refused = invoke("validate", write_scenario(small))
    assert refused.exit_code == 2 and "'description'" in refused.stderr


def test_run_and_validate_take_a_shipped_scenario_by_name(invoke, workdir: Path) -> None:
    shipped = REPO_ROOT / "scenarios" / "live_chat_handback.yaml"
    for name in ("live_chat_handback", "live_chat_handback.yaml"):
        result = invoke("validate", name)
        assert result.exit_code == 0, result.stderr
        assert result.stdout.startswith(f"{shipped}: valid\n")
    result = invoke(
        "run", "live_chat_handback", "-r", "1", "--set", "horizon=2d", "--out", "out", "--no-report"
    )
    assert result.exit_code == 0, result.stderr
    assert "of 'live-chat-handback'" in result.stderr
    assert (workdir / "out" / "summary.json").is_file()


def test_a_file_here_wins_over_the_shipped_scenario_of_its_name(
    write_scenario, small, invoke, workdir: Path
) -> None:
    small["name"] = "my_copy"
    write_scenario(small, name="live_chat_handback.yaml")
    for given in ("live_chat_handback", "live_chat_handback.yaml"):
        result = invoke("validate", given)
        assert result.exit_code == 0, result.stderr
        assert result.stdout.startswith("live_chat_handback.yaml: valid\n")
        assert "my_copy" in result.stdout


def test_an_unknown_name_is_no_such_file(invoke, workdir: Path) -> None:
    for given in ("live_chat_handbak", "elsewhere/live_chat_handback"):
        result = invoke("validate", given)
        assert result.exit_code == 2
        assert "no such file" in result.stderr and "staffsim scenarios" in result.stderr
