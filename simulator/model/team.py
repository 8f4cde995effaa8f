"""A team at run time: its agents, the queues it serves in priority order, and
the time and handback tallies that become ``by_team`` in the summary."""

from __future__ import annotations

from typing import TYPE_CHECKING

from simulator.model.queues import busier_than
from simulator.scenario.schema import Attention, Overflow
from simulator.scenario.schema import Team as TeamSpec

if TYPE_CHECKING:
    from simulator.model.agent import Agent
    from simulator.model.conversation import Conversation
    from simulator.model.handoff import ShiftEndPolicy
    from simulator.model.queues import Queue


class Team:
    """Agents who take conversations from ``queues``, first queue first."""

    def __init__(
        self,
        name: str,
        index: int,
        spec: TeamSpec,
        shift_end: ShiftEndPolicy,
        queues: list[Queue],
        overflow: list[tuple[Queue, Overflow]],
        skills: list[float],
        meant_for: list[bool],
    ) -> None:
        self.name = name
        self.index = index
        self.spec = spec
        self.shift_end = shift_end
        self.queues = queues
        self.overflow = overflow
        self.skills = skills  # handle-time multiplier by stream code
        self.meant_for = meant_for  # by stream code
        self.handled = [0] * len(skills)  # conversations picked up, by stream code
        self.learning = spec.learning.half_life if spec.learning else None
        self.triage_time = spec.triage.time
        self.reassign_share = spec.triage.reassign
        self.concurrency = spec.concurrency
        self.shared = spec.attention is Attention.SHARED
        self.replies_first = spec.replies_first
        self.agents: list[Agent] = []
        # Agents who could pick up a new conversation right now, longest-available first.
        self.available: dict[Agent, None] = {}

    def next_conversation(self, now: float) -> Conversation | None:
        """The conversation an agent of this team should pick up next, if any: its own
        queues in priority order, then overflow queues whose condition holds."""
        for queue in self.queues:
            if queue.size:
                return queue.pop(now)
        for queue, rule in self.overflow:
            if queue.size and overflowing(queue, rule, now):
                return queue.pop(now)
        return None

    def skill(self, stream: int) -> float:
        """Handle-time multiplier for a stream, after learning from those handled."""
        multiplier = self.skills[stream]
        if self.learning is None or multiplier == 1.0:
            return multiplier
        return 1.0 + (multiplier - 1.0) * 0.5 ** (self.handled[stream] / self.learning)

    def choose_available(self) -> Agent:
        """Which available agent takes a new conversation: the one holding the fewest,
        then the one available longest."""
        if self.concurrency == 1:
            return next(iter(self.available))
        return min(self.available, key=lambda agent: len(agent.held))


def overflowing(queue: Queue, rule: Overflow, now: float) -> bool:
    """Whether an overflow rule lets a team take from ``queue`` now."""
    return busier_than((queue,), rule.length, rule.oldest_wait, now)
