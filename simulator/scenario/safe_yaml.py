"""YAML for hostile input: safe loading with limits, for files and command-line values.

``yaml.safe_load`` never runs code, but a 1 KB file of nested aliases ("billion
laughs") expands to billions of values once walked, 20,000 opening brackets
exhaust the recursive composer, and a repeated key silently keeps the last
value. :func:`load_yaml` refuses all of these, and any tag outside plain YAML
(``!!python/object``), while the file is read, so a mistake costs milliseconds
and little memory. Every refusal is a :class:`ScenarioError` naming the line.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from simulator.errors import ScenarioError

MAX_DEPTH = 50
"""Deepest nesting of blocks and lists (a scenario needs about six)."""
MAX_VALUES = 250_000
"""Most values (keys, scalars, lists, blocks) after aliases are expanded."""

_CORE = "tag:yaml.org,2002:"
ALLOWED_TAGS = frozenset(
    _CORE + name
    for name in ("str", "int", "float", "bool", "null", "timestamp", "seq", "map", "merge", "value")
)
"""Plain YAML only: no python/*, binary, set or application tags."""


def load_yaml(text: str, source: str | None = None) -> Any:
    """The data in ``text`` (safe loading within the limits above); a refusal is a
    :class:`ScenarioError` naming ``source``; other syntax errors stay ``yaml.YAMLError``."""
    loader = _Loader(text)
    try:
        return loader.get_single_data()
    except ScenarioError as error:
        raise error.with_source(source) if source else error from None
    finally:
        loader.dispose()


def _line(node: Node) -> int:
    return node.start_mark.line + 1


def _refuse(message: str, fix: str) -> ScenarioError:
    return ScenarioError(message, fix=fix)


def _too_deep(line: int) -> ScenarioError:
    return _refuse(
        f"the nesting is deeper than {MAX_DEPTH} levels at line {line}",
        "a scenario nests only a few levels; look for unclosed or runaway brackets",
    )


class _Loader(yaml.SafeLoader):
    """SafeLoader that counts nesting and values and refuses duplicate keys and tags."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._composed = 0

    def fetch_flow_collection_start(self, TokenClass: Any) -> None:
        # The scanner looks ahead for keys at every open bracket: stop it early, not
        # after thousands of levels.
        if self.flow_level >= MAX_DEPTH:
            raise _too_deep(self.get_mark().line + 1)
        super().fetch_flow_collection_start(TokenClass)

    def compose_node(self, parent: Node | None, index: Any) -> Node:
        if self.check_event(yaml.AliasEvent):
            return super().compose_node(parent, index)
        self._depth += 1
        self._composed += 1
        if self._depth > MAX_DEPTH:
            raise _too_deep(self.peek_event().start_mark.line + 1)
        if self._composed > MAX_VALUES:
            raise _refuse(f"the file holds more than {MAX_VALUES:,} values", _SMALLER)
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def get_single_node(self) -> Node | None:
        node = super().get_single_node()
        if node is not None:
            _Expansion().measure(node, 1)
        return node

    def construct_object(self, node: Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)
        except (ValueError, OverflowError) as error:  # e.g. year 0, a 5,000-digit number
            shown = node.value if isinstance(node, ScalarNode) else node.id
            raise _refuse(
                f"cannot read {shown[:40]!r} at line {_line(node)} ({error})",
                "write an ordinary number, date or text",
            ) from None

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            if key_node.tag == _CORE + "merge":
                continue  # merged keys may be overridden: that is what merging is for
            key = self.construct_object(key_node, deep=False)
            if not isinstance(key, Hashable):
                continue  # the base class refuses it with its own message
            if key in seen:
                raise _refuse(
                    f"the key {str(key)[:60]!r} is given twice, at line {seen[key]} "
                    f"and at line {_line(key_node)}",
                    "keep one of them (YAML would silently use the last)",
                )
            seen[key] = _line(key_node)
        return super().construct_mapping(node, deep=deep)


_SMALLER = "a scenario is small: check for aliases (*name) that repeat large blocks"


class _Expansion:
    """Size and depth of the document with every alias expanded, counted once per node."""

    def __init__(self) -> None:
        self.measured: dict[int, tuple[int, int]] = {}  # id -> (values, depth)
        self.open: set[int] = set()

    def measure(self, node: Node, level: int) -> tuple[int, int]:
        if node.tag not in ALLOWED_TAGS:
            raise _refuse(
                f"the tag {node.tag.replace(_CORE, '!!')!r} at line {_line(node)} is not "
                "allowed: scenario files hold plain values only",
                "remove the tag (the '!...' before the value)",
            )
        known = self.measured.get(id(node))
        if known is None:
            if id(node) in self.open:
                raise _refuse(
                    f"the alias at line {_line(node)} refers to the block it is inside",
                    "an alias (*name) may only repeat a block defined before it, elsewhere",
                )
            self.open.add(id(node))
            known = self._children(node, level)
            self.open.discard(id(node))
            self.measured[id(node)] = known
        if level + known[1] - 1 > MAX_DEPTH:
            raise _refuse(
                f"aliases nest the document deeper than {MAX_DEPTH} levels (line {_line(node)})",
                _SMALLER,
            )
        return known

    def _children(self, node: Node, level: int) -> tuple[int, int]:
        if isinstance(node, SequenceNode):
            children = list(node.value)
        elif isinstance(node, MappingNode):
            children = [part for pair in node.value for part in pair]
        else:
            return 1, 1
        values, depth = 1, 1
        for child in children:
            size, height = self.measure(child, level + 1)
            values += size
            depth = max(depth, height + 1)
            if values > MAX_VALUES:
                raise _refuse(
                    f"the block at line {_line(node)} expands to more than {MAX_VALUES:,} "
                    "values once its aliases are repeated",
                    _SMALLER,
                )
        return values, depth


_Loader.add_constructor(_CORE + "value", SafeConstructor.construct_yaml_str)
