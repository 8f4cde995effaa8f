"""Switching between queues costs time: the live-chat notes say the same people
answered live chats and their inbox, and moving between the two was not free.

:class:`SwitchingAgent` is a serial agent that pays the team's ``switch_cost``
(drawn from the team's own ``switch.TEAM`` generator) before a reply whose
conversation came from another queue than the last reply's: once per change of
queue, never between replies of one queue. The builder hires it only for a team
with a switch cost, so no other agent checks for one.
"""

from __future__ import annotations

from simulator.model.agent import SerialAgent
from simulator.model.conversation import Conversation
from simulator.model.queues import Queue


class SwitchingAgent(SerialAgent):
    """A serial agent who loses time when the next reply belongs to another queue."""

    last_queue: Queue | None = None  # the queue of the last reply begun (none yet)

    def _type(self, conversation: Conversation) -> None:
        queue = conversation.queue
        if self.last_queue is not None and queue is not self.last_queue:
            cost = self.team.switch_cost
            assert cost is not None
            distribution, rng = cost
            conversation.work += float(distribution.sample(rng, 1)[0])
        self.last_queue = queue
        super()._type(conversation)
