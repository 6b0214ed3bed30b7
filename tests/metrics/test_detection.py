"""Detection metrics against their references: pycocotools' COCOeval for box AP,
brute-force and scipy optimal assignments for the matching, and hand-computed cases."""

from __future__ import annotations

import contextlib
import io
import itertools
import math

import numpy as np
import pytest
from pycocotools import mask as coco_mask
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval
from scipy.optimize import linear_sum_assignment
from scipy.spatial.distance import cdist

from bmzcard.metrics import MetricInputError
from bmzcard.metrics.detection import (
    COCO_IOU_THRESHOLDS,
    CocoPool,
    average_precision,
    box_iou,
    coco_average_precision,
    coco_matches,
    detection_scores,
    match_boxes,
    match_points,
    mean_average_precision,
)

from .coco_reference import coco_reference, xywh


def _same(ours: float, reference: float) -> bool:
    return ours == reference or (math.isnan(ours) and math.isnan(reference))


def _boxes(rng, n: int, extent: float = 100.0, sizes=(2.0, 30.0)) -> np.ndarray:
    lower = rng.uniform(0, extent, (n, 2))
    return np.hstack([lower, lower + rng.uniform(*sizes, (n, 2))])


def _predicted(rng, truth: np.ndarray, jitter: float, found: float, extra: int) -> np.ndarray:
    """The true boxes jittered, some missing, plus ``extra`` boxes anywhere."""
    kept = truth[rng.random(len(truth)) < found]
    moved = kept + rng.normal(0, jitter, kept.shape)
    moved[:, 2:] = np.maximum(moved[:, 2:], moved[:, :2])
    return np.vstack([moved, _boxes(rng, extra)])


def _random_images(rng, n_images: int, ties: bool):
    truths, predictions, scores = [], [], []
    for _ in range(n_images):
        truth = _boxes(rng, int(rng.integers(0, 12)))
        predicted = _predicted(rng, truth, 3.0, 0.8, int(rng.integers(0, 5)))
        truths.append(truth)
        predictions.append(predicted)
        scores.append(rng.choice([0.2, 0.5, 0.9], len(predicted)) if ties else rng.random(len(predicted)))
    return truths, predictions, scores


# ---------------------------------------------------------------- box AP = COCOeval


def test_box_iou_equals_pycocotools_to_the_last_bit():
    rng = np.random.default_rng(0)
    a, b = _boxes(rng, 30, 50), _boxes(rng, 40, 50)
    b[:3] = a[:3]  # identical boxes
    b[3] = [a[3, 0], a[3, 1], a[3, 0], a[3, 3]]  # empty box
    reference = coco_mask.iou(xywh(a), xywh(b), [0] * len(b))
    assert np.array_equal(box_iou(a, b), reference)


@pytest.mark.parametrize("ties", [False, True])
def test_map_of_random_datasets_equals_cocoeval_exactly(ties):
    """Jittered, missing and extra boxes; 1-5 images pooled; some images without truth or predictions."""
    rng = np.random.default_rng(1 + ties)
    for _ in range(60):
        truths, predictions, scores = _random_images(rng, int(rng.integers(1, 6)), ties)
        ours = coco_average_precision(truths, predictions, scores)
        assert _same(ours, coco_reference(truths, predictions, scores))
        at_half = coco_average_precision(truths, predictions, scores, thresholds=0.5)
        assert _same(at_half, coco_reference(truths, predictions, scores, thresholds=[0.5]))


def test_one_image_ap_and_map_equal_cocoeval_on_that_image():
    rng = np.random.default_rng(3)
    for _ in range(40):
        (truth,), (predicted,), (score,) = _random_images(rng, 1, ties=False)
        assert _same(mean_average_precision(truth, predicted, score), coco_reference([truth], [predicted], [score]))
        for threshold in (0.5, 0.75, 0.8999999999999999):
            assert _same(average_precision(truth, predicted, score, threshold=threshold),
                         coco_reference([truth], [predicted], [score], thresholds=[threshold]))


