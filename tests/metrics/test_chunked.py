"""Slab-by-slab metrics equal the whole-volume ones exactly (:mod:`bmzcard.metrics.chunked`)."""

from __future__ import annotations

import numpy as np
import pytest
import zarr

from bmzcard.metrics import MetricInputError, compute_metrics
from bmzcard.metrics.chunked import chunked_metrics, chunked_overlap
from bmzcard.metrics.instance import (
    DEFAULT_THRESHOLDS,
    _drop_ignored,
    label_overlap,
    match_instances,
    matches_from_overlap,
)

SEMANTIC = ["dice", "iou", "hd", "hd95", "nsd"]
INSTANCE = ["precision", "recall", "f1", "pq", "map", *(f"ap@{t:.2f}" for t in DEFAULT_THRESHOLDS)]
# one plane per slab (every object crosses slab borders), a few planes, everything at once
SLABS = (1, 20_000, 1 << 40)


def assert_same(task, gt, pred, **options):
    names = SEMANTIC if task == "semantic" else INSTANCE
    whole = compute_metrics(task, gt, pred, metrics=names, **options)
    for slab_bytes in SLABS:
        assert chunked_metrics(task, gt, pred, metrics=names, slab_bytes=slab_bytes, **options) == whole


@pytest.fixture(scope="module")
def nuclei_pairs(nuclei3d_labels, perturb):
    return [(nuclei3d_labels, perturb(nuclei3d_labels, seed)) for seed in (1, 2)]


@pytest.mark.parametrize("spacing", [None, (2.0, 0.5, 0.7)])
def test_semantic_nuclei3d(nuclei_pairs, spacing):
    for gt, pred in nuclei_pairs:
        assert_same("semantic", gt > 0, pred > 0, spacing=spacing)
        assert_same("semantic", gt % 3, pred % 3, spacing=spacing)  # two classes: per class and mean


def test_instance_nuclei3d(nuclei_pairs):
    for gt, pred in nuclei_pairs:
        assert_same("instance", gt, pred)
        whole = label_overlap(gt, pred)
        for slab_bytes in SLABS:
            chunked = chunked_overlap(gt, pred, slab_bytes=slab_bytes)
            for name in ("true_labels", "pred_labels", "true_sizes", "pred_sizes", "pair_true", "pair_pred",
                         "pair_intersection"):
                np.testing.assert_array_equal(getattr(chunked, name), getattr(whole, name))
        matches = matches_from_overlap(chunked_overlap(gt, pred, slab_bytes=1), DEFAULT_THRESHOLDS)
        assert matches == match_instances(gt, pred)


