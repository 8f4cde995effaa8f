"""Confidence intervals across replications.

Replications are independent, so each statistic's replication values are a
small sample from its sampling distribution: the mean with a Student t 95%
interval is the honest summary (normal intervals are too narrow for 5 or 10
replications). Comparisons run variants under common random numbers, so
replication i of both variants saw the same customers; differencing pairwise
removes that shared noise, which is why the paired interval is the headline
and the Welch (unpaired) interval is reported beside it to show what pairing
bought.

This is the one interval method of every command (run, compare, sweep, size,
roster, table, the report): Student t on the mean over replications, its ends
clipped at the quantity's natural bounds (no time, count or share below 0, no
share above 1). Differences between variants are not clipped: they can be
negative.

Missing values (``None`` or NaN: a statistic with no data in that replication)
are left out rather than read as 0. Results are plain Python floats or
``None`` so they go straight into JSON.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from scipy.special import stdtrit  # the t quantile, without importing scipy.stats (slow)

LEVEL = 0.95


def clip_end(value: float, kind: str) -> float:
    """An interval end kept within what the quantity can be: a t interval from few
    replications can reach below 0, but no time, count or share can (nor can a
    share pass 1)."""
    value = max(float(value), 0.0)
    return min(value, 1.0) if kind == "share" else value


def _valid(values: Sequence[float | None]) -> np.ndarray:
    """The values as floats, without ``None`` and NaN."""
    array = np.array([np.nan if v is None else v for v in values], dtype=float)
    return array[~np.isnan(array)]


def _t_half_width(std_error: float, dof: float, level: float = LEVEL) -> float:
    """Half the width of a two-sided Student t interval at ``level``; zero spread gives
    zero width."""
    if std_error == 0.0:
        return 0.0
    return float(stdtrit(dof, 0.5 + level / 2) * std_error)


def _interval(centre: float, half: float) -> list[float]:
    return [centre - half, centre + half]


def mean_ci(values: Sequence[float | None], level: float = LEVEL, kind: str | None = None) -> dict:
    """``{"value": mean, "ci95": [low, high]}`` over the valid values.

    ``ci95`` is the two-sided Student t interval at ``level`` (95% unless another
    is given; the key keeps its name), ``None`` with fewer than two valid values;
    ``value`` is ``None`` with none. With a ``kind`` (``"share"``, or any other
    word for a time, count or amount that cannot be negative) the ends are kept
    within what the quantity can be (:func:`clip_end`); differences take none.
    """
    sample = _valid(values)
    if sample.size == 0:
        return {"value": None, "ci95": None}
    mean = float(sample.mean())
    if sample.size < 2:
        return {"value": mean, "ci95": None}
    std_error = float(sample.std(ddof=1)) / math.sqrt(sample.size)
    interval = _interval(mean, _t_half_width(std_error, sample.size - 1, level))
    if kind is not None:
        interval = [clip_end(end, kind) for end in interval]
    return {"value": mean, "ci95": interval}


def _welch_ci(a: np.ndarray, b: np.ndarray) -> list[float] | None:
    """Welch interval for mean(b) - mean(a), treating the samples as independent."""
    if a.size < 2 or b.size < 2:
        return None
    var_a, var_b = a.var(ddof=1) / a.size, b.var(ddof=1) / b.size
    std_error = math.sqrt(var_a + var_b)
    centre = float(b.mean() - a.mean())
    if std_error == 0.0:
        return [centre, centre]
    dof = (var_a + var_b) ** 2 / (var_a**2 / (a.size - 1) + var_b**2 / (b.size - 1))
    return _interval(centre, _t_half_width(std_error, dof))


def paired_difference(a: Sequence[float | None], b: Sequence[float | None]) -> dict:
    """Difference ``b - a`` of two variants' replication values, paired by position.

    Returns ``{"diff", "ci95", "unpaired_ci95", "significant"}``: ``diff`` and
    ``ci95`` from the pairs where both values exist, ``unpaired_ci95`` the Welch
    interval from each side's valid values, ``significant`` whether ``ci95``
    excludes 0.
    """
    if len(a) != len(b):
        raise ValueError(f"paired values need equal lengths; got {len(a)} and {len(b)}")
    first = np.array([np.nan if v is None else v for v in a], dtype=float)
    second = np.array([np.nan if v is None else v for v in b], dtype=float)
    paired = mean_ci(second - first)
    ci95 = paired["ci95"]
    return {
        "diff": paired["value"],
        "ci95": ci95,
        "unpaired_ci95": _welch_ci(_valid(first), _valid(second)),
        "significant": ci95 is not None and (ci95[0] > 0 or ci95[1] < 0),
    }