def test_crowded_overlapping_boxes_with_tied_scores_equal_cocoeval():
    """Many near-identical boxes: the greedy choice of the highest (last equal) IoU decides."""
    rng = np.random.default_rng(4)
    for _ in range(30):
        centre = rng.uniform(20, 30, (15, 2))
        truth = np.hstack([centre, centre + rng.uniform(8, 12, (15, 2))])
        predicted = np.vstack([truth[rng.integers(0, 15, 25)] + rng.normal(0, 1.0, (25, 4)), truth[:3]])
        predicted[:, 2:] = np.maximum(predicted[:, 2:], predicted[:, :2])
        score = rng.choice([0.3, 0.6], len(predicted))
        assert _same(coco_average_precision([truth], [predicted], [score]),
                     coco_reference([truth], [predicted], [score]))


def test_iou_exactly_on_a_threshold_compares_as_cocoeval():
    """IoU 0.5, 0.7 and 0.9 exactly: COCO's ninth threshold is 0.8999999999999999, so 0.9 is a match there."""
    truth = np.array([[0.0, 0.0, 10.0, 10.0]])
    for width in (5.0, 7.0, 9.0):
        predicted = np.array([[0.0, 0.0, 10.0, width]])
        assert box_iou(truth, predicted)[0, 0] == width / 10
        assert mean_average_precision(truth, predicted, [0.5]) == coco_reference([truth], [predicted], [[0.5]])
    assert COCO_IOU_THRESHOLDS[8] == 0.8999999999999999


def test_more_predictions_than_max_detections_equal_cocoeval_stats0():
    """Default COCOeval (all four area ranges, maxDets 1/10/100): stats[0] keeps 100 predictions per image."""
    rng = np.random.default_rng(5)
    truths = [_boxes(rng, 80, 400), _boxes(rng, 30, 400)]
    predictions = [_predicted(rng, t, 2.0, 0.9, 60) for t in truths]
    scores = [rng.random(len(p)) for p in predictions]
    ground, results = COCO(), COCO()
    ground.dataset = {"images": [{"id": 1}, {"id": 2}], "categories": [{"id": 1}], "annotations": [
        {"id": j + 1 + 1000 * i, "image_id": i + 1, "category_id": 1, "bbox": b, "area": b[2] * b[3], "iscrowd": 0}
        for i, t in enumerate(truths) for j, b in enumerate(xywh(t))]}
    with contextlib.redirect_stdout(io.StringIO()):
        ground.createIndex()
        results = ground.loadRes([{"image_id": i + 1, "category_id": 1, "bbox": b, "score": float(s)}
                                  for i, (p, sc) in enumerate(zip(predictions, scores))
                                  for b, s in zip(xywh(p), sc)])
        evaluation = COCOeval(ground, results, "bbox")
        evaluation.evaluate()
        evaluation.accumulate()
        evaluation.summarize()
    assert len(predictions[0]) > 100
    assert coco_average_precision(truths, predictions, scores, max_detections=100) == evaluation.stats[0]
    assert coco_average_precision(truths, predictions, scores) == coco_reference(truths, predictions, scores)
    assert coco_average_precision(truths, predictions, scores) != evaluation.stats[0]


def test_no_truth_no_predictions_and_empty_images_as_cocoeval():
    box = np.array([[0.0, 0.0, 10.0, 10.0]])
    empty = np.zeros((0, 4))
    # no true box anywhere: COCOeval leaves the AP undefined (-1); bmzcard NaN
    assert math.isnan(coco_average_precision([empty, empty], [box, empty], [[0.9], []]))
    assert math.isnan(coco_reference([empty, empty], [box, empty], [[0.9], []]))
    assert math.isnan(mean_average_precision(empty, empty, []))
    assert math.isnan(average_precision(empty, box, [0.3]))
    # true boxes but no prediction in any image: 0
    assert coco_average_precision([box, box], [empty, empty], [[], []]) == 0.0
    assert coco_reference([box, box], [empty, empty], [[], []]) == 0.0
    # an image without truth still counts: its prediction is a false positive ranked with the others
    pooled = coco_average_precision([box, empty], [box, box + 50], [[0.5], [0.9]])
    assert pooled == coco_reference([box, empty], [box, box + 50], [[0.5], [0.9]])
    # ranks FP (0.9, image 2) then TP (0.5): precision 1/2 at every recall point
    assert pooled == pytest.approx(0.5, abs=1e-12)


