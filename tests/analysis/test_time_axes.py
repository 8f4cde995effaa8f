"""The unit of a time axis follows the data's range, and numbers read in their own unit."""

from __future__ import annotations

import numpy as np
import pytest

from simulator.analysis.time_axes import DAYS, HOURS, MINUTES, SECONDS, format_time, time_unit


@pytest.mark.parametrize(
    ("largest_s", "unit"),
    [
        (0.0, SECONDS),
        (45.0, SECONDS),
        (119.9, SECONDS),
        (120.0, MINUTES),  # from 2 minutes, minutes
        (3600.0, MINUTES),  # an hour still reads 60 minutes
        (7199.0, MINUTES),
        (7200.0, HOURS),  # from 2 hours, hours
        (47 * 3600.0, HOURS),
        (48 * 3600.0, DAYS),  # from 2 days, days
        (30 * 86400.0, DAYS),
    ],
)
def test_axis_unit_is_chosen_by_the_largest_value(largest_s: float, unit: object) -> None:
    assert time_unit(np.array([1.0, largest_s, np.nan]), None) is unit


def test_axis_unit_looks_at_every_argument_and_ignores_missing_values() -> None:
    assert time_unit([30.0], 9000.0) is HOURS  # a 2.5 h target on an axis of 30 s values
    assert time_unit(np.array([np.nan]), None) is MINUTES  # nothing to show
    assert time_unit(np.array([[-7200.0, 10.0]])) is HOURS  # by size, whatever the sign


def test_numbers_read_in_the_largest_unit_they_fill() -> None:
    assert [format_time(s) for s in (45, 90, 840, 3600, 5400, 86400, 3 * 86400)] == [
        "45 s",
        "1.5 min",
        "14 min",
        "1 h",
        "1.5 h",
        "1 d",
        "3 d",
    ]
    assert format_time(5400, MINUTES) == "90 min"
    assert format_time(float("nan")) == "-"


def test_compare_and_sweep_figures_use_the_same_units() -> None:
    from simulator.analysis.compare_figures import display_scale

    assert display_scale("seconds", [30.0, np.nan]) == (1.0, "s")
    assert display_scale("seconds", [-5400.0]) == (60.0, "min")
    assert display_scale("seconds", [3 * 86400.0]) == (86400.0, "d")
    assert display_scale("share", [0.5]) == (0.01, "%")
