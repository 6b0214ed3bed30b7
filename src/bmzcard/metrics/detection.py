"""Object detection metrics: points matched by distance, boxes by IoU.

Points are arrays of shape ``(n, ndim)`` in pixel coordinates (scaled by
``spacing``). Boxes are arrays of shape ``(n, 2 * ndim)`` holding the lower
corner then the upper corner in array axis order, e.g. ``(y0, x0, y1, x1)``
in 2D, in continuous coordinates (a box's size is ``upper - lower``).

Matching is one-to-one and optimal (most matches, then the smallest total
distance or the largest total IoU). Precision, recall and F1 follow from
TP/FP/FN as for instances. ``average_precision`` is the ranked (COCO-style)
AP that needs a confidence score per prediction; ``mean_average_precision``
averages it over IoU thresholds 0.50:0.05:0.95.
"""

from __future__ import annotations

import numpy as np
from scipy.spatial import cKDTree

from ._checks import (
    MetricInputError,
    as_array,
    check_positive,
    check_spacing,
    check_thresholds,
)
from ._matching import max_matching
from .instance import DEFAULT_THRESHOLDS

__all__ = [
    "average_precision",
    "box_iou",
    "detection_scores",
    "match_boxes",
    "match_points",
    "mean_average_precision",
]


def _check_points(points, name: str, ndim: int | None = None) -> np.ndarray:
    arr = as_array(points, name).astype(np.float64, copy=False)
    if arr.size == 0:
        return arr if arr.ndim == 2 else arr.reshape(0, 0)
    if arr.ndim != 2:
        raise MetricInputError(name, f"{name} must have shape (n, ndim), got {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise MetricInputError(name, f"{name} contains NaN or infinite coordinates")
    return arr


def _check_point_pair(ground_truth, prediction):
    gt = _check_points(ground_truth, "ground_truth")
    pred = _check_points(prediction, "prediction")
    nd = max(gt.shape[1], pred.shape[1])
    gt = np.zeros((0, nd)) if gt.shape[0] == 0 else gt
    pred = np.zeros((0, nd)) if pred.shape[0] == 0 else pred
    if gt.shape[1] != pred.shape[1]:
        raise MetricInputError(
            "prediction",
            f"prediction points have {pred.shape[1]} coordinates but ground_truth points have {gt.shape[1]}",
        )
    return gt, pred


def _check_box_pair(ground_truth, prediction):
    for name, value in (("ground_truth", ground_truth), ("prediction", prediction)):
        arr = _check_points(value, name)
        if arr.shape[0] and arr.shape[1] % 2:
            raise MetricInputError(name, f"{name} boxes need 2*ndim columns, got {arr.shape[1]}")
    gt, pred = _check_point_pair(ground_truth, prediction)
    for name, arr in (("ground_truth", gt), ("prediction", pred)):
        half = arr.shape[1] // 2
        if np.any(arr[:, half:] < arr[:, :half]):
            raise MetricInputError(name, f"{name} has a box whose upper corner is below its lower corner")
    return gt, pred


def box_iou(boxes_a, boxes_b) -> np.ndarray:
    """Pairwise IoU of two sets of axis-aligned boxes, shape ``(n_a, n_b)``.

    Two empty (zero-volume) boxes have IoU 0.
    """
    a, b = _check_box_pair(boxes_a, boxes_b)
    half = a.shape[1] // 2
    lo = np.maximum(a[:, None, :half], b[None, :, :half])
    hi = np.minimum(a[:, None, half:], b[None, :, half:])
    inter = np.prod(np.clip(hi - lo, 0, None), axis=-1)
    vol_a = np.prod(a[:, half:] - a[:, :half], axis=1)
    vol_b = np.prod(b[:, half:] - b[:, :half], axis=1)
    union = vol_a[:, None] + vol_b[None, :] - inter
    out = np.zeros_like(inter)
    np.divide(inter, union, out=out, where=union > 0)
    return out


def _counts(tp: int, n_true: int, n_pred: int) -> dict:
    fp, fn = n_pred - tp, n_true - tp
    if n_true == 0 and n_pred == 0:
        p = r = f = 1.0
    elif tp == 0:
        p = r = f = 0.0
    else:
        p, r, f = tp / (tp + fp), tp / (tp + fn), 2 * tp / (2 * tp + fp + fn)
    return {"tp": tp, "fp": fp, "fn": fn, "n_true": n_true, "n_pred": n_pred,
            "precision": p, "recall": r, "f1": f}


def _point_edges(gt, pred, max_distance, scale):
    if gt.shape[0] == 0 or pred.shape[0] == 0:
        empty = np.zeros(0, dtype=np.intp)
        return empty, empty, np.zeros(0)
    tree_g = cKDTree(gt * scale)
    tree_p = cKDTree(pred * scale)
    dist = tree_g.sparse_distance_matrix(tree_p, max_distance, output_type="coo_matrix")
    return dist.row.astype(np.intp), dist.col.astype(np.intp), dist.data


def match_points(ground_truth, prediction, *, max_distance: float, spacing=None) -> dict:
    """Match points one-to-one within ``max_distance`` and count TP/FP/FN.

    Parameters
    ----------
    ground_truth, prediction : array_like, shape (n, ndim)
        Point coordinates (e.g. object centres) in pixels.
    max_distance : float
        Largest distance of a match, in the unit of ``spacing``.
    spacing : float or sequence of float, optional
        Pixel size per axis; default 1.

    Returns
    -------
    dict
        ``tp``, ``fp``, ``fn``, ``n_true``, ``n_pred``, ``precision``,
        ``recall``, ``f1`` and ``pairs`` (matched (gt, pred) indices).

    Notes
    -----
    A pair is a candidate when its distance is ``<= max_distance``; the
    matching maximizes the number of pairs, then minimizes their summed
    distance. No points in either set -> precision = recall = F1 = 1.0;
    otherwise ``TP = 0`` gives 0.0.
    """
    gt, pred = _check_point_pair(ground_truth, prediction)
    max_distance = check_positive(max_distance, "max_distance", allow_zero=True)
    scale = check_spacing(spacing, gt.shape[1]) if gt.shape[1] else np.ones(0)
    rows, cols, dist = _point_edges(gt, pred, max_distance, scale)
    # score in (0, 1]: larger for closer pairs, so max score = min distance
    score = 1.0 - dist / (2.0 * max_distance + 1.0)
    chosen = max_matching(rows, cols, score, gt.shape[0], pred.shape[0])
    out = _counts(int(chosen.size), gt.shape[0], pred.shape[0])
    out["pairs"] = np.stack([rows[chosen], cols[chosen]], axis=1)
    return out


def match_boxes(ground_truth, prediction, *, threshold: float = 0.5) -> dict:
    """Match boxes one-to-one at ``IoU >= threshold`` and count TP/FP/FN.

    Parameters
    ----------
    ground_truth, prediction : array_like, shape (n, 2*ndim)
        Boxes as lower corner then upper corner.
    threshold : float
        IoU threshold in [0, 1]; default 0.5.

    Returns
    -------
    dict
        As :func:`match_points`.

    Notes
    -----
    The matching maximizes the number of pairs, then their summed IoU.
    """
    gt, pred = _check_box_pair(ground_truth, prediction)
    (threshold,) = check_thresholds(threshold, "threshold")
    iou = box_iou(gt, pred) if gt.shape[0] and pred.shape[0] else np.zeros((gt.shape[0], pred.shape[0]))
    rows, cols = np.nonzero((iou >= threshold) & (iou > 0))
    chosen = max_matching(rows, cols, iou[rows, cols], gt.shape[0], pred.shape[0])
    out = _counts(int(chosen.size), gt.shape[0], pred.shape[0])
    out["pairs"] = np.stack([rows[chosen], cols[chosen]], axis=1)
    return out


def average_precision(ground_truth, prediction, scores, *, threshold: float = 0.5) -> float:
    """Ranked average precision of scored boxes at one IoU threshold.

    Parameters
    ----------
    ground_truth : array_like, shape (n, 2*ndim)
        True boxes.
    prediction : array_like, shape (m, 2*ndim)
        Predicted boxes.
    scores : array_like, shape (m,)
        Confidence of each predicted box.
    threshold : float
        IoU threshold; default 0.5.

    Returns
    -------
    float
        Area under the precision-recall curve with all-point interpolation
        (PASCAL VOC 2010+): predictions are taken in decreasing score order
        (ties: input order); each is a TP if it has ``IoU >= threshold`` with
        a not yet matched true box (the one with the largest IoU), else FP.

    Notes
    -----
    This is COCO/VOC's AP, unlike the instance segmentation ``ap`` (which is
    ``TP/(TP+FP+FN)``). No true and no predicted boxes -> 1.0; true boxes but
    no predictions, or predictions but no true boxes -> 0.0.

    References
    ----------
    .. [1] Everingham, M. et al. (2010). The PASCAL Visual Object Classes
       (VOC) Challenge. IJCV 88, 303-338. :doi:`10.1007/s11263-009-0275-4`
    """
    gt, pred = _check_box_pair(ground_truth, prediction)
    conf = as_array(scores, "scores").astype(np.float64).reshape(-1)
    if conf.size != pred.shape[0]:
        raise MetricInputError("scores", f"scores has {conf.size} values but there are {pred.shape[0]} predicted boxes")
    (threshold,) = check_thresholds(threshold, "threshold")
    n_true = gt.shape[0]
    if n_true == 0 and pred.shape[0] == 0:
        return 1.0
    if n_true == 0 or pred.shape[0] == 0:
        return 0.0
    iou = box_iou(gt, pred)
    order = np.argsort(-conf, kind="stable")
    taken = np.zeros(n_true, dtype=bool)
    hit = np.zeros(order.size, dtype=bool)
    for rank, j in enumerate(order):
        column = np.where(taken, -1.0, iou[:, j])
        i = int(np.argmax(column))
        if column[i] >= threshold and column[i] > 0:
            taken[i] = True
            hit[rank] = True
    tp = np.cumsum(hit)
    fp = np.cumsum(~hit)
    recall = tp / n_true
    precision = tp / (tp + fp)
    # precision envelope, then sum over the recall steps
    envelope = np.maximum.accumulate(precision[::-1])[::-1]
    steps = np.diff(np.concatenate(([0.0], recall)))
    return float(np.sum(steps * envelope))


def mean_average_precision(ground_truth, prediction, scores, *, thresholds=DEFAULT_THRESHOLDS) -> float:
    """Mean of :func:`average_precision` over IoU thresholds (default 0.50:0.05:0.95)."""
    thresholds = check_thresholds(thresholds)
    return float(np.mean([
        average_precision(ground_truth, prediction, scores, threshold=t) for t in thresholds
    ]))


def detection_scores(ground_truth, prediction, *, scores=None, max_distance=None, threshold=0.5, spacing=None) -> dict:
    """Precision, recall, F1 (and mAP for scored boxes) of one image.

    Points are matched by distance when ``max_distance`` is given, else the
    inputs are boxes matched at ``IoU >= threshold``. ``map`` is only
    returned for boxes with ``scores`` (it is undefined without them).
    """
    if max_distance is not None:
        res = match_points(ground_truth, prediction, max_distance=max_distance, spacing=spacing)
    else:
        res = match_boxes(ground_truth, prediction, threshold=threshold)
    out = {k: float(res[k]) for k in ("precision", "recall", "f1")}
    if scores is not None and max_distance is None:
        out["map"] = mean_average_precision(ground_truth, prediction, scores)
    return out
