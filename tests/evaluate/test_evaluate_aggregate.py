"""Aggregation: per-level means, standard deviations and the seeded bootstrap."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from bmzcard.evaluate.aggregate import bootstrap_ci, percentile_interval, resample_indices, set_cell, summarize
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


@pytest.mark.parametrize(("n", "confidence"), [(2, 0.95), (20, 0.95), (37, 0.5), (200, 0.9)])
def test_bootstrap_interval_equals_scipys_percentile_bootstrap(n, confidence):
    """Same generator and draws as scipy.stats.bootstrap: equal to the rounding of the quantile arithmetic."""
    values = np.random.default_rng(n).gamma(2.0, 1.0, n)
    ours = bootstrap_ci(values, seed=11, resamples=1500, confidence=confidence)
    reference = stats.bootstrap((values,), np.mean, n_resamples=1500, confidence_level=confidence,
                                method="percentile", rng=np.random.default_rng(11)).confidence_interval
    np.testing.assert_allclose(ours, (reference.low, reference.high), rtol=1e-13, atol=0)


def test_set_statistics_share_scipys_draws_and_standard_error():
    """A metric on a set (here the median) over resample_indices: scipy's paired bootstrap distribution."""
    values = np.random.default_rng(5).normal(size=25)
    draws = resample_indices(values.size, seed=2, resamples=400)
    replicates = np.median(values[draws], axis=1)
    reference = stats.bootstrap((values,), np.median, n_resamples=400, method="percentile", paired=True,
                                rng=np.random.default_rng(2))
    np.testing.assert_array_equal(replicates, reference.bootstrap_distribution)
    cell = set_cell(float(np.median(values)), replicates, values.size)
    np.testing.assert_allclose((cell.ci_low, cell.ci_high), tuple(reference.confidence_interval), rtol=1e-13)
    assert cell.std == pytest.approx(reference.standard_error, rel=1e-13)


def test_set_cell_leaves_out_non_finite_replicates():
    replicates = np.array([np.nan, 1.0, 2.0, 3.0, np.nan, 4.0])
    cell = set_cell(2.5, replicates, 6)
    assert (cell.ci_low, cell.ci_high) == percentile_interval(np.array([1.0, 2.0, 3.0, 4.0]))
    assert cell.std == pytest.approx(np.std([1, 2, 3, 4], ddof=1))
    assert math.isnan(set_cell(math.nan, replicates, 6).ci_low)
    assert math.isnan(set_cell(1.0, np.array([np.nan, 1.0]), 6).std)


def test_counts_are_summed_over_a_levels_images_without_spread():
    """`tp`, `fp`, `fn@0.75`: a level's value is the total over its images (a count), not their mean."""
    results = [ImageResult(i + 1, f"img_{i}", {"snr": "low" if i < 2 else "high"},
                           {"tp": float(10 + i), "fn@0.75": float(i), "dice": 0.5 + i / 10}, "file")
               for i in range(5)]
    summary = summarize(results, ["snr"], resamples=200)
    assert summary["tp"]["overall"].mean == 10 + 11 + 12 + 13 + 14
    assert summary["tp"]["snr=low"].mean == 10 + 11 and summary["tp"]["snr=high"].mean == 12 + 13 + 14
    assert summary["fn@0.75"]["overall"].mean == 0 + 1 + 2 + 3 + 4
    for cell in [*summary["tp"].values(), *summary["fn@0.75"].values()]:
        assert cell.is_total and math.isnan(cell.std) and math.isnan(cell.ci_low) and math.isnan(cell.ci_high)
        assert set(cell.to_json()) == {"sum", "n"}
    assert not summary["dice"]["overall"].is_total  # other metrics stay means
    assert math.isclose(summary["dice"]["overall"].mean, np.mean([0.5, 0.6, 0.7, 0.8, 0.9]))
