"""The import graph of the ``simulator`` package: no import cycles, and every module
imports only from its own layer or the layers below it (see ARCHITECTURE.md).

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

# The layers, lowest first, each by the dotted names it holds (the longest match
# places a module). A module may import from its own layer and the ones below.
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "base",
        (
            "simulator.errors",
            "simulator.units",
            "simulator.processes",
            "simulator.results_folder",
            "simulator.run_info",
        ),
    ),
    ("scenario", ("simulator.scenario", "simulator.rng")),
    ("model", ("simulator.model", "simulator.recording")),
    # The statistics every run's summary is made of.
    ("statistics", ("simulator.statistics",)),
    ("experiment", ("simulator.experiment", "simulator.executor")),
    ("analysis", ("simulator.analysis", "simulator.results_writer")),
    ("decisions", ("simulator.decisions", "simulator.history")),
    ("cli", ("simulator.cli", "simulator.__main__", "simulator.budget", "simulator")),
)


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


def test_no_import_cycles() -> None:
    assert cycles(import_graph()) == []


def layer_of(module: str) -> int:
    """The index in :data:`LAYERS` of the layer that holds ``module``."""
    matches = [
        (len(prefix), index)
        for index, (_, prefixes) in enumerate(LAYERS)
        for prefix in prefixes
        if module == prefix or module.startswith(prefix + ".")
    ]
    assert matches, f"{module} is in no layer: add it to LAYERS (and ARCHITECTURE.md)"
    return max(matches)[1]


def test_every_module_has_a_layer() -> None:
    for module in import_graph():
        layer_of(module)


def test_no_layer_imports_a_layer_above_it() -> None:
    upward = sorted(
        f"{name} ({LAYERS[layer_of(name)][0]}) imports {target} ({LAYERS[layer_of(target)][0]})"
        for name, targets in import_graph().items()
        for target in targets
        # ``from simulator import processes`` names the package only to reach the module.
        if target != "simulator" and layer_of(target) > layer_of(name)
    )
    assert upward == []


def test_the_reader_finds_cycles_and_skips_type_checking() -> None:
    assert cycles({"a": {"b"}, "b": {"a"}, "c": {"a"}}) == [{"a", "b"}]
    assert LAYERS[layer_of("simulator.statistics.metrics")][0] == "statistics"
    assert LAYERS[layer_of("simulator.analysis.figures")][0] == "analysis"
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
