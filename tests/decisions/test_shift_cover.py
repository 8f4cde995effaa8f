"""The shift-covering integer program on small cases whose optimum is known by hand."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest

from simulator.decisions.roster.shift_cover import coverage, solve
from simulator.decisions.roster.shift_templates import ShiftTemplates, choices
from simulator.errors import ScenarioError

MONDAY = datetime(2026, 1, 5, tzinfo=UTC)
EDGES = np.arange(0.0, 7 * 86400 + 1, 3600.0)
SLOT = np.arange(168)


def week(hours_by_day: dict[int, dict[int, float]]) -> np.ndarray:
    """A 168-hour requirement from {day: {hour: agents}}."""
    required = np.zeros(168)
    for day, hours in hours_by_day.items():
        for hour, agents in hours.items():
            required[day * 24 + hour] = agents
    return required


def program(templates: list[dict], required: np.ndarray):
    parsed = ShiftTemplates.model_validate({"templates": templates})
    options = choices(parsed)
    shares = coverage(options, MONDAY, EDGES, SLOT, 168)
    return options, solve(required, shares, options, parsed)


def test_a_flat_requirement_is_covered_by_three_eight_hour_starts() -> None:
    templates = [{"label": "eight", "starts": ["00:00", "08:00", "16:00"], "length": "8h"}]
    options, cover = program(templates, np.full(168, 3.0))
    assert cover.agents.tolist() == [3, 3, 3]
    assert cover.cost == pytest.approx(9 * 56)
    assert cover.hours_per_week(options) == pytest.approx(9 * 56)
    assert np.all(cover.covered >= 3)


def test_a_peak_is_covered_cheaper_by_a_part_time_template_when_allowed() -> None:
    weekdays = {d: {h: 2 + (12 <= h < 14) for h in range(9, 17)} for d in range(5)}
    required = week(weekdays)
    full = {"label": "full", "starts": ["09:00"], "length": "8h", "days": ["Mon-Fri"]}
    part = {
        "label": "part",
        "starts": {"from": "09:00", "to": "15:00", "every": "1h"},
        "length": "2h",
        "days": ["Mon-Fri"],
        "cost_per_hour": 1.2,
    }
    _, alone = program([full], required)
    assert alone.cost == pytest.approx(3 * 40)
    options, mixed = program([full, part], required)
    assert mixed.cost == pytest.approx(2 * 40 + 10 * 1.2)
    chosen = {options[k].shift.label: int(n) for k, n in enumerate(mixed.agents) if n}
    assert chosen == {"full Mon-Fri 09:00-17:00": 2, "part Mon-Fri 12:00-14:00": 1}


def test_each_day_pattern_is_a_separate_choice() -> None:
    required = week({d: {10: 1} for d in range(7)})
    templates = [
        {"label": "t", "starts": ["10:00"], "length": "1h", "days": ["Mon-Fri", "Sat-Sun"]}
    ]
    options, cover = program(templates, required)
    assert [o.shift.days for o in options] == [[0, 1, 2, 3, 4], [5, 6]]
    assert cover.agents.tolist() == [1, 1]


def test_half_hour_starts_cover_hourly_intervals_by_agent_time() -> None:
    templates = [{"label": "t", "starts": ["09:30"], "length": "1h", "days": ["Mon"]}]
    _, cover = program(templates, week({0: {9: 1, 10: 1}}))
    assert cover.agents.tolist() == [2]  # each agent gives half of 09:00 and half of 10:00


def test_an_interval_no_template_reaches_is_named() -> None:
    templates = [{"label": "day", "starts": ["09:00"], "length": "8h"}]
    with pytest.raises(ScenarioError, match="no shift template covers") as caught:
        program(templates, week({2: {3: 1}}))
    assert "fix:" in caught.value.render()


def test_max_agents_that_cannot_reach_the_requirement_is_refused() -> None:
    templates = [{"label": "day", "starts": ["09:00"], "length": "8h", "max_agents": 2}]
    with pytest.raises(ScenarioError, match="cannot cover"):
        program(templates, week({0: {10: 3}}))


def test_min_agents_is_respected_even_when_not_needed() -> None:
    templates = [
        {"label": "a", "starts": ["09:00"], "length": "8h", "days": ["Mon"]},
        {"label": "b", "starts": ["09:00"], "length": "8h", "days": ["Mon"], "min_agents": 2},
    ]
    _, cover = program(templates, week({0: {10: 1}}))
    assert cover.agents.tolist() == [0, 2]


def test_a_regional_shift_follows_its_wall_clock() -> None:
    # 09:00 in New York is 14:00 UTC in January.
    templates = [{"label": "ny", "region": "America/New_York", "starts": ["09:00"], "length": "1h"}]
    _, cover = program(templates, week({0: {14: 1}}))
    assert cover.agents.tolist() == [1]
    assert np.flatnonzero(cover.covered).tolist() == [d * 24 + 14 for d in range(7)]
