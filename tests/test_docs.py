"""The project's documents stand alone: they point only at files inside the repository."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = [
    ROOT / "README.md",
    *sorted((ROOT / "docs").glob("*.md")),
    *sorted((ROOT / "scenarios").rglob("*.yaml")),
]
_LINK = re.compile(r"\]\(([^)#\s]+)[^)]*\)")


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda path: path.name)
def test_points_only_inside_the_repository(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert "../" not in text, f"{path.name} names a file outside the repository"
    for target in _LINK.findall(text):
        if not target.startswith(("http://", "https://")):
            assert (path.parent / target).exists(), f"{path.name} links to missing {target}"
