"""Conversations and the customers behind them.

A conversation's work content (replies needed, handle time of each reply,
customer reply delays, wrap-up, patience) is drawn when the run starts, by
stream and in arrival order, from generators named after the purpose. So
conversation n of a stream is the same customer whatever the staffing or the
shift-end policy: comparisons between scenarios use common random numbers.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from simulator.model.roles import ENDED, OWED, PARKED, QUEUED, WAITING
from simulator.model.routing import Routes
from simulator.rng import RandomSource
from simulator.scenario.schema import Stream

if TYPE_CHECKING:
    from simulator.model.queues import Queue


class Holder(Protocol):
    """What a conversation knows of the agent holding it: one who can owe a reply."""

    def owe(self, conversation: Conversation) -> None:
        """The customer wrote again: a reply is owed on ``conversation``."""


@dataclass
class Customers:
    """One stream's pre-drawn customers, as flat lists indexed by arrival rank.

    Flat ``array.array`` columns. Follow-up handle times and reply delays of customer k sit at
    ``offsets[k] : offsets[k] + replies[k] - 1``.
    """

    replies: Sequence[int]
    first_handle: Sequence[float]
    followup_handle: Sequence[float]
    reply_delay: Sequence[float]
    offsets: Sequence[int]
    wrap_up: Sequence[float] | None
    patience: Sequence[float] | None
    code: int = 0  # the stream's index in the scenario
    routes: Routes | None = None  # set by the engine after drawing

    @classmethod
    def draw(cls, name: str, stream: Stream, count: int, source: RandomSource) -> Customers:
        """Draw ``count`` customers of stream ``name``, one generator per attribute."""
        shape = stream.conversation
        replies = shape.exchanges.sample(source.rng(f"exchanges.{name}"), count)
        extra = int(np.sum(replies - 1))
        handle_rng = source.rng(f"handle.{name}")
        first = (shape.first_handle or shape.handle).sample(handle_rng, count)
        factor = stream.first_handle_factor()
        if factor != 1.0:
            # Every customer of the stream passes the bot first: the details are there.
            first = first * factor
        followup = shape.handle.sample(handle_rng, extra)
        delay_rng = source.rng(f"reply_delay.{name}")
        delays = shape.reply_delay.sample(delay_rng, extra) if shape.reply_delay else np.zeros(0)
        offsets = np.zeros(count, dtype=np.int64)
        if count:
            offsets[1:] = np.cumsum(replies - 1)[:-1]
        wrap_rng = source.rng(f"wrap_up.{name}")
        patience_rng = source.rng(f"patience.{name}")
        return cls(
            replies=_compact(replies, "q"),
            first_handle=_compact(first, "d"),
            followup_handle=_compact(followup, "d"),
            reply_delay=_compact(delays, "d"),
            offsets=_compact(offsets, "q"),
            wrap_up=_compact(shape.wrap_up.sample(wrap_rng, count), "d") if shape.wrap_up else None,
            patience=_compact(shape.patience.sample(patience_rng, count), "d")
            if shape.patience
            else None,
        )


def _compact(values: np.ndarray, typecode: str) -> Sequence[Any]:
    """A flat ``array.array``: indexing gives Python numbers as fast as a list does,
    at 8 bytes a value instead of about 32 (a million customers fit in memory)."""
    dtype = np.float64 if typecode == "d" else np.int64
    return array(typecode, np.ascontiguousarray(values, dtype=dtype).tobytes())


class Conversation:
    """One customer contact while it is in the system (a row of the record after)."""

    __slots__ = (
        "agent",
        "arrived_at",
        "band",
        "customers",
        "handbacks",
        "index",
        "needed",
        "offset",
        "owed_since",
        "picked_up",
        "queue",
        "rank",
        "reassigning",
        "reassignments",
        "repeat_at",
        "repeats",
        "reread_due",
        "saved_work",
        "scale",
        "sent",
        "shift",
        "state",
        "stream",
        "ticket",
        "work",
    )

    def __init__(
        self, index: int, rank: int, arrived_at: float, customers: Customers, queue: Queue
    ) -> None:
        self.index = index  # row in the replication's record (arrival order)
        self.rank = rank  # arrival rank within its stream
        self.arrived_at = arrived_at
        self.customers = customers
        self.queue = queue
        self.needed: int = customers.replies[rank]
        self.offset: int = customers.offsets[rank]
        self.sent = 0  # agent replies sent so far
        self.state = QUEUED
        self.agent: Holder | None = None
        self.owed_since = arrived_at  # when the customer's unanswered message was sent
        self.work = customers.first_handle[rank]  # remaining work on the owed reply (s)
        self.picked_up = False
        self.reread_due = False  # next agent must re-read the history first
        self.handbacks = 0
        self.band = 1  # its band in a queue (queues.NEW until handed back)
        self.repeats = 0  # extra exchanges still to come (the customer repeats the story)
        self.repeat_at = 0  # the pre-drawn exchange they repeat (index into the columns)
        self.shift = 0  # extra exchanges done: the story's own replies are ``sent - shift``
        self.reassignments = 0
        self.stream = customers.code
        self.scale = 1.0  # skill multiplier already applied to ``work``
        self.reassigning = False  # the agent is triaging it to send it elsewhere
        self.saved_work = 0.0  # the owed reply's work, kept during triage
        self.ticket = False  # escalated: now a back-office ticket

    # -- state changes: the only code that sets ``state`` --
    def deflect(self) -> None:
        """The bot resolved it: it never reaches a queue."""
        self.state = ENDED

    def join(self, queue: Queue) -> None:
        """Wait in ``queue`` for an agent (new, handed back, reassigned or a ticket)."""
        self.state = QUEUED
        self.queue = queue

    def abandon(self) -> None:
        """The customer's patience ran out before anyone picked it up."""
        self.state = ENDED

    def pick_up(self, agent: Holder) -> bool:
        """An agent takes it from a queue and owes the reply; True the first time."""
        self.agent = agent
        self.state = OWED
        self.band = 1
        first = not self.picked_up
        self.picked_up = True
        return first

    def resolve(self) -> None:
        """The last reply needed was sent."""
        self.state = ENDED

    def await_customer(self) -> None:
        """A reply was sent; the customer's turn (or, escalated, the ticket's)."""
        self.state = WAITING

    def escalate(self) -> None:
        """Becomes a back-office ticket, raised when the agent lets go of it; one
        more reply (the ticket's resolution) closes it."""
        self.ticket = True
        self.needed = self.sent + 1

    def escalates(self) -> bool:
        """Whether the reply just sent turns it into a back-office ticket (pre-drawn)."""
        routes = self.customers.routes
        assert routes is not None
        return not self.ticket and routes.escalate[self.rank] and self.sent == routes.escalate_after

    def customer_writes(self, now: float) -> bool:
        """The customer's next message: a reply is owed, by the agent holding the
        conversation (True) or by whoever picks it up from a queue (False)."""
        self.owed_since = now
        self.owe_next_reply()
        if self.agent is None:
            return False
        self.state = OWED
        return True

    def let_go(self) -> None:
        """The agent holding it lets go (it is over, triaged, or handed back)."""
        self.agent = None

    def hand_back(self, queue: Queue, band: int) -> None:
        """Shift end: left with a note, so the next agent re-reads the history first.
        It will wait in ``queue`` in ``band``: an owed reply now (the caller queues
        it), otherwise it is parked until the customer writes."""
        self.handbacks += 1
        self.reread_due = True
        self.queue = queue
        self.band = band
        if self.state is not OWED:
            self.state = PARKED

    def continue_in(self, queue: Queue) -> None:
        """Kept by its owner at shift end, it is answered from ``queue`` (the owner's
        inbox) from now on: that queue's cap and switch cost apply to it."""
        self.queue = queue

    def raise_ticket(self, work: float, now: float) -> None:
        """The escalation's back-office work is now owed (a queue takes it next)."""
        self.work = work
        self.scale = 1.0
        self.owed_since = now

    def repeat(self, extra: int) -> None:
        """After a hand-back the customer tells part of the story again: ``extra``
        more exchanges, each costing what the last one did (customer delay and
        reply), come after the next reply. Nothing to repeat before a first reply."""
        if self.sent == 0 or extra <= 0:
            return
        self.repeats += extra
        self.needed += extra
        self.repeat_at = self.offset + self.sent - self.shift - 1

    # -- work content --
    def next_reply_work(self) -> float:
        """Handle time of the reply now owed (after ``sent`` replies)."""
        step = self.sent - self.shift
        if step == 0:
            return self.customers.first_handle[self.rank]
        return self.customers.followup_handle[self.offset + step - 1]

    def owe_next_reply(self) -> None:
        """The customer wrote: the next reply's work is owed, not yet scaled by skill."""
        if self.repeats:
            self.repeats -= 1
            self.shift += 1
            self.work = self.customers.followup_handle[self.repeat_at]
        else:
            self.work = self.next_reply_work()
        self.scale = 1.0

    def reply_delay(self) -> float:
        """The customer's time to answer the reply just sent."""
        if self.repeats:
            return self.customers.reply_delay[self.repeat_at]
        return self.customers.reply_delay[self.offset + self.sent - self.shift - 1]

    def wrap_up(self) -> float:
        """Wrap-up after the last reply: the pre-drawn time once the conversation
        has ended, none while it goes on (an escalation still to be raised)."""
        wrap = self.customers.wrap_up
        return wrap[self.rank] if wrap is not None and self.state is ENDED else 0.0
