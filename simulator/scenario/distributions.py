"""Distributions of durations and counts, parameterised the way planners think.

A duration distribution is given by its mean (and coefficient of variation where
the shape allows), in duration strings: ``{dist: lognormal, mean: 2min, cv: 1.0}``.
Each knows its mean, so analytic estimates and tests can use it, and samples
whole vectors at once, so conversation attributes can be drawn at arrival.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

import numpy as np
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from simulator.scenario.numbers import MAX_COUNT, MAX_CV, Real, Whole
from simulator.units import parse_duration


def _duration(value: Any) -> float:
    return parse_duration(value)


Duration = Annotated[float, BeforeValidator(_duration)]
"""Seconds, written in YAML as a string with a unit."""


class Kind(StrEnum):
    FIXED = "fixed"
    EXPONENTIAL = "exponential"
    LOGNORMAL = "lognormal"
    GAMMA = "gamma"
    UNIFORM = "uniform"
    EMPIRICAL = "empirical"


_NEEDS: dict[Kind, tuple[str, ...]] = {
    Kind.FIXED: ("value",),
    Kind.EXPONENTIAL: ("mean",),
    Kind.LOGNORMAL: ("mean", "cv"),
    Kind.GAMMA: ("mean", "cv"),
    Kind.UNIFORM: ("low", "high"),
    Kind.EMPIRICAL: ("values",),
}


def _needs_message(kind: Kind, fields: tuple[str, ...]) -> str:
    return f"a {kind.value} distribution takes exactly: dist, {', '.join(fields)}"


class Distribution(BaseModel):
    """A non-negative duration distribution: fixed, exponential, lognormal, gamma,
    uniform or empirical."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    dist: Kind
    """Shape: fixed, exponential, lognormal, gamma, uniform or empirical."""
    value: Duration | None = Field(default=None, ge=0)
    """The one value of a fixed distribution. Example: `45s`."""
    mean: Duration | None = Field(default=None, gt=0)
    """Mean of an exponential, lognormal or gamma distribution. Example: `2min`."""
    cv: Real | None = Field(default=None, gt=0, le=MAX_CV)
    """Coefficient of variation (standard deviation / mean) of a lognormal or gamma. Example:
    `1.0`."""
    low: Duration | None = Field(default=None, ge=0)
    """Lowest value of a uniform distribution."""
    high: Duration | None = Field(default=None, ge=0)
    """Highest value of a uniform distribution."""
    values: list[Duration] | None = Field(default=None, min_length=1)
    """Observed values an empirical distribution draws from, equally likely. Example: `[30s, 1min,
    5min]`."""

    @model_validator(mode="after")
    def _parameters_match_kind(self) -> Distribution:
        needed = _NEEDS[self.dist]
        given = {
            name
            for name in ("value", "mean", "cv", "low", "high", "values")
            if getattr(self, name) is not None
        }
        if given != set(needed):
            raise ValueError(_needs_message(self.dist, needed))
        if self.dist is Kind.UNIFORM and self.high < self.low:  # type: ignore[operator]
            raise ValueError("uniform needs low <= high")
        if self.dist is Kind.EMPIRICAL and min(self.values) < 0:  # type: ignore[arg-type]
            raise ValueError("empirical values must not be negative")
        return self

    @property
    def mean_s(self) -> float:
        """The mean in seconds."""
        match self.dist:
            case Kind.FIXED:
                return float(self.value)  # type: ignore[arg-type]
            case Kind.UNIFORM:
                return (self.low + self.high) / 2  # type: ignore[operator]
            case Kind.EMPIRICAL:
                return float(np.mean(self.values))
            case _:
                return float(self.mean)  # type: ignore[arg-type]

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """``size`` independent draws, in seconds."""
        match self.dist:
            case Kind.FIXED:
                return np.full(size, float(self.value))  # type: ignore[arg-type]
            case Kind.EXPONENTIAL:
                return rng.exponential(self.mean, size)
            case Kind.LOGNORMAL:
                sigma2 = np.log1p(self.cv**2)  # type: ignore[operator]
                mu = np.log(self.mean) - sigma2 / 2  # type: ignore[arg-type]
                return rng.lognormal(mu, np.sqrt(sigma2), size)
            case Kind.GAMMA:
                shape = 1.0 / self.cv**2  # type: ignore[operator]
                return rng.gamma(shape, self.mean / shape, size)  # type: ignore[operator]
            case Kind.UNIFORM:
                return rng.uniform(self.low, self.high, size)
            case Kind.EMPIRICAL:
                return rng.choice(np.asarray(self.values, dtype=float), size)
        raise AssertionError(self.dist)  # pragma: no cover


class CountKind(StrEnum):
    FIXED = "fixed"
    GEOMETRIC = "geometric"
    EMPIRICAL = "empirical"


def _count_from_int(value: Any) -> Any:
    """``exchanges: 3`` is shorthand for a fixed count."""
    if isinstance(value, int) and not isinstance(value, bool):
        return {"dist": "fixed", "value": value}
    return value


class CountDistribution(BaseModel):
    """A count of at least 1 (e.g. agent replies needed): an integer,
    ``{dist: geometric, mean: 3}`` or ``{dist: empirical, values: [1, 2, 2, 5]}``."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    dist: CountKind
    """Shape: fixed, geometric or empirical."""
    value: Whole | None = Field(default=None, ge=1, le=MAX_COUNT)
    """The one count of a fixed distribution. Example: `3`."""
    mean: Real | None = Field(default=None, ge=1, le=MAX_COUNT)
    """Mean count of a geometric distribution (at least 1). Example: `2.5`."""
    values: list[Annotated[Whole, Field(ge=1, le=MAX_COUNT)]] | None = Field(
        default=None, min_length=1
    )
    """Observed counts an empirical distribution draws from, equally likely. Example: `[1, 2, 2,
    5]`."""

    @model_validator(mode="after")
    def _parameters_match_kind(self) -> CountDistribution:
        needed = {
            CountKind.FIXED: ("value",),
            CountKind.GEOMETRIC: ("mean",),
            CountKind.EMPIRICAL: ("values",),
        }[self.dist]
        given = {name for name in ("value", "mean", "values") if getattr(self, name) is not None}
        if given != set(needed):
            raise ValueError(f"a {self.dist.value} count takes exactly: dist, {', '.join(needed)}")
        return self

    @property
    def max_value(self) -> float:
        """The largest possible count (infinite for geometric)."""
        match self.dist:
            case CountKind.FIXED:
                return float(self.value)  # type: ignore[arg-type]
            case CountKind.EMPIRICAL:
                return float(max(self.values))  # type: ignore[arg-type]
        return float("inf")

    @property
    def mean_value(self) -> float:
        match self.dist:
            case CountKind.FIXED:
                return float(self.value)  # type: ignore[arg-type]
            case CountKind.EMPIRICAL:
                return float(np.mean(self.values))
        return float(self.mean)  # type: ignore[arg-type]

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """``size`` independent counts, each at least 1."""
        match self.dist:
            case CountKind.FIXED:
                return np.full(size, self.value, dtype=np.int64)
            case CountKind.GEOMETRIC:
                return rng.geometric(1.0 / self.mean, size).astype(np.int64)  # type: ignore[operator]
            case CountKind.EMPIRICAL:
                return rng.choice(np.asarray(self.values, dtype=np.int64), size)
        raise AssertionError(self.dist)  # pragma: no cover


Count = Annotated[CountDistribution, BeforeValidator(_count_from_int)]
