"""Instance matching against stardist.matching and hand-computed cases."""

from __future__ import annotations

import numpy as np
import pytest
import tifffile
from scipy import ndimage as ndi
from stardist.matching import matching as stardist_matching

from bmzcard.metrics import MetricInputError
from bmzcard.metrics.instance import (
    DEFAULT_THRESHOLDS,
    average_precision,
    label_overlap,
    match_instances,
    mean_average_precision,
    panoptic_quality,
    pooled_matches,
)

THRESHOLDS = (0.1, 0.3, 0.5, 0.55, 0.7, 0.9, 0.95)


def assert_same_as_stardist(gt, pred, thresholds=THRESHOLDS):
    ours = match_instances(gt, pred, thresholds=thresholds)
    theirs = stardist_matching(gt, pred, thresh=list(thresholds))
    for m, s in zip(ours, theirs):
        assert (m.tp, m.fp, m.fn, m.n_true, m.n_pred) == (s.tp, s.fp, s.fn, s.n_true, s.n_pred), m.threshold
        assert m.precision == pytest.approx(s.precision, abs=1e-12)
        assert m.recall == pytest.approx(s.recall, abs=1e-12)
        assert m.f1 == pytest.approx(s.f1, abs=1e-12)
        assert m.ap == pytest.approx(s.accuracy, abs=1e-12)
        # StarDist sums float32 IoUs in float32
        assert m.pq == pytest.approx(s.panoptic_quality, rel=1e-5, abs=1e-7)
        assert m.mean_matched_iou == pytest.approx(s.mean_matched_score, rel=1e-5, abs=1e-7)
        assert m.mean_true_iou == pytest.approx(s.mean_true_score, rel=1e-5, abs=1e-7)
    return ours


@pytest.mark.parametrize("seed", range(4))
def test_blobs_matches_stardist(blobs_labels, seed, perturb):
    pred = perturb(blobs_labels, seed)
    ours = assert_same_as_stardist(blobs_labels, pred)
    assert 0 < ours[2].tp < 61


@pytest.mark.parametrize("seed", range(2))
def test_nuclei3d_matches_stardist(nuclei3d_labels, seed, perturb):
    pred = perturb(nuclei3d_labels, seed)
    assert_same_as_stardist(nuclei3d_labels, pred)


def test_identity_is_perfect(blobs_labels):
    for m in match_instances(blobs_labels, blobs_labels):
        assert (m.tp, m.fp, m.fn) == (61, 0, 0)
        assert m.ap == m.f1 == m.pq == 1.0


def test_sparse_batch_watershed_against_stardist(shared):
    """Real BBBC007 annotations vs. a classical Otsu + label prediction."""
    from skimage.filters import threshold_otsu
    from skimage.measure import label

    folder = shared / "data/bbbc007_sparse_annotations/batch"
    for path in sorted((folder / "sparse_instances").glob("*.tif"))[:3]:
        gt = tifffile.imread(path)
        image = tifffile.imread(folder / "images" / path.name)
        pred = label(image > threshold_otsu(image))
        assert_same_as_stardist(gt, pred)


def test_64bit_noncontiguous_labels_give_same_result(blobs_labels, perturb):
    pred = perturb(blobs_labels, 3)
    ids = np.unique(pred)[1:]
    lut = np.zeros(int(pred.max()) + 1, dtype=np.uint64)
    lut[ids] = np.uint64(2**63) + np.arange(ids.size, dtype=np.uint64) * np.uint64(2**40)
    big_pred = lut[pred]
    gt64 = blobs_labels.astype(np.int64) * (2**50)
    a = match_instances(blobs_labels, pred)
    b = match_instances(gt64, big_pred)
    assert [m.as_dict() for m in a] == [m.as_dict() for m in b]


def test_label_overlap_table_is_exact():
    gt = np.array([[1, 1, 0, 7], [1, 1, 0, 7], [0, 0, 0, 7]])
    pred = np.array([[5, 0, 0, 0], [5, 5, 9, 9], [0, 0, 9, 9]])
    ov = label_overlap(gt, pred)
    assert ov.true_labels.tolist() == [1, 7]
    assert ov.pred_labels.tolist() == [5, 9]
    assert ov.true_sizes.tolist() == [4, 3]
    assert ov.pred_sizes.tolist() == [3, 4]
    pairs = {(int(ov.true_labels[i]), int(ov.pred_labels[j])): int(n)
             for i, j, n in zip(ov.pair_true, ov.pair_pred, ov.pair_intersection)}
    assert pairs == {(1, 5): 3, (7, 9): 2}
    np.testing.assert_allclose(sorted(ov.pair_iou), sorted([3 / 4, 2 / 5]))


