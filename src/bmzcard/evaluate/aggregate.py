"""Per-image metrics to a summary: per factor level, mean ± std, n and a bootstrap CI.

Levels are ``overall`` (every image) and, for each factor, each of its levels
keyed ``factor=level``. The confidence interval is the percentile bootstrap of
the mean over images. Counts (``tp``, ``fp``, ``fn``, ``tp@0.75``...) are
totals: a level's value is their sum over its images, with no spread and no
interval, as ``stardist.matching`` counts over a set of images. Each (metric, level) cell draws from a generator seeded
with the same seed, so a cell's interval does not depend on which other
metrics or levels were computed: the same data and seed give the same numbers.

The bootstrap is one implementation for every task: :func:`resample_indices`
draws the images as ``scipy.stats.bootstrap`` draws them (same generator, same
calls) and :func:`percentile_interval` takes its ``method="percentile"``
quantiles, so the interval of the mean equals scipy's for the same seed.
Metrics defined on a set of images (classification, pooled detection AP) are
computed on each resample of the level's images (:func:`set_cell`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from bmzcard.evaluate.pipeline import ImageResult
from bmzcard.metrics.defaults import COUNT_METRICS

OVERALL = "overall"
DEFAULT_RESAMPLES = 2000
DEFAULT_SEED = 0


@dataclass(frozen=True)
class Cell:
    """Summary of one metric over the images of one level.

    ``mean`` is the level's value: the mean over its images, or for a count
    (``statistic == "sum"``) the sum, which has no spread and no interval.
    """

    mean: float
    std: float  # sample standard deviation (ddof=1); NaN for a single image
    n: int
    ci_low: float
    ci_high: float
    statistic: str = "mean"  # "mean", or "sum" for counts

    @property
    def is_total(self) -> bool:
        return self.statistic == "sum"

    def to_json(self) -> dict[str, float | int | str]:
        if self.is_total:
            return {"sum": _number(self.mean), "n": self.n}
        return {"mean": _number(self.mean), "std": _number(self.std), "n": self.n,
                "ci_low": _number(self.ci_low), "ci_high": _number(self.ci_high)}


def is_count(metric: str) -> bool:
    """Whether a metric is a count per image (``tp``, ``fn@0.75``), summed over a level's images."""
    return metric in COUNT_METRICS


def total_cell(values: np.ndarray) -> Cell:
    """The cell of a count: its sum over the level's images (NaN when an image lacks it)."""
    values = np.asarray(values, dtype=float)
    return Cell(float(values.sum()), math.nan, int(values.size), math.nan, math.nan, "sum")


def level_key(factor: str, level: str) -> str:
    """The summary key of a factor level: ``snr=low``."""
    return f"{factor}={level}"


def level_members(results: Sequence[ImageResult], factors: Sequence[str]) -> dict[str, list[int]]:
    """Image indices of ``overall`` and of each factor level, levels in order of appearance."""
    members = {OVERALL: list(range(len(results)))}
    for factor in factors:
        for index, result in enumerate(results):
            members.setdefault(level_key(factor, result.factors[factor]), []).append(index)
    return members


def metric_names(results: Sequence[ImageResult]) -> list[str]:
    """Every metric name, in the order the metrics returned them."""
    names: dict[str, None] = {}
    for result in results:
        names.update(dict.fromkeys(result.metrics))
    return list(names)


def resample_indices(n: int, *, seed: int = DEFAULT_SEED, resamples: int = DEFAULT_RESAMPLES) -> np.ndarray:
    """``(resamples, n)`` image indices drawn with replacement.

    The draws of ``scipy.stats.bootstrap(..., rng=np.random.default_rng(seed))``
    (one batch): equal seeds give equal samples.
    """
    return np.random.default_rng(seed).integers(0, n, size=(resamples, n))


def percentile_interval(replicates: np.ndarray, confidence: float = 0.95) -> tuple[float, float]:
    """Percentile interval of bootstrap replicates; NaN for both ends with fewer than two.

    The ``(1 - confidence) / 2`` and ``(1 + confidence) / 2`` quantiles with
    linear interpolation, as ``scipy.stats.bootstrap(method="percentile")``.
    """
    replicates = np.asarray(replicates, dtype=float)
    if replicates.size < 2:
        return math.nan, math.nan
    alpha = (1.0 - confidence) / 2.0
    low, high = np.quantile(replicates, [alpha, 1.0 - alpha])
    return float(low), float(high)


def bootstrap_ci(values: np.ndarray, *, seed: int = DEFAULT_SEED, resamples: int = DEFAULT_RESAMPLES,
                 confidence: float = 0.95) -> tuple[float, float]:
    """Percentile bootstrap interval of the mean.

    Parameters
    ----------
    values : ndarray
        One value per image.
    seed : int
        Seed of the resampling generator; equal seeds give equal intervals.
    resamples : int
        Number of bootstrap resamples.
    confidence : float
        Coverage of the interval.

    Returns
    -------
    (float, float)
        ``scipy.stats.bootstrap((values,), np.mean, method="percentile",
        rng=np.random.default_rng(seed))``'s interval. NaN for both ends with
        fewer than two values, or when a value is not finite (the mean is
        then not finite either and an interval would mislead).
    """
    values = np.asarray(values, dtype=float)
    if values.size < 2 or not np.isfinite(values).all():
        return math.nan, math.nan
    means = values[resample_indices(values.size, seed=seed, resamples=resamples)].mean(axis=1)
    return percentile_interval(means, confidence)


def set_cell(value: float, replicates: np.ndarray, n: int, confidence: float = 0.95) -> Cell:
    """The cell of a metric computed on a level's ``n`` images.

    ``value`` is the metric on the images, ``replicates`` the metric on each
    bootstrap resample of them. Non-finite replicates (a per-class value of a
    resample without the class) are left out; ``std`` is the standard
    deviation of the rest (ddof=1: scipy's ``standard_error``). No spread and
    no interval for one image, fewer than two finite replicates or a
    non-finite value.
    """
    spread = np.asarray(replicates, dtype=float)
    spread = spread[np.isfinite(spread)]
    if n < 2 or spread.size < 2 or not math.isfinite(value):
        return Cell(value, math.nan, n, math.nan, math.nan)
    return Cell(value, float(np.std(spread, ddof=1)), n, *percentile_interval(spread, confidence))


def summarize(results: Sequence[ImageResult], factors: Sequence[str], *, seed: int = DEFAULT_SEED,
              resamples: int = DEFAULT_RESAMPLES, confidence: float = 0.95) -> dict[str, dict[str, Cell]]:
    """``{metric: {level: Cell}}`` for every metric and level.

    A metric missing from an image counts as NaN, so the cell shows it rather
    than silently averaging fewer images. Counts are summed (:func:`total_cell`).
    """
    members = level_members(results, factors)
    summary: dict[str, dict[str, Cell]] = {}
    for name in metric_names(results):
        column = np.array([r.metrics.get(name, math.nan) for r in results], dtype=float)
        summary[name] = {}
        for level, indices in members.items():
            values = column[indices]
            if is_count(name):
                summary[name][level] = total_cell(values)
                continue
            with np.errstate(invalid="ignore"):
                mean = float(np.mean(values))
                std = float(np.std(values, ddof=1)) if values.size > 1 else math.nan
            low, high = bootstrap_ci(values, seed=seed, resamples=resamples, confidence=confidence)
            summary[name][level] = Cell(mean, std, int(values.size), low, high)
    return summary


def _number(value: float) -> float | str:
    """Finite floats stay numbers; ``inf``/``nan`` become strings, since JSON has no such numbers."""
    return value if math.isfinite(value) else str(value)
