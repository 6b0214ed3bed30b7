"""Aggregation: per-level means, standard deviations and the seeded bootstrap."""

from __future__ import annotations

import math

import numpy as np

from bmzcard.evaluate.aggregate import bootstrap_ci, summarize
from bmzcard.evaluate.pipeline import ImageResult


def _results():
    rng = np.random.default_rng(7)
    results = []
    for index in range(12):
        level = "low" if index % 3 == 0 else "high"
        kind = "a" if index < 6 else "b"
        results.append(ImageResult(index + 1, f"img_{index}", {"snr": level, "cell": kind},
                                   {"dice": float(rng.uniform(0.6, 0.95)), "hd95": float(rng.uniform(1, 9))},
                                   "file"))
    return results


def test_summary_means_and_stds_equal_numpy_over_the_levels_images():
    results = _results()
    summary = summarize(results, ["snr", "cell"], resamples=500)
    assert list(summary["dice"]) == ["overall", "snr=low", "snr=high", "cell=a", "cell=b"]
    for metric, cells in summary.items():
        for level, cell in cells.items():
            if level == "overall":
                chosen = results
            else:
                factor, value = level.split("=")
                chosen = [r for r in results if r.factors[factor] == value]
            values = np.array([r.metrics[metric] for r in chosen])
            assert cell.n == len(chosen)
            assert math.isclose(cell.mean, values.mean(), rel_tol=1e-12)
            assert math.isclose(cell.std, values.std(ddof=1), rel_tol=1e-12)
            assert cell.ci_low <= cell.mean <= cell.ci_high


def test_bootstrap_is_reproducible_with_a_seed_and_changes_with_another():
    values = np.random.default_rng(1).normal(0.8, 0.05, 20)
    first = bootstrap_ci(values, seed=3, resamples=1000)
    assert first == bootstrap_ci(values, seed=3, resamples=1000)
    assert first != bootstrap_ci(values, seed=4, resamples=1000)
    assert first[0] < values.mean() < first[1]
    # the interval narrows with confidence
    narrow = bootstrap_ci(values, seed=3, resamples=1000, confidence=0.5)
    assert first[0] < narrow[0] < narrow[1] < first[1]


def test_a_cells_interval_does_not_depend_on_other_metrics_or_factors():
    results = _results()
    alone = summarize(results, ["snr"], resamples=300)
    together = summarize(results, ["cell", "snr"], resamples=300)
    assert alone["dice"]["snr=low"] == together["dice"]["snr=low"]


def test_non_finite_values_are_kept_and_give_no_interval():
    results = _results()
    results[0].metrics["hd95"] = math.inf
    cell = summarize(results, [], resamples=100)["hd95"]["overall"]
    assert cell.mean == math.inf
    assert math.isnan(cell.ci_low) and math.isnan(cell.ci_high)
    assert cell.to_json()["mean"] == "inf"


def test_a_single_image_has_no_spread_or_interval():
    cell = summarize(_results()[:1], [], resamples=100)["dice"]["overall"]
    assert cell.n == 1 and math.isnan(cell.std) and math.isnan(cell.ci_low)
