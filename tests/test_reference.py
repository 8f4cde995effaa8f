"""The scenario reference: every field described, and the shipped file up to date."""

from __future__ import annotations

from pydantic import Field

from simulator import reference_doc
from simulator.scenario.distributions import Duration
from simulator.scenario.reference import blocks, field_rows, undocumented
from simulator.scenario.schema import Model, Scenario


def _missing() -> list[str]:
    from simulator.decisions.roster.shift_templates import ShiftTemplates

    return [*undocumented(Scenario), *undocumented(ShiftTemplates)]


def test_every_field_has_a_description() -> None:
    missing = _missing()
    assert not missing, f"write a docstring under each of these fields: {missing}"


def test_reference_file_is_current() -> None:
    assert reference_doc.PATH.read_text(encoding="utf-8") == reference_doc.text(), (
        f"docs/scenario-reference.md is stale; regenerate it with `{reference_doc.COMMAND}`"
    )


def test_each_block_once_with_every_place_it_is_used() -> None:
    places = {model.__name__: paths for model, paths in blocks(Scenario).items()}
    assert places["Reread"] == ["teams.NAME.handoff.reread", "handoff.reread"]
    assert "streams.NAME.conversation.handle" in places["Distribution"]
    assert places["Shift"] == ["teams.NAME.roster.N"]


class _Example(Model):
    wait: Duration = Field(default=1800.0, gt=0)
    """How long it waits. Example: `5min`."""
    share: float = Field(default=0.5, ge=0, le=1)
    """A share."""


def test_rows_show_unit_default_bounds_example_and_meaning() -> None:
    rows = field_rows(_Example)
    assert rows[2] == "| `wait` | duration | 30min | > 0s | `5min` | How long it waits. |"
    assert rows[3] == "| `share` | number | 0.5 | >= 0, <= 1 |  | A share. |"
