"""Fixtures and helpers shared by the command-line, decision and analysis tests."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``tmp_path`` as the working directory, so default ``results/`` lands there."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def scenario_writer(
    folder: Path, default: dict[str, Any], default_name: str
) -> Callable[..., Path]:
    """A function that writes a scenario (a dict, dumped as YAML, or raw text;
    ``default`` when none is given) into ``folder`` and returns its path."""

    def write(content: dict[str, Any] | str | None = None, name: str = default_name) -> Path:
        if content is None:
            content = copy.deepcopy(default)
        text = content if isinstance(content, str) else yaml.safe_dump(content, sort_keys=False)
        path = folder / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


def written(folder: Path) -> list[str]:
    """What a command left in ``folder``: results (``results``, ``out``) or temporary
    folders (empty after bad input)."""
    return sorted(
        p.name
        for p in folder.iterdir()
        if p.name in ("results", "out") or p.name.startswith(".staffsim-")
    )


def _runner() -> CliRunner:
    try:
        return CliRunner(mix_stderr=False)  # click 8.1
    except TypeError:
        return CliRunner()  # click >= 8.2 keeps stderr apart by default


@pytest.fixture
def invoke() -> Callable[..., Result]:
    """Run the ``staffsim`` group in-process with the given arguments (stderr kept
    apart from stdout)."""
    from simulator.cli import cli  # here, so a broken CLI fails only the tests using it

    runner = _runner()

    def call(*args: str | Path) -> Result:
        return runner.invoke(cli, [str(a) for a in args])

    return call
