"""Detection metrics on hand-computed cases."""

from __future__ import annotations

import numpy as np
import pytest

from bmzcard.metrics import MetricInputError
from bmzcard.metrics.detection import (
    average_precision,
    box_iou,
    detection_scores,
    match_boxes,
    match_points,
    mean_average_precision,
)


def test_points_matched_optimally_within_distance():
    gt = [[0, 0], [0, 3]]
    pred = [[0, 1.6], [0, 4.5], [10, 10]]
    # greedy from gt[0] would take pred[0] (1.6) and leave gt[1] with
    # pred[1] (1.5): both fit; with max_distance 1.5 only the optimal
    # assignment finds two matches
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


def test_ranked_average_precision_hand():
    gt = [[0, 0, 10, 10], [20, 20, 30, 30]]
    pred = [[0, 0, 10, 10], [50, 50, 60, 60], [20, 20, 30, 30]]
    scores = [0.9, 0.8, 0.7]
    # ranks: TP, FP, TP -> precision 1, 1/2, 2/3 at recall 1/2, 1/2, 1
    # envelope: 1 up to recall 1/2, then 2/3 -> AP = 0.5 + 0.5 * 2/3
    assert average_precision(gt, pred, scores) == pytest.approx(0.5 + 1 / 3)
    assert average_precision(gt, pred, [0.9, 0.1, 0.8]) == pytest.approx(1.0)
    assert mean_average_precision(gt, pred, [0.9, 0.1, 0.8]) == pytest.approx(1.0)


def test_empty_detection():
    empty = np.zeros((0, 4))
    assert match_boxes(empty, empty)["f1"] == 1.0
    assert match_boxes([[0, 0, 1, 1]], empty)["recall"] == 0.0
    assert average_precision(empty, empty, []) == 1.0
    assert average_precision([[0, 0, 1, 1]], empty, []) == 0.0
    assert detection_scores(np.zeros((0, 2)), [[1, 1]], max_distance=2)["precision"] == 0.0


def test_errors():
    with pytest.raises(MetricInputError) as err:
        box_iou([[0, 0, 1]], [[0, 0, 1, 1]])
    assert err.value.parameter == "ground_truth"
    with pytest.raises(MetricInputError) as err:
        match_boxes([[2, 2, 1, 1]], [[0, 0, 1, 1]])
    assert "upper corner" in str(err.value)
    with pytest.raises(MetricInputError) as err:
        average_precision([[0, 0, 1, 1]], [[0, 0, 1, 1]], [0.5, 0.4])
    assert err.value.parameter == "scores"
