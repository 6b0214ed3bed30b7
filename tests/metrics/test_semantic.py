"""Semantic metrics against MONAI, scikit-image and hand-computed cases.

bmzcard's boundary definition is MONAI's / Metrics Reloaded's: foreground
pixels with a 4-/6-connected background neighbour; HD95 is the maximum of
the two directed 95th percentiles.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from monai.metrics import (
    compute_dice,
    compute_hausdorff_distance,
    compute_iou,
    compute_surface_dice,
)
from scipy import ndimage as ndi
from skimage.metrics import hausdorff_distance as skimage_hausdorff

from bmzcard.metrics import MetricInputError
from bmzcard.metrics.semantic import (
    boundary_distances,
    dice,
    hausdorff_distance,
    hausdorff_distance_95,
    iou,
    normalized_surface_distance,
    overlap_counts,
    per_class,
)

# MONAI and DeepMind's package warn about their own deprecations
pytestmark = pytest.mark.filterwarnings(
    "ignore::FutureWarning", "ignore::DeprecationWarning"
)


def monai_boundary_metrics(gt, pred, spacing=None, tolerance=2.0):
    g = torch.from_numpy(np.ascontiguousarray(gt, dtype=bool)[None, None])
    p = torch.from_numpy(np.ascontiguousarray(pred, dtype=bool)[None, None])
    hd = compute_hausdorff_distance(p, g, spacing=spacing).item()
    hd95 = compute_hausdorff_distance(p, g, percentile=95, spacing=spacing).item()
    nsd = compute_surface_dice(p, g, class_thresholds=[tolerance], spacing=spacing, include_background=True).item()
    return hd, hd95, nsd


def monai_overlap(gt, pred):
    g = torch.from_numpy(np.ascontiguousarray(gt, dtype=bool)[None, None]).float()
    p = torch.from_numpy(np.ascontiguousarray(pred, dtype=bool)[None, None]).float()
    return compute_dice(p, g).item(), compute_iou(p, g).item()


@pytest.fixture(scope="module")
def neuron_pair(neuron_masks):
    """A real binary mask and a plausible prediction (eroded, shifted, with
    a spurious blob), cropped to keep MONAI's runtime small."""
    gt = neuron_masks[0][200:700, 300:1000] > 0
    pred = np.roll(ndi.binary_erosion(gt, iterations=2), (3, -2), axis=(0, 1))
    pred[20:30, 40:55] = True
    assert gt.sum() > 1000
    return gt, pred


def test_overlap_matches_monai_on_real_masks(neuron_masks):
    for mask in neuron_masks[:2]:
        gt = mask > 0
        pred = ndi.binary_dilation(gt, iterations=2)
        d, j = monai_overlap(gt, pred)
        assert dice(gt, pred) == pytest.approx(d, rel=1e-6)
        assert iou(gt, pred) == pytest.approx(j, rel=1e-6)
        # uint8 0/255 input is the same as bool
        assert dice(mask, pred.astype(np.uint8)) == dice(gt, pred)


def test_boundary_metrics_match_monai_2d(neuron_pair):
    gt, pred = neuron_pair
    hd, hd95, nsd = monai_boundary_metrics(gt, pred)
    assert hausdorff_distance(gt, pred) == pytest.approx(hd, rel=1e-6)
    assert hausdorff_distance_95(gt, pred) == pytest.approx(hd95, rel=1e-6)
    assert normalized_surface_distance(gt, pred, tolerance=2.0) == pytest.approx(nsd, rel=1e-6)


@pytest.mark.parametrize("spacing", [None, (2.0, 0.5, 0.5), (1.3, 0.7, 1.0)])
def test_boundary_metrics_match_monai_3d_anisotropic(nuclei3d_labels, spacing):
    gt = nuclei3d_labels > 0
    pred = np.roll(ndi.binary_erosion(gt), 2, axis=1)
    pred[0:3, 0:5, 0:5] = True
    hd, hd95, nsd = monai_boundary_metrics(gt, pred, spacing=spacing, tolerance=1.5)
    assert hausdorff_distance(gt, pred, spacing=spacing) == pytest.approx(hd, rel=1e-6)
    assert hausdorff_distance_95(gt, pred, spacing=spacing) == pytest.approx(hd95, rel=1e-6)
    assert normalized_surface_distance(gt, pred, tolerance=1.5, spacing=spacing) == pytest.approx(nsd, rel=1e-6)


def test_spacing_changes_the_distance():
    # a wide box shifted by 2 along z: the faces are 2 z-steps apart
    gt = np.zeros((12, 30, 30), bool)
    gt[2:8, 5:25, 5:25] = True
    pred = np.roll(gt, 2, axis=0)
    assert hausdorff_distance(gt, pred) == pytest.approx(2.0)
    assert hausdorff_distance(gt, pred, spacing=(3.0, 1.0, 1.0)) == pytest.approx(6.0)
    assert hausdorff_distance(gt, pred, spacing=(1.0, 0.5, 0.5)) == pytest.approx(2.0)


