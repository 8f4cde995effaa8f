"""Each stream, queue and team has its own colour, the same wherever it is drawn."""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pytest

from simulator.analysis.palette import DISTINCT, Colours, distinct_colours
from simulator.scenario.loader import load_scenario

MISSED = "#d62728"  # the red a missed target is drawn in
CLEARLY_DIFFERENT = 15.0
"""CIE76 colour difference (ΔE) that reads as a different colour at a glance (2.3 is
just noticeable side by side)."""


def _lab(colour: str) -> np.ndarray:
    """sRGB ``#rrggbb`` to CIELAB (D65)."""
    rgb = np.array([int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)])
    linear = np.where(rgb > 0.04045, ((rgb + 0.055) / 1.055) ** 2.4, rgb / 12.92)
    xyz = (
        np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]])
        @ linear
        / np.array([0.95047, 1.0, 1.08883])
    )
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16 / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def _difference(a: str, b: str) -> float:
    return float(np.linalg.norm(_lab(a) - _lab(b)))


def test_the_palette_colours_differ_clearly_and_none_looks_like_the_missed_target_red() -> None:
    colours = distinct_colours(len(DISTINCT))
    closest = min(_difference(a, b) for a, b in combinations(colours, 2))
    assert closest > CLEARLY_DIFFERENT, closest
    # The first eight (most scenarios need no more) are further apart still.
    assert min(_difference(a, b) for a, b in combinations(colours[:8], 2)) > 25.0
    assert min(_difference(c, MISSED) for c in colours) > CLEARLY_DIFFERENT


@pytest.mark.parametrize("count", [1, 16, 17, 40])
def test_any_number_of_names_gets_as_many_different_colours(count: int) -> None:
    colours = distinct_colours(count)
    assert len(colours) == count == len(set(colours))
    assert all(len(c) == 7 and c.startswith("#") for c in colours)
    assert colours[: len(DISTINCT)] == list(DISTINCT[:count])


def test_a_scenario_gives_queues_and_teams_of_one_name_different_colours() -> None:
    fixed = {"handle": {"dist": "fixed", "value": "1min"}}
    scenario = load_scenario(
        {
            "name": "colours",
            "horizon": "1d",
            "streams": {
                "chat": {"per_hour": 1, "conversation": fixed},
                "mail": {"per_hour": 1, "conversation": fixed},
            },
            "teams": {
                "chat": {"agents": 1, "serves": ["chat"]},
                "mail": {"agents": 1, "serves": ["mail"]},
            },
        }
    )
    colours = Colours.for_scenario(scenario)
    kinds = ("stream", "queue", "team")
    used = [colours(kind, name) for kind in kinds for name in ("chat", "mail")]
    assert len(set(used)) == 6
    # The same scenario gives the same colours, in every figure and every run.
    assert Colours.for_scenario(scenario) == colours
    assert colours("team", "chat") == DISTINCT[4]  # streams, queues, then teams
    assert colours("team", "nobody") == "#7f7f7f"
