"""The results folder never costs a user a file: only a folder carrying staffsim's marker
is replaced, and then only what the marker lists; ``--set`` runs get their own default
folder; an ``--out`` that cannot be made, or a ``--cluster`` that does not answer, is
refused before simulating; a killed run's leftovers are tidied by the next run; and
two runs on one ``--out`` cannot both write it."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

import simulator.results_folder as results_folder
from simulator import processes
from simulator.cli import default_out_dir
from simulator.results_folder import MARKER, lock_name
from tests.cli.mutations import check_refused


def _run(invoke: Any, *args: str | Path) -> Any:
    result = invoke("run", *args, "-r", "2", "--seed", "1", "--no-report", "-q")
    assert result.exit_code == 0, (result.stderr, result.exception)
    return result


def _hidden(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


# --------------------------------------------------------------------------- the marker


def test_a_folder_without_the_marker_is_refused_and_untouched(
    write_scenario, invoke, workdir: Path
) -> None:
    folder = workdir / "p"
    folder.mkdir()
    (folder / "thesis.tex").write_text("years of work")
    (folder / "run.json").write_text("{}")  # looks like results, but staffsim did not write it
    result = invoke("run", write_scenario(), "--out", folder, "-q", "--no-report")
    check_refused(result, ["--out", "not a staffsim results folder", MARKER, "fix", "--out"])
    assert sorted(p.name for p in folder.iterdir()) == ["run.json", "thesis.tex"]
    assert (folder / "thesis.tex").read_text() == "years of work"
    assert _hidden(workdir) == []


def test_the_marker_lists_what_staffsim_wrote(write_scenario, invoke, workdir: Path) -> None:
    out = workdir / "out"
    _run(invoke, write_scenario(), "--out", out)
    marker = json.loads((out / MARKER).read_text())
    assert marker["command"] == "run" and marker["folder"] == "out"
    on_disk = sorted(p.name for p in out.iterdir() if p.name != MARKER)
    assert marker["files"] == on_disk


def test_a_rerun_keeps_the_users_files_and_replaces_the_results(
    write_scenario, invoke, workdir: Path
) -> None:
    out = workdir / "out"
    _run(invoke, write_scenario(), "--out", out)
    (out / "notes.md").write_text("mine")
    (out / "mine").mkdir()
    (out / "mine" / "plot.png").write_bytes(b"png")
    (out / "summary.json").write_text("stale")  # staffsim's: listed, so replaced
    _run(invoke, workdir / "scenario.yaml", "--out", out)
    assert (out / "notes.md").read_text() == "mine"
    assert (out / "mine" / "plot.png").read_bytes() == b"png"
    assert json.loads((out / "summary.json").read_text())["scenario"] == "tiny"
    assert "notes.md" not in json.loads((out / MARKER).read_text())["files"]
    assert _hidden(workdir) == []


def test_a_run_without_files_it_wrote_before_removes_them_and_keeps_a_users_file_inside(
    write_scenario, invoke, workdir: Path, api_folder: Any
) -> None:
    """A folder the marker lists goes, unless a user's file is inside it."""
    out = workdir / "out"
    api_folder(out, {"a.txt": "old", "figures/old.png": "old"}, kind="test")
    (out / "figures" / "keep.txt").write_text("mine")
    _run(invoke, write_scenario(), "--out", out)
    assert not (out / "a.txt").exists() and not (out / "figures" / "old.png").exists()
    assert (out / "figures" / "keep.txt").read_text() == "mine"
    assert json.loads((out / MARKER).read_text())["command"] == "run"


def test_a_link_is_refused_and_its_target_untouched(write_scenario, invoke, workdir: Path) -> None:
    out = workdir / "out"
    _run(invoke, write_scenario(), "--out", out)
    before = (out / "summary.json").read_bytes()
    (workdir / "link").symlink_to(out)
    result = invoke("run", workdir / "scenario.yaml", "--out", workdir / "link", "--no-report")
    check_refused(result, ["--out", "link", "fix"])
    assert (out / "summary.json").read_bytes() == before


def test_an_empty_folder_is_used(write_scenario, invoke, workdir: Path) -> None:
    (workdir / "empty").mkdir()
    _run(invoke, write_scenario(), "--out", workdir / "empty")
    assert (workdir / "empty" / MARKER).is_file()


def test_a_users_file_named_like_a_new_result_stops_the_write(api_folder, tmp_path: Path) -> None:
    out = tmp_path / "out"
    api_folder(out, {"a.txt": "old"}, kind="test")
    (out / "b.txt").write_text("mine")
    with pytest.raises(results_folder.ScenarioError, match=r"b\.txt"):
        api_folder(out, {"a.txt": "new", "b.txt": "new"}, kind="test")
    assert (out / "a.txt").read_text() == "old" and (out / "b.txt").read_text() == "mine"
    assert _hidden(tmp_path) == []


