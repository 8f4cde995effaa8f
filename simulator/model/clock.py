"""The clock: a SimPy environment with two shortcuts for what the model knows ahead.

Arrivals are drawn before the run, so they need not be SimPy events: scheduling
a timeout per arrival costs an object, a heap push and a pop for a moment that
is already known. :meth:`Clock.run_feeding` steps SimPy's own events up to each
arrival, sets the clock to it and calls the arrival back, then steps on to the
horizon. An arrival comes after every event due at the same moment (a shift that
starts then is on before it, a reply finished then is sent first).

Replies, wrap-ups and customer messages are callbacks at a delay that nothing
waits on or cancels: :meth:`Clock.call_in` puts a bare callback holder in SimPy's
schedule, in the same order a ``Timeout`` would take, without building one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from heapq import heappush
from typing import Any

import simpy
from simpy.events import NORMAL

Callback = Callable[[Any], None]


class _Call:
    """What :meth:`simpy.Environment.step` reads of a scheduled event: its callbacks,
    and that it succeeded."""

    __slots__ = ("callbacks",)
    _ok = True

    def __init__(self, callback: Callback) -> None:
        self.callbacks: list[Callback] | None = [callback]


class Clock(simpy.Environment):
    """A SimPy environment whose run also feeds pre-drawn arrivals in time order."""

    def call_in(self, delay: float, callback: Callback) -> None:
        """Call ``callback`` (with one ignored argument) ``delay`` seconds from now,
        ordered among SimPy events exactly as ``timeout(delay)`` with it would be."""
        heappush(self._queue, (self._now + delay, NORMAL, next(self._eid), _Call(callback)))

    def run_feeding(
        self, until: float, times: Sequence[float], arrive: Callable[[int, float], None]
    ) -> None:
        """Run to ``until``, calling ``arrive(index, time)`` at each of ``times``
        (sorted) before it. Like ``run(until=...)``, nothing due at ``until`` happens."""
        queue = self._queue  # SimPy's schedule: a heap of (time, priority, id, event)
        step = self.step
        for index, at in enumerate(times):
            if at >= until:
                break
            while queue and queue[0][0] <= at:
                step()
            self._now = at
            arrive(index, at)
        while queue and queue[0][0] < until:
            step()
        self._now = until
