"""Exact queueing results the simulator is checked against.

Pure analysis: nothing here imports the simulator, so a bug there cannot leak
into the expected values. Rates are in any one time unit (the tests use
seconds); waits come back in its inverse.

- :func:`erlang_c` / :func:`erlang_c_mean_wait`: M/M/c by the Erlang B
  recursion (no factorials, stable for hundreds of agents).
- :func:`birth_death`: the stationary distribution of a birth-death chain,
  with the number in system as state, built in log space and truncated where
  the rest of the tail is below a tolerance.
- :func:`queue_chain`: queue statistics of such a chain when arrivals are
  Poisson, ``slots`` conversations can be in service at once at a total rate
  that depends on how many are in service, and those waiting abandon at rate
  ``theta`` each (M/M/c+M, Erlang A, and processor sharing).
- :func:`erlang_a`, :func:`shared_attention`: the two uses of it.

The statistics come from the stationary distribution ``pi`` only:

- P(wait > 0) = P(N >= slots): arrivals see time averages (PASTA) and wait
  exactly when every slot is taken.
- E[Wq] = E[Lq] / lambda: Little's law on the queue, with the time in queue of
  every arrival (abandoned ones until they leave).
- P(abandon) = theta * E[Lq] / lambda: the long-run abandonment flow over the
  arrival flow.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np


def erlang_b(servers: int, load: float) -> float:
    """Blocking probability of M/M/c/c with offered load ``load`` = lambda/mu.

    Recursion B(0) = 1, B(k) = a B(k-1) / (k + a B(k-1)), every step in [0, 1].
    """
    if servers < 0 or load < 0:
        raise ValueError("servers and load must be non-negative")
    blocking = 1.0
    for k in range(1, servers + 1):
        blocking = load * blocking / (k + load * blocking)
    return blocking


def erlang_c(servers: int, load: float) -> float:
    """Probability that an arrival waits in M/M/c (Erlang C), ``load`` = lambda/mu < c."""
    if servers < 1:
        raise ValueError("need at least one server")
    if not 0 <= load < servers:
        raise ValueError(
            f"M/M/c is stable only for load < servers; got load {load}, servers {servers}"
        )
    blocking = erlang_b(servers, load)
    return servers * blocking / (servers - load * (1.0 - blocking))


def erlang_c_mean_wait(arrival_rate: float, service_rate: float, servers: int) -> float:
    """Mean time in queue over all arrivals in M/M/c: C / (c mu - lambda)."""
    load = arrival_rate / service_rate
    return erlang_c(servers, load) / (servers * service_rate - arrival_rate)


def birth_death(
    birth: float, death: Callable[[int], float], *, tol: float = 1e-15, max_states: int = 2_000_000
) -> np.ndarray:
    """Stationary distribution of a birth-death chain on 0, 1, 2, ...

    ``birth`` is the constant birth (arrival) rate, ``death(n)`` the death rate
    in state n >= 1. The chain is cut once the death rate exceeds the birth
    rate and the geometric bound on the remaining tail, ``p_n r / (1 - r)``
    with r = birth/death(n), is below ``tol`` times the largest probability;
    that bound holds when death rates do not fall beyond that point, true for
    every chain here (they are non-decreasing in n).
    """
    if birth <= 0:
        raise ValueError("the birth rate must be positive")
    log_p = [0.0]
    peak = 0.0
    log_tol = math.log(tol)
    n = 0
    while True:
        n += 1
        rate = death(n)
        if rate <= 0:
            raise ValueError(f"death rate in state {n} must be positive; got {rate}")
        log_p.append(log_p[-1] + math.log(birth) - math.log(rate))
        peak = max(peak, log_p[-1])
        ratio = birth / rate
        if ratio < 1 and log_p[-1] + math.log(ratio / (1 - ratio)) < peak + log_tol:
            break
        if n >= max_states:
            raise ValueError(
                f"no convergence within {max_states} states: is the chain "
                "unstable (arrival rate at or above the largest service rate)?"
            )
    values = np.exp(np.array(log_p) - peak)
    return values / values.sum()


@dataclass(frozen=True)
class QueueStats:
    """Long-run statistics of a queue, all over every arrival."""

    p_wait: float
    """P(wait > 0): share of arrivals finding every slot taken."""
    p_abandon: float
    """Share of arrivals that abandon."""
    mean_wait: float
    """E[time in queue], abandoned arrivals counted until they leave."""
    mean_queue: float
    """E[number waiting]."""
    mean_in_system: float
    """E[number in system]."""
    throughput: float
    """Long-run rate of service completions."""
    distribution: np.ndarray
    """Stationary probabilities of 0, 1, 2, ... in system (truncated)."""

    arrival_rate: float
    """The arrival rate the statistics are for."""

    @property
    def mean_sojourn(self) -> float:
        """E[time in system] over all arrivals (Little's law: E[N] / lambda)."""
        return self.mean_in_system / self.arrival_rate


def queue_chain(
    arrival_rate: float,
    service_rate: Callable[[int], float],
    slots: int,
    abandon_rate: float = 0.0,
    *,
    tol: float = 1e-15,
) -> QueueStats:
    """Queue statistics of a single queue with Poisson arrivals and FCFS order.

    ``service_rate(k)`` is the total completion rate with k = 1..slots in
    service; with n > slots in system, n - slots wait, each abandoning at rate
    ``abandon_rate``. State n's death rate is
    ``service_rate(min(n, slots)) + max(n - slots, 0) * abandon_rate``.
    """
    if slots < 1:
        raise ValueError("need at least one service slot")

    def death(n: int) -> float:
        return service_rate(min(n, slots)) + max(n - slots, 0) * abandon_rate

    pi = birth_death(arrival_rate, death, tol=tol)
    states = np.arange(len(pi))
    waiting = np.maximum(states - slots, 0)
    mean_queue = float(pi @ waiting)
    served = np.array([0.0] + [service_rate(min(n, slots)) for n in states[1:]])
    return QueueStats(
        p_wait=float(pi[slots:].sum()),
        p_abandon=abandon_rate * mean_queue / arrival_rate,
        mean_wait=mean_queue / arrival_rate,
        mean_queue=mean_queue,
        mean_in_system=float(pi @ states),
        throughput=float(pi @ served),
        distribution=pi,
        arrival_rate=arrival_rate,
    )


def erlang_a(
    arrival_rate: float, service_rate: float, servers: int, abandon_rate: float
) -> QueueStats:
    """M/M/c+M (Erlang A): exponential patience with mean 1/``abandon_rate``.

    With ``abandon_rate`` = 0 this is M/M/c (Erlang C), if stable.
    """
    return queue_chain(arrival_rate, lambda k: k * service_rate, servers, abandon_rate)


def shared_attention(
    arrival_rate: float,
    mean_handle: float,
    concurrency: int,
    efficiency: Sequence[float] | None = None,
    agents: int = 1,
    abandon_rate: float = 0.0,
) -> QueueStats:
    """Agents who each hold up to ``concurrency`` conversations, all progressing at once.

    Holding n conversations, each goes at speed ``efficiency[min(n, len) - 1]``
    so the agent completes them at total rate n * that / mean_handle. With one
    agent, or with a constant efficiency (every agent's speed then independent
    of how conversations are spread), the number in system is a birth-death
    chain; with several agents and falling efficiency it is not, so that case
    is refused.
    """
    speeds = list(efficiency) if efficiency else [1.0]

    def speed(held: int) -> float:
        return speeds[min(held, len(speeds)) - 1]

    if agents == 1:
        return queue_chain(
            arrival_rate, lambda k: k * speed(k) / mean_handle, concurrency, abandon_rate
        )
    if len(set(speeds)) == 1:
        return queue_chain(
            arrival_rate, lambda k: k * speeds[0] / mean_handle, agents * concurrency, abandon_rate
        )
    raise ValueError("several agents with falling efficiency are not a birth-death chain")