def test_a_failed_exchange_returns_the_users_files(
    api_folder, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    api_folder(out, {"a.txt": "old"}, kind="test")
    (out / "notes.md").write_text("mine")

    def failed(first: Any, second: Any) -> bool:
        raise OSError("simulated")

    monkeypatch.setattr(results_folder, "_rename_exchange", failed)
    with pytest.raises(OSError, match="simulated"):
        api_folder(out, {"a.txt": "new"}, kind="test")
    assert sorted(p.name for p in out.iterdir()) == [MARKER, "a.txt", "notes.md"]
    assert (out / "a.txt").read_text() == "old"
    assert _hidden(tmp_path) == []


@pytest.fixture
def api_folder() -> Any:
    """Write a results folder of the given files (relative path -> text) through
    :func:`simulator.results_folder.write_folder`."""

    def write(out: Path, files: dict[str, str], *, kind: str) -> Path:
        def fill(staging: Path) -> None:
            for name, text in files.items():
                (staging / name).parent.mkdir(parents=True, exist_ok=True)
                (staging / name).write_text(text)

        return results_folder.write_folder(out, fill, kind=kind)

    return write


# --------------------------------------------------------------------------- --set folders


def test_set_runs_get_their_own_default_folder(write_scenario, invoke, workdir: Path) -> None:
    scenario = write_scenario()
    _run(invoke, scenario)
    baseline = (workdir / "results" / "tiny" / "summary.json").read_bytes()
    result = _run(invoke, scenario, "--set", "teams.support.agents=3")
    changed = workdir / "results" / "tiny--set-teams.support.agents=3"
    assert f"results: {changed.relative_to(workdir)}" in result.stdout
    assert (changed / "summary.json").is_file()
    assert (workdir / "results" / "tiny" / "summary.json").read_bytes() == baseline


def test_compare_with_set_gets_its_own_default_folder(
    write_scenario, invoke, workdir: Path
) -> None:
    args = ("--vary", "teams.support.agents=2,3", "-r", "2", "-q")
    assert invoke("compare", write_scenario(), *args).exit_code == 0
    result = invoke("compare", workdir / "scenario.yaml", *args, "--set", "seed=5")
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in (workdir / "results").iterdir()) == [
        "compare-tiny",
        "compare-tiny--set-seed=5",
    ]


def test_default_folder_names_are_safe_short_and_distinct() -> None:
    assert default_out_dir("tiny") == Path("results/tiny")
    assert default_out_dir("size-tiny", ["a.b=1"]) == Path("results/size-tiny--set-a.b=1")
    assert default_out_dir("tiny", ["name=a/../b c"]).name == "tiny--set-name=a-..-b-c"
    long = [default_out_dir("tiny", [f"streams.chat.per_hour={'9' * 200}{i}"]) for i in range(2)]
    assert long[0] != long[1]
    assert all(len(path.name) <= 96 for path in long)


# --------------------------------------------------------------------------- --out that cannot be


@pytest.mark.parametrize(
    "out",
    [
        pytest.param("/proc/staffsim-test/out", id="under-proc"),
        pytest.param("x" * 300, id="name-too-long"),
        pytest.param("/".join(["y" * 200] * 25), id="path-too-long"),
    ],
)
def test_an_out_that_cannot_be_made_is_refused_before_simulating(
    write_scenario, invoke, workdir: Path, out: str
) -> None:
    result = invoke("run", write_scenario(), "--out", out, "--no-report")
    check_refused(result, ["--out", "fix"])
    assert "running" not in result.stderr  # refused before the simulation
    assert sorted(p.name for p in workdir.iterdir()) == ["scenario.yaml"]


def test_table_out_under_proc_is_refused(write_scenario, invoke, workdir: Path) -> None:
    result = invoke("table", write_scenario(), "--out", "/proc/staffsim-table.md")
    check_refused(result, ["--out", "/proc"])
    assert "running" not in result.stderr


# --------------------------------------------------------------------------- --cluster


@pytest.mark.parametrize("address", ["tcp://127.0.0.1:1", "nonsense://x", "tcp://", "127.0.0.1"])
def test_a_cluster_that_does_not_answer_is_refused_at_once(
    write_scenario, invoke, workdir: Path, address: str
) -> None:
    began = time.monotonic()
    result = invoke("run", write_scenario(), "--cluster", address, "--no-report")
    check_refused(result, ["--cluster", address, "fix"])
    assert time.monotonic() - began < 30  # a few seconds, not dask's long default wait
    assert sorted(p.name for p in workdir.iterdir()) == ["scenario.yaml"]


def test_a_scheduler_that_answers_is_used_and_gives_the_same_bytes(
    write_scenario, invoke, workdir: Path
) -> None:
    distributed = pytest.importorskip("distributed")
    _run(invoke, write_scenario(), "--out", workdir / "serial")
    with distributed.LocalCluster(
        n_workers=1,
        threads_per_worker=1,
        processes=False,
        protocol="tcp",
        host="127.0.0.1",
        dashboard_address=None,
    ) as cluster:
        _run(
            invoke,
            workdir / "scenario.yaml",
            "--out",
            workdir / "dask",
            "--cluster",
            cluster.scheduler_address,
        )
    for name in ("summary.json", "conversations.parquet", MARKER):
        expected = (workdir / "serial" / name).read_bytes()
        if name == MARKER:
            expected = expected.replace(b'"serial"', b'"dask"')
        assert (workdir / "dask" / name).read_bytes() == expected, name