def test_boxes_outside_cocos_area_range_are_ignored_as_in_cocoeval():
    """Boxes above 1e10 pixels: a true one is not counted, a prediction matching it neither."""
    rng = np.random.default_rng(6)
    for _ in range(20):
        lower = rng.uniform(0, 1e5, (6, 2))
        truth = np.hstack([lower, lower + rng.choice([1e3, 2e5], (6, 2))])
        predicted = truth * rng.uniform(0.99, 1.01, truth.shape)
        predicted[:, 2:] = np.maximum(predicted[:, 2:], predicted[:, :2])
        score = rng.random(6)
        assert _same(coco_average_precision([truth], [predicted], [score]),
                     coco_reference([truth], [predicted], [score]))


def test_cocos_101_point_interpolation_by_hand():
    truth = [[0, 0, 10, 10], [20, 20, 30, 30]]
    predicted = [[0, 0, 10, 10], [50, 50, 60, 60], [20, 20, 30, 30]]
    # ranks TP, FP, TP: recall 1/2, 1/2, 1 with precision 1, 1/2, 2/3; the envelope is 1 for the
    # 51 recall points 0.00..0.50 and 2/3 for the 50 points 0.51..1.00 (all-point VOC AP: 5/6)
    expected = (51 * 1.0 + 50 * 2 / 3) / 101
    assert average_precision(truth, predicted, [0.9, 0.8, 0.7]) == pytest.approx(expected, abs=1e-12)
    assert mean_average_precision(truth, predicted, [0.9, 0.1, 0.8]) == pytest.approx(1.0, abs=1e-12)


def test_pooled_map_is_not_the_mean_of_per_image_maps():
    box = np.array([[0.0, 0.0, 10.0, 10.0]])
    truths = [box, np.vstack([box, box + 20])]
    predictions = [box + [0, 0, 0, 1], np.vstack([box + 50, box + 20])]
    scores = [[0.5], [0.9, 0.8]]
    pooled = coco_average_precision(truths, predictions, scores)
    per_image = np.mean([mean_average_precision(t, p, s) for t, p, s in zip(truths, predictions, scores)])
    assert pooled == coco_reference(truths, predictions, scores)
    assert abs(pooled - per_image) > 0.05


def test_weighted_pool_equals_cocoeval_on_the_resampled_images():
    """A bootstrap sample (image i drawn w_i times) gives COCOeval's AP of those copies (no equal scores)."""
    rng = np.random.default_rng(8)
    for _ in range(15):
        truths, predictions, scores = _random_images(rng, 5, ties=False)
        pool = CocoPool.of([coco_matches(t, p, s) for t, p, s in zip(truths, predictions, scores)])
        drawn = np.sort(rng.integers(0, 5, 5))
        ours = pool.average_precision(np.bincount(drawn, minlength=5))
        reference = coco_reference([truths[i] for i in drawn], [predictions[i] for i in drawn],
                                   [scores[i] for i in drawn])
        assert _same(ours, reference)


def _huge_boxes(rng, n: int) -> np.ndarray:
    """Boxes below, on (1e5 x 1e5) and above COCO's area range (1e10 pixels): ignored above it."""
    lower = rng.uniform(0, 1e5, (n, 2))
    return np.hstack([lower, lower + rng.choice([1e3, 1e5, 2e5], (n, 2))])


def _jitter_by_size(rng, boxes: np.ndarray) -> np.ndarray:
    """Corner shifts of about a tenth of each box's size: IoUs spread over COCO's thresholds."""
    size = np.tile(boxes[:, 2:] - boxes[:, :2], 2)
    return rng.normal(0, 0.1, boxes.shape) * size


