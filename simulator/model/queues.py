"""Queues (inboxes) where routed conversations wait for an agent.

Order is first come, first served by *original* arrival time, so a handed-back
conversation goes ahead of everything that arrived after it. Abandonment marks
the conversation and leaves its heap entry behind (lazy deletion): removing
from the middle of a heap would cost more than skipping stale entries.
"""

from __future__ import annotations

import heapq
from typing import TYPE_CHECKING

from simulator.model.conversation import Conversation, State

if TYPE_CHECKING:
    from simulator.model.team import Team
    from simulator.scenario.schema import Overflow


class Queue:
    """A priority queue of conversations keyed by (arrival time, arrival index)."""

    __slots__ = ("_heap", "index", "name", "size", "teams")

    def __init__(self, name: str, index: int) -> None:
        self.name = name
        self.index = index
        self._heap: list[tuple[float, int, Conversation]] = []
        self.size = 0                 # conversations really waiting (stale entries excluded)
        # Teams that serve this queue, in scenario order, with the overflow rule
        # under which they do (None: always).
        self.teams: list[tuple[Team, Overflow | None]] = []

    def push(self, conversation: Conversation) -> None:
        conversation.state = State.QUEUED
        conversation.queue = self
        heapq.heappush(self._heap, (conversation.arrived_at, conversation.index, conversation))
        self.size += 1

    def pop(self) -> Conversation | None:
        """The longest-waiting conversation, or None when empty."""
        heap = self._heap
        while heap:
            conversation = heapq.heappop(heap)[2]
            if conversation.state is State.QUEUED and conversation.queue is self:
                self.size -= 1
                return conversation
        return None

    def withdraw(self, conversation: Conversation) -> None:
        """The customer left: forget it without searching the heap."""
        conversation.state = State.ENDED
        self.size -= 1

    def oldest_arrival(self) -> float | None:
        """Arrival time of the conversation at the head, for overflow rules."""
        heap = self._heap
        while heap and heap[0][2].state is not State.QUEUED:
            heapq.heappop(heap)
        return heap[0][0] if heap else None
