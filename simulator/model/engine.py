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
import pandas as pd
import simpy

from simulator.model.agent import Agent, SerialAgent, SharingAgent
from simulator.model.arrivals import arrival_times
from simulator.model.conversation import Conversation, Customers, State
from simulator.model.handoff import ShiftEnd, shift_end_policy
from simulator.model.queues import Queue
from simulator.model.roster import team_schedules
from simulator.model.team import Team
from simulator.recording import (
    OUTCOME_NAMES,
    STATE_COLUMNS,
    STATE_INTERVAL,
    OutcomeCode,
    ReplicationRecord,
)
from simulator.rng import RandomSource
from simulator.scenario.schema import Scenario

NAN = math.nan


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
        self._draw_customers(source)
        self._build_organisation()
        self._allocate_records()

    # -- set-up --
    def _draw_customers(self, source: RandomSource) -> None:
        scenario = self.scenario
        self.stream_names = list(scenario.streams)
        times, streams, ranks = [], [], []
        self.customers: list[Customers] = []
        for code, (name, stream) in enumerate(scenario.streams.items()):
            arrivals = arrival_times(stream, scenario.start, self.horizon,
                                     source.rng(f"arrivals.{name}"))
            self.customers.append(Customers.draw(name, stream, len(arrivals), source))
            times.append(arrivals)
            streams.append(np.full(len(arrivals), code, dtype=np.int16))
            ranks.append(np.arange(len(arrivals), dtype=np.int64))
        order = np.argsort(np.concatenate(times), kind="stable")
        self.arrived_at = np.concatenate(times)[order]
        self.stream_code = np.concatenate(streams)[order]
        self.rank = np.concatenate(ranks)[order]

    def _build_organisation(self) -> None:
        scenario = self.scenario
        self.queues = {name: Queue(name, i) for i, name in enumerate(scenario.queues())}
        self.stream_queue = [self.queues[stream.queue or name]
                             for name, stream in scenario.streams.items()]
        self.teams: list[Team] = []
        self.agents: list[Agent] = []
        self.policies: list[ShiftEnd] = []
        self.schedules: list[tuple[tuple[float, float], ...]] = []
        for index, (name, spec) in enumerate(scenario.teams.items()):
            handoff = scenario.team_handoff(name)
            team = Team(name, index, spec, handoff, [self.queues[q] for q in spec.serves])
            for queue in team.queues:
                queue.teams.append(team)
            policy = shift_end_policy(handoff)
            kind = SharingAgent if team.shared else SerialAgent
            for schedule in team_schedules(name, spec, scenario.start, self.horizon):
                agent = kind(self, team, len(self.agents), schedule.name)
                team.agents.append(agent)
                self.agents.append(agent)
                self.policies.append(policy)
                self.schedules.append(schedule.shifts)
            self.teams.append(team)

    def _allocate_records(self) -> None:
        count = len(self.arrived_at)
        self.picked_up_at = array("d", [NAN]) * count
        self.first_reply_at = array("d", [NAN]) * count
        self.ended_at = array("d", [NAN]) * count
        self.outcome = array("b", [OutcomeCode.OPEN]) * count
        self.team_code = array("i", [-1]) * count
        self.agent_code = array("i", [-1]) * count
        self.exchanges = array("i", [0]) * count
        self.handbacks = array("i", [0]) * count
        self.followup_conversation = array("q")
        self.followup_asked_at = array("d")
        self.followup_answered_at = array("d")
        self.followup_after_handback = array("b")
        self.state_rows: list[tuple[float, str, str, int, int, int, int]] = []

    # -- processes --
    def run(self, replication: int) -> ReplicationRecord:
        env = self.env
        env.process(self.generate_arrivals())
        for agent, policy, shifts in zip(self.agents, self.policies, self.schedules,
                                         strict=True):
            env.process(self.work_shifts(agent, policy, shifts))
        env.process(self.sample_states())  # last, so it sees the state after time-0 changes
        env.run(until=self.horizon)
        for agent in self.agents:
            agent.finish(self.horizon)
        return self._record(replication)

    def generate_arrivals(self) -> Generator[simpy.Event, Any, None]:
        env = self.env
        timeout = env.timeout
        times = self.arrived_at.tolist()
        streams = self.stream_code.tolist()
        ranks = self.rank.tolist()
        customers = self.customers
        stream_queue = self.stream_queue
        for index, arrived_at in enumerate(times):
            yield timeout(arrived_at - env.now)
            code = streams[index]
            conversation = Conversation(index, ranks[index], arrived_at, customers[code],
                                        stream_queue[code])
            self.enqueue(conversation)
            patience = customers[code].patience
            if patience is not None and conversation.state is State.QUEUED:
                wait = patience[conversation.rank]
                if wait < math.inf:
                    timeout(wait).callbacks.append(
                        lambda _event, c=conversation: self.abandon(c))

    def sample_states(self) -> Generator[simpy.Event, Any, None]:
        """Note queue lengths and team activity every STATE_INTERVAL seconds."""
        env = self.env
        queues = list(self.queues.values())
        rows = self.state_rows
        while True:
            now = env.now
            for queue in queues:
                rows.append((now, "queue", queue.name, queue.size, 0, 0, 0))
            for team in self.teams:
                present = [agent for agent in team.agents if agent.present]
                rows.append((now, "team", team.name, 0, len(present),
                             sum(agent.working() for agent in present),
                             sum(len(agent.held) for agent in team.agents)))
            yield env.timeout(STATE_INTERVAL)

    def work_shifts(self, agent: Agent, policy: ShiftEnd,
                    shifts: tuple[tuple[float, float], ...]) -> Generator[simpy.Event, Any, None]:
        """Walk one agent through its shifts: come on, stop intake, hand off."""
        env = self.env
        cutoff = agent.team.intake_cutoff
        for begin, end in shifts:
            if end <= env.now:
                continue
            if begin > env.now:
                yield env.timeout(begin - env.now)
            agent.start_shift(end)
            if end == math.inf or end - cutoff >= self.horizon:
                # The shift runs past the horizon: nothing more to schedule.
                if end - cutoff < math.inf and end - cutoff > env.now:
                    yield env.timeout(end - cutoff - env.now)
                    agent.stop_intake()
                return
            if cutoff > 0:
                if end - cutoff > env.now:
                    yield env.timeout(end - cutoff - env.now)
                agent.stop_intake()
            yield env.timeout(end - env.now)
            yield from policy.end_shift(agent)

    # -- events of a conversation --
    def enqueue(self, conversation: Conversation) -> None:
        """Put a conversation in its queue and let an available agent take it."""
        queue = conversation.queue
        assert isinstance(queue, Queue)
        queue.push(conversation)
        for team in queue.teams:
            if team.available:
                team.choose_available().work()
                return

    def abandon(self, conversation: Conversation) -> None:
        """Patience ran out: leave if no agent has picked the conversation up."""
        if conversation.state is State.QUEUED and not conversation.picked_up:
            queue = conversation.queue
            assert isinstance(queue, Queue)
            queue.withdraw(conversation)
            self.ended_at[conversation.index] = self.env.now
            self.outcome[conversation.index] = OutcomeCode.ABANDONED

    def record_pickup(self, conversation: Conversation, agent: Agent) -> None:
        index = conversation.index
        self.picked_up_at[index] = self.env.now
        self.team_code[index] = agent.team.index
        self.agent_code[index] = agent.index

    def reply_sent(self, conversation: Conversation) -> bool:
        """Record a reply; True when it resolved the conversation."""
        now = self.env.now
        index = conversation.index
        conversation.sent += 1
        self.exchanges[index] = conversation.sent
        if conversation.sent == 1:
            self.first_reply_at[index] = now
        else:
            self.followup_conversation.append(index)
            self.followup_asked_at.append(conversation.owed_since)
            self.followup_answered_at.append(now)
            self.followup_after_handback.append(conversation.handbacks > 0)
        if conversation.sent >= conversation.needed:
            conversation.state = State.ENDED
            self.ended_at[index] = now
            self.outcome[index] = OutcomeCode.RESOLVED
            return True
        conversation.state = State.WAITING
        self.env.timeout(conversation.reply_delay()).callbacks.append(
            lambda _event: self.customer_writes(conversation))
        return False

    def customer_writes(self, conversation: Conversation) -> None:
        """The customer's next message: a reply is owed by the holder, or, if the
        conversation was handed back meanwhile, by whoever picks it up."""
        conversation.owed_since = self.env.now
        conversation.work = conversation.next_reply_work()
        agent = conversation.agent
        if agent is not None:
            conversation.state = State.OWED
            assert isinstance(agent, Agent)
            agent.owe(conversation)
        else:
            self.enqueue(conversation)

    def hand_back(self, conversation: Conversation, agent: Agent) -> None:
        """Shift end: the conversation leaves the agent with a note for the next one."""
        conversation.agent = None
        if conversation.state is State.ENDED:      # resolved, wrap-up cut short
            return
        conversation.handbacks += 1
        conversation.reread_due = True
        self.handbacks[conversation.index] = conversation.handbacks
        if self.env.now >= self.warmup:
            agent.team.handbacks += 1
        if conversation.state is State.OWED:
            self.enqueue(conversation)
        else:
            conversation.state = State.PARKED

    def after_warmup(self, begin: float, end: float) -> float:
        """Length of ``[begin, end)`` that falls after warmup."""
        return max(0.0, end - max(begin, self.warmup))

    # -- results --
    def _record(self, replication: int) -> ReplicationRecord:
        count = len(self.arrived_at)
        queue_of_stream = np.array([q.index for q in self.stream_queue], dtype=np.int16)
        conversations = pd.DataFrame({
            "conversation": np.arange(count, dtype=np.int64),
            "stream": pd.Categorical.from_codes(self.stream_code, self.stream_names),
            "queue": pd.Categorical.from_codes(queue_of_stream[self.stream_code],
                                               list(self.queues)),
            "team": pd.Categorical.from_codes(np.frombuffer(self.team_code, dtype=np.int32),
                                              [t.name for t in self.teams]),
            "agent": pd.Categorical.from_codes(np.frombuffer(self.agent_code, dtype=np.int32),
                                               [a.name for a in self.agents]),
            "arrived_at": self.arrived_at,
            "picked_up_at": np.frombuffer(self.picked_up_at, dtype=np.float64),
            "first_reply_at": np.frombuffer(self.first_reply_at, dtype=np.float64),
            "ended_at": np.frombuffer(self.ended_at, dtype=np.float64),
            "outcome": pd.Categorical.from_codes(np.frombuffer(self.outcome, dtype=np.int8),
                                                 OUTCOME_NAMES),
            "exchanges": np.frombuffer(self.exchanges, dtype=np.int32),
            "handbacks": np.frombuffer(self.handbacks, dtype=np.int32),
            "reassignments": np.zeros(count, dtype=np.int32),
        })
        asked = np.frombuffer(self.followup_asked_at, dtype=np.float64)
        answered = np.frombuffer(self.followup_answered_at, dtype=np.float64)
        followups = pd.DataFrame({
            "conversation": np.frombuffer(self.followup_conversation, dtype=np.int64),
            "asked_at": asked,
            "answered_at": answered,
            "response_s": answered - asked,
            "after_handback": np.frombuffer(self.followup_after_handback,
                                            dtype=np.int8).astype(bool),
        })
        teams = pd.DataFrame({
            "team": [t.name for t in self.teams],
            "on_shift_s": [t.on_shift_s for t in self.teams],
            "busy_s": [t.busy_s for t in self.teams],
            "overtime_s": [t.overtime_s for t in self.teams],
            "handbacks": [t.handbacks for t in self.teams],
            "reread_s": [t.reread_s for t in self.teams],
            "agent_shifts": [t.agent_shifts for t in self.teams],
        })
        states = pd.DataFrame(self.state_rows, columns=list(STATE_COLUMNS))
        states["kind"] = states["kind"].astype("category")
        states["name"] = states["name"].astype("category")
        return ReplicationRecord(replication, conversations, followups, teams, states)
