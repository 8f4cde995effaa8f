"""Handle times: which distribution family the log supports, chosen by a stated rule.

Exponential, lognormal and gamma are fitted by maximum likelihood with the
location fixed at 0 (scipy's ``fit(..., floc=0)``; the exponential's MLE is the
sample mean). Among those whose Kolmogorov-Smirnov test against the fitted
curve does not reject at the 1% level, the lowest AIC wins (AIC = 2k − 2 ln L,
k the free parameters). KS with fitted parameters is lenient (the curve was
fitted to the same data), so a rejection is strong evidence; when every family
is rejected the scenario gets the empirical distribution (101 quantiles) rather
than a curve the data contradict. Zero durations (a log's rounding) cannot be
fitted by lognormal or gamma; they are set to the smallest positive one's half
for the fit and counted.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import stats

KS_LEVEL = 0.01
EMPIRICAL_POINTS = 101
FAMILIES = ("exponential", "lognormal", "gamma")


@dataclass
class Candidate:
    """One family's maximum-likelihood fit, its AIC and its KS test."""

    family: str
    mean_s: float
    cv: float
    log_likelihood: float
    aic: float
    ks_p: float


@dataclass
class DurationFit:
    """The chosen distribution of a duration sample, with the sample's summary."""

    n: int
    mean_s: float
    mean_ci: tuple[float, float]
    median_s: float
    zeros: int
    chosen: str
    candidates: list[Candidate] = field(default_factory=list)
    quantiles: list[float] = field(default_factory=list)

    def scenario(self) -> dict[str, Any]:
        """The distribution as scenario YAML writes it (durations in seconds)."""
        if self.chosen == "empirical":
            return {"dist": "empirical", "values": [seconds(v) for v in self.quantiles]}
        best = next(c for c in self.candidates if c.family == self.chosen)
        if best.family == "exponential":
            return {"dist": "exponential", "mean": seconds(best.mean_s)}
        return {"dist": best.family, "mean": seconds(best.mean_s), "cv": round(best.cv, 4)}

    def frozen(self) -> Any:
        """The chosen scipy distribution, for Q-Q plots (None when empirical)."""
        if self.chosen == "empirical":
            return None
        best = next(c for c in self.candidates if c.family == self.chosen)
        return frozen(best.family, best.mean_s, best.cv)


def seconds(value: float) -> str:
    """A duration string the scenario format reads back exactly enough (ms)."""
    return f"{round(float(value), 3):g}s"


def frozen(family: str, mean_s: float, cv: float) -> Any:
    """A scipy distribution from the planner's parameters (mean and cv)."""
    if family == "exponential":
        return stats.expon(scale=mean_s)
    if family == "lognormal":
        sigma2 = math.log1p(cv**2)
        return stats.lognorm(math.sqrt(sigma2), scale=mean_s * math.exp(-sigma2 / 2))
    shape = 1.0 / cv**2
    return stats.gamma(shape, scale=mean_s / shape)


def fit_duration(values: np.ndarray) -> DurationFit:
    """Fit a positive duration sample (seconds) as the module docstring says."""
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values)]
    n = values.size
    if n == 0:
        raise ValueError("no durations to fit")
    zeros = int((values <= 0).sum())
    positive = values[values > 0]
    floor = positive.min() / 2 if positive.size else 1.0
    sample = np.where(values > 0, values, floor)
    mean = float(values.mean())
    half = 1.96 * float(values.std(ddof=1)) / math.sqrt(n) if n > 1 else math.inf
    varied = n >= 2 and sample.min() < sample.max()  # a constant sample fits no curve
    candidates = [c for f in FAMILIES if (c := _candidate(f, sample)) is not None] if varied else []
    passing = [c for c in candidates if c.ks_p >= KS_LEVEL]
    chosen = min(passing, key=lambda c: c.aic).family if passing else "empirical"
    quantiles = np.quantile(values, np.linspace(0, 1, EMPIRICAL_POINTS)).tolist()
    return DurationFit(
        n=n,
        mean_s=mean,
        mean_ci=(mean - half, mean + half),
        median_s=float(np.median(values)),
        zeros=zeros,
        chosen=chosen,
        candidates=candidates,
        quantiles=quantiles,
    )


def _candidate(family: str, sample: np.ndarray) -> Candidate | None:
    """One family's fit, or None where the optimiser fails (it says so in a warning)."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        try:
            return _fitted(family, sample)
        except (ValueError, RuntimeError, FloatingPointError):
            return None


def _fitted(family: str, sample: np.ndarray) -> Candidate | None:
    if family == "exponential":
        mean, cv, k = float(sample.mean()), 1.0, 1
    elif family == "lognormal":
        sigma, _, scale = stats.lognorm.fit(sample, floc=0)
        mean, cv, k = scale * math.exp(sigma**2 / 2), math.sqrt(math.expm1(sigma**2)), 2
    else:
        shape, _, scale = stats.gamma.fit(sample, floc=0)
        mean, cv, k = shape * scale, 1 / math.sqrt(shape), 2
    dist = frozen(family, mean, cv)
    log_likelihood = float(dist.logpdf(sample).sum())
    if not math.isfinite(log_likelihood):
        return None
    return Candidate(
        family=family,
        mean_s=mean,
        cv=cv,
        log_likelihood=log_likelihood,
        aic=2 * k - 2 * log_likelihood,
        ks_p=float(stats.kstest(sample, dist.cdf).pvalue),
    )
