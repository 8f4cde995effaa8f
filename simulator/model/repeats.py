"""Repeat contacts: customers left waiting too long come back with another conversation.

The design notes say slow answers make customers chase: they open another
conversation about the same question. A customer still waiting for a first reply
``after`` its arrival, or who abandoned before then, chases once: with
probability ``share`` a new conversation (the same customer, the same work
content and route) arrives ``delay`` later, as an arrival of its own. A repeat
does not chase again: each customer comes back at most once, so repeats at most
double the arrivals (and a share near 1 cannot snowball). The builder picks
:class:`RepeatingDispatcher` only when a stream has a repeat share, so a
scenario without one runs the plain dispatcher and draws nothing more. The
chase draws come from each stream's own ``repeat.NAME`` generator, so they
shift no other draw.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from simulator.model.conversation import Conversation
from simulator.model.dispatcher import Dispatcher
from simulator.model.roles import State

if TYPE_CHECKING:
    from simulator.model.conversation import Customers
    from simulator.model.queues import Queue
    from simulator.scenario.schema import Repeat


class RepeatingDispatcher(Dispatcher):
    """The dispatcher, also watching admitted conversations for customers who chase."""

    def chasing(self, repeats: list[tuple[Repeat, np.random.Generator] | None]) -> None:
        """Per stream code, its repeat rule and generator (None: its customers never chase)."""
        self.repeats = repeats
        self.chased: set[int] = set()  # conversations that chased, and the repeats

    def direct_queue(self, customers: Customers) -> Queue | None:
        return None  # admission also watches for customers who chase

    def admit(self, conversation: Conversation) -> None:
        super().admit(conversation)
        rule = self.repeats[conversation.stream]
        if rule is None or conversation.state is State.ENDED or conversation.index in self.chased:
            return  # no repeats in its stream, deflected, or itself a repeat
        due = max(conversation.arrived_at + rule[0].after - self.env.now, 0.0)
        self.env.timeout(due).callbacks.append(lambda _event: self._unanswered(conversation))

    def abandon(self, conversation: Conversation) -> None:
        waiting = conversation.state is State.QUEUED and not conversation.picked_up
        super().abandon(conversation)
        if waiting and self.repeats[conversation.stream] is not None:
            self._chase(conversation)

    def _unanswered(self, conversation: Conversation) -> None:
        """``after`` has passed: a customer still without a first reply chases."""
        if conversation.sent == 0 and conversation.state is not State.ENDED:
            self._chase(conversation)

    def _chase(self, conversation: Conversation) -> None:
        if conversation.index in self.chased:
            return
        self.chased.add(conversation.index)
        rule = self.repeats[conversation.stream]
        assert rule is not None
        repeat, rng = rule
        if rng.random() >= repeat.share:
            return
        delay = float(repeat.delay.sample(rng, 1)[0])
        self.env.timeout(delay).callbacks.append(lambda _event: self._arrive(conversation))

    def _arrive(self, original: Conversation) -> None:
        """The repeat arrives: the same customer, through the bot again, then admitted."""
        now = self.env.now
        index = self.recorder.repeated(original, now)
        self.chased.add(index)  # a repeat does not chase again
        customers = original.customers
        conversation = Conversation(
            index, original.rank, now, customers, self.stream_queue[original.stream]
        )
        bot_time = customers.routes.bot_time if customers.routes is not None else None
        if bot_time is None:
            self.admit(conversation)
        else:
            self.env.timeout(bot_time[original.rank]).callbacks.append(
                lambda _event: self.admit(conversation)
            )