def test_hand_computed_scores():
    # object 1: IoU 3/4; object 7: IoU 2/5; one false positive (label 3)
    gt = np.array([[1, 1, 0, 7], [1, 1, 0, 7], [0, 0, 0, 7]])
    pred = np.array([[5, 0, 3, 0], [5, 5, 9, 9], [0, 0, 9, 9]])
    m50, m30 = match_instances(gt, pred, thresholds=(0.5, 0.3))
    assert (m50.tp, m50.fp, m50.fn) == (1, 2, 1)
    assert m50.precision == pytest.approx(1 / 3)
    assert m50.recall == pytest.approx(1 / 2)
    assert m50.f1 == pytest.approx(2 / 5)
    assert m50.ap == pytest.approx(1 / 4)
    assert m50.pq == pytest.approx(0.75 / (1 + 1 + 0.5))
    assert (m30.tp, m30.fp, m30.fn) == (2, 1, 0)
    assert m30.pq == pytest.approx((0.75 + 0.4) / (2 + 0.5))
    assert average_precision(gt, pred, threshold=0.5) == pytest.approx(0.25)
    assert panoptic_quality(gt, pred, threshold=0.3) == pytest.approx(1.15 / 2.5)


def test_iou_equal_to_threshold_counts():
    # IoU exactly 0.5 and exactly 0.75: ">=" matches, ">" would not
    gt = np.zeros((1, 8), int)
    gt[0, :4] = 1
    pred = np.zeros((1, 8), int)
    pred[0, :2] = 2
    (m,) = match_instances(gt, pred, thresholds=(0.5,))
    assert m.tp == 1
    pred[0, :3] = 2
    (m,) = match_instances(gt, pred, thresholds=(0.75,))
    assert m.tp == 1
    assert_same_as_stardist(gt, pred, thresholds=(0.5, 0.75, 0.76))


def test_two_halves_at_exactly_half_match_once():
    # the only case where IoU >= 0.5 is not unique: two predicted halves
    gt = np.ones((2, 4), int)
    pred = np.array([[1, 1, 2, 2], [1, 1, 2, 2]])
    (m,) = match_instances(gt, pred, thresholds=(0.5,))
    assert (m.tp, m.fp, m.fn) == (1, 1, 0)
    assert m.pq == pytest.approx(0.5 / 1.5)
    assert_same_as_stardist(gt, pred, thresholds=(0.5, 0.3))


def test_low_threshold_needs_optimal_assignment():
    # A overlaps y and x, x overlaps A and B: the assignment must pair A-y, B-x
    gt = np.zeros((1, 20), int)
    gt[0, 0:10] = 1  # A
    gt[0, 10:14] = 2  # B
    pred = np.zeros((1, 20), int)
    pred[0, 0:6] = 3  # y: IoU(A,y)=0.6
    pred[0, 6:14] = 4  # x: IoU(A,x)=4/14, IoU(B,x)=4/8
    (m,) = match_instances(gt, pred, thresholds=(0.25,))
    assert m.tp == 2
    assert_same_as_stardist(gt, pred, thresholds=(0.25,))


@pytest.mark.parametrize("dtype", [bool, np.uint8, np.int32, np.uint64])
def test_dtypes(dtype):
    gt = np.zeros((5, 5), dtype)
    gt[1:3, 1:3] = 1
    (m,) = match_instances(gt, gt.copy(), thresholds=(0.9,))
    assert (m.tp, m.fp, m.fn) == (1, 0, 0)


def test_empty_cases():
    empty = np.zeros((6, 6), np.int32)
    one = empty.copy()
    one[1:3, 1:3] = 4
    both = match_instances(empty, empty)
    assert all(m.precision == m.recall == m.f1 == m.ap == m.pq == 1.0 for m in both)
    (no_pred,) = match_instances(one, empty, thresholds=(0.5,))
    assert (no_pred.tp, no_pred.fp, no_pred.fn) == (0, 0, 1)
    assert no_pred.recall == no_pred.precision == no_pred.ap == no_pred.pq == 0.0
    (no_gt,) = match_instances(empty, one, thresholds=(0.5,))
    assert (no_gt.tp, no_gt.fp, no_gt.fn) == (0, 1, 0)
    assert no_gt.precision == no_gt.f1 == 0.0
    assert not any(np.isnan(v) for m in both + [no_pred, no_gt] for v in m.as_dict().values())


