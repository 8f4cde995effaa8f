"""Shift-end policies: what a team's agents do with open conversations when a
shift ends. One class per ``handoff.policy`` of the scenario, found by name:

* :class:`Handback`: leave at shift end (after the reply being typed); every open
  conversation returns to its queue, ahead of later arrivals.
* :class:`Ownership`: no new pick-ups after the intake cutoff; after shift end
  keep working until nothing is held or ``max_overtime`` has passed; then the
  leftovers are handed back or wait for the owner's next shift, optionally in the
  owner's inbox (``continue_in``: the same waiting, under that queue's cap).

A policy answers when intake closes (:meth:`ShiftEndPolicy.intake_closes`) and
runs the shift end (:meth:`ShiftEndPolicy.end_shift`, a SimPy process body)
with the agent's mechanisms: ``wind_down`` (take nothing new) and ``depart``
(keep or hand back what is held). Whoever picks up a handed-back conversation
first re-reads its history (:meth:`ShiftEndPolicy.reread_time`); where it waits
meanwhile (``handoff.handback``: queue and band) is the dispatcher's. A third policy
is one more subclass with its ``policy`` name.
"""

from __future__ import annotations

from collections.abc import Generator, Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

import numpy as np
import simpy

from simulator.model.queues import AFTER_NEW, FIRST, NEW, Queue
from simulator.scenario.schema import Handoff, Leftover, Order, Policy

if TYPE_CHECKING:
    from simulator.model.conversation import Conversation


class Departing(Protocol):
    """What a policy does with an agent whose shift ends (agents know their team's
    policy, so sit above): its clock, winding down, leaving."""

    @property
    def env(self) -> simpy.Environment: ...

    @property
    def held(self) -> Mapping[Conversation, None]: ...

    def wind_down(self) -> simpy.Event | None:
        """Take nothing new; an event that fires once nothing is held (None: nothing held)."""

    def depart(self, keep: bool) -> None:
        """Leave, keeping what is held for the next shift or handing it back."""


BANDS = {Order.FIRST: FIRST, Order.ARRIVAL: NEW, Order.AFTER_NEW: AFTER_NEW}


class ShiftEndPolicy:
    """The hooks the shift processes call; subclasses name the ``policy`` they are."""

    policy: ClassVar[Policy]
    _by_policy: ClassVar[dict[Policy, type[ShiftEndPolicy]]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "policy" in cls.__dict__:  # a subclass that names no policy of its own is no policy
            ShiftEndPolicy._by_policy[cls.policy] = cls

    def __init__(
        self,
        handoff: Handoff,
        rng: np.random.Generator | None = None,
        queues: Mapping[str, Queue] | None = None,
    ) -> None:
        self.reread = handoff.reread
        self.band = BANDS[handoff.handback.order]  # where hand-backs wait in their queue
        self.extra = handoff.handback.extra_exchanges
        self.rng = rng  # draws extra exchanges (given only when they are asked for)

    def intake_closes(self, end: float) -> float:
        """When an agent whose shift ends at ``end`` stops picking up new conversations."""
        return end

    def end_shift(self, agent: Departing) -> Generator[simpy.Event, Any, None]:
        """The agent's shift has ended: leave, now or later, with or without what is held."""
        raise NotImplementedError

    def reread_time(self, conversation: Conversation) -> float:
        """Time to read a handed-back conversation's history before replying."""
        return self.reread.base + self.reread.per_exchange * conversation.sent

    def extra_exchanges(self) -> int:
        """Exchanges a customer adds by repeating the story after a hand-back."""
        if self.extra is None:
            return 0
        assert self.rng is not None
        return int(self.extra.sample(self.rng, 1)[0])


class Handback(ShiftEndPolicy):
    policy = Policy.HANDBACK

    def end_shift(self, agent: Departing) -> Generator[simpy.Event, Any, None]:
        agent.depart(keep=False)
        yield from ()


class Ownership(ShiftEndPolicy):
    policy = Policy.OWNERSHIP

    def __init__(
        self,
        handoff: Handoff,
        rng: np.random.Generator | None = None,
        queues: Mapping[str, Queue] | None = None,
    ) -> None:
        super().__init__(handoff, rng, queues)
        self.intake_cutoff = handoff.intake_cutoff
        self.max_overtime = handoff.max_overtime
        self.keep_leftovers = handoff.leftover is Leftover.WAIT_FOR_OWNER
        # the owner's inbox the kept conversations continue in (None: where they were)
        self.inbox = None if handoff.continue_in is None else (queues or {})[handoff.continue_in]

    def intake_closes(self, end: float) -> float:
        return end - self.intake_cutoff

    def end_shift(self, agent: Departing) -> Generator[simpy.Event, Any, None]:
        cleared = agent.wind_down()
        if cleared is not None and self.max_overtime > 0:
            yield cleared | agent.env.timeout(self.max_overtime)
        agent.depart(keep=self.keep_leftovers)
        if self.inbox is not None:  # whatever is still held now is kept
            for conversation in agent.held:
                conversation.continue_in(self.inbox)


def shift_end_policy(
    handoff: Handoff,
    rng: np.random.Generator | None = None,
    queues: Mapping[str, Queue] | None = None,
) -> ShiftEndPolicy:
    """The policy object for a team's handoff settings (``rng`` for extra exchanges,
    ``queues`` by name for the queues the settings name)."""
    return ShiftEndPolicy._by_policy[handoff.policy](handoff, rng, queues)
