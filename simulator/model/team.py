"""A team at run time: its agents, who of them could take a new conversation now,
its shift-end policy and what its agents know (skills, learning, triage). Which
queues it takes from is the dispatcher's routing table."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

import numpy as np

from simulator.scenario.distributions import Distribution
from simulator.scenario.schema import Attention
from simulator.scenario.schema import Team as TeamSpec

if TYPE_CHECKING:
    from simulator.model.conversation import Conversation
    from simulator.model.handoff import ShiftEndPolicy


class Member(Protocol):
    """What a team's list of agents is read for (agents know their team, so sit above):
    who is present and working, what each holds, and waking one to take work."""

    @property
    def present(self) -> bool: ...

    @property
    def held(self) -> dict[Conversation, None]: ...

    def working(self) -> bool:
        """Whether working on a reply (or wrap-up) right now."""

    def work(self) -> None:
        """Decide what to do next (pull from the queues), if idle and present."""

    def start(self, conversation: Conversation) -> None:
        """Take ``conversation``, handed over straight from an empty queue."""


class Team:
    """Agents of one team and what they share."""

    def __init__(
        self,
        name: str,
        index: int,
        spec: TeamSpec,
        shift_end: ShiftEndPolicy,
        skills: list[float],
        meant_for: list[bool],
    ) -> None:
        self.name = name
        self.index = index
        self.spec = spec
        self.shift_end = shift_end
        self.skills = skills  # handle-time multiplier by stream code
        self.meant_for = meant_for  # by stream code
        self.handled = [0] * len(skills)  # conversations picked up, by stream code
        # Meant for every stream at skill 1: a pick-up needs no triage and no scaling
        # (the agents' fast path, chosen once here).
        self.plain = all(meant_for) and all(skill == 1.0 for skill in skills)
        self.learning = spec.learning.half_life if spec.learning else None
        self.triage_time = spec.triage.time
        self.reassign_share = spec.triage.reassign
        self.concurrency = spec.concurrency
        self.shared = spec.attention is Attention.SHARED
        self.replies_first = spec.replies_first
        # Most conversations of a queue (by index) one agent holds; None: only the total.
        self.caps: dict[int, int] | None = None
        self.switch_cost: tuple[Distribution, np.random.Generator] | None = None
        self.agents: list[Member] = []
        # Agents who could pick up a new conversation right now, longest-available first.
        self.available: dict[Member, None] = {}

    def limit(
        self, caps: dict[int, int], switch_cost: tuple[Distribution, np.random.Generator] | None
    ) -> None:
        """Several queues per person (set by the builder before it hires): caps per
        queue index (empty: only the total) and the time lost switching queues."""
        self.caps = caps or None
        self.switch_cost = switch_cost

    def skill(self, stream: int) -> float:
        """Handle-time multiplier for a stream, after learning from those handled."""
        multiplier = self.skills[stream]
        if self.learning is None or multiplier == 1.0:
            return multiplier
        return 1.0 + (multiplier - 1.0) * 0.5 ** (self.handled[stream] / self.learning)
