"""The entry point of ``bmzcard evaluate`` and the default metric sets."""

from __future__ import annotations

import math

import numpy as np
import pytest
import tifffile

from bmzcard.metrics import (
    AVAILABLE_METRICS,
    DEFAULT_METRICS,
    MetricInputError,
    compute_metrics,
    mean_over_images,
)
from bmzcard.metrics.instance import match_instances
from bmzcard.metrics.semantic import (
    dice,
    hausdorff_distance_95,
    normalized_surface_distance,
)

ALLOWED = {"iou", "dice", "hd", "hd95", "nsd", "precision", "recall", "f1", "map", "pq",
           "accuracy", "balanced_accuracy", "psnr", "ssim", "nrmse",
           *(f"ap@{t:.2f}" for t in np.arange(0.5, 0.96, 0.05))}


def test_default_names_are_the_agreed_lower_case_names():
    assert set(DEFAULT_METRICS) == {"semantic", "instance", "detection", "classification", "restoration"}
    for task, names in DEFAULT_METRICS.items():
        assert set(names) <= ALLOWED, task
        assert set(names) <= set(AVAILABLE_METRICS[task])
    assert DEFAULT_METRICS["instance"][-1] == "map"
    assert "ap@0.95" in DEFAULT_METRICS["instance"]


def test_instance_defaults(blobs_labels, perturb):
    pred = perturb(blobs_labels, 2)
    res = compute_metrics("instance-segmentation", blobs_labels, pred)
    assert list(res) == DEFAULT_METRICS["instance"]
    sweep = match_instances(blobs_labels, pred)
    assert res["ap@0.50"] == sweep[0].ap
    assert res["ap@0.75"] == sweep[5].ap
    assert res["f1"] == sweep[0].f1 and res["pq"] == sweep[0].pq
    assert res["map"] == pytest.approx(np.mean([m.ap for m in sweep]))


def test_semantic_binary_with_spacing(nuclei3d_labels):
    gt = nuclei3d_labels > 0
    pred = np.roll(gt, 1, axis=2)
    res = compute_metrics("semantic", gt.astype(np.uint8) * 255, pred, spacing=(2.0, 1.0, 1.0))
    assert list(res) == ["dice", "nsd", "hd95"]
    assert res["dice"] == dice(gt, pred)
    assert res["hd95"] == hausdorff_distance_95(gt, pred, spacing=(2.0, 1.0, 1.0))
    assert res["nsd"] == normalized_surface_distance(gt, pred, spacing=(2.0, 1.0, 1.0))


def test_semantic_multiclass_sparse_scribbles(shared):
    path = sorted((shared / "data/bbbc007_sparse_annotations/crops/sparse_semantic").glob("*.tif"))[1]
    scribbles = tifffile.imread(path).astype(np.int64)
    image = tifffile.imread(shared / "data/bbbc007_sparse_annotations/crops/images" / path.name)
    pred = np.where(image > image.mean(), 2, 1)  # classes coded like the scribbles
    res = compute_metrics("semantic", scribbles, pred, ignore_label=0, metrics=["dice", "iou"])
    assert set(res) == {"dice", "iou", "dice[1]", "dice[2]", "iou[1]", "iou[2]"}
    assert res["dice[2]"] == dice(scribbles == 2, pred == 2, ignore_mask=scribbles == 0)
    assert res["dice"] == pytest.approx((res["dice[1]"] + res["dice[2]"]) / 2)


def test_restoration_defaults(unet_tensors):
    x, y = unet_tensors
    res = compute_metrics("restoration", y, x)
    assert list(res) == ["psnr", "ssim", "nrmse"]
    assert res["nrmse"] == pytest.approx(10 ** (-res["psnr"] / 20))  # both from MSE, range 1
    with pytest.raises(MetricInputError) as err:
        compute_metrics("restoration", y, x, normalize=None)
    assert err.value.parameter == "data_range"


def test_classification_and_detection():
    res = compute_metrics("classification", [0, 0, 1, 1], [0, 1, 1, 1])
    assert res["balanced_accuracy"] == pytest.approx(0.75)
    det = compute_metrics("detection", [[0, 0, 4, 4]], [[0, 0, 4, 4], [9, 9, 10, 10]])
    assert det == {"f1": pytest.approx(2 / 3), "precision": 0.5, "recall": 1.0}
    det = compute_metrics("detection", [[0, 0, 4, 4]], [[0, 0, 4, 4]], scores=[0.3])
    assert det["map"] == pytest.approx(1.0, abs=1e-12)  # COCOeval: 1 / (1 + eps)


def test_mean_over_images_keeps_inf_and_missing():
    rows = [{"dice": 1.0, "hd95": 2.0}, {"dice": 0.0, "hd95": math.inf}]
    means = mean_over_images(rows)
    assert means["dice"] == 0.5 and means["hd95"] == math.inf
    means = mean_over_images([{"dice": 1.0}, {}])
    assert math.isnan(means["dice"])


def test_errors_name_the_parameter():
    a = np.zeros((4, 4), bool)
    with pytest.raises(MetricInputError) as err:
        compute_metrics("segmentation-of-things", a, a)
    assert err.value.parameter == "task"
    with pytest.raises(MetricInputError) as err:
        compute_metrics("semantic", a, a, metrics=["ssim"])
    assert err.value.parameter == "metrics"
    with pytest.raises(MetricInputError) as err:
        compute_metrics("instance", a, a, tolerance=3)
    assert err.value.parameter == "tolerance"
