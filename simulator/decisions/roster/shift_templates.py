"""Shift templates: the shifts a team's people can work, as a planner writes them.

A roster is chosen from these (see :mod:`simulator.decisions.roster.shift_cover`). Each
template names a region, the clock times a shift may start, its possible
lengths, and day patterns; every combination of one start, one length and one
day pattern is a separate *choice* the integer program may staff::

    templates:
      - label: day
        region: Europe/Dublin
        starts: {from: "06:00", to: "14:00", every: 30min}   # or a list: ["07:00", "09:00"]
        length: 8h                                           # or a list of lengths
        days: [Mon-Fri, Sat-Sun]                             # each pattern a separate choice
        cost_per_hour: 1.0
        max_agents: 20                                       # also min_agents

A choice is written back as an ordinary roster entry (:class:`Shift`), so the
proposal drops into a scenario as it stands.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, ValidationError, model_validator

from simulator.errors import ScenarioError
from simulator.scenario.distributions import Duration
from simulator.scenario.loader import read_yaml, rewrite_errors
from simulator.scenario.schema import (
    Model,
    Shift,
    TimeZone,
    _clock_minutes,
    _days,
    clock_text,
    days_text,
)

MINUTES_PER_DAY = 24 * 60

Clock = Annotated[int, BeforeValidator(_clock_minutes)]
DayPattern = Annotated[list[Annotated[int, Field(ge=0, le=6)]], BeforeValidator(_days)]


class StartRange(Model):
    """Start times from ``from`` to ``to`` (both included) every ``every``."""

    first: Clock = Field(alias="from")
    """First start, local time, quoted. Example: `"06:00"`."""
    last: Clock = Field(alias="to")
    """Last start, local time, quoted (included). Example: `"14:00"`."""
    every: Duration = Field(gt=0)
    """Step between starts, whole minutes. Example: `30min`."""

    @model_validator(mode="after")
    def _ordered(self) -> StartRange:
        if self.last < self.first:
            raise ValueError("'to' is before 'from'; fix: write the earlier start under 'from'")
        if self.every % 60:
            raise ValueError("'every' must be whole minutes; fix: e.g. every: 30min")
        return self

    def minutes(self) -> list[int]:
        step = int(self.every // 60)
        return list(range(self.first, self.last + 1, step))


class ShiftTemplate(Model):
    """One kind of shift; every start x length x day pattern is a choice."""

    label: str = Field(min_length=1, max_length=100)
    """Name of the template; roster entries are named after it. Example: `day`."""
    region: TimeZone = "UTC"
    """Time zone of the starts (daylight saving followed). Example: `Europe/Dublin`."""
    starts: StartRange | list[Clock]
    """Start times: a list of clock times, or a range with from, to and every. Example: `["07:00",
    "09:00"]`."""
    length: Duration | list[Duration]
    """Shift length, or a list of lengths; whole minutes, at most 24h. Example: `8h`."""
    days: list[DayPattern] = Field(default_factory=lambda: [list(range(7))], min_length=1)
    """Day patterns, each a separate choice. Example: `[Mon-Fri, Sat-Sun]`."""
    cost_per_hour: float = Field(default=1.0, gt=0, allow_inf_nan=False)
    """Cost of an agent-hour on this template: a premium makes it dearer. Example: `1.25`."""
    min_agents: int = Field(default=0, ge=0)
    """Fewest agents across all of this template's choices."""
    max_agents: int | None = Field(default=None, ge=0)
    """Most agents across all of this template's choices (default: no limit)."""

    @model_validator(mode="after")
    def _consistent(self) -> ShiftTemplate:
        for start in self.start_minutes():
            if start >= MINUTES_PER_DAY:
                raise ValueError("a shift must start before 24:00; fix: e.g. starts: ['22:00']")
        for length in self.lengths():
            if length <= 0 or length % 60 or length > 24 * 3600:
                raise ValueError(
                    "a shift length is whole minutes, more than 0 and at most 24h; fix: e.g. 8h"
                )
        if self.max_agents is not None and self.max_agents < self.min_agents:
            raise ValueError("max_agents is below min_agents; fix: raise max_agents")
        return self

    def start_minutes(self) -> list[int]:
        return self.starts.minutes() if isinstance(self.starts, StartRange) else list(self.starts)

    def lengths(self) -> list[float]:
        return list(self.length) if isinstance(self.length, list) else [self.length]


class ShiftTemplates(Model):
    """The templates file: at least one template, labels unique."""

    templates: list[ShiftTemplate] = Field(min_length=1)
    """The shifts the team's people can work, one template each."""

    @model_validator(mode="after")
    def _unique(self) -> ShiftTemplates:
        labels = [template.label for template in self.templates]
        repeated = sorted({label for label in labels if labels.count(label) > 1})
        if repeated:
            raise ValueError(f"template labels must be unique; repeated: {', '.join(repeated)}")
        return self


@dataclass(frozen=True)
class Choice:
    """One shift the program may staff: a template at one start, length and day pattern."""

    template: int
    shift: Shift
    hours_per_week: float
    cost_per_week: float


def choices(templates: ShiftTemplates) -> list[Choice]:
    """Every start x length x day pattern of every template, in file order."""
    found: list[Choice] = []
    for index, template in enumerate(templates.templates):
        for days in template.days:
            for start in template.start_minutes():
                for length in template.lengths():
                    minutes = int(length // 60)
                    shift = Shift(
                        region=template.region,
                        days=sorted(set(days)),
                        start=clock_text(start),
                        end=clock_text(start + minutes),
                        agents=1,
                        label=_label(template.label, days, start, minutes),
                    )
                    hours = len(set(days)) * length / 3600
                    found.append(Choice(index, shift, hours, hours * template.cost_per_hour))
    return found


def _label(name: str, days: list[int], start: int, minutes: int) -> str:
    return f"{name} {days_text(days)} {clock_text(start)}-{clock_text(start + minutes)}"


def load_templates(path: Path) -> ShiftTemplates:
    """The templates file at ``path``, validated; a :class:`ScenarioError` otherwise."""
    raw: Any = read_yaml(Path(path))
    if not isinstance(raw, dict):
        raise ScenarioError(
            "the file must hold a mapping with a 'templates' list",
            source=f"--shifts {path}",
            fix="start the file with 'templates:' and one '- label: ...' entry per template",
        )
    try:
        return ShiftTemplates.model_validate(raw)
    except ValidationError as error:
        raise rewrite_errors(error, f"--shifts {path}", ShiftTemplates) from None
