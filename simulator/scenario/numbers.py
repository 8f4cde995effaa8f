"""Numbers in a scenario: finite, within sane bounds, and never a YAML boolean.

pydantic's lax mode reads ``true`` as 1 (``agents: yes`` would staff one agent)
and accepts ``.inf`` and ``.nan``, which poison every sum downstream; a huge
finite value such as ``1e308`` overflows once multiplied. The types here refuse
all three at validation, where the message can name the field.
"""

from __future__ import annotations

import math
from typing import Annotated, Any

from pydantic import BeforeValidator, Field

MAX_RATE = 1_000_000.0
"""Conversations per hour of one stream (far beyond any support team)."""
MAX_MULTIPLIER = 1_000_000.0
"""A profile's raw hour or day weight (weights may be counts; they are normalised)."""
MAX_SURGE = 1_000.0
"""A launch surge's peak, as a multiple of the usual rate."""
MAX_SPEED = 1_000.0
"""A skill (handle-time multiplier) or shared-attention speed."""
MAX_CV = 100.0
"""A coefficient of variation (lognormal and gamma stay finite below it)."""
MAX_PEOPLE = 100_000_000
"""Agents on one team or shift, or members of a rotation: a bound on the number
only; how many agents a command may build is the size limit's (simulator.budget),
which says the estimate and how to raise it."""
MAX_MEMBERS = 100_000
"""Members of a rotation: each is named while the scenario is validated."""
MAX_COUNT = 10_000
"""Exchanges in one conversation, concurrency, and other per-conversation counts."""
MAX_HALF_LIFE = 1e9
"""Conversations for a learning team to halve its skill gap."""
MAX_REPLICATIONS = 1_000_000


def _number(value: Any) -> Any:
    """Refuse booleans and values that are not finite, before pydantic converts them."""
    if isinstance(value, bool):
        raise ValueError(
            f"expected a number, not true/false (got {str(value).lower()}); fix: write a "
            "number; YAML reads yes, no, on, off, true and false as true/false"
        )
    if isinstance(value, float | int | str):
        try:
            number = float(value)
        except ValueError:
            return value  # not a number at all: pydantic says so
        except OverflowError:  # an int of hundreds of digits
            number = math.inf
        if not math.isfinite(number):
            raise ValueError(
                f"expected a finite number, got {value!r}; fix: write an ordinary "
                "number (not .inf, .nan or beyond 1e308)"
            )
    return value


Real = Annotated[float, BeforeValidator(_number), Field(allow_inf_nan=False)]
"""A finite float; give bounds with ``Field(ge=..., le=...)`` where it is used."""
Whole = Annotated[int, BeforeValidator(_number)]
"""An int, never a boolean."""
