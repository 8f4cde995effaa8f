"""On-call backups: agents who join only when the team's queues are busier than
planned, and stand down once they have been clear for a while.

Each backup roster entry is an :class:`OnCall` watching the queues its team
serves. The trigger (queue length at least N, or oldest wait at least T) is
checked when a conversation joins one of those queues and when a waiting
conversation's wait reaches T, so activation is exact rather than polled.
After the activation delay the entry's agents come on until the end of the
on-call window or until the queues have been clear for ``stand_down``. A backup
who stands down takes nothing new and leaves once its conversations are done;
at the end of the window what it still holds follows the team's shift-end policy.
"""

from __future__ import annotations

import math
from collections.abc import Generator
from typing import TYPE_CHECKING, Any

import simpy

from simulator.model.queues import busier_than
from simulator.scenario.schema import BackupShift

if TYPE_CHECKING:
    from simulator.model.agent import Agent
    from simulator.model.handoff import ShiftEndPolicy
    from simulator.model.queues import Queue


class OnCall:
    """One backup roster entry: its trigger and the queues it watches."""

    def __init__(
        self, env: simpy.Environment, spec: BackupShift, queues: list[Queue], horizon: float
    ) -> None:
        self.env = env
        self.horizon = horizon
        self.spec = spec
        self.queues = queues
        self.wake = env.event()  # fires when the trigger may have come to hold
        self.emptied = env.event()  # fires when a watched queue falls empty
        for queue in queues:
            queue.on_empty.append(self._queue_emptied)

    def _queue_emptied(self) -> None:
        if not self.emptied.triggered:
            self.emptied.succeed()
            self.emptied = self.env.event()

    def triggered(self) -> bool:
        """Whether the watched queues are busier than planned right now."""
        spec = self.spec
        return busier_than(self.queues, spec.queue_length, spec.oldest_wait, self.env.now)

    def poke(self) -> None:
        """Something changed in a watched queue: wake the waiting backups if needed."""
        if not self.wake.triggered and self.triggered():
            self.wake.succeed()
            self.wake = self.env.event()

    def stand_by(
        self, agent: Agent, windows: tuple[tuple[float, float], ...], policy: ShiftEndPolicy
    ) -> Generator[simpy.Event, Any, None]:
        """One backup agent's process: wait on call, join when triggered, stand down."""
        env = self.env
        spec = self.spec
        for begin, end in windows:
            if end <= env.now:
                continue
            if begin > env.now:
                yield env.timeout(begin - env.now)
            # Nobody is called in for the part of the window the policy closes to intake.
            intake_until = policy.intake_closes(end)
            while env.now < intake_until:
                if not self.triggered():
                    yield from self._wait_for(self.wake, intake_until)
                    continue
                if spec.delay > 0:
                    yield env.timeout(spec.delay)
                    if env.now >= intake_until:
                        break
                agent.start_shift(end)
                agent.recorder.activated(agent.index, env.now)
                yield from self._until_clear(end)
                if env.now >= self.horizon:
                    return
                if env.now < end:
                    yield from self._stand_down(agent, end)
                if agent.present:
                    yield from policy.end_shift(agent)

    def _until_clear(self, end: float) -> Generator[simpy.Event, Any, None]:
        """Wait until the queues have been clear for ``stand_down`` or the window ends.

        The decision after each wait rests on the queues' state, not on comparing
        clocks: ``emptied_at + stand_down - emptied_at`` can round to just below
        ``stand_down``, and a wait shorter than one float step would never end."""
        env = self.env
        while env.now < end:
            if any(queue.size for queue in self.queues):
                yield from self._wait_for(self.emptied, end)
                continue
            emptied_at = max(queue.emptied_at for queue in self.queues)
            wait = min(emptied_at + self.spec.stand_down, end) - env.now
            if wait <= 0:
                return
            yield env.timeout(wait)
            if (
                not any(queue.size for queue in self.queues)
                and max(queue.emptied_at for queue in self.queues) == emptied_at
            ):
                return

    def _stand_down(self, agent: Agent, end: float) -> Generator[simpy.Event, Any, None]:
        """Stood down before the window ends: take nothing new, finish what is held
        and go. Handing it back instead would refill the queue that has just been
        cleared and call the backup straight back in to re-read it."""
        cleared = agent.wind_down()
        if cleared is not None:
            yield from self._wait_for(cleared, end)
        if not agent.held:
            agent.depart(keep=False)

    def _wait_for(self, event: simpy.Event, end: float) -> Generator[simpy.Event, Any, None]:
        """Wait for ``event``, or until ``end`` if that is finite."""
        if end < math.inf:
            yield event | self.env.timeout(end - self.env.now)
        else:
            yield event
