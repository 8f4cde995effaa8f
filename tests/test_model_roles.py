"""Each role of the model stays in its one module (see ARCHITECTURE.md), read
from the source with :mod:`ast`: a second place that sets a conversation's
state, checks the handoff policy by name or reaches back into the engine is
how the model grew into one import circle before."""

from __future__ import annotations

import ast
from pathlib import Path

import simulator

MODEL = Path(simulator.__file__).resolve().parent / "model"


def _trees() -> dict[str, ast.Module]:
    return {path.stem: ast.parse(path.read_text()) for path in sorted(MODEL.glob("*.py"))}


def test_only_the_conversation_sets_its_state() -> None:
    setters = {
        module
        for module, tree in _trees().items()
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and node.attr == "state"
        and isinstance(node.ctx, ast.Store)
    }
    assert setters == {"conversation"}


def test_only_the_shift_end_policies_name_a_policy() -> None:
    naming = {
        module
        for module, tree in _trees().items()
        for node in ast.walk(tree)
        if isinstance(node, ast.Name) and node.id == "Policy"
    }
    assert naming == {"handoff"}


def test_nothing_in_the_model_reaches_back_into_the_engine_or_builder() -> None:
    """Counting imports under ``if TYPE_CHECKING:`` too: agents, policies and
    backups hold the dispatcher and the recorder, not the engine."""
    importers: dict[str, set[str]] = {}
    for module, tree in _trees().items():
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                importers.setdefault(node.module, set()).add(module)
    assert importers.get("simulator.model.engine", set()) == set()
    assert importers.get("simulator.model.builder", set()) == {"engine"}