@pytest.mark.parametrize("ties", [False, True])
def test_many_weightings_at_once_equal_one_at_a_time_bit_for_bit(ties):
    """average_precisions (the bootstrap's fast path) against average_precision, the plain COCOeval.accumulate,
    on random pools: empty images, images without truth, tied scores, ignored boxes, images drawn 0 to n times."""
    rng = np.random.default_rng(30 + ties)
    varying = 0  # pools whose thresholds count different predictions (ignored at some thresholds only)
    for case in range(40):
        truths, predictions, scores = _random_images(rng, int(rng.integers(1, 12)), ties)
        if case % 4 == 3:  # boxes outside the area range: thresholds ignore different predictions
            truths[0] = _huge_boxes(rng, 6)
            predictions[0] = truths[0] + _jitter_by_size(rng, truths[0])
            predictions[0][:, 2:] = np.maximum(predictions[0][:, 2:], predictions[0][:, :2])
            scores[0] = rng.random(6)
        pool = CocoPool.of([coco_matches(t, p, s) for t, p, s in zip(truths, predictions, scores)])
        varying += len({row.tobytes() for row in pool.true_positive | pool.false_positive}) > 1
        n = len(truths)
        weights = np.vstack([np.ones(n, dtype=np.int64), np.zeros(n, dtype=np.int64),
                             *(np.bincount(rng.integers(0, n, n), minlength=n) for _ in range(25))])
        expected = np.array([pool.average_precision(w) for w in weights])
        np.testing.assert_array_equal(pool.average_precisions(weights), expected)  # NaN where NaN
        assert math.isnan(expected[1]) and _same(expected[0], pool.average_precision())
    assert varying >= 1


def test_many_weightings_at_once_on_a_larger_pool():
    """Hundreds of images, thousands of ranked predictions: still identical, and COCOeval's on one resample."""
    rng = np.random.default_rng(40)
    truths, predictions, scores = _random_images(rng, 300, ties=False)
    pool = CocoPool.of([coco_matches(t, p, s) for t, p, s in zip(truths, predictions, scores)])
    draws = rng.integers(0, 300, (6, 300))
    weights = np.array([np.bincount(d, minlength=300) for d in draws])
    fast = pool.average_precisions(weights)
    np.testing.assert_array_equal(fast, [pool.average_precision(w) for w in weights])
    drawn = np.sort(draws[0])
    assert fast[0] == coco_reference([truths[i] for i in drawn], [predictions[i] for i in drawn],
                                     [scores[i] for i in drawn])


def test_ap_input_errors():
    box = [[0, 0, 1, 1]]
    with pytest.raises(MetricInputError) as err:
        average_precision(box, box, [0.5, 0.4])
    assert err.value.parameter == "scores"
    with pytest.raises(MetricInputError) as err:
        average_precision(box, box, [math.nan])
    assert err.value.parameter == "scores"
    with pytest.raises(MetricInputError) as err:
        mean_average_precision(box, box, [0.5], max_detections=0)
    assert err.value.parameter == "max_detections"
    with pytest.raises(MetricInputError) as err:
        coco_average_precision([box], [box, box], [[0.5]])
    assert err.value.parameter == "predictions"


# ---------------------------------------------------------------- optimal matching


def _brute_force(distance: np.ndarray, allowed: np.ndarray) -> tuple[int, float]:
    """Most pairs, then least total distance, over every one-to-one matching."""
    n_true, n_pred = distance.shape
    best = (0, 0.0)
    for size in range(1, min(n_true, n_pred) + 1):
        for rows in itertools.combinations(range(n_true), size):
            for cols in itertools.permutations(range(n_pred), size):
                if all(allowed[r, c] for r, c in zip(rows, cols)):
                    total = float(sum(distance[r, c] for r, c in zip(rows, cols)))
                    if size > best[0] or (size == best[0] and total < best[1]):
                        best = (size, total)
    return best


def _assignment(cost: np.ndarray, allowed: np.ndarray) -> tuple[int, float]:
    """scipy's assignment with a bonus per allowed pair large enough that the count wins."""
    bonus = 1.0 + np.abs(cost[allowed]).sum()
    rows, cols = linear_sum_assignment(np.where(allowed, cost - bonus, 0.0))
    keep = allowed[rows, cols]
    return int(keep.sum()), float(cost[rows[keep], cols[keep]].sum())


def test_point_matching_is_the_brute_force_optimum():
    rng = np.random.default_rng(9)
    for _ in range(150):
        truth = rng.uniform(0, 10, (int(rng.integers(0, 6)), 2))
        predicted = rng.uniform(0, 10, (int(rng.integers(0, 6)), 2))
        max_distance = float(rng.uniform(1, 5))
        distance = cdist(truth, predicted) if len(truth) and len(predicted) else np.zeros((len(truth), len(predicted)))
        result = match_points(truth, predicted, max_distance=max_distance)
        count, total = _brute_force(distance, distance <= max_distance)
        assert result["tp"] == count
        assert distance[tuple(result["pairs"].T)].sum() == pytest.approx(total, abs=1e-9)


