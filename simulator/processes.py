"""This process, its workers and the signals that stop them.

A run must stop cleanly whichever way it is stopped: Ctrl-C (SIGINT) and
``kill`` (SIGTERM) both raise :class:`Interrupted` (a ``KeyboardInterrupt``), so
the same ``finally`` blocks remove a half-written folder; the command line
then exits 130 or 143, as a shell reports a process killed by that signal.
Pool workers leave the stopping to their parent, and quit by themselves if it
vanishes (SIGKILL gives it no chance to stop them).

A process is named by its PID *and* its start time, so a PID reused by a later
process does not make a crashed run's leftovers look alive.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from types import FrameType

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
WORKER_EXIT_S = 5.0
"""How long a stopped pool worker gets to exit on SIGTERM before it is killed."""
PARENT_POLL_S = 0.25
"""How often a pool worker checks that the run that started it is still there."""


class Interrupted(KeyboardInterrupt):
    """SIGINT or SIGTERM arrived; ``signum`` says which."""

    def __init__(self, signum: int = signal.SIGINT) -> None:
        super().__init__(int(signum))  # rebuilt from its args by SimPy: keep them plain
        self.signum = int(signum)


_state = {"deferring": 0, "pending": 0, "stopping": False}


def _on_signal(signum: int, frame: FrameType | None) -> None:
    if _state["deferring"]:
        _state["pending"] = signum
        return
    if _state["stopping"]:
        return  # already unwinding: let the cleanup finish
    _state["stopping"] = True
    raise Interrupted(signum)


def handle_signals() -> None:
    """SIGINT and SIGTERM raise :class:`Interrupted` (main thread only; harmless twice)."""
    if threading.current_thread() is threading.main_thread():
        for signum in STOP_SIGNALS:
            signal.signal(signum, _on_signal)


@contextmanager
def interruptible() -> Iterator[None]:
    """Handle stop signals for the block; an interrupt ends the process (see :func:`stop`)."""
    handle_signals()
    try:
        yield
    except KeyboardInterrupt as interrupt:
        stop(interrupt)


def stop(interrupt: KeyboardInterrupt) -> None:
    """End the process after an interrupt: one line on stderr, no traceback, and the
    exit status a shell shows for the signal (128 + its number: 130, 143)."""
    signum = getattr(interrupt, "signum", signal.SIGINT)
    print(f"staffsim: interrupted ({signal.Signals(signum).name})", file=sys.stderr)
    sys.exit(128 + signum)


@contextmanager
def signals_deferred() -> Iterator[None]:
    """Hold a stop signal until the block ends, then raise it: for the few renames
    that must all happen or none."""
    _state["deferring"] += 1
    try:
        yield
    finally:
        _state["deferring"] -= 1
        pending, _state["pending"] = _state["pending"], 0
        if pending and not _state["deferring"] and not _state["stopping"]:
            _state["stopping"] = True
            raise Interrupted(pending)


# --------------------------------------------------------------------------- identity


def start_token(pid: int) -> str | None:
    """When process ``pid`` started (clock ticks since boot, from ``/proc``), or
    ``None`` when it is gone or a zombie; ``'0'`` for a live process where
    ``/proc`` is missing (then the PID alone names it)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            fields = stat.read().rsplit(b")", 1)[1].split()
    except OSError:
        return None if os.path.isdir("/proc/self") else _alive_by_kill(pid)
    if fields[0] in (b"Z", b"X"):
        return None
    return fields[19].decode()


def _alive_by_kill(pid: int) -> str | None:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        pass  # it exists, owned by someone else
    return "0"


def alive(pid: int, token: str) -> bool:
    """Whether the process that was ``pid`` with start time ``token`` still runs."""
    return start_token(pid) == token


def own_token() -> str:
    """This process's start time, as :func:`start_token` gives it."""
    return start_token(os.getpid()) or "0"


# --------------------------------------------------------------------------- workers


@contextmanager
def worker_pool(
    workers: int, setup: Callable[..., None] | None = None, setup_args: tuple[object, ...] = ()
) -> Iterator[ProcessPoolExecutor]:
    """A process pool whose workers die with the run: stopped early (an error, Ctrl-C,
    SIGTERM) they are killed at once rather than left to finish work nobody will
    read, and each exits by itself if the run is killed outright. Submit under
    :func:`signals_deferred`: a signal in the middle of a fork would orphan a worker.
    Each worker calls ``setup(*setup_args)`` first (forked workers share the
    arguments with the parent; others receive them pickled)."""
    pool = ProcessPoolExecutor(
        max_workers=workers,
        initializer=worker_setup,
        initargs=(os.getpid(), own_token(), setup, setup_args),
    )
    try:
        yield pool
    except BaseException:
        running = list((pool._processes or {}).values())  # no public handle on the workers
        pool.shutdown(wait=False, cancel_futures=True)
        for worker in running:
            worker.terminate()
        for worker in running:
            worker.join(timeout=WORKER_EXIT_S)
            if worker.is_alive():
                worker.kill()
                worker.join()
        raise
    pool.shutdown()


def worker_setup(
    parent: int,
    token: str,
    setup: Callable[..., None] | None = None,
    setup_args: tuple[object, ...] = (),
) -> None:
    """Pool-worker initializer: Ctrl-C is the parent's to handle, SIGTERM kills at once,
    and the worker exits when the parent is gone; then the pool's own ``setup``."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    threading.Thread(target=_exit_with_parent, args=(parent, token), daemon=True).start()
    if setup is not None:
        setup(*setup_args)


def forked_helper_setup(parent: int, token: str) -> None:
    """Setup for a long-lived helper forked from the run that forks workers of its own:
    as :func:`worker_setup`, but SIGTERM raises :class:`Interrupted`, so the helper's
    ``finally`` blocks stop its workers before it exits (the run's deferral state,
    inherited by the fork, starts afresh)."""
    worker_setup(parent, token)
    _state.update(deferring=0, pending=0, stopping=False)
    signal.signal(signal.SIGTERM, _on_signal)


def _exit_with_parent(parent: int, token: str) -> None:
    while alive(parent, token):
        time.sleep(PARENT_POLL_S)
    os._exit(1)
