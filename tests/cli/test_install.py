"""``pip install .`` works anywhere: a wheel built from the source, installed into a fresh
virtual environment, lists and runs the shipped scenarios from an empty folder.

Offline by design: the venv sees this interpreter's packages
(``--system-site-packages``), so no dependency is downloaded, and the wheel is built
without build isolation and installed without dependencies.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.conftest import REPO_ROOT

SOURCE = ("pyproject.toml", "setup.py", "README.md", "simulator", "scenarios")
"""What a wheel is built from (copied, so the build leaves nothing in the checkout)."""


def _can_build_wheels() -> bool:
    """bdist_wheel is part of setuptools from 70.1 (the test extras require it); older
    setuptools needs the separate wheel package."""
    import setuptools

    major, minor = (int(part) for part in setuptools.__version__.split(".")[:2])
    if (major, minor) >= (70, 1):
        return True
    try:
        import wheel  # noqa: F401
    except ImportError:
        return False
    return True


def _call(*args: str | Path, cwd: Path, env: dict[str, str]) -> str:
    done = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, f"{args}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.mark.slow
@pytest.mark.skipif(
    not _can_build_wheels(), reason="needs setuptools>=70.1: pip install -e '.[test]'"
)
def test_a_built_wheel_runs_the_shipped_scenarios_from_an_empty_folder(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    source = tmp_path / "source"
    source.mkdir()
    for name in SOURCE:
        origin = REPO_ROOT / name
        if origin.is_dir():
            shutil.copytree(origin, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(origin, source / name)
    dist = tmp_path / "dist"
    _call(
        sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
        "-w", dist, source, cwd=tmp_path, env=env,
    )  # fmt: skip
    (built,) = dist.glob("staffsim-*.whl")

    venv = tmp_path / "venv"
    _call(sys.executable, "-m", "venv", "--system-site-packages", venv, cwd=tmp_path, env=env)
    bin_dir = venv / ("Scripts" if os.name == "nt" else "bin")
    python = bin_dir / "python"
    _call(
        python, "-m", "pip", "install", "--no-deps", "--no-index", "--ignore-installed", built,
        cwd=tmp_path, env=env,
    )  # fmt: skip

    empty = tmp_path / "empty"
    empty.mkdir()
    where = _call(python, "-c", "import simulator; print(simulator.__file__)", cwd=empty, env=env)
    assert Path(where.strip()).is_relative_to(venv), where  # the wheel, not this checkout

    staffsim = bin_dir / "staffsim"
    listed = _call(staffsim, "scenarios", cwd=empty, env=env)
    shipped = sorted(path.stem for path in (REPO_ROOT / "scenarios").glob("*.yaml"))
    assert [line.split()[0] for line in listed.splitlines()] == shipped

    ran = _call(
        staffsim, "run", "-r", "1", "--set", "horizon=1d", "--set", "warmup=1h",
        "--no-report", "--csv", "-q", cwd=empty, env=env,
    )  # fmt: skip
    folder = empty / ran.strip().removeprefix("results: ")
    assert (folder / "summary.json").is_file() and (folder / "conversations.csv").is_file()

    _call(staffsim, "init", "live_chat_handback", cwd=empty, env=env)
    copied = (empty / "live_chat_handback.yaml").read_bytes()
    assert copied == (REPO_ROOT / "scenarios" / "live_chat_handback.yaml").read_bytes()
