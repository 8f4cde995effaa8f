"""A team at run time: its agents, who of them could take a new conversation now,
its shift-end policy and what its agents know (skills, learning, triage). Which
queues it takes from is the dispatcher's routing table."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from simulator.scenario.distributions import Distribution
from simulator.scenario.schema import Attention
from simulator.scenario.schema import Team as TeamSpec

if TYPE_CHECKING:
    from simulator.model.agent import Agent
    from simulator.model.handoff import ShiftEndPolicy


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
        self.learning = spec.learning.half_life if spec.learning else None
        self.triage_time = spec.triage.time
        self.reassign_share = spec.triage.reassign
        self.concurrency = spec.concurrency
        self.shared = spec.attention is Attention.SHARED
        self.replies_first = spec.replies_first
        # Most conversations of a queue (by index) one agent holds; None: only the total.
        self.caps: dict[int, int] | None = None
        self.switch_cost: tuple[Distribution, np.random.Generator] | None = None
        self.agents: list[Agent] = []
        # Agents who could pick up a new conversation right now, longest-available first.
        self.available: dict[Agent, None] = {}

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
