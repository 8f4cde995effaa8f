"""The clock's two shortcuts keep SimPy's order of events exactly: a callback put in
with ``call_in`` runs where a timeout scheduled at that moment would, and a fed
arrival comes after everything due at its moment and never at or past the horizon."""

from __future__ import annotations

from simulator.model.clock import Clock


def test_call_in_takes_a_timeouts_place_among_simultaneous_events() -> None:
    """Timeouts and calls, all due at 5, alternately scheduled: they run in
    scheduling order; one due at 3 runs first, at its time."""
    clock = Clock()
    seen: list[tuple[str, float]] = []

    def note(label: str):
        return lambda _event: seen.append((label, clock.now))

    clock.timeout(5).callbacks.append(note("timeout 1"))
    clock.call_in(5, note("call 1"))
    clock.timeout(5).callbacks.append(note("timeout 2"))
    clock.call_in(5, note("call 2"))
    clock.call_in(3, note("call at 3"))
    clock.run()
    assert seen == [
        ("call at 3", 3),
        ("timeout 1", 5),
        ("call 1", 5),
        ("timeout 2", 5),
        ("call 2", 5),
    ]


def test_arrivals_are_fed_in_order_after_events_due_at_the_same_moment() -> None:
    """Events at 2 and 4 (the one at 4 scheduled by the arrival at 1); arrivals at
    1, 2, 4, 10 and 12 with the horizon at 10: the arrival at 2 and the one at 4 come
    after the events due then; nothing happens at or after 10, where the clock stops."""
    clock = Clock()
    seen: list[tuple[str, float]] = []
    clock.call_in(2, lambda _event: seen.append(("event", clock.now)))
    clock.timeout(10).callbacks.append(lambda _event: seen.append(("at horizon", clock.now)))

    def arrive(index: int, at: float) -> None:
        seen.append((f"arrival {index}", at))
        assert clock.now == at
        if index == 0:
            clock.call_in(3, lambda _event: seen.append(("event", clock.now)))

    clock.run_feeding(10, [1.0, 2.0, 4.0, 10.0, 12.0], arrive)
    assert seen == [
        ("arrival 0", 1),
        ("event", 2),
        ("arrival 1", 2),
        ("event", 4),
        ("arrival 2", 4),
    ]
    assert clock.now == 10


def test_a_process_runs_between_fed_arrivals() -> None:
    """A process waking every 3 s interleaves with arrivals at 1 and 5 up to 7."""
    clock = Clock()
    seen: list[tuple[str, float]] = []

    def ticker():
        while True:
            seen.append(("tick", clock.now))
            yield clock.timeout(3)

    clock.process(ticker())
    clock.run_feeding(7, [1.0, 5.0], lambda index, at: seen.append(("arrival", at)))
    assert seen == [("tick", 0), ("arrival", 1), ("tick", 3), ("arrival", 5), ("tick", 6)]
