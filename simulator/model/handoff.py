"""Shift-end policies: what an agent does with open conversations at shift end.

* :class:`Handback`: leave at shift end (after the reply being typed); every open
  conversation returns to its queue, ahead of later arrivals, and whoever picks
  it up first re-reads its history.
* :class:`Ownership`: no new pick-ups after the intake cutoff; after shift end
  keep working until nothing is held or ``max_overtime`` has passed; then the
  leftovers are handed back or wait for the owner's next shift.

Each policy is one hook, :meth:`ShiftEnd.end_shift`, a SimPy process body.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import simpy

from simulator.model.agent import Agent
from simulator.scenario.schema import Handoff, Leftover, Policy


class ShiftEnd:
    """The hook the shift process calls when an agent's shift ends."""

    def end_shift(self, agent: Agent) -> Generator[simpy.Event, Any, None]:
        raise NotImplementedError


class Handback(ShiftEnd):
    def end_shift(self, agent: Agent) -> Generator[simpy.Event, Any, None]:
        agent.depart(keep=False)
        yield from ()


class Ownership(ShiftEnd):
    def __init__(self, max_overtime: float, keep_leftovers: bool) -> None:
        self.max_overtime = max_overtime
        self.keep_leftovers = keep_leftovers

    def end_shift(self, agent: Agent) -> Generator[simpy.Event, Any, None]:
        cleared = agent.wind_down()
        if cleared is not None and self.max_overtime > 0:
            yield cleared | agent.env.timeout(self.max_overtime)
        agent.depart(keep=self.keep_leftovers)


def shift_end_policy(handoff: Handoff) -> ShiftEnd:
    """The policy object for a team's handoff settings."""
    if handoff.policy is Policy.HANDBACK:
        return Handback()
    return Ownership(handoff.max_overtime, handoff.leftover is Leftover.WAIT_FOR_OWNER)