def test_point_and_box_matching_equal_scipys_assignment_on_larger_cases():
    rng = np.random.default_rng(10)
    for _ in range(40):
        truth = rng.uniform(0, 50, (int(rng.integers(5, 40)), 2))
        predicted = rng.uniform(0, 50, (int(rng.integers(5, 40)), 2))
        distance = cdist(truth, predicted)
        result = match_points(truth, predicted, max_distance=6.0)
        count, total = _assignment(distance, distance <= 6.0)
        assert result["tp"] == count
        assert distance[tuple(result["pairs"].T)].sum() == pytest.approx(total, abs=1e-9)

        boxes_true = _boxes(rng, 25, 60, (5, 15))
        boxes_predicted = _predicted(rng, boxes_true, 3.0, 0.8, 5)
        iou = box_iou(boxes_true, boxes_predicted)
        result = match_boxes(boxes_true, boxes_predicted, threshold=0.3)
        count, total = _assignment(-iou, iou >= 0.3)
        assert result["tp"] == count
        assert iou[tuple(result["pairs"].T)].sum() == pytest.approx(-total, abs=1e-9)


def test_optimal_matching_finds_pairs_that_greedy_nearest_first_misses():
    gt = [[0, 0], [0, 3]]
    pred = [[0, 1.6], [0, 4.5], [10, 10]]
    # the closest pair is gt[1]-pred[0] (1.4); taking it first leaves gt[0] without a partner
    # (pred[1] is 4.5 away). Within 1.6 the optimal matching pairs gt[0]-pred[0] (1.6) and
    # gt[1]-pred[1] (1.5) instead; within 1.5 gt[0] has no candidate and one match is all there is
    res = match_points(gt, pred, max_distance=1.6)
    assert (res["tp"], res["fp"], res["fn"]) == (2, 1, 0)
    assert res["precision"] == pytest.approx(2 / 3)
    assert res["recall"] == 1.0
    res = match_points(gt, pred, max_distance=1.5)
    assert res["tp"] == 1


def test_points_prefer_smaller_total_distance():
    gt = [[0, 0], [0, 2]]
    pred = [[0, 1], [0, 2.1]]
    res = match_points(gt, pred, max_distance=2.0)
    pairs = {tuple(p) for p in res["pairs"].tolist()}
    assert pairs == {(0, 0), (1, 1)}


def test_points_spacing():
    gt = [[0, 0, 0]]
    pred = [[1, 0, 0]]
    assert match_points(gt, pred, max_distance=1.0)["tp"] == 1
    assert match_points(gt, pred, max_distance=1.0, spacing=(2.0, 1.0, 1.0))["tp"] == 0


def test_box_iou_hand():
    a = [[0, 0, 2, 2]]
    b = [[1, 1, 3, 3], [0, 0, 2, 2], [5, 5, 6, 6]]
    np.testing.assert_allclose(box_iou(a, b), [[1 / 7, 1.0, 0.0]])


def test_match_boxes():
    gt = [[0, 0, 10, 10], [20, 20, 30, 30]]
    pred = [[0, 0, 10, 11], [20, 25, 30, 35]]  # IoU 10/11 and 50/150
    assert match_boxes(gt, pred, threshold=0.5)["tp"] == 1
    assert match_boxes(gt, pred, threshold=1 / 3)["tp"] == 2  # IoU == t counts


def test_empty_detection():
    empty = np.zeros((0, 4))
    assert match_boxes(empty, empty)["f1"] == 1.0
    assert match_boxes([[0, 0, 1, 1]], empty)["recall"] == 0.0
    assert average_precision([[0, 0, 1, 1]], empty, []) == 0.0
    assert detection_scores(np.zeros((0, 2)), [[1, 1]], max_distance=2)["precision"] == 0.0
    assert math.isnan(detection_scores(empty, [[0, 0, 1, 1]], scores=[0.5])["map"])


def test_errors():
    with pytest.raises(MetricInputError) as err:
        box_iou([[0, 0, 1]], [[0, 0, 1, 1]])
    assert err.value.parameter == "ground_truth"
    with pytest.raises(MetricInputError) as err:
        match_boxes([[2, 2, 1, 1]], [[0, 0, 1, 1]])
    assert "upper corner" in str(err.value)
