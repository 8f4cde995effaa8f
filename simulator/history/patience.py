"""Patience from waits that are mostly censored.

A customer's patience is seen only when it ran out: an abandoned contact's wait
*is* its patience (an event), an answered contact's wait is a lower bound (its
patience was longer: censored). Averaging the abandoned waits alone would
measure the impatient and call it everyone's patience.

- Exponential: the censored MLE of the rate is events / total exposure (the sum
  of every wait); its mean's 95% interval is ``mean·exp(±1.96/√events)`` (the
  log-rate is close to normal with standard error 1/√events).
- Lognormal and gamma: the censored log-likelihood ``Σ_events ln f(w) +
  Σ_censored ln S(w)`` maximised numerically; one replaces the exponential only
  when clearly better: twice its log-likelihood gain above the chi-square(1)
  99% point (6.63), the exponential being one parameter smaller.
- Kaplan-Meier: the survival curve of patience without any family assumed, for
  the figure (risk sets by sorting, ties grouped).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import optimize, special, stats

from simulator.history.durations import frozen, seconds

CLEARLY_BETTER = float(stats.chi2.ppf(0.99, 1))
MIN_EVENT_S = 0.1
"""Abandonments at a wait of 0 are set to this for the two-parameter fits
(their density at 0 may be 0 or infinite)."""


@dataclass
class PatienceFit:
    """Censored patience: sample sizes, the exponential MLE, the alternatives tried
    and the family chosen."""

    n: int
    events: int
    exposure_s: float
    exp_mean_s: float | None
    exp_mean_ci: tuple[float, float] | None
    log_likelihood: dict[str, float]
    parameters: dict[str, tuple[float, float]]
    chosen: str | None

    def scenario(self) -> dict[str, Any] | None:
        """The patience distribution for the scenario, or None without abandonments."""
        if self.chosen is None or self.exp_mean_s is None:
            return None
        if self.chosen == "exponential":
            return {"dist": "exponential", "mean": seconds(self.exp_mean_s)}
        mean, cv = self.parameters[self.chosen]
        return {"dist": self.chosen, "mean": seconds(mean), "cv": round(cv, 4)}

    def frozen(self) -> Any:
        """The chosen scipy distribution, for the figure."""
        if self.chosen is None or self.exp_mean_s is None:
            return None
        if self.chosen == "exponential":
            return frozen("exponential", self.exp_mean_s, 1.0)
        return frozen(self.chosen, *self.parameters[self.chosen])


def fit_patience(waits: np.ndarray, abandoned: np.ndarray) -> PatienceFit:
    """Fit patience from each contact's queue wait and whether it abandoned."""
    waits = np.maximum(np.asarray(waits, dtype=float), 0.0)
    abandoned = np.asarray(abandoned, dtype=bool)
    events, exposure = int(abandoned.sum()), float(waits.sum())
    if events == 0 or exposure <= 0:
        return PatienceFit(waits.size, events, exposure, None, None, {}, {}, None)
    mean = exposure / events
    spread = math.exp(1.96 / math.sqrt(events))
    log_likelihood = {"exponential": -events * math.log(mean) - exposure / mean}
    parameters = {"exponential": (mean, 1.0)}
    if events >= 10:
        for family in ("lognormal", "gamma"):
            fitted = _censored_fit(family, waits, abandoned, mean)
            if fitted is not None:
                parameters[family], log_likelihood[family] = fitted
    best = max(log_likelihood, key=lambda family: log_likelihood[family])
    gain = 2 * (log_likelihood[best] - log_likelihood["exponential"])
    return PatienceFit(
        n=waits.size,
        events=events,
        exposure_s=exposure,
        exp_mean_s=mean,
        exp_mean_ci=(mean / spread, mean * spread),
        log_likelihood=log_likelihood,
        parameters=parameters,
        chosen=best if gain > CLEARLY_BETTER else "exponential",
    )


def _censored_fit(
    family: str, waits: np.ndarray, abandoned: np.ndarray, mean: float
) -> tuple[tuple[float, float], float] | None:
    event_w = np.maximum(waits[abandoned], MIN_EVENT_S)
    censored_w = waits[~abandoned & (waits > 0)]  # a censored wait of 0 says nothing

    log_event, log_censored = np.log(event_w), np.log(censored_w)

    def negative(x: np.ndarray) -> float:
        value = _log_likelihood(
            family, math.exp(x[0]), math.exp(x[1]), event_w, log_event, censored_w, log_censored
        )
        return -value if math.isfinite(value) else 1e300

    found = optimize.minimize(negative, [math.log(mean), 0.0], method="Nelder-Mead")
    if not found.success:
        return None
    return (math.exp(found.x[0]), math.exp(found.x[1])), -float(found.fun)


def _log_likelihood(
    family: str,
    mean: float,
    cv: float,
    event_w: np.ndarray,
    log_event: np.ndarray,
    censored_w: np.ndarray,
    log_censored: np.ndarray,
) -> float:
    """Σ ln f(events) + Σ ln S(censored), in closed form (scipy's frozen
    distributions cost more to build than to evaluate, and the optimiser asks
    hundreds of times)."""
    with np.errstate(all="ignore"):
        if family == "lognormal":
            sigma = math.sqrt(math.log1p(cv**2))
            mu = math.log(mean) - sigma**2 / 2
            z_event = (log_event - mu) / sigma
            density = -log_event - math.log(sigma) - 0.5 * math.log(2 * math.pi) - z_event**2 / 2
            survival = special.log_ndtr(-(log_censored - mu) / sigma)
        else:
            shape = 1.0 / cv**2
            scale = mean / shape
            density = (
                (shape - 1) * log_event
                - event_w / scale
                - special.gammaln(shape)
                - shape * math.log(scale)
            )
            survival = np.log(special.gammaincc(shape, censored_w / scale))
        return float(density.sum() + survival.sum())


def kaplan_meier(waits: np.ndarray, abandoned: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Kaplan-Meier survival of patience: the distinct abandonment times and S after each."""
    waits = np.asarray(waits, dtype=float)
    abandoned = np.asarray(abandoned, dtype=bool)
    order = np.argsort(waits, kind="stable")
    times, flags = waits[order], abandoned[order]
    distinct, first = np.unique(times, return_index=True)
    at_risk = times.size - first  # everyone whose wait reached this time
    deaths = np.add.reduceat(flags.astype(int), first)
    hit = deaths > 0
    survival = np.cumprod(1.0 - deaths[hit] / at_risk[hit])
    return distinct[hit], survival
