"""The clock: a SimPy environment with two shortcuts for what the model knows ahead.

Arrivals are drawn before the run, so they need not be SimPy events: scheduling
a timeout per arrival costs an object, a heap push and a pop for a moment that
is already known. :meth:`Clock.run_feeding` steps SimPy's own events up to each
arrival, sets the clock to it and calls the arrival back, then steps on to the
horizon. An arrival comes after every event due at the same moment (a shift that
starts then is on before it, a reply finished then is sent first).

Replies, wrap-ups and customer messages are callbacks at a delay that nothing
waits on or cancels: :meth:`Clock.call_in` puts the bare callback in SimPy's
schedule, in the same order a ``Timeout`` would take, without building an event
or even a holder for it (a holder object cost a third of a microsecond per
reply; a one-at-a-time agent writes the same entry itself, inline, once per
reply). The clock's own :meth:`Clock.step` runs such an entry where SimPy's
would run an event, so ``run`` works as in SimPy.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from heapq import heappop, heappush
from typing import Any

import simpy
from simpy.events import NORMAL, Event

Callback = Callable[[Any], None]  # called with None, as a SimPy callback with its event


class Clock(simpy.Environment):
    """A SimPy environment whose run also feeds pre-drawn arrivals in time order."""

    def call_in(self, delay: float, callback: Callback) -> None:
        """Call ``callback`` (with one ignored argument) ``delay`` seconds from now,
        ordered among SimPy events exactly as ``timeout(delay)`` with it would be."""
        heappush(self._queue, (self._now + delay, NORMAL, next(self._eid), callback))

    def step(self) -> None:
        """SimPy's step, which also runs a bare callback put in by :meth:`call_in`."""
        queue = self._queue
        if queue and not isinstance(queue[0][3], Event):
            self._now, _, _, callback = heappop(queue)
            callback(None)
        else:
            super().step()

    def run_feeding(
        self, until: float, times: Sequence[float], arrive: Callable[[int, float], None]
    ) -> None:
        """Run to ``until``, calling ``arrive(index, time)`` at each of ``times``
        (sorted) before it. Like ``run(until=...)``, nothing due at ``until`` happens."""
        queue = self._queue  # SimPy's schedule: a heap of (time, priority, id, event)
        step = super().step  # for SimPy's events; bare callbacks are called here
        for index, at in enumerate(times):
            if at >= until:
                break
            while queue:
                head = queue[0]
                if head[0] > at:
                    break
                entry = head[3]
                if isinstance(entry, Event):
                    step()
                else:
                    self._now = heappop(queue)[0]
                    entry(None)
            self._now = at
            arrive(index, at)
        while queue and queue[0][0] < until:  # after the last arrival: no longer hot
            self.step()
        self._now = until
