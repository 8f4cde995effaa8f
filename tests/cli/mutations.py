"""Small edits of a scenario dict that break one field, for the bad-input tables, and
the check that a command refused the result."""

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


def check_refused(result: Any, expect: list[str]) -> None:
    """``result`` (a CliRunner result) is a refusal: exit code 2, nothing on stdout, no
    traceback, and every word of ``expect`` in the message (case-insensitive)."""
    assert result.exit_code == 2, (result.exit_code, result.output)
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    message = result.stderr.lower()
    for word in expect:
        assert word.lower() in message, f"{word!r} missing from:\n{result.stderr}"
