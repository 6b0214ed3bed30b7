"""pycocotools' COCOeval as the reference of bmzcard's box AP (bmzcard boxes converted to COCO's x, y, w, h)."""

from __future__ import annotations

import contextlib
import io
import math

import numpy as np
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval


def xywh(boxes) -> list[list[float]]:
    """bmzcard boxes (y_min, x_min, y_max, x_max) as COCO's [x, y, w, h]."""
    return [[x0, y0, x1 - x0, y1 - y0] for y0, x0, y1, x1 in np.asarray(boxes, float).reshape(-1, 4).tolist()]


def coco_reference(truths, predictions, scores, *, thresholds=None, max_detections=None) -> float:
    """pycocotools' mAP of images 1..n: the mean of the precision COCOeval accumulates (-1 -> NaN).

    Area range "all" and ``maxDets=[max_detections]`` (default: the largest
    prediction count, i.e. every prediction ranked); this is ``stats[0]``'s
    computation with those parameters.
    """
    images = [{"id": i + 1} for i in range(len(truths))]
    annotations, detections = [], []
    for index, (truth, predicted, score) in enumerate(zip(truths, predictions, scores)):
        for box in xywh(truth):
            annotations.append({"id": len(annotations) + 1, "image_id": index + 1, "category_id": 1,
                                "bbox": box, "area": box[2] * box[3], "iscrowd": 0})
        for box, s in zip(xywh(predicted), np.asarray(score, float).reshape(-1).tolist()):
            detections.append({"id": len(detections) + 1, "image_id": index + 1, "category_id": 1,
                               "bbox": box, "area": box[2] * box[3], "iscrowd": 0, "score": s})
    counts = [np.asarray(s).size for s in scores]
    with contextlib.redirect_stdout(io.StringIO()):
        ground, results = COCO(), COCO()
        ground.dataset = {"images": images, "annotations": annotations, "categories": [{"id": 1}]}
        results.dataset = {"images": images, "annotations": detections, "categories": [{"id": 1}]}
        ground.createIndex()
        results.createIndex()
        evaluation = COCOeval(ground, results, "bbox")
        if thresholds is not None:
            evaluation.params.iouThrs = np.atleast_1d(np.asarray(thresholds, dtype=float))
        evaluation.params.maxDets = [max_detections or max(counts + [1])]
        evaluation.params.areaRng, evaluation.params.areaRngLbl = [[0, 1e10]], ["all"]
        evaluation.evaluate()
        evaluation.accumulate()
    precision = evaluation.eval["precision"][:, :, 0, 0, 0]
    precision = precision[precision > -1]
    return float(np.mean(precision)) if precision.size else math.nan
