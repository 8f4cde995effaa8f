"""One colour per stream, queue and team of a scenario, the same in every figure.

A manager who learns that team *tiger* is brown in the queue figure should find
it brown in the next one, and never mistake it for a queue. Colours are
assigned once per scenario, in its own order (streams, then queues, then
teams), from a list of distinct colours with no red: red marks a missed target
in these figures. Past the list, further colours are spread around the hue
circle.
"""

from __future__ import annotations

import colorsys
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from simulator.scenario.schema import Scenario

DISTINCT = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#bcbd22",
    "#17becf",
    "#aec7e8",
    "#ffbb78",
    "#98df8a",
    "#c5b0d5",
    "#c49c94",
    "#f7b6d2",
    "#dbdb8d",
    "#9edae5",
)
"""Matplotlib's tab20 without its reds and greys, dark shades first."""
ALL_COLOUR = "#333333"
"""Everything together (all conversations, all streams)."""
KINDS = ("stream", "queue", "team")
_GOLDEN = 0.618033988749895


def distinct_colours(count: int) -> list[str]:
    """``count`` colours as ``#rrggbb``: :data:`DISTINCT` first, then golden-angle hues."""
    colours = list(DISTINCT[:count])
    for index in range(count - len(colours)):
        hue = (0.07 + index * _GOLDEN) % 1.0
        lightness = (0.38, 0.55, 0.7)[index % 3]
        red, green, blue = colorsys.hls_to_rgb(hue, lightness, 0.65)
        colours.append(f"#{round(red * 255):02x}{round(green * 255):02x}{round(blue * 255):02x}")
    return colours


@dataclass(frozen=True)
class Colours:
    """Colours by kind (``stream``, ``queue``, ``team``) and name."""

    by_name: dict[tuple[str, str], str]

    @classmethod
    def of(cls, names: Iterable[tuple[str, str]]) -> Colours:
        """Colours for ``(kind, name)`` pairs, in their order."""
        keys = list(dict.fromkeys(names))
        return cls(dict(zip(keys, distinct_colours(len(keys)), strict=True)))

    @classmethod
    def for_scenario(cls, scenario: Scenario) -> Colours:
        """The scenario's streams, queues and teams, in the scenario's order."""
        return cls.of(
            [("stream", name) for name in scenario.streams]
            + [("queue", name) for name in scenario.queues()]
            + [("team", name) for name in scenario.teams]
        )

    def __call__(self, kind: str, name: str) -> str:
        """The colour of ``name``; a name the scenario lacks gets the neutral grey."""
        return self.by_name.get((kind, str(name)), "#7f7f7f")
