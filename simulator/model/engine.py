"""The engine: one replication of a scenario as a SimPy simulation.

Data flows one way: the scenario and a :class:`~simulator.rng.RandomSource`
go in, a :class:`~simulator.recording.ReplicationRecord` comes out. Arrivals
and customers are drawn up front (common random numbers) and the builder sets
up the organisation; then the engine owns the clock and its processes: one
per duty walks an agent through shifts, stand-bys or breaks, and one samples
the state. Arrivals are fed by the clock itself, in time order from the
pre-drawn array, without a SimPy event each. Replies and customer messages are
bare callbacks on the clock (``Clock.call_in``) in the agents and the dispatcher.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Generator
from typing import TYPE_CHECKING, Any

import numpy as np
import simpy

from simulator.model.arrivals import arrival_times, replayed
from simulator.model.builder import Breaks, Duty, Shifts, Standby, build
from simulator.model.clock import Clock
from simulator.model.conversation import Conversation, Customers
from simulator.model.recorder import Recorder
from simulator.model.routing import route
from simulator.recording import STATE_INTERVAL, ReplicationRecord
from simulator.rng import RandomSource
from simulator.scenario.schema import Scenario

if TYPE_CHECKING:
    from simulator.model.agent import Agent


def simulate(scenario: Scenario, seed: int, replication: int) -> ReplicationRecord:
    """Run replication ``replication`` of ``scenario`` under root seed ``seed``."""
    return Engine(scenario, RandomSource(seed, replication)).run(replication)


class Engine:
    """The clock and the processes of one replication."""

    def __init__(self, scenario: Scenario, source: RandomSource) -> None:
        self.env = Clock()
        self.horizon = scenario.horizon
        queue_names = scenario.queues()
        queue_index = {name: index for index, name in enumerate(queue_names)}
        self._draw_customers(scenario, queue_index, source)
        self.recorder = Recorder(
            scenario.warmup,
            self.arrived_at,
            self.stream_code,
            list(scenario.streams),
            [queue_index[scenario.home_queue(name)] for name in scenario.streams],
            queue_names,
            list(scenario.teams),
        )
        self.organisation = build(scenario, self.env, self.recorder, source)

    def _draw_customers(
        self, scenario: Scenario, queue_index: dict[str, int], source: RandomSource
    ) -> None:
        """Every stream's arrivals and customers, merged in arrival order."""
        times, streams, ranks = [], [], []
        self.customers: list[Customers] = []
        for code, (name, stream) in enumerate(scenario.streams.items()):
            arrivals = (
                replayed(stream, name, scenario.start, self.horizon)
                if stream.arrivals is not None
                else arrival_times(
                    stream, scenario.start, self.horizon, source.rng(f"arrivals.{name}")
                )
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

    def run(self, replication: int) -> ReplicationRecord:
        env = self.env
        for duty in self.organisation.duties:
            env.process(self.perform(duty))
        env.process(self.sample_states())  # last, so it sees the state after time-0 changes
        times = array("d", self.arrived_at.tobytes())  # compact, and fast to index
        env.run_feeding(self.horizon, times, self.arrival())
        for agent in self.organisation.agents:
            agent.finish(self.horizon)
        return self.recorder.record(replication)

    def arrival(self) -> Callable[[int, float], None]:
        """What happens at arrival ``index``: the conversation is created and the
        dispatcher admits it (after the bot, if the stream has one)."""
        env = self.env
        streams = array("h", self.stream_code.tobytes())
        ranks = array("q", self.rank.tobytes())
        customers = self.customers
        dispatcher = self.organisation.dispatcher
        admit = dispatcher.admit
        stream_queue = dispatcher.stream_queue
        bot_times = [None if c.routes is None else c.routes.bot_time for c in customers]
        direct = [dispatcher.direct_queue(c) for c in customers]  # admission is only joining
        enqueue = dispatcher.enqueue
        if len(customers) == 1 and direct[0] is not None:
            only, queue = customers[0], direct[0]

            def join(index: int, arrived_at: float) -> None:  # one stream: rank is index
                enqueue(Conversation(index, index, arrived_at, only, queue), queue)

            return join

        def arrive(index: int, arrived_at: float) -> None:
            code = streams[index]
            rank = ranks[index]
            conversation = Conversation(
                index, rank, arrived_at, customers[code], stream_queue[code]
            )
            queue = direct[code]
            if queue is not None:
                enqueue(conversation, queue)
                return
            bot_time = bot_times[code]
            if bot_time is None:
                admit(conversation)
            else:
                env.call_in(bot_time[rank], lambda _event, c=conversation: admit(c))

        return arrive

    def sample_states(self) -> Generator[simpy.Event, Any, None]:
        """Note queue lengths and team activity every STATE_INTERVAL seconds.

        A process only to take the first sample where processes start (after the
        duties' time-0 changes); the rest are callbacks on the clock, due exactly
        where the process's timeouts were, without resuming a generator each time."""
        organisation = self.organisation
        self.recorder.sample_rows(
            [(0, queue.name) for queue in organisation.queues]
            + [(1, team.name) for team in organisation.teams]
        )
        self._sample_state(None)
        yield from ()

    def _sample_state(self, _event: object) -> None:
        env = self.env
        counts: list[int] = []
        for queue in self.organisation.queues:
            counts += (queue.size, 0, 0, 0)
        for team in self.organisation.teams:
            present = working = held = 0
            serial = not team.shared  # its agents' working() is their busy flag: read it
            for agent in team.agents:
                held += len(agent.held)
                if agent.present:
                    present += 1
                    if agent.busy if serial else agent.working():  # type: ignore[attr-defined]
                        working += 1
            counts += (0, present, working, held)
        self.recorder.state(env._now, counts)
        env.call_in(STATE_INTERVAL, self._sample_state)

    def perform(self, duty: Duty) -> Generator[simpy.Event, Any, None]:
        """The process body of one duty."""
        match duty:
            case Shifts(agent, shifts):
                return self.work_shifts(agent, shifts)
            case Standby(on_call, agent, windows):
                return on_call.stand_by(agent, windows, agent.team.shift_end)
            case Breaks(agent, share, block, rng):
                return self.take_breaks(agent, share, block, rng)

    def work_shifts(
        self, agent: Agent, shifts: tuple[tuple[float, float], ...]
    ) -> Generator[simpy.Event, Any, None]:
        """Walk one agent through its shifts: come on, then end each shift the way
        the team's policy says (the agent closes its own intake when the policy says)."""
        env = self.env
        policy = agent.team.shift_end
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

    def take_breaks(
        self, agent: Agent, share: float, block: float, rng: np.random.Generator
    ) -> Generator[simpy.Event, Any, None]:
        """Shrinkage: breaks of ``block`` at random, so that on average ``share`` of
        the time on shift is away (a renewal process of gaps and breaks)."""
        if share <= 0:
            return
        mean_gap = block * (1 - share) / share
        while True:
            yield self.env.timeout(float(rng.exponential(mean_gap)))
            if agent.present:
                yield from agent.take_break(block)