def test_mean_average_precision_is_mean_of_sweep(blobs_labels, perturb):
    pred = perturb(blobs_labels, 1)
    sweep = match_instances(blobs_labels, pred)
    assert [m.threshold for m in sweep] == list(DEFAULT_THRESHOLDS)
    assert mean_average_precision(blobs_labels, pred) == pytest.approx(np.mean([m.ap for m in sweep]))


def test_ignore_mask_removes_objects_in_unlabelled_region(shared):
    """Sparse instance annotations: predictions far from annotated nuclei
    are not false positives once the unlabelled region is ignored."""
    from skimage.filters import threshold_otsu
    from skimage.measure import label

    folder = shared / "data/bbbc007_sparse_annotations/batch"
    path = min((folder / "sparse_instances").glob("*.tif"))
    gt = tifffile.imread(path)
    image = tifffile.imread(folder / "images" / path.name)
    pred = label(image > threshold_otsu(image))
    annotated = ndi.binary_dilation(gt > 0, iterations=3)
    ignore = ~annotated
    (plain,) = match_instances(gt, pred, thresholds=(0.5,))
    (sparse,) = match_instances(gt, pred, thresholds=(0.5,), ignore_mask=ignore)
    # reference: remove by hand every predicted object with > half its pixels ignored
    kept = pred.copy()
    for lab in np.unique(pred)[1:]:
        obj = pred == lab
        if ignore[obj].mean() > 0.5:
            kept[obj] = 0
    ref = stardist_matching(gt, kept, thresh=0.5)
    assert (sparse.tp, sparse.fp, sparse.fn) == (ref.tp, ref.fp, ref.fn)
    assert sparse.fp < plain.fp
    assert sparse.tp == plain.tp


def test_pooled_differs_from_per_image_mean():
    a_gt = np.zeros((4, 4), int)
    a_gt[:2, :2] = 1
    b_gt = np.zeros((4, 12), int)
    for i in range(6):
        b_gt[:2, 2 * i:2 * i + 2] = i + 1
    b_pred = b_gt.copy()
    b_pred[b_pred > 1] = 0  # only one of six found
    ra = match_instances(a_gt, a_gt, thresholds=(0.5,))
    rb = match_instances(b_gt, b_pred, thresholds=(0.5,))
    (pooled,) = pooled_matches([ra, rb])
    assert (pooled.tp, pooled.fn) == (2, 5)
    assert pooled.recall == pytest.approx(2 / 7)
    assert np.mean([ra[0].recall, rb[0].recall]) == pytest.approx((1 + 1 / 6) / 2)


def test_errors_name_the_parameter():
    with pytest.raises(MetricInputError) as err:
        match_instances(np.zeros((3, 3), int), np.zeros((3, 4), int))
    assert err.value.parameter == "prediction"
    with pytest.raises(MetricInputError) as err:
        match_instances(np.zeros((3, 3)), np.zeros((3, 3), int))
    assert err.value.parameter == "ground_truth" and "float64" in str(err.value)
    with pytest.raises(MetricInputError) as err:
        match_instances(-np.ones((3, 3), int), np.zeros((3, 3), int))
    assert err.value.parameter == "ground_truth" and "-1" in str(err.value)
    with pytest.raises(MetricInputError) as err:
        match_instances(np.zeros((3, 3), int), np.zeros((3, 3), int), thresholds=1.5)
    assert err.value.parameter == "thresholds"


@pytest.mark.parametrize("seed", range(2))
def test_tp_fp_fn_counts_are_stardists(blobs_labels, seed, perturb):
    """`--metrics tp,fp,fn,tp@0.75,...`: the counts stardist.matching reports at each IoU threshold."""
    from bmzcard.metrics import compute_metrics
    from bmzcard.metrics.defaults import AVAILABLE_METRICS, COUNT_METRICS

    pred = perturb(blobs_labels, seed)
    assert set(COUNT_METRICS) <= set(AVAILABLE_METRICS["instance"])
    ours = compute_metrics("instance", blobs_labels, pred, metrics=list(COUNT_METRICS))
    assert set(ours) == set(COUNT_METRICS)
    thresholds = [round(0.5 + 0.05 * i, 2) for i in range(10)]
    for threshold, theirs in zip(thresholds, stardist_matching(blobs_labels, pred, thresh=thresholds)):
        suffix = "" if threshold == 0.5 else f"@{threshold:.2f}"
        assert (ours[f"tp{suffix}"], ours[f"fp{suffix}"], ours[f"fn{suffix}"]) == (theirs.tp, theirs.fp, theirs.fn)
    assert ours["tp"] + ours["fn"] == 61  # every ground-truth blob is matched or missed