def unlabelled_region(shape, seed):
    """A sparse-annotation mask: a slab of planes and scattered pixels, so
    that some objects are mostly inside it and others only touch it."""
    rng = np.random.default_rng(seed)
    mask = rng.random(shape) < 0.05
    mask[shape[0] // 3 : shape[0] // 2] = True
    return mask


@pytest.mark.parametrize("spacing", [None, (2.0, 0.5, 0.7)])
def test_semantic_with_ignored_pixels(nuclei_pairs, spacing):
    for seed, (gt, pred) in enumerate(nuclei_pairs):
        mask = unlabelled_region(gt.shape, seed)
        assert_same("semantic", gt > 0, pred > 0, spacing=spacing, ignore_mask=mask)
        # value 2 marks unlabelled pixels: classes 1 and 3 remain, the mask adds more
        assert_same("semantic", gt % 4, pred % 4, spacing=spacing, ignore_label=2)
        assert_same("semantic", gt % 4, pred % 4, spacing=spacing, ignore_label=2, ignore_mask=mask)


def test_instance_with_ignored_pixels(nuclei_pairs):
    for seed, (gt, pred) in enumerate(nuclei_pairs):
        mask = unlabelled_region(gt.shape, seed)
        assert_same("instance", gt, pred, ignore_mask=mask)
        assert_same("instance", gt, pred, ignore_mask=mask, ignore_fraction=0.1)
        # an object's label as the ignore label: its pixels are unlabelled background
        label = int(np.bincount(gt.reshape(-1))[1:].argmax()) + 1
        assert_same("instance", gt, pred, ignore_mask=mask, ignore_label=label)
        unlabelled = gt == label
        expected = match_instances(np.where(unlabelled, 0, gt), pred, ignore_mask=mask | unlabelled)
        assert compute_metrics("instance", gt, pred, metrics=["f1"], ignore_mask=mask,
                               ignore_label=label)["f1"] == expected[0].f1
        # the overlap table equals the whole-volume one after dropping, and the mask drops objects
        kept = label_overlap(*_drop_ignored(gt, pred, mask, 0.5))
        chunked = chunked_overlap(gt, pred, ignore_mask=mask, slab_bytes=1)
        for name in ("true_labels", "pred_labels", "true_sizes", "pred_sizes", "pair_true", "pair_pred",
                     "pair_intersection"):
            np.testing.assert_array_equal(getattr(chunked, name), getattr(kept, name))
        assert chunked.pred_labels.size < label_overlap(gt, pred).pred_labels.size


def boxes(shape, *corners):
    out = np.zeros(shape, dtype=np.uint16)
    for label, (lo, hi) in enumerate(corners, start=1):
        out[tuple(slice(a, b) for a, b in zip(lo, hi))] = label
    return out


SHAPE = (14, 9, 10)
EMPTY = np.zeros(SHAPE, dtype=np.uint16)
A = boxes(SHAPE, ((2, 1, 2), (7, 5, 8)))
NEAR = boxes(SHAPE, ((3, 2, 2), (9, 6, 7)))
FAR = boxes(SHAPE, ((11, 6, 0), (14, 9, 3)))  # beyond the grid search: the k-d tree pass
TOUCHING = boxes(SHAPE, ((0, 0, 0), (14, 9, 10)))  # the whole image: boundary only at its border


@pytest.mark.parametrize("gt, pred", [
    (EMPTY, EMPTY), (A, EMPTY), (EMPTY, A), (A, NEAR), (A, FAR), (A + FAR, NEAR), (TOUCHING, A), (A, A),
], ids=["both-empty", "pred-empty", "gt-empty", "near", "far", "near-and-far", "whole-image", "equal"])
@pytest.mark.parametrize("spacing", [None, (0.5, 2.0, 2.0), (3.0, 1.0, 1.0)], ids=["iso", "thin-z", "thick-z"])
def test_edge_cases(gt, pred, spacing):
    assert_same("semantic", gt, pred, spacing=spacing)
    assert_same("instance", gt, pred)


def test_edge_case_values():
    names = ["dice", "hd", "hd95", "nsd"]
    assert chunked_metrics("semantic", EMPTY, EMPTY, metrics=names) == {"dice": 1.0, "hd": 0.0, "hd95": 0.0,
                                                                       "nsd": 1.0}
    assert chunked_metrics("semantic", A, EMPTY, metrics=names) == {"dice": 0.0, "hd": np.inf, "hd95": np.inf,
                                                                   "nsd": 0.0}


def test_random_masks_2d_and_bool():
    rng = np.random.default_rng(0)
    gt, pred = rng.random((2, 40, 33)) > 0.6
    assert_same("semantic", gt, pred, spacing=(1.5, 0.5))
    assert_same("instance", gt, pred)


def test_memory_map_and_zarr(tmp_path, nuclei_pairs):
    gt, pred = nuclei_pairs[0]
    np.save(tmp_path / "gt.npy", gt)
    stored = zarr.create_array(str(tmp_path / "pred.zarr"), shape=pred.shape, dtype=pred.dtype, chunks=(4, 32, 32))
    stored[:] = pred
    lazy_gt = np.load(tmp_path / "gt.npy", mmap_mode="r")
    for task in ("semantic", "instance"):
        assert chunked_metrics(task, lazy_gt, stored, slab_bytes=20_000) == compute_metrics(task, gt, pred)


def test_refuses_what_it_cannot_compute():
    with pytest.raises(MetricInputError, match="restoration"):
        chunked_metrics("restoration", A, A)
    with pytest.raises(MetricInputError, match="shape"):
        chunked_metrics("semantic", A, A[:-1])
    with pytest.raises(MetricInputError, match="dtype"):
        chunked_metrics("instance", A.astype(float), A)
    with pytest.raises(MetricInputError, match="negative"):
        chunked_metrics("instance", A.astype(np.int16) - 1, A)


def test_percentile_from_counts_is_numpy_percentile():
    from bmzcard.metrics.chunked import _Distances

    rng = np.random.default_rng(1)
    for size in (1, 2, 3, 7, 20, 101, 1000):
        values = np.round(rng.exponential(2.0, size), 1) * np.sqrt(2)  # ties, as grid distances have
        distances = _Distances()
        distances.add(values)
        for q in (0.0, 5.0, 50.0, 95.0, 99.9, 100.0):
            assert distances.percentile(q) == np.percentile(values, q)
