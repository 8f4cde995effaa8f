"""The dispatcher: the one place that decides which conversation goes to which agent.

Two moments decide it, and both are here. *Push*: a conversation joins a queue
(new, handed back, reassigned, a ticket, or the customer wrote to a parked one)
and an available agent of a team that may serve the queue takes it
(:meth:`Dispatcher.offer`). *Pull*: an agent with a free slot asks for the next
conversation (:meth:`Dispatcher.next_conversation`): its team's own queues in
priority order, then overflow queues whose condition holds; conversations handed
back ``after_new`` only once no new conversation waits in any of them. The
routing tables behind both (which teams serve a queue, which queues a team takes
from, where a team's hand-backs go) are registered by the builder; a new routing
rule changes this module only.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

import numpy as np

from simulator.model.clock import Clock
from simulator.model.conversation import Conversation, Customers
from simulator.model.queues import AFTER_NEW, NEW, Queue, busier_than
from simulator.model.roles import ENDED, OWED, QUEUED
from simulator.model.routing import DEFLECTED

if TYPE_CHECKING:
    from simulator.model.agent import Agent
    from simulator.model.backup import OnCall
    from simulator.model.recorder import Recorder
    from simulator.model.team import Member, Team
    from simulator.scenario.schema import Overflow


class Dispatcher:
    """Queues, the routing tables between queues and teams, and every hand-over."""

    # Whether an idle agent takes a conversation joining an empty queue directly
    # (see enqueue); off, every conversation goes through the heap, the same records.
    hands_over = True

    def __init__(
        self,
        env: Clock,
        recorder: Recorder,
        queues: list[Queue],
        stream_queue: list[Queue],
        ticket_queue: list[Queue | None],
    ) -> None:
        self.env = env
        self.recorder = recorder
        self.queues = queues
        self.stream_queue = stream_queue  # each stream's own queue, by stream code
        self.ticket_queue = ticket_queue  # where a stream's escalations go (None: never)
        # By queue index: teams that serve it in scenario order, with the overflow
        # rule under which they do (None: always); on-call backups watching it.
        self.servers: list[list[tuple[Team, Overflow | None]]] = [[] for _ in queues]
        self.watchers: list[list[OnCall]] = [[] for _ in queues]
        # By queue index: overflow rules with a wait condition, which may open
        # once a conversation that joins has waited long enough.
        self.timed_rules: list[list[Overflow]] = [[] for _ in queues]
        # By queue index: whether either of the two above has any (one check a join).
        self.watched: list[bool] = [False for _ in queues]
        # By team index: its own queues in priority order, then its overflow queues;
        # the queue its hand-backs go to (None: the conversation's own) and their band.
        self.sources: list[tuple[list[Queue], list[tuple[Queue, Overflow]]]] = []
        self.returns: list[tuple[Queue | None, int]] = []
        self.deferring = False  # some team hands back after_new: pick-ups look twice

    # -- routing tables (set up by the builder) --
    def serve(
        self,
        team: Team,
        own: list[Queue],
        overflow: list[tuple[Queue, Overflow]],
        returns: tuple[Queue | None, int] = (None, NEW),
    ) -> None:
        """Let ``team`` (registered in index order) take from its queues; its agents
        hand back to ``returns`` (a queue, None for the conversation's own, and a band)."""
        self.sources.append((own, overflow))
        self.returns.append(returns)
        self.deferring = self.deferring or returns[1] == AFTER_NEW
        for queue in own:
            self.servers[queue.index].append((team, None))
        for queue, rule in overflow:
            self.servers[queue.index].append((team, rule))
            if rule.oldest_wait is not None:
                self.timed_rules[queue.index].append(rule)
                self.watched[queue.index] = True

    def watch(self, on_call: OnCall) -> None:
        """Let an on-call entry hear of every conversation joining its queues."""
        for queue in on_call.queues:
            self.watchers[queue.index].append(on_call)
            self.watched[queue.index] = True

    # -- push: a conversation looks for an agent --
    def direct_queue(self, customers: Customers) -> Queue | None:
        """The queue every arrival of a stream simply joins when :meth:`admit` would
        do nothing else (no bot, every route to the stream's own queue, no patience
        timer): the engine then enqueues its arrivals without admission. None otherwise."""
        routes = customers.routes
        if routes is None or routes.bot_time is not None or customers.patience is not None:
            return None
        home = self.stream_queue[customers.code]
        routed = np.frombuffer(routes.queue, dtype=np.int64)  # type: ignore[call-overload]
        return home if bool(np.all(routed == home.index)) else None

    def admit(self, conversation: Conversation) -> None:
        """Past the bot: deflected, or into its routed queue where patience starts."""
        customers = conversation.customers
        rank = conversation.rank
        destination = customers.routes.queue[rank]
        if destination == DEFLECTED:
            conversation.deflect()
            self.recorder.deflected(conversation, self.env.now)
            return
        self.enqueue(conversation, self.queues[destination])
        patience = customers.patience
        if patience is not None and conversation.state is QUEUED:
            wait = patience[rank]
            if wait < math.inf:
                self.env.call_in(wait, lambda _event, c=conversation: self.abandon(c))

    def enqueue(self, conversation: Conversation, queue: Queue) -> None:
        """Put a conversation in ``queue`` and let an available agent take it.

        Into an empty queue, an idle agent takes it straight away when that is
        certain without the heap: the conversation is not deferred, and the first
        team with an available agent serves the queue as its own, without caps per
        queue (an available agent then has nothing else it could take). Otherwise
        it waits in the queue, offered to the teams only if one has an agent
        available (the offer would find none else: the usual case under load)."""
        env = self.env
        servers = self.servers[queue.index]
        if self.hands_over and not queue.size and conversation.band != AFTER_NEW:
            for team, rule in servers:
                available = team.available
                if available:
                    if rule is None and team.caps is None:
                        # choose_available, inlined for one conversation at a time
                        agent = (
                            next(iter(available))
                            if team.concurrency == 1
                            else choose_available(team)
                        )
                        queue.pass_through(conversation, env._now)
                        agent.start(conversation)
                        if self.watched[queue.index]:
                            self._watch(conversation, queue)
                        return
                    break
        queue.push(conversation)
        for team, _ in servers:
            if team.available:
                self.offer(queue)
                break
        if self.watched[queue.index]:
            self._watch(conversation, queue)

    def _watch(self, conversation: Conversation, queue: Queue) -> None:
        """On-call entries and overflow rules that may wake on ``conversation``
        having joined ``queue``."""
        env = self.env
        for on_call in self.watchers[queue.index]:
            on_call.poke()
            if on_call.spec.oldest_wait is not None:
                due = conversation.arrived_at + on_call.spec.oldest_wait - env.now
                env.timeout(max(due, 0.0)).callbacks.append(lambda _event, c=on_call: c.poke())
        for rule in self.timed_rules[queue.index]:
            # Overflow may open once this conversation has waited long enough.
            due = conversation.arrived_at + rule.oldest_wait - env.now
            env.timeout(max(due, 0.0)).callbacks.append(lambda _event, q=queue: self.offer(q))

    def offer(self, queue: Queue) -> None:
        """Let an available agent of a team that may serve ``queue`` now take from it."""
        if not queue.size:
            return
        for team, rule in self.servers[queue.index]:
            if team.available and (rule is None or overflowing(queue, rule, self.env._now)):
                if team.caps is None:
                    choose_available(team).work()
                    return
                agent = with_room(team, queue)
                if agent is not None:
                    agent.work()
                    return

    def abandon(self, conversation: Conversation) -> None:
        """Patience ran out: leave if no agent has picked the conversation up."""
        if conversation.state is QUEUED and not conversation.picked_up:
            conversation.abandon()
            conversation.queue.withdraw(self.env.now)
            self.recorder.abandoned(conversation, self.env.now)

    def customer_writes(self, conversation: Conversation) -> None:
        """The customer's next message: a reply is owed by the holder, or, if the
        conversation was handed back meanwhile, by whoever picks it up."""
        if conversation.customer_writes(self.env.now):
            agent = conversation.agent
            assert agent is not None
            agent.owe(conversation)
        else:
            self.enqueue(conversation, conversation.queue)

    # -- an agent lets go of a conversation --
    def sends_on(self, conversation: Conversation, team: Team) -> bool:
        """Whether a team not meant for this conversation triages it to send it on
        (pre-drawn), rather than answer it; never away from its own queue."""
        routes = conversation.customers.routes
        return (
            routes.triage[conversation.rank] < team.reassign_share
            and conversation.queue is not self.stream_queue[conversation.stream]
        )

    def reassign(self, conversation: Conversation) -> None:
        """Send a misrouted conversation to its stream's own queue; it keeps its
        place by original arrival and its FRT clock keeps running."""
        conversation.reassignments += 1
        self.recorder.reassigned(conversation)
        self.enqueue(conversation, self.stream_queue[conversation.stream])

    def raise_ticket(self, conversation: Conversation) -> None:
        """An escalated conversation goes to its back-office team's ticket queue."""
        queue = self.ticket_queue[conversation.stream]
        assert queue is not None
        routes = conversation.customers.routes
        conversation.raise_ticket(routes.ticket_work[conversation.rank], self.env.now)
        self.enqueue(conversation, queue)

    def hand_back(self, conversation: Conversation, agent: Agent) -> None:
        """Shift end: the conversation leaves the agent with a note for the next one."""
        conversation.let_go()
        if conversation.state is ENDED:  # resolved, wrap-up cut short
            return
        queue, band = self.returns[agent.team.index]
        conversation.hand_back(queue or conversation.queue, band)
        self.recorder.handed_back(conversation, agent.index, self.env.now, agent.shift_end)
        if conversation.state is OWED:
            self.enqueue(conversation, conversation.queue)

    # -- pull: an agent looks for a conversation --
    # Whether an agent of a team with one queue, no overflow and no caps pulls with
    # a closure on that queue (see puller); off, through next_conversation, the same.
    pulls_from_one_queue = True

    def puller(self, team: Team, agent: Agent) -> Callable[[], Conversation | None]:
        """How ``agent`` (of ``team``, registered) asks for its next conversation,
        chosen once: :meth:`next_within_caps` for a team with caps per queue; for a
        team with one queue and no overflow, that queue's head (the heap puts a
        conversation handed back after_new behind every new one, which is all
        :meth:`next_conversation` would check there); else :meth:`next_conversation`."""
        if team.caps is not None:
            return partial(self.next_within_caps, team, agent)
        own, overflow = self.sources[team.index]
        if len(own) == 1 and not overflow and self.pulls_from_one_queue:
            env, queue = self.env, own[0]
            pop = queue.pop

            def head() -> Conversation | None:
                return pop(env._now) if queue.size else None

            return head
        return partial(self.next_conversation, team)

    def next_conversation(self, team: Team) -> Conversation | None:
        """The conversation an agent of ``team`` should pick up next, if any: its own
        queues in priority order, then overflow queues whose condition holds; then,
        only if none had a new one, the same for conversations handed back after_new."""
        now = self.env._now
        own, overflow = self.sources[team.index]
        for queue in own:
            if queue.size > queue.deferred:
                return queue.pop(now)
        for queue, rule in overflow:
            if queue.size > queue.deferred and overflowing(queue, rule, now):
                return queue.pop(now)
        if self.deferring:
            for queue in own:
                if queue.size:
                    return queue.pop(now)
            for queue, rule in overflow:
                if queue.size and overflowing(queue, rule, now):
                    return queue.pop(now)
        return None

    def next_within_caps(self, team: Team, agent: Agent) -> Conversation | None:
        """:meth:`next_conversation` for an agent of a team with caps per queue: the
        same order, skipping every queue the agent holds its cap of (one person
        across several queues: live chat first, the inbox when there is room)."""
        now = self.env.now
        own, overflow = self.sources[team.index]
        for queue in own:
            if queue.size > queue.deferred and agent.has_room(queue):
                return queue.pop(now)
        for queue, rule in overflow:
            fits = queue.size > queue.deferred and agent.has_room(queue)
            if fits and overflowing(queue, rule, now):
                return queue.pop(now)
        if self.deferring:
            for queue in own:
                if queue.size and agent.has_room(queue):
                    return queue.pop(now)
            for queue, rule in overflow:
                if queue.size and agent.has_room(queue) and overflowing(queue, rule, now):
                    return queue.pop(now)
        return None


def with_room(team: Team, queue: Queue) -> Agent | None:
    """Of the available agents of a team with caps per queue, the one with room for
    ``queue`` holding the fewest (then available longest); None if all are at its cap."""
    room = [agent for agent in team.available if agent.has_room(queue)]
    return min(room, key=lambda agent: len(agent.held)) if room else None


def choose_available(team: Team) -> Member:
    """Which available agent takes a new conversation: the one holding the fewest,
    then the one available longest."""
    if team.concurrency == 1:
        return next(iter(team.available))
    return min(team.available, key=lambda agent: len(agent.held))


def overflowing(queue: Queue, rule: Overflow, now: float) -> bool:
    """Whether an overflow rule lets a team take from ``queue`` now."""
    return busier_than((queue,), rule.length, rule.oldest_wait, now)
