"""Fixtures shared by the command-line, decision and analysis tests."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``tmp_path`` as the working directory, so default ``results/`` lands there."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def scenario_writer(folder: Path, default: dict[str, Any],
                    default_name: str) -> Callable[..., Path]:
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
