"""``docs/scenario-reference.md``: the scenario and shift-templates formats, from the schema.

Regenerate after changing a field with ``python -m simulator.reference_doc``;
a test fails while the file differs from what this renders.
"""

from __future__ import annotations

from pathlib import Path

from simulator.decisions.roster.shift_templates import ShiftTemplates
from simulator.scenario.reference import render
from simulator.scenario.schema import Scenario

PATH = Path(__file__).resolve().parent.parent / "docs" / "scenario-reference.md"
COMMAND = "python -m simulator.reference_doc"

INTRO = f"""\
# Scenario reference

Generated from the scenario schema by `{COMMAND}`: edit the docstrings in
`simulator/scenario/schema.py`, `simulator/scenario/distributions.py` and
`simulator/decisions/roster/shift_templates.py`, not this file. The
[modelling guide](modelling-guide.md) explains how a plan maps onto these keys.

Reading the tables: a path such as `streams.NAME.conversation` names where a
block is used (`NAME` is a name you choose, `N` a position in a list). A
*duration* always carries a unit (`45s`, `2min`, `1.5h`, `3d`, `1w`). A clock
time is quoted text (`"09:00"`). A *date-time* carries a time zone
(`2026-03-02T09:00:00Z`). Shares and chances run from 0 to 1. Unknown keys are
errors.
"""


def text() -> str:
    """The whole reference, as written to :data:`PATH`."""
    lines = [INTRO, "## Scenario file", ""]
    lines += render(Scenario, "the top level of a scenario file")
    lines += ["## Shift-templates file (`staffsim roster --shifts`)", ""]
    lines += render(ShiftTemplates, "the top level of a shift-templates file")
    return "\n".join(lines).rstrip() + "\n"


def main() -> None:
    """Write the reference."""
    PATH.parent.mkdir(exist_ok=True)
    PATH.write_text(text(), encoding="utf-8")
    print(f"wrote {PATH}")


if __name__ == "__main__":
    main()