def test_hausdorff_equals_skimage_on_boundaries(neuron_pair):
    gt, pred = neuron_pair
    boundary = lambda m: m & ~ndi.binary_erosion(m)
    ref = skimage_hausdorff(boundary(gt), boundary(pred))
    assert hausdorff_distance(gt, pred) == pytest.approx(ref, rel=1e-12)


def test_filled_mask_hausdorff_is_a_different_definition():
    # a ring vs a disc of the same outline: filled-mask HD sees the hole
    # (centre of the disc is far from any ring pixel), boundary HD does not
    yy, xx = np.mgrid[:41, :41]
    r = np.hypot(yy - 20, xx - 20)
    disc = r <= 15
    ring = disc & (r >= 12)
    assert hausdorff_distance(disc, ring) == pytest.approx(3.0, abs=0.6)
    assert skimage_hausdorff(disc, ring) >= 11.0


def test_hd95_is_max_of_directed_percentiles():
    # hand-checkable: a 1-pixel-wide bar and a bar shifted by 3 with a tail
    gt = np.zeros((5, 30), bool)
    gt[2, 0:20] = True
    pred = np.zeros((5, 30), bool)
    pred[2, 3:23] = True
    pred[0, 29] = True
    d_gp, d_pg = boundary_distances(gt, pred)
    assert d_gp.size == 20 and d_pg.size == 21
    # gt pixels 0,1,2 are 3,2,1 away; the rest 0
    np.testing.assert_allclose(np.sort(d_gp)[-3:], [1, 2, 3])
    expected = max(np.percentile(d_gp, 95), np.percentile(d_pg, 95))
    assert hausdorff_distance_95(gt, pred) == pytest.approx(expected)
    assert hausdorff_distance(gt, pred) == pytest.approx(max(d_gp.max(), d_pg.max()))
    assert hausdorff_distance(gt, pred) == pytest.approx(math.hypot(2, 10))


def test_distances_are_exact_beyond_the_grid_search():
    # distances larger than the shell radius go through the k-d tree
    gt = np.zeros((64, 64), bool)
    gt[10:20, 10:20] = True
    pred = np.zeros((64, 64), bool)
    pred[40:50, 45:55] = True
    assert hausdorff_distance(gt, pred) == pytest.approx(math.hypot(30, 35))
    assert hausdorff_distance(gt, pred, spacing=(0.5, 2.0)) == pytest.approx(math.hypot(30 * 0.5, 35 * 2.0))


def test_grid_search_in_small_batches_gives_the_same_distances(neuron_pair, monkeypatch):
    """Boundary points are searched in batches; batch borders must not change a distance."""
    from bmzcard.metrics import semantic

    gt, pred = neuron_pair
    whole = boundary_distances(gt, pred, spacing=(0.5, 0.7))
    monkeypatch.setattr(semantic, "_SEARCH_BATCH", 7)
    batched = boundary_distances(gt, pred, spacing=(0.5, 0.7))
    for a, b in zip(whole, batched):
        np.testing.assert_array_equal(a, b)
    assert np.isfinite(whole[0]).all() and (whole[0] > 3).any()  # some points beyond the grid search


def test_hand_computed_overlap():
    gt = np.zeros((4, 4), bool)
    gt[:2, :2] = True  # 4 px
    pred = np.zeros((4, 4), bool)
    pred[:2, :3] = True  # 6 px, 4 shared
    assert overlap_counts(gt, pred) == (4 + 6, 4)
    assert dice(gt, pred) == pytest.approx(8 / 10)
    assert iou(gt, pred) == pytest.approx(4 / 6)


