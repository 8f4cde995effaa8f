"""Queues (inboxes) where routed conversations wait for an agent.

Order is first come, first served by *original* arrival time, so a handed-back
conversation goes ahead of everything that arrived after it, unless its
hand-back order puts it in another band (:data:`FIRST` ahead of everything,
:data:`AFTER_NEW` behind every new conversation). Abandonment marks
the conversation and leaves its heap entry behind (lazy deletion): removing
from the middle of a heap would cost more than skipping stale entries.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from heapq import heappop, heappush
from typing import Generic, TypeVar

from simulator.model.roles import QUEUED, Waiting

W = TypeVar("W", bound=Waiting)  # what waits: a conversation

FIRST, NEW, AFTER_NEW = 0, 1, 2
"""A waiting conversation's band: bands are served in this order, each by arrival."""


class Queue(Generic[W]):
    """A priority queue of conversations keyed by (band, arrival time, arrival index)."""

    __slots__ = ("_heap", "deferred", "emptied_at", "index", "name", "on_empty", "size")

    def __init__(self, name: str, index: int) -> None:
        self.name = name
        self.index = index
        self._heap: list[tuple[int, float, int, W]] = []
        self.size = 0  # conversations really waiting (stale entries excluded)
        self.deferred = 0  # of those, in the AFTER_NEW band
        self.emptied_at = 0.0  # when ``size`` last fell to zero (for on-call stand-down)
        self.on_empty: list[Callable[[], None]] = []  # called when ``size`` falls to zero

    def push(self, conversation: W) -> None:
        conversation.join(self)
        band = conversation.band
        entry = (band, conversation.arrived_at, conversation.index, conversation)
        heappush(self._heap, entry)
        self.size += 1
        if band == AFTER_NEW:
            self.deferred += 1

    def pop(self, now: float) -> W | None:
        """The head (first band, then longest waiting), or None when empty."""
        heap = self._heap
        while heap:
            band, _, _, conversation = heappop(heap)
            if conversation.state is QUEUED and conversation.queue is self:
                if band == AFTER_NEW:
                    self.deferred -= 1
                self.size -= 1  # _shrink, inlined: once per pick-up from the queue
                if not self.size:
                    self.emptied_at = now
                    for listener in self.on_empty:
                        listener()
                return conversation
        return None

    def pass_through(self, conversation: W, now: float) -> None:
        """An agent takes ``conversation`` the moment it joins this empty queue: what
        a push and a pop would do, without the heap."""
        conversation.join(self)
        self.emptied_at = now
        for listener in self.on_empty:
            listener()

    def withdraw(self, now: float) -> None:
        """A waiting customer left (already marked ended): forget it without
        searching the heap."""
        self._shrink(now)

    def _shrink(self, now: float) -> None:
        self.size -= 1
        if not self.size:
            self.emptied_at = now
            for listener in self.on_empty:
                listener()

    def oldest_arrival(self) -> float | None:
        """Arrival time of the conversation at the head, for overflow rules."""
        heap = self._heap
        while heap and heap[0][3].state is not QUEUED:
            heappop(heap)
        return heap[0][1] if heap else None


def busier_than(
    queues: Sequence[Queue], length: int | None, oldest_wait: float | None, now: float
) -> bool:
    """Whether ``queues`` together hold at least ``length`` conversations, or the
    longest-waiting of them has waited at least ``oldest_wait`` (None: no such limit).
    The rule behind both overflow and on-call backup triggers."""
    if length is not None and sum(queue.size for queue in queues) >= length:
        return True
    if oldest_wait is not None:
        oldest = [a for a in (queue.oldest_arrival() for queue in queues) if a is not None]
        return bool(oldest) and now - min(oldest) >= oldest_wait
    return False
