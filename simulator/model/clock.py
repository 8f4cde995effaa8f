"""The clock: a SimPy environment with two shortcuts for what the model knows ahead.

Arrivals are drawn before the run, so they need not be SimPy events: scheduling
a timeout per arrival costs an object, a heap push and a pop for a moment that
is already known. :meth:`Clock.run_feeding` steps SimPy's own events up to each
arrival, sets the clock to it and calls the arrival back, then steps on to the
horizon. An arrival comes after every event due at the same moment (a shift that
starts then is on before it, a reply finished then is sent first).

Replies, wrap-ups and customer messages are callbacks at a delay that nothing
waits on or cancels: :meth:`Clock.call_in` puts a bare callback holder in SimPy's
schedule, in the same order a ``Timeout`` would take, without building one;
:meth:`Clock.run_feeding` calls it back itself rather than through
:meth:`simpy.Environment.step` (what a step does with such a holder, minus the
call and the callback list).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from heapq import heappop, heappush
from typing import Any

import simpy
from simpy.events import NORMAL

Callback = Callable[[Any], None]


class _Call:
    """What :meth:`simpy.Environment.step` reads of a scheduled event: its callbacks,
    and that it succeeded. The one callback is kept bare; the list is built only if
    SimPy's own step asks for it."""

    __slots__ = ("callback",)
    _ok = True

    def __init__(self, callback: Callback) -> None:
        self.callback = callback

    @property
    def callbacks(self) -> list[Callback]:
        return [self.callback]

    @callbacks.setter
    def callbacks(self, _value: None) -> None:
        """SimPy marks a processed event by setting its callbacks to None: a holder
        is never seen again, so there is nothing to keep."""


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
                event = queue[0][3]
                if event.__class__ is _Call:  # step(), without the call and the list
                    self._now = heappop(queue)[0]
                    event.callback(event)
                else:
                    step()
            self._now = at
            arrive(index, at)
        while queue and queue[0][0] < until:
            event = queue[0][3]
            if event.__class__ is _Call:
                self._now = heappop(queue)[0]
                event.callback(event)
            else:
                step()
        self._now = until
