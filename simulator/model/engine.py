"""The engine: one replication of a scenario as a SimPy simulation.

Data flows one way: the scenario and a :class:`~simulator.rng.RandomSource`
go in, a :class:`~simulator.recording.ReplicationRecord` comes out. Arrivals
and customers are drawn up front (common random numbers); then one process
feeds arrivals, one process per agent walks through its shifts, and replies
and customer messages are timeouts with callbacks.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Generator
from typing import Any

import numpy as np
import simpy

from simulator.model.agent import Agent, SerialAgent, SharingAgent
from simulator.model.arrivals import arrival_times
from simulator.model.backup import OnCall
from simulator.model.conversation import Conversation, Customers, State
from simulator.model.handoff import ShiftEndPolicy, shift_end_policy
from simulator.model.queues import Queue
from simulator.model.recorder import Recorder
from simulator.model.roster import merged, shift_intervals, team_schedules
from simulator.model.routing import DEFLECTED, route
from simulator.model.team import Team, overflowing
from simulator.recording import STATE_INTERVAL, ReplicationRecord
from simulator.rng import RandomSource
from simulator.scenario.schema import Scenario, ticket_queue


def simulate(scenario: Scenario, seed: int, replication: int) -> ReplicationRecord:
    """Run replication ``replication`` of ``scenario`` under root seed ``seed``."""
    return Engine(scenario, RandomSource(seed, replication)).run(replication)


class Engine:
    """Builds the model of one replication and records what happens in it."""

    def __init__(self, scenario: Scenario, source: RandomSource) -> None:
        self.scenario = scenario
        self.env = simpy.Environment()
        self.horizon = scenario.horizon
        self.warmup = scenario.warmup
        self.queue_names = scenario.queues()
        queue_index = {name: index for index, name in enumerate(self.queue_names)}
        self._draw_customers(source)
        self.recorder = Recorder(
            self.warmup,
            self.arrived_at,
            self.stream_code,
            self.stream_names,
            [queue_index[scenario.home_queue(name)] for name in scenario.streams],
            self.queue_names,
            list(scenario.teams),
        )
        self._build_organisation(source)

    # -- set-up --
    def _draw_customers(self, source: RandomSource) -> None:
        scenario = self.scenario
        self.stream_names = list(scenario.streams)
        times, streams, ranks = [], [], []
        self.customers: list[Customers] = []
        queue_index = {name: index for index, name in enumerate(self.queue_names)}
        for code, (name, stream) in enumerate(scenario.streams.items()):
            arrivals = arrival_times(
                stream, scenario.start, self.horizon, source.rng(f"arrivals.{name}")
            )
            customers = Customers.draw(name, stream, len(arrivals), source)
            customers.code = code
            customers.routes = route(
                name,
                stream,
                queue_index[scenario.home_queue(name)],
                queue_index,
                len(arrivals),
                source,
            )
            self.customers.append(customers)
            times.append(arrivals)
            streams.append(np.full(len(arrivals), code, dtype=np.int16))
            ranks.append(np.arange(len(arrivals), dtype=np.int64))
        order = np.argsort(np.concatenate(times), kind="stable")
        self.arrived_at = np.concatenate(times)[order]
        self.stream_code = np.concatenate(streams)[order]
        self.rank = np.concatenate(ranks)[order]

    def _build_organisation(self, source: RandomSource) -> None:
        scenario = self.scenario
        self._escalate_after = [
            stream.escalation.after if stream.escalation else 0
            for stream in scenario.streams.values()
        ]
        self.queues = {name: Queue(name, i) for i, name in enumerate(self.queue_names)}
        self.queue_list = list(self.queues.values())
        # Where each stream's escalated conversations go (None: the stream never escalates).
        self._ticket_queue = [
            self.queues[ticket_queue(stream.escalation.team)]
            if stream.escalation is not None
            else None
            for stream in scenario.streams.values()
        ]
        self.stream_queue = [self.queues[scenario.home_queue(name)] for name in scenario.streams]
        tickets = {
            stream.escalation.team
            for stream in scenario.streams.values()
            if stream.escalation is not None
        }
        self.teams: list[Team] = []
        self.agents: list[Agent] = []
        # The processes that bring agents on and off shift (and on breaks).
        self.duties: list[Generator[simpy.Event, Any, None]] = []
        self.watchers: list[list[OnCall]] = [[] for _ in self.queues]
        for index, (name, spec) in enumerate(scenario.teams.items()):
            policy = shift_end_policy(scenario.team_handoff(name))
            own = [self.queues[q] for q in spec.serves]
            if name in tickets:
                own.append(self.queues[ticket_queue(name)])
            overflow = [(self.queues[rule.queue], rule) for rule in spec.overflow]
            meant_for = scenario.meant_for(name)
            team = Team(
                name,
                index,
                spec,
                policy,
                own,
                overflow,
                skills=[spec.skills.get(s, 1.0) for s in scenario.streams],
                meant_for=[s in meant_for for s in scenario.streams],
            )
            for queue in own:
                queue.teams.append((team, None))
            for queue, rule in overflow:
                queue.teams.append((team, rule))
            for schedule in team_schedules(name, spec, scenario.start, self.horizon):
                agent = self._hire(team, schedule.name)
                self.duties.append(self.work_shifts(agent, policy, schedule.shifts))
            for number, entry in enumerate(spec.backup, start=1):
                on_call = OnCall(self.env, entry, own, self.horizon)
                for queue in own:
                    self.watchers[queue.index].append(on_call)
                windows = merged(shift_intervals(entry, scenario.start, self.horizon))
                for k in range(entry.agents):
                    agent = self._hire(team, f"{name}.{entry.label or f'backup{number}'}.{k + 1}")
                    self.duties.append(on_call.stand_by(agent, windows, policy))
            if spec.shrinkage is not None:
                for agent in team.agents:
                    self.duties.append(
                        self.take_breaks(agent, spec.shrinkage.share, spec.shrinkage.block, source)
                    )
            self.teams.append(team)

    def _hire(self, team: Team, name: str) -> Agent:
        kind = SharingAgent if team.shared else SerialAgent
        agent = kind(self, team, self.recorder.hire(name, team.name), name)
        team.agents.append(agent)
        self.agents.append(agent)
        return agent

    # -- processes --
    def run(self, replication: int) -> ReplicationRecord:
        env = self.env
        env.process(self.generate_arrivals())
        for duty in self.duties:
            env.process(duty)
        env.process(self.sample_states())  # last, so it sees the state after time-0 changes
        env.run(until=self.horizon)
        for agent in self.agents:
            agent.finish(self.horizon)
        return self.recorder.record(replication)

    def generate_arrivals(self) -> Generator[simpy.Event, Any, None]:
        env = self.env
        timeout = env.timeout
        times = array("d", self.arrived_at.tobytes())  # compact, and fast to index
        streams = array("h", self.stream_code.tobytes())
        ranks = array("q", self.rank.tobytes())
        customers = self.customers
        stream_queue = self.stream_queue
        for index, arrived_at in enumerate(times):
            yield timeout(arrived_at - env.now)
            code = streams[index]
            rank = ranks[index]
            conversation = Conversation(
                index, rank, arrived_at, customers[code], stream_queue[code]
            )
            bot_time = customers[code].routes.bot_time
            if bot_time is None:
                self.leave_bot(conversation)
            else:
                timeout(bot_time[rank]).callbacks.append(
                    lambda _event, c=conversation: self.leave_bot(c)
                )

    def leave_bot(self, conversation: Conversation) -> None:
        """Past the bot: deflected, or routed to a queue where patience starts."""
        customers = conversation.customers
        destination = customers.routes.queue[conversation.rank]
        if destination == DEFLECTED:
            conversation.deflect()
            self.recorder.deflected(conversation, self.env.now)
            return
        self.enqueue(conversation, self.queue_list[destination])
        patience = customers.patience
        if patience is not None and conversation.state is State.QUEUED:
            wait = patience[conversation.rank]
            if wait < math.inf:
                self.env.timeout(wait).callbacks.append(
                    lambda _event, c=conversation: self.abandon(c)
                )

    def sample_states(self) -> Generator[simpy.Event, Any, None]:
        """Note queue lengths and team activity every STATE_INTERVAL seconds."""
        env = self.env
        recorder = self.recorder
        while True:
            now = env.now
            for queue in self.queue_list:
                recorder.queue_state(now, queue.name, queue.size)
            for team in self.teams:
                present = [agent for agent in team.agents if agent.present]
                recorder.team_state(
                    now,
                    team.name,
                    len(present),
                    sum(agent.working() for agent in present),
                    sum(len(agent.held) for agent in team.agents),
                )
            yield env.timeout(STATE_INTERVAL)

    def take_breaks(
        self, agent: Agent, share: float, block: float, source: RandomSource
    ) -> Generator[simpy.Event, Any, None]:
        """Shrinkage: breaks of ``block`` at random, so that on average ``share`` of
        the time on shift is away (a renewal process of gaps and breaks)."""
        if share <= 0:
            return
        rng = source.rng(f"shrinkage.{agent.name}")
        mean_gap = block * (1 - share) / share
        while True:
            yield self.env.timeout(float(rng.exponential(mean_gap)))
            if agent.present:
                yield from agent.take_break(block)

    def work_shifts(
        self, agent: Agent, policy: ShiftEndPolicy, shifts: tuple[tuple[float, float], ...]
    ) -> Generator[simpy.Event, Any, None]:
        """Walk one agent through its shifts: come on, then hand off at the end
        (the agent closes its own intake at the cutoff)."""
        env = self.env
        for begin, end in shifts:
            if end <= env.now:
                continue
            if begin > env.now:
                yield env.timeout(begin - env.now)
            agent.start_shift(end)
            if end >= self.horizon:
                return
            yield env.timeout(end - env.now)
            yield from policy.end_shift(agent)

    # -- events of a conversation --
    def enqueue(self, conversation: Conversation, queue: Queue) -> None:
        """Put a conversation in ``queue`` and let an available agent take it."""
        queue.push(conversation)
        self.offer(queue)
        for on_call in self.watchers[queue.index]:
            on_call.poke()
            if on_call.spec.oldest_wait is not None:
                due = conversation.arrived_at + on_call.spec.oldest_wait - self.env.now
                self.env.timeout(max(due, 0.0)).callbacks.append(lambda _event, c=on_call: c.poke())
        for _team, rule in queue.teams:
            if rule is not None and rule.oldest_wait is not None:
                # Overflow may open once this conversation has waited long enough.
                due = conversation.arrived_at + rule.oldest_wait - self.env.now
                self.env.timeout(max(due, 0.0)).callbacks.append(
                    lambda _event, q=queue: self.offer(q)
                )

    def offer(self, queue: Queue) -> None:
        """Let an available agent of a team that may serve ``queue`` now take from it."""
        if not queue.size:
            return
        for team, rule in queue.teams:
            if team.available and (rule is None or overflowing(queue, rule, self.env.now)):
                team.choose_available().work()
                return

    def reassigns(self, conversation: Conversation, team: Team) -> bool:
        """Whether a team not meant for this conversation sends it on (pre-drawn)."""
        routes = conversation.customers.routes
        return routes.triage[conversation.rank] < team.reassign_share

    def reassign(self, conversation: Conversation) -> None:
        """Send a misrouted conversation to its stream's own queue; it keeps its
        place by original arrival and its FRT clock keeps running."""
        conversation.reassignments += 1
        self.recorder.reassigned(conversation)
        self.enqueue(conversation, self.stream_queue[conversation.stream])

    def raise_ticket(self, conversation: Conversation) -> None:
        """An escalated conversation goes to its back-office team's ticket queue."""
        queue = self._ticket_queue[conversation.stream]
        assert queue is not None
        routes = conversation.customers.routes
        conversation.raise_ticket(routes.ticket_work[conversation.rank], self.env.now)
        self.enqueue(conversation, queue)

    def abandon(self, conversation: Conversation) -> None:
        """Patience ran out: leave if no agent has picked the conversation up."""
        if conversation.state is State.QUEUED and not conversation.picked_up:
            queue = conversation.queue
            assert isinstance(queue, Queue)
            conversation.abandon()
            queue.withdraw(self.env.now)
            self.recorder.abandoned(conversation, self.env.now)

    def reply_sent(self, conversation: Conversation) -> bool:
        """Record a reply; True when it resolved the conversation."""
        now = self.env.now
        conversation.sent += 1
        self.recorder.reply_sent(conversation, now)
        if conversation.sent >= conversation.needed:
            conversation.resolve()
            self.recorder.resolved(conversation, now)
            return True
        conversation.await_customer()
        routes = conversation.customers.routes
        if (
            not conversation.ticket
            and routes.escalate[conversation.rank]
            and conversation.sent == self._escalate_after[conversation.stream]
        ):
            conversation.escalate()
            return True
        self.env.timeout(conversation.reply_delay()).callbacks.append(
            lambda _event: self.customer_writes(conversation)
        )
        return False

    def customer_writes(self, conversation: Conversation) -> None:
        """The customer's next message: a reply is owed by the holder, or, if the
        conversation was handed back meanwhile, by whoever picks it up."""
        agent = conversation.agent
        if conversation.customer_writes(self.env.now):
            assert isinstance(agent, Agent)
            agent.owe(conversation)
        else:
            queue = conversation.queue
            assert isinstance(queue, Queue)
            self.enqueue(conversation, queue)

    def hand_back(self, conversation: Conversation, agent: Agent) -> None:
        """Shift end: the conversation leaves the agent with a note for the next one."""
        conversation.let_go()
        if conversation.state is State.ENDED:  # resolved, wrap-up cut short
            return
        conversation.hand_back()
        self.recorder.handed_back(conversation, agent.index, self.env.now)
        if conversation.state is State.OWED:
            queue = conversation.queue
            assert isinstance(queue, Queue)
            self.enqueue(conversation, queue)
