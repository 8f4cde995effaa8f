"""A team at run time: its agents, the queues it serves in priority order, and
the time and handback tallies that become ``by_team`` in the summary."""

from __future__ import annotations

from typing import TYPE_CHECKING

from simulator.scenario.schema import Attention, Handoff, Policy
from simulator.scenario.schema import Team as TeamSpec

if TYPE_CHECKING:
    from simulator.model.agent import Agent
    from simulator.model.conversation import Conversation
    from simulator.model.queues import Queue


class Team:
    """Agents who take conversations from ``queues``, first queue first."""

    def __init__(self, name: str, index: int, spec: TeamSpec, handoff: Handoff,
                 queues: list[Queue]) -> None:
        self.name = name
        self.index = index
        self.spec = spec
        self.handoff = handoff
        self.queues = queues
        self.concurrency = spec.concurrency
        self.shared = spec.attention is Attention.SHARED
        self.replies_first = spec.replies_first
        self.intake_cutoff = handoff.intake_cutoff if handoff.policy is Policy.OWNERSHIP else 0.0
        self.agents: list[Agent] = []
        # Agents who could pick up a new conversation right now, longest-available first.
        self.available: dict[Agent, None] = {}
        # Tallies after warmup.
        self.on_shift_s = 0.0
        self.busy_s = 0.0
        self.overtime_s = 0.0
        self.handbacks = 0
        self.reread_s = 0.0
        self.agent_shifts = 0

    def next_conversation(self) -> Conversation | None:
        """The conversation an agent of this team should pick up next, if any."""
        for queue in self.queues:
            if queue.size:
                return queue.pop()
        return None

    def reread_time(self, conversation: Conversation) -> float:
        """Time to read a handed-back conversation's history before replying."""
        reread = self.handoff.reread
        return reread.base + reread.per_exchange * conversation.sent

    def choose_available(self) -> Agent:
        """Which available agent takes a new conversation: the one holding the fewest,
        then the one available longest."""
        if self.concurrency == 1:
            return next(iter(self.available))
        return min(self.available, key=lambda agent: len(agent.held))