@pytest.mark.parametrize("size", [1, 1015, 1016, 1017, 2 * 1040384 + 333])
@pytest.mark.parametrize("kind", ["bool", "uint16 labels", "ignore mask"])
def test_overlap_counts_equal_numpy_at_chunk_and_lane_edges(size, kind, monkeypatch):
    """Counting adds bytes eight at a time in 127-word lanes, chunk by
    chunk and thread by thread: every remainder must still be counted."""
    from bmzcard.metrics import semantic

    monkeypatch.setattr(semantic, "_PARALLEL_SIZE", 1000)  # split even small inputs
    rng = np.random.default_rng(size)
    gt = rng.random(size) < 0.6
    pred = rng.random(size) < 0.6
    gt[: size // 3] = pred[: size // 3] = True  # full lanes: 127 words of 2s, no carry
    ignore = rng.random(size) < 0.2 if kind == "ignore mask" else None
    keep = np.ones(size, bool) if ignore is None else ~ignore
    expected = (
        int(np.count_nonzero(gt & keep) + np.count_nonzero(pred & keep)),
        int(np.count_nonzero(gt & pred & keep)),
    )
    if kind == "uint16 labels":
        gt = gt * rng.integers(1, 60000, size, dtype=np.uint16)
        pred = pred * np.uint16(7)
    assert overlap_counts(gt, pred, ignore_mask=ignore) == expected


def test_empty_masks():
    empty = np.zeros((8, 8), bool)
    full = empty.copy()
    full[2:5, 2:5] = True
    # both empty: agreement
    assert dice(empty, empty) == iou(empty, empty) == 1.0
    assert hausdorff_distance(empty, empty) == hausdorff_distance_95(empty, empty) == 0.0
    assert normalized_surface_distance(empty, empty) == 1.0
    # one empty
    for a, b in ((empty, full), (full, empty)):
        assert dice(a, b) == iou(a, b) == 0.0
        assert hausdorff_distance(a, b) == math.inf
        assert hausdorff_distance_95(a, b) == math.inf
        assert normalized_surface_distance(a, b) == 0.0


def test_monai_differs_on_empty_masks_and_we_do_not_return_nan():
    empty = np.zeros((8, 8), bool)
    with pytest.warns(UserWarning):
        _, hd95, _ = monai_boundary_metrics(empty, empty)
    assert math.isnan(hd95)  # MONAI: NaN, silently dropped by its mean
    assert not math.isnan(hausdorff_distance_95(empty, empty))


def test_ignore_mask_with_sparse_scribbles(shared):
    """BBBC007 scribbles: 0 unlabelled, 1 background, 2 nucleus."""
    import tifffile
    from skimage.filters import threshold_otsu

    folder = shared / "data/bbbc007_sparse_annotations/crops"
    for path in sorted((folder / "sparse_semantic").glob("*.tif")):
        scribbles = tifffile.imread(path).astype(np.int64)
        image = tifffile.imread(folder / "images" / path.name)
        pred = image > threshold_otsu(image)
        ignore = scribbles == 0
        labelled = ~ignore
        got = dice(scribbles == 2, pred, ignore_mask=ignore)
        # reference: the same on the labelled pixels only
        ref, _ = monai_overlap((scribbles == 2)[labelled][None], pred[labelled][None])
        assert got == pytest.approx(ref, rel=1e-6)
        assert got != pytest.approx(dice(scribbles == 2, pred))


def test_per_class_on_scribbles(shared):
    import tifffile

    path = min((shared / "data/bbbc007_sparse_annotations/crops/sparse_semantic").glob("*.tif"))
    scribbles = tifffile.imread(path).astype(np.int64)
    res = per_class(dice, scribbles, scribbles, ignore_label=0)
    assert res == {1: 1.0, 2: 1.0}
    swapped = np.where(scribbles == 0, 0, 3 - scribbles)
    assert per_class(dice, scribbles, swapped, ignore_label=0) == {1: 0.0, 2: 0.0}


def test_validation_names_parameter():
    a = np.zeros((4, 4), bool)
    with pytest.raises(MetricInputError) as err:
        dice(a, np.zeros((4, 5), bool))
    assert err.value.parameter == "prediction" and "(4, 5)" in str(err.value)
    with pytest.raises(MetricInputError) as err:
        hausdorff_distance(a, a, spacing=(1.0, 2.0, 3.0))
    assert err.value.parameter == "spacing" and "3 values" in str(err.value)
    with pytest.raises(MetricInputError) as err:
        hausdorff_distance(a, a, spacing=(1.0, -2.0))
    assert err.value.parameter == "spacing"
    with pytest.raises(MetricInputError) as err:
        dice(a, a, ignore_mask=np.zeros((3, 3), bool))
    assert err.value.parameter == "ignore_mask"
    with pytest.raises(MetricInputError) as err:
        dice(np.zeros((4, 4), np.float32), a)
    assert err.value.parameter == "ground_truth"
    with pytest.raises(MetricInputError) as err:
        normalized_surface_distance(a, a, tolerance=-1)
    assert err.value.parameter == "tolerance"
    # also a ValueError, as scikit-image raises
    with pytest.raises(ValueError):
        iou(a, np.zeros(3, bool))


def test_deepmind_surfel_weighted_hd95_is_another_definition(neuron_pair):
    """DeepMind's surface-distance weights by surfel area and pools both
    directions; it agrees on HD but not on HD95 for the same masks."""
    import surface_distance as sd

    gt, pred = neuron_pair
    dists = sd.compute_surface_distances(gt, pred, spacing_mm=(1.0, 1.0))
    hd100 = sd.compute_robust_hausdorff(dists, 100)
    hd95 = sd.compute_robust_hausdorff(dists, 95)
    assert hd100 == pytest.approx(hausdorff_distance(gt, pred), rel=0.05)
    assert hd95 != pytest.approx(hausdorff_distance_95(gt, pred), rel=1e-3)
