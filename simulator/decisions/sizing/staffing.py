"""Analytic staffing: how many agents Erlang C or Erlang A says a team needs.

This is the planner's formula, kept next to the simulator so that ``staffsim
size`` can start from it and show where it is wrong. Nothing here runs the
model; it reads the scenario's rates and means.

Queue formulas
--------------
Conversations arrive as a Poisson process at rate λ; ``c`` servers each hold
a conversation for an exponential time with mean 1/μ; the offered load is
``a = λ/μ``.

- **Erlang C** (M/M/c, customers wait forever), for ``a < c``::

      P(wait > 0) = C(c, a) = c·B / (c − a·(1 − B)),  B = Erlang B, by the
                    recursion B(0) = 1, B(k) = a·B(k−1) / (k + a·B(k−1))
      P(wait ≤ t) = 1 − C·exp(−(cμ − λ)·t)          (the "service level")
      E[wait]     = C / (cμ − λ)

  With ``a ≥ c`` the queue grows without bound: everyone waits, forever.
- **Erlang A** (M/M/c+M): customers also leave after an exponential patience
  with rate θ. The number in system is a birth-death chain with death rate
  ``min(n, c)·μ + max(n − c, 0)·θ``; by PASTA an arrival finds it in its
  stationary distribution π. Then ``P(wait > 0) = P(N ≥ c)``,
  ``E[wait] = E[queue length]/λ`` (Little; abandoned customers counted until
  they leave, as ``queue_wait_s`` counts them) and ``P(abandon) =
  θ·E[queue length]/λ``. The *time* a customer waits comes from its place in
  line: finding ``m`` ahead, its line moves at rate ``cμ + m·θ`` (a server frees
  or someone ahead gives up) while it gives up itself at rate θ. That pure-death
  chain, started from π, is solved exactly in time (by uniformization: a
  Poisson-weighted sum of non-negative steps), giving P(picked up within t) and
  P(still waiting at t).

First response time is queue wait *plus typing the first reply* (FRT ends when
the reply is sent), so FRT statistics convolve the wait with the first reply's
handle-time distribution (256 quantile points of the scenario's distribution).
Queue-wait statistics need no convolution.

Concurrency: what one agent is, in servers
------------------------------------------
An agent holds up to ``K`` open conversations (``concurrency``) but, with
``attention: serial``, types one reply at a time. Per conversation the agent
*works* ``T = first_handle + (exchanges − 1)·handle + wrap_up`` seconds (means;
handle times scaled by the team's skill), and the conversation *holds a slot*
for ``D = T + (exchanges − 1)·reply_delay`` seconds (the customer's time to
answer keeps the slot taken). The formula uses the tighter of two views, each
an Erlang queue, and a head count meets a target only if it meets it in both:

- **typing view**: ``c`` servers with holding time ``T``: an agent's capacity
  is one work-second per second whatever K is (K conversations do not make
  anyone type K times faster);
- **slot view**: ``c·K`` servers with holding time ``D``: a new conversation
  also needs a free slot.

With ``K = 1`` only the slot view remains (an agent is tied up during the
customer's reply delays too), which is exact M/M/c when there is one
exponential reply per conversation. With ``attention: shared`` every held
conversation progresses at ``efficiency[k−1]`` of full speed; the formula uses
the slot view with the speed of a full agent, ``D = T/efficiency[K−1] + ...``,
and the first reply is typed at that speed too.

Where this is wrong, and which way
----------------------------------
- Handle times are not exponential in most scenarios, and ``T`` is a sum of
  several replies, so less variable than an exponential: real queues are
  shorter than Erlang says (it overstates the agents needed); very variable
  handle times (cv > 1) go the other way.
- Serial attention with K > 1: replies owed on held conversations go first
  (``replies_first``) and arrive in bursts, so an agent is less often free to
  pick up a new conversation than ``1 − occupancy``; own-line waits lengthen
  how long a slot is held. Neither view sees this: the formula understates.
- Patience is taken as exponential with the scenario's mean (Erlang A's
  assumption); other shapes abandon at different times.
- Per interval the queue is assumed to be in steady state at that interval's
  mean rate, with the agents on shift at mid-interval. Backlogs carry over from
  busy hours and shifts start and end inside intervals (with handback re-reads):
  the formula understates after peaks and around shift changes.
- Daily forecast error (``noise``) is averaged away: busier days need more.
- Bots deflect their share before the queue (counted); routing mistakes,
  triage, escalations, overflow from or to other teams, backup shifts and
  follow-up response times are not modelled; shrinkage removes its share of
  agents, rounded down.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np

from simulator.model.arrivals import arrival_counts
from simulator.scenario.schema import Attention, Scenario
from simulator.units import HOUR

REPLY_POINTS = 256
"""Quantile points that stand for a first-reply handle-time distribution."""

MAX_AGENTS = 5000
"""The search for a head count gives up beyond this many agents in one interval."""

ANALYTIC_METRICS = frozenset(
    {
        "abandon_rate",
        "queue_wait_s.share_waited",
        "queue_wait_s.mean",
        *(f"queue_wait_s.p{p}" for p in (50, 90, 95, 99)),
        "frt_s.within_target",
        "frt_s.mean",
        *(f"frt_s.p{p}" for p in (50, 90, 95, 99)),
    }
)
"""Statistics the formulas give; the others (follow-ups, resolution, counts) have
no analytic estimate and are sized by simulation alone."""


# --------------------------------------------------------------------------- Erlang formulas


def erlang_b(servers: int, load: float) -> float:
    """Blocking probability of M/M/c/c with offered load ``load`` = λ/μ (recursion)."""
    if servers < 0 or load < 0:
        raise ValueError("servers and load must be non-negative")
    blocking = 1.0
    for k in range(1, servers + 1):
        blocking = load * blocking / (k + load * blocking)
    return blocking


def erlang_c(servers: int, load: float) -> float:
    """P(wait > 0) in M/M/c (Erlang C); 1.0 when ``load ≥ servers`` (no steady state)."""
    if servers < 1 or load >= servers:
        return 1.0
    if load <= 0:
        return 0.0
    blocking = erlang_b(servers, load)
    return servers * blocking / (servers - load * (1.0 - blocking))


def erlang_c_service_level(
    servers: int, arrival_rate: float, service_rate: float, t: float
) -> float:
    """P(wait ≤ t) in M/M/c: ``1 − C·exp(−(cμ − λ)·t)``; 0 when unstable."""
    if servers * service_rate <= arrival_rate:
        return 0.0
    waits = erlang_c(servers, arrival_rate / service_rate)
    return 1.0 - waits * math.exp(-(servers * service_rate - arrival_rate) * t)


def erlang_c_mean_wait(servers: int, arrival_rate: float, service_rate: float) -> float:
    """E[wait] in M/M/c: ``C / (cμ − λ)``; infinite when unstable."""
    if servers * service_rate <= arrival_rate:
        return math.inf
    return erlang_c(servers, arrival_rate / service_rate) / (servers * service_rate - arrival_rate)


# --------------------------------------------------------------------------- waiting times


class WaitLaw:
    """How long an arrival waits in one steady-state queue (Erlang C or A).

    ``p_wait``: share that waits at all; ``p_abandon``: share that leaves
    unanswered; ``mean_wait_s``: mean time in queue (leavers until they leave);
    :meth:`waiting` P(still in queue at s); :meth:`picked_up` P(picked up with a
    wait of at most s), which tends to ``1 − p_abandon``.
    """

    def __init__(
        self, arrival_rate: float, servers: int, holding_s: float, patience_s: float | None
    ) -> None:
        self.arrival_rate = arrival_rate
        self.servers = servers
        self.mu = 1.0 / holding_s
        self.theta = 0.0 if patience_s is None else 1.0 / patience_s
        self._line: _Line | None = None
        self._memo: dict[bytes, np.ndarray] = {}
        lam, c, mu, theta = arrival_rate, servers, self.mu, self.theta
        self.decay = 0.0
        if lam <= 0:
            self.kind = "idle"
            self.p_wait = self.p_abandon = self.mean_wait_s = 0.0
        elif theta == 0.0:
            self.kind = "erlang_c" if c * mu > lam else "unstable"
            self.p_wait = erlang_c(c, lam / mu)
            self.p_abandon = 0.0
            self.decay = c * mu - lam
            self.mean_wait_s = erlang_c_mean_wait(c, lam, mu)
        else:
            self.kind = "erlang_a"
            stages = _stationary(lam, mu, c, theta)[c:]
            self.p_wait = float(stages.sum())
            queue = float(np.arange(stages.size) @ stages)
            self._line = _Line(stages, c * mu, theta)
            self.mean_wait_s = queue / lam
            self.p_abandon = theta * queue / lam

    @property
    def p_answered(self) -> float:
        """Share eventually picked up."""
        return 1.0 - self.p_abandon

    def waiting(self, s: np.ndarray) -> np.ndarray:
        """P(wait > s) over all arrivals, leavers counted until they leave."""
        s = np.asarray(s, dtype=float)
        if self.kind == "idle":
            return np.zeros(s.shape)
        if self.kind == "unstable":
            return np.ones(s.shape)
        if self.kind == "erlang_c":
            return np.where(s < 0, 1.0, self.p_wait * np.exp(-self.decay * np.maximum(s, 0)))
        assert self._line is not None
        return np.where(s < 0, 1.0, self._line.at(np.maximum(s, 0.0))[0].reshape(s.shape))

    def picked_up(self, s: np.ndarray) -> np.ndarray:
        """P(picked up with a wait of at most s); 0 for s < 0."""
        s = np.asarray(s, dtype=float)
        if self.kind == "idle":
            return np.where(s < 0, 0.0, 1.0)
        if self.kind == "unstable":
            return np.zeros(s.shape)
        if self.kind == "erlang_c":
            return np.where(s < 0, 0.0, 1.0 - self.p_wait * np.exp(-self.decay * np.maximum(s, 0)))
        assert self._line is not None
        key = s.tobytes()
        if key not in self._memo:  # FRT targets ask the same times again and again
            picked = self._line.at(np.maximum(s, 0.0))[1].reshape(s.shape)
            if len(self._memo) > 8:
                self._memo.clear()
            self._memo[key] = np.where(s < 0, 0.0, 1.0 - self.p_wait + picked)
        return self._memo[key]

    def answered_wait_mean(self) -> float:
        """E[wait; picked up]: the mean wait of answered conversations times their share."""
        if self.kind == "idle":
            return 0.0
        if self.kind == "unstable":
            return math.inf
        if self.kind == "erlang_c":
            return self.mean_wait_s
        assert self._line is not None
        return self._line.picked_wait_integral()


class _Line:
    """A tagged arrival's place in line over time, in Erlang A, by uniformization.

    ``stages[m]``: probability it found m waiting ahead. In stage m the line
    moves at rate ``service + m·θ`` (a server frees, or someone ahead leaves) and
    the arrival itself leaves at rate θ. With Λ the largest exit rate, the state
    at time t is ``Σ_k Poisson(k; Λt) · x_k`` where ``x_{k+1} = x_k + A·x_k/Λ``
    (A the generator): every term is non-negative, so the sum is stable. Only two
    numbers per step are kept: the mass still waiting and the mass picked up.
    """

    def __init__(self, stages: np.ndarray, service: float, theta: float) -> None:
        keep = np.nonzero(stages > 1e-16 * max(stages.max(), 1e-300))[0]
        self.stages = stages[: int(keep[-1]) + 1] if keep.size else stages[:1]
        size = self.stages.size
        self.moves = service + np.arange(size) * theta
        self.theta = theta
        self.rate = float(self.moves[-1] + theta)
        self._x = self.stages.astype(float).copy()
        self._picked = 0.0
        self._waiting_steps: list[float] = [float(self._x.sum())]
        self._picked_steps: list[float] = [0.0]

    def _extend(self, steps: int) -> None:
        """Take DTMC steps until ``steps`` are known or nobody is left waiting."""
        x, moves, rate = self._x, self.moves, self.rate
        outflow = moves + self.theta
        while len(self._waiting_steps) <= steps and not self.settled:
            for _ in range(256):
                change = -outflow * x
                change[:-1] += moves[1:] * x[1:]
                self._picked += moves[0] * x[0] / rate
                x = x + change / rate
                self._waiting_steps.append(float(x.sum()))
                self._picked_steps.append(self._picked)
        self._x = x

    @property
    def settled(self) -> bool:
        """Whether the mass still waiting is negligible: later steps change nothing."""
        return self._waiting_steps[-1] < 1e-14

    def at(self, times: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """P(still waiting) and P(picked up after waiting) at each time (1-d)."""
        from scipy.special import gammaln

        times = np.atleast_1d(np.asarray(times, dtype=float)).ravel()
        order = np.argsort(times)
        waiting = np.empty(times.size)
        picked = np.empty(times.size)
        top_mean = self.rate * float(times.max(initial=0.0))
        self._extend(int(top_mean + 10 * math.sqrt(top_mean) + 40))
        steps_waiting = np.asarray(self._waiting_steps)
        steps_picked = np.asarray(self._picked_steps)
        last = steps_waiting.size - 1  # beyond it (settled) every step is the same
        # Sorted chunks keep each chunk's Poisson window (mean ± 10 sd) narrow.
        for chunk in np.array_split(order, max(1, times.size // 256)):
            mean = self.rate * times[chunk]
            low = int(max(0.0, mean.min() - 10 * math.sqrt(mean.min()) - 40))
            if low > last:
                waiting[chunk], picked[chunk] = steps_waiting[last], steps_picked[last]
                continue
            high = int(mean.max() + 10 * math.sqrt(mean.max()) + 40)
            k = np.arange(low, high + 1)
            log_mean = np.log(np.maximum(mean, 1e-300))[:, None]
            log_weights = k * log_mean - mean[:, None] - gammaln(k + 1)
            if low == 0:
                log_weights[:, 0] = -mean  # exact for k = 0, also when the mean is 0
            weights = np.exp(log_weights)
            index = np.minimum(k, last)
            waiting[chunk] = weights @ steps_waiting[index]
            picked[chunk] = weights @ steps_picked[index]
        return np.clip(waiting, 0.0, 1.0), np.clip(picked, 0.0, 1.0)

    def picked_wait_integral(self) -> float:
        """E[wait; picked up after waiting] = Σ_k (a_∞ − a_k)/Λ, a_k the mass picked
        up within k steps (each step lasts 1/Λ on average)."""
        self._extend(10**9)
        picked = np.asarray(self._picked_steps)
        return float(np.sum(picked[-1] - picked) / self.rate)


def _stationary(lam: float, mu: float, servers: int, theta: float) -> np.ndarray:
    """Stationary distribution of M/M/c+M over 0..N (N where the rest is below 1e-17)."""
    size = servers + 64
    while True:
        n = np.arange(1, size + 1)
        death = np.minimum(n, servers) * mu + np.maximum(n - servers, 0) * theta
        log_p = np.concatenate(([0.0], np.cumsum(math.log(lam) - np.log(death))))
        peak = log_p.max()
        if log_p[-1] < peak - 40 and lam < death[-1]:
            break
        size *= 2
    p = np.exp(log_p - peak)
    p /= p.sum()
    keep = np.nonzero(p > 1e-18)[0]
    return p[: max(int(keep[-1]) + 1, servers + 1)]


@lru_cache(maxsize=20000)
def wait_law(
    arrival_rate: float, servers: int, holding_s: float, patience_s: float | None
) -> WaitLaw:
    """The (cached) :class:`WaitLaw` of one steady-state queue."""
    return WaitLaw(arrival_rate, servers, holding_s, patience_s)


# --------------------------------------------------------------------------- first replies


@dataclass(frozen=True)
class FirstReply:
    """Time from pick-up to the first reply being sent: weighted sample points."""

    seconds: np.ndarray
    weights: np.ndarray

    @property
    def mean_s(self) -> float:
        return float(self.seconds @ self.weights)

    def scaled(self, factor: float) -> FirstReply:
        return FirstReply(self.seconds * factor, self.weights)

    @staticmethod
    def mix(parts: Sequence[tuple[Any, float, float]]) -> FirstReply:
        """From ``(distribution, time factor, weight)`` triples: :data:`REPLY_POINTS`
        quantile points of each distribution (exact quantiles at (i + 0.5)/n; an
        empirical distribution's own values), weighted."""
        seconds, weights = [], []
        total = sum(weight for _, _, weight in parts) or 1.0
        for dist, factor, weight in parts:
            points = _quantile_points(dist)
            seconds.append(points * factor)
            weights.append(np.full(points.size, weight / total / points.size))
        return FirstReply(np.concatenate(seconds), np.concatenate(weights))


def _quantile_points(dist: Any) -> np.ndarray:
    """Equal-weight points standing for a duration distribution."""
    from scipy.special import gammaincinv, ndtri

    q = (np.arange(REPLY_POINTS) + 0.5) / REPLY_POINTS
    kind = getattr(dist.dist, "value", str(dist.dist))
    if kind == "fixed":
        return np.full(1, float(dist.value))
    if kind == "exponential":
        return -float(dist.mean) * np.log1p(-q)
    if kind == "lognormal":
        sigma2 = math.log1p(dist.cv**2)
        return np.exp(math.log(dist.mean) - sigma2 / 2 + math.sqrt(sigma2) * ndtri(q))
    if kind == "gamma":
        shape = 1.0 / dist.cv**2
        return gammaincinv(shape, q) * dist.mean / shape
    if kind == "uniform":
        return dist.low + q * (dist.high - dist.low)
    if kind == "empirical":
        return np.asarray(dist.values, dtype=float)
    draws = np.sort(dist.sample(np.random.default_rng(20240605), 50 * REPLY_POINTS))
    return draws[(q * draws.size).astype(int)]


# --------------------------------------------------------------------------- a team's workload


@dataclass(frozen=True)
class View:
    """One Erlang queue that stands for the team: servers per agent, holding time,
    and the factor on first-reply typing time."""

    name: str
    servers_per_agent: int
    holding_s: float
    reply_factor: float = 1.0


@dataclass(frozen=True)
class Workload:
    """What a team's conversations ask of it, read from the scenario (module notes)."""

    team: str
    streams: tuple[str, ...]
    holding_s: float
    patience_s: float | None
    first_reply: FirstReply
    first_reply_by_stream: dict[str, FirstReply]
    views: tuple[View, ...]
    shrinkage: float = 0.0
    deflection: dict[str, float] = field(default_factory=dict)

    @property
    def formula(self) -> str:
        """``Erlang C`` or ``Erlang A``."""
        return "Erlang C" if self.patience_s is None else "Erlang A"

    def servers(self, agents: int, view: View) -> int:
        """Servers of ``view`` for ``agents`` on shift, shrinkage removed (rounded down)."""
        present = math.floor(agents * (1.0 - self.shrinkage) + 1e-9)
        return present * view.servers_per_agent

    def arrival_rates(self, scenario: Scenario, edges: np.ndarray) -> np.ndarray:
        """Mean arrivals per second reaching the team's queues in each [edges[i], edges[i+1])."""
        counts = np.zeros(edges.size - 1)
        for name in self.streams:
            stream = scenario.streams[name]
            counts += arrival_counts(name, stream, scenario.start, edges) * (
                1.0 - self.deflection.get(name, 0.0)
            )
        lengths = np.diff(edges)
        return np.divide(counts, lengths, out=np.zeros_like(counts), where=lengths > 0)


def team_workload(scenario: Scenario, team: str) -> Workload:
    """The :class:`Workload` of ``team``: the streams whose home queue it serves,
    weighted by their mean rates."""
    spec = scenario.teams[team]
    meant_for = getattr(scenario, "meant_for", None)
    if callable(meant_for):
        names = list(meant_for(team))
    else:
        names = [n for n, s in scenario.streams.items() if (s.queue or n) in spec.serves]
    names = [n for n in names if n in scenario.streams]
    if not names:
        raise ValueError(f"team '{team}' serves no stream's queue")
    skills: dict[str, float] = dict(getattr(spec, "skills", None) or {})
    rates, works, holds, thetas, replies, deflection = [], [], [], [], {}, {}
    for name in names:
        stream = scenario.streams[name]
        bot = getattr(stream, "bot", None)
        deflection[name] = float(getattr(bot, "deflection", 0.0) or 0.0) if bot else 0.0
        per_hour = stream.per_hour
        if per_hour is None:  # a replayed trace: its mean rate over the run
            edges = np.array([0.0, scenario.horizon])
            per_hour = arrival_counts(name, stream, scenario.start, edges)[0] * HOUR
            per_hour /= scenario.horizon
        rate = per_hour * (1.0 - deflection[name])
        conversation = stream.conversation
        skill = skills.get(name, 1.0)
        first = conversation.first_handle or conversation.handle
        exchanges = conversation.exchanges.mean_value
        wrap = conversation.wrap_up.mean_s if conversation.wrap_up is not None else 0.0
        gathered = stream.first_handle_factor()  # a bot that gathers details shortens it
        work = (
            skill * (gathered * first.mean_s + (exchanges - 1) * conversation.handle.mean_s) + wrap
        )
        delay = conversation.reply_delay.mean_s if conversation.reply_delay is not None else 0.0
        rates.append(rate)
        works.append(work)
        holds.append((exchanges - 1) * delay)
        thetas.append(1.0 / conversation.patience.mean_s if conversation.patience else 0.0)
        replies[name] = (first, skill * gathered)
    weights = np.asarray(rates) / max(sum(rates), 1e-300)
    work_s = float(weights @ np.asarray(works))
    think_s = float(weights @ np.asarray(holds))
    theta = float(weights @ np.asarray(thetas))
    concurrency = spec.concurrency
    attention = Attention(spec.attention)
    if attention is Attention.SHARED:
        speed = spec.speed(concurrency)
        views: tuple[View, ...] = (
            View("slots", concurrency, work_s / speed + think_s, 1.0 / speed),
        )
    elif concurrency == 1:
        views = (View("agent", 1, work_s + think_s),)
    else:
        views = (View("typing", 1, work_s), View("slots", concurrency, work_s + think_s))
    first_reply = FirstReply.mix(
        [(replies[n][0], replies[n][1], w) for n, w in zip(names, weights, strict=True)]
    )
    by_stream = {n: FirstReply.mix([(replies[n][0], replies[n][1], 1.0)]) for n in names}
    shrinkage = getattr(spec, "shrinkage", None)
    return Workload(
        team=team,
        streams=tuple(names),
        holding_s=work_s + think_s,
        patience_s=1.0 / theta if theta > 0 else None,
        first_reply=first_reply,
        first_reply_by_stream=by_stream,
        views=views,
        shrinkage=float(getattr(shrinkage, "share", 0.0) or 0.0) if shrinkage else 0.0,
        deflection=deflection,
    )


# --------------------------------------------------------------------------- statistics


def statistic(
    metric: str,
    laws: Sequence[WaitLaw],
    weights: Sequence[float],
    first_reply: FirstReply,
    frt_target: float | None,
) -> float | None:
    """A METRICS statistic (``frt_s.p90``, ``abandon_rate``, ...) of a mixture of
    steady-state queues, each weighted by the conversations reaching it; ``None``
    when the formulas do not give it."""
    if metric not in ANALYTIC_METRICS:
        return None
    w = np.asarray(weights, dtype=float)
    keep = w > 0
    laws = [law for law, k in zip(laws, keep, strict=True) if k]
    w = w[keep]
    if not laws:
        return None
    w = w / w.sum()
    if metric == "abandon_rate":
        return float(sum(wi * law.p_abandon for wi, law in zip(w, laws, strict=True)))
    if metric == "queue_wait_s.share_waited":
        return float(sum(wi * law.p_wait for wi, law in zip(w, laws, strict=True)))
    if metric == "queue_wait_s.mean":
        return float(sum(wi * law.mean_wait_s for wi, law in zip(w, laws, strict=True)))
    answered = np.array([law.p_answered for law in laws])

    def frt_within(x: float) -> float:
        return float(
            sum(
                wi * (law.picked_up(x - first_reply.seconds) @ first_reply.weights)
                for wi, law in zip(w, laws, strict=True)
            )
        )

    if metric == "frt_s.within_target":
        return None if frt_target is None else frt_within(frt_target)
    if metric == "frt_s.mean":
        total = float(w @ answered)
        if total <= 0:
            return None
        waited = sum(wi * law.answered_wait_mean() for wi, law in zip(w, laws, strict=True))
        return float((waited + total * first_reply.mean_s) / total)
    share = float(metric.rsplit(".p", 1)[1]) / 100.0
    if metric.startswith("queue_wait_s."):

        def cdf(x: float) -> float:
            return 1.0 - float(
                sum(wi * float(law.waiting(np.array(x))) for wi, law in zip(w, laws, strict=True))
            )

        return _quantile(cdf, share, 0.0)
    total = float(w @ answered)
    if total <= 0:
        return None
    return _quantile(lambda x: frt_within(x) / total, share, float(first_reply.seconds.min()))


def _quantile(cdf: Callable[[float], float], share: float, low: float) -> float:
    """The smallest x with cdf(x) ≥ share, to 0.05 s, by doubling then bisection."""
    if cdf(low) >= share:
        return low
    high = max(2 * low, 30.0)
    while cdf(high) < share:
        low, high = high, high * 2
        if high > 1e8:
            return math.inf
    while high - low > 0.05:
        middle = (low + high) / 2
        if cdf(middle) >= share:
            high = middle
        else:
            low = middle
    return high


def team_statistic(
    workload: Workload,
    metric: str,
    rates: np.ndarray,
    lengths: np.ndarray,
    agents: np.ndarray,
    frt_target: float | None,
    stream: str | None = None,
    worse: Callable[[float, float], float] = max,
) -> float | None:
    """A statistic over intervals with ``rates`` (per second), ``lengths`` (s) and
    ``agents`` on shift, worst over the workload's views (``worse`` picks it)."""
    reply = workload.first_reply if stream is None else workload.first_reply_by_stream[stream]
    values = []
    for view in workload.views:
        laws = [
            wait_law(
                _key(rate), workload.servers(int(n), view), view.holding_s, workload.patience_s
            )
            for rate, n in zip(rates, agents, strict=True)
        ]
        value = statistic(
            metric, laws, rates * lengths, reply.scaled(view.reply_factor), frt_target
        )
        if value is None:
            return None
        values.append(value)
    result = values[0]
    for value in values[1:]:
        result = worse(result, value)
    return result


def unlimited_statistic(
    workload: Workload, metric: str, frt_target: float | None, stream: str | None = None
) -> float | None:
    """The statistic with as many agents as conversations: nobody waits, the first
    reply takes its typing time at the fastest speed the team has."""
    reply = workload.first_reply if stream is None else workload.first_reply_by_stream[stream]
    fastest = min(view.reply_factor for view in workload.views)
    law = WaitLaw(0.0, 1, 1.0, None)
    return statistic(metric, [law], [1.0], reply.scaled(fastest), frt_target)


def _key(rate: float) -> float:
    """Rates rounded to 12 significant digits so equal hours share cached laws."""
    return float(f"{rate:.12g}")


def smallest(
    meets: Callable[[int], bool], start: int, minimum: int = 0, maximum: int = MAX_AGENTS
) -> int | None:
    """The smallest n in [minimum, maximum] with ``meets(n)``, for a ``meets`` that
    stays true once true; searched from ``start`` by doubling steps, then bisection.
    ``None`` when even ``maximum`` fails."""
    n = min(max(start, minimum), maximum)
    if meets(n):
        good, step = n, 1
        while good > minimum:
            probe = max(good - step, minimum)
            if not meets(probe):
                bad = probe
                break
            good, step = probe, step * 2
        else:
            return good
    else:
        bad, step = n, 1
        while True:
            if bad >= maximum:
                return None
            probe = min(bad + step, maximum)
            if meets(probe):
                good = probe
                break
            bad, step = probe, step * 2
    while good - bad > 1:
        middle = (good + bad) // 2
        if meets(middle):
            good = middle
        else:
            bad = middle
    return good


def offered_agents(workload: Workload, rate: float) -> float:
    """Agents kept busy on average (the load in agent units): the fewest for any
    steady state, before patience."""
    return max(rate * view.holding_s / view.servers_per_agent for view in workload.views) / max(
        1.0 - workload.shrinkage, 1e-9
    )
