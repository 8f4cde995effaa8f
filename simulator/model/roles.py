"""What the model's parts know of each other when the concrete class is above them.

A conversation names its holder and its queue, a queue holds conversations, an
agent asks the dispatcher and is listed by its team: each of these points both
ways, so the one-way imports of the model go down and the way back is a small
protocol owned by the module that needs it. This module holds what sits below
both the conversation and its queue: the conversation's :class:`State`, and
:class:`Waiting`, what a queue reads of what waits in it.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any, Protocol


class State(IntEnum):
    """Where a conversation is; timers and queues check it to ignore stale entries.
    Only the transition methods of :class:`~simulator.model.conversation.Conversation`
    set it."""

    QUEUED = 0  # in a queue, waiting for an agent to pick it up
    OWED = 1  # held by an agent who owes the customer a reply
    WAITING = 2  # held by an agent, waiting for the customer's next message
    PARKED = 3  # handed back while waiting for the customer; no agent holds it
    ENDED = 4  # resolved or abandoned


# The members as module constants: a member looked up on its enum class costs about
# ten times a global read (CPython 3.11), and the hot path checks states constantly.
QUEUED, OWED, WAITING, PARKED, ENDED = State


class Waiting(Protocol):
    """What a queue reads of a conversation waiting in it: its order (band, then
    arrival), whether it still waits, and where."""

    @property
    def band(self) -> int: ...

    @property
    def arrived_at(self) -> float: ...

    @property
    def index(self) -> int: ...

    @property
    def state(self) -> State: ...

    @property
    def queue(self) -> object: ...

    def join(self, queue: Any) -> None:  # Any: the queue's own class is above this module
        """Wait in ``queue`` from now."""
