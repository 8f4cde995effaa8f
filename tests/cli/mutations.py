"""Small edits of a scenario dict that break one field, for the bad-input tables."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Mutation = Callable[[dict[str, Any]], None]


def set_at(*keys_and_value: Any) -> Mutation:
    """Set the value at a key path: ``set_at("teams", "support", "agents", 0)``."""
    *keys, value = keys_and_value

    def mutate(d: dict[str, Any]) -> None:
        node = d
        for key in keys[:-1]:
            node = node[key]
        node[keys[-1]] = value
    return mutate