def test_a_listener_that_is_not_a_scheduler_is_refused(
    write_scenario, invoke, workdir: Path
) -> None:
    """The port answers but speaks no dask: the client's short timeout ends it."""
    pytest.importorskip("distributed")
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]

    def hang_up() -> None:
        while True:
            try:
                connection, _ = server.accept()
            except OSError:
                return
            connection.close()

    threading.Thread(target=hang_up, daemon=True).start()
    try:
        began = time.monotonic()
        result = invoke("run", write_scenario(), "--cluster", f"tcp://127.0.0.1:{port}", "-q")
    finally:
        server.close()
    check_refused(result, ["--cluster", str(port)])
    assert time.monotonic() - began < 60
    assert not (workdir / "results").exists()


# --------------------------------------------------------------------------- killed runs


def _dead_pid() -> int:
    done = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    return int(done.stdout)


def test_the_next_run_tidies_a_dead_runs_staging(write_scenario, invoke, workdir: Path) -> None:
    stale = workdir / f".staffsim-{_dead_pid()}-12345-deadbeef"
    stale.mkdir()
    (stale / "summary.json").write_text("half")
    (workdir / f".staffsim-{_dead_pid()}-12345-cafef00d.md").write_text("half a table")
    (workdir / lock_name("gone")).write_text("1\n")  # nobody holds it
    _run(invoke, write_scenario(), "--out", workdir / "out")
    assert _hidden(workdir) == []


def test_a_live_runs_staging_is_left_alone(write_scenario, invoke, workdir: Path) -> None:
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        token = processes.start_token(sleeper.pid)
        live = workdir / f".staffsim-{sleeper.pid}-{token}-0badcafe"
        live.mkdir()
        (live / "summary.json").write_text("being written")
        _run(invoke, write_scenario(), "--out", workdir / "out")
        assert (live / "summary.json").read_text() == "being written"
    finally:
        sleeper.kill()
        sleeper.wait()


def test_a_reused_pid_does_not_keep_a_staging_alive(write_scenario, invoke, workdir: Path) -> None:
    """Same PID, another start time: the process that made it is gone."""
    stale = workdir / f".staffsim-{os.getpid()}-1-0badf00d"
    stale.mkdir()
    _run(invoke, write_scenario(), "--out", workdir / "out")
    assert _hidden(workdir) == []


def test_a_dead_runs_complete_results_are_put_back(api_folder, tmp_path: Path) -> None:
    """Killed between the two renames of a system without an exchange: the results
    folder is missing, its complete results sit in staging, the user's file with them."""
    api_folder(tmp_path / "out", {"a.txt": "results"}, kind="test")
    (tmp_path / "out" / "notes.md").write_text("mine")
    stale = tmp_path / f".staffsim-{_dead_pid()}-1-00000001"
    (tmp_path / "out").rename(stale)
    api_folder(tmp_path / "other", {"b.txt": "x"}, kind="test")  # a run beside it
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [MARKER, "a.txt", "notes.md"]
    assert _hidden(tmp_path) == []


def test_a_users_file_left_in_a_dead_runs_staging_goes_home(api_folder, tmp_path: Path) -> None:
    """Killed while moving the user's files across: they go back to their folder."""
    api_folder(tmp_path / "out", {"a.txt": "old"}, kind="test")
    stale = tmp_path / f".staffsim-{_dead_pid()}-1-00000002"
    stale.mkdir()
    (stale / "a.txt").write_text("new")
    (stale / "notes.md").write_text("mine")
    (stale / MARKER).write_text(
        json.dumps({"command": "test", "folder": "out", "files": ["a.txt"]})
    )
    api_folder(tmp_path / "other", {"b.txt": "x"}, kind="test")
    assert (tmp_path / "out" / "notes.md").read_text() == "mine"
    assert (tmp_path / "out" / "a.txt").read_text() == "old"
    assert _hidden(tmp_path) == []


# --------------------------------------------------------------------------- two runs, one --out


def test_a_second_run_on_the_same_out_is_refused(write_scenario, run_module, workdir: Path) -> None:
    out = workdir / "out"
    scenario = write_scenario()
    with results_folder.claim(out):  # this process is the first run, mid-simulation
        second = run_module("run", scenario, "--out", out, "-q", "--no-report")
        assert second.returncode == 2, second.stderr
        assert "another staffsim run" in second.stderr and "--out" in second.stderr
        assert "Traceback" not in second.stderr
        assert not out.exists()
    third = run_module("run", scenario, "--out", out, "-q", "--no-report")
    assert third.returncode == 0, third.stderr  # the lock went with the first run
    assert _hidden(workdir) == []
