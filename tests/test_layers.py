"""The import graph of the ``simulator`` package: no import cycles, and the model
imports nothing from the layers built on it.

Read from the source with :mod:`ast`, without importing anything. An edge is
any import a module can execute, at module level or inside a function (a lazy
import still ties the two modules together); imports under ``if
TYPE_CHECKING:`` are annotations only and are left out.
"""

from __future__ import annotations

import ast
from pathlib import Path

import simulator

PACKAGE = Path(simulator.__file__).resolve().parent

# The layers above the model: a model module importing one of them is a layer upside down.
ABOVE_MODEL = (
    "simulator.experiment",
    "simulator.analysis",
    "simulator.decisions",
    "simulator.cli",
    "simulator.results_writer",
)

# Cycles known to remain outside the model, each to be removed by its own change
# (then dropped from here: the test fails on a listed cycle that is gone).
KNOWN_CYCLES = [
]


def _modules() -> dict[str, Path]:
    """Every module of the package by dotted name (a package by its ``__init__``)."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


class _Imports(ast.NodeVisitor):
    """The dotted names a module imports, outside ``if TYPE_CHECKING:`` blocks."""

    def __init__(self, module: str, is_package: bool) -> None:
        self.package = module if is_package else module.rpartition(".")[0]
        self.names: set[str] = set()

    def visit_If(self, node: ast.If) -> None:
        test = node.test
        if (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
            isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
        ):
            for child in node.orelse:
                self.visit(child)
            return
        self.generic_visit(node)

    def visit_Import(self, node: ast.Import) -> None:
        self.names.update(alias.name for alias in node.names)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        base = node.module or ""
        if node.level:
            anchor = self.package.split(".")
            anchor = anchor[: len(anchor) - (node.level - 1)]
            base = ".".join([*anchor, base] if base else anchor)
        self.names.add(base)
        # ``from simulator.model import engine`` imports the submodule.
        self.names.update(f"{base}.{alias.name}" for alias in node.names)


def import_graph() -> dict[str, set[str]]:
    """Module -> the package's modules it imports."""
    modules = _modules()
    graph = {}
    for name, path in modules.items():
        visitor = _Imports(name, path.name == "__init__.py")
        visitor.visit(ast.parse(path.read_text(), filename=str(path)))
        graph[name] = {target for target in visitor.names if target in modules} - {name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[set[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[set[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(component)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_graph_sees_the_model() -> None:
    graph = import_graph()
    assert "simulator.model.engine" in graph
    assert "simulator.model.builder" in graph["simulator.model.engine"]


def test_no_import_cycle_in_the_model() -> None:
    graph = import_graph()
    inside = {name for name in graph if name.startswith("simulator.model")}
    assert cycles({name: graph[name] & inside for name in inside}) == []


def test_no_import_cycles_but_the_known_ones() -> None:
    found = cycles(import_graph())
    assert [c for c in found if c not in KNOWN_CYCLES] == []
    assert [c for c in KNOWN_CYCLES if c not in found] == [], "a known cycle is gone: drop it"


def test_the_model_imports_no_layer_above_it() -> None:
    upward = {
        (name, target)
        for name, targets in import_graph().items()
        if name.startswith("simulator.model")
        for target in targets
        if target.startswith(ABOVE_MODEL)
    }
    assert upward == set()


def test_the_reader_finds_cycles_and_skips_type_checking() -> None:
    assert cycles({"a": {"b"}, "b": {"a"}, "c": {"a"}}) == [{"a", "b"}]
    source = (
        "from typing import TYPE_CHECKING\n"
        "import simulator.x\n"
        "if TYPE_CHECKING:\n"
        "    import simulator.y\n"
        "def f():\n"
        "    from . import z\n"
    )
    visitor = _Imports("simulator.model.m", is_package=False)
    visitor.visit(ast.parse(source))
    assert "simulator.x" in visitor.names
    assert "simulator.y" not in visitor.names
    assert "simulator.model.z" in visitor.names
