"""Object detection metrics: points matched by distance, boxes by IoU.

Points are arrays of shape ``(n, ndim)`` in pixel coordinates (scaled by
``spacing``). Boxes are arrays of shape ``(n, 2 * ndim)`` holding the lower
corner then the upper corner in array axis order, e.g. ``(y0, x0, y1, x1)``
in 2D, in continuous coordinates (a box's size is ``upper - lower``).

Two kinds of numbers:

- Counts at one localization criterion (:func:`match_points`,
  :func:`match_boxes`): the matching is one-to-one and **optimal** (most
  matches, then the smallest total distance or the largest total IoU);
  precision, recall and F1 follow from TP/FP/FN as for instances.
- COCO average precision of scored boxes (:func:`coco_average_precision`
  and its one-image forms :func:`average_precision`,
  :func:`mean_average_precision`): identical to pycocotools' ``COCOeval``
  (bbox, one category, area range "all"): **greedy** matching in score
  order, 101-point interpolated precision, images pooled.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

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

__all__ = [
    "COCO_IOU_THRESHOLDS",
    "CocoMatches",
    "average_precision",
    "box_iou",
    "CocoPool",
    "coco_average_precision",
    "coco_matches",
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

    Computed as COCO's ``bbIou`` (from each box's corner and size), so that
    an IoU on a threshold compares as in COCOeval. Boxes that do not overlap
    with a positive volume, empty boxes included, have IoU 0.
    """
    a, b = _check_box_pair(boxes_a, boxes_b)
    return _iou(a, b)


def _iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    half = a.shape[1] // 2
    size_a, size_b = a[:, half:] - a[:, :half], b[:, half:] - b[:, :half]
    overlap = (np.minimum((a[:, :half] + size_a)[:, None], (b[:, :half] + size_b)[None])
               - np.maximum(a[:, None, :half], b[None, :, :half]))
    inter = np.prod(overlap, axis=-1)
    union = np.prod(size_a, axis=1)[:, None] + np.prod(size_b, axis=1)[None, :] - inter
    out = np.zeros(inter.shape)
    np.divide(inter, union, out=out, where=np.all(overlap > 0, axis=-1))
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
    iou = _iou(gt, pred)
    rows, cols = np.nonzero((iou >= threshold) & (iou > 0))
    chosen = max_matching(rows, cols, iou[rows, cols], gt.shape[0], pred.shape[0])
    out = _counts(int(chosen.size), gt.shape[0], pred.shape[0])
    out["pairs"] = np.stack([rows[chosen], cols[chosen]], axis=1)
    return out


#: COCOeval's IoU thresholds 0.50:0.05:0.95, computed as COCOeval computes them
#: (``np.linspace``: the ninth is 0.8999999999999999, not 0.9), so that an IoU
#: on a threshold is a match exactly when it is one for COCOeval.
COCO_IOU_THRESHOLDS: tuple[float, ...] = tuple(float(t) for t in np.linspace(0.5, 0.95, 10))
#: The 101 recall points 0:0.01:1 at which COCOeval reads the precision envelope.
COCO_RECALL_POINTS = np.linspace(0.0, 1.0, 101)
#: COCOeval's area range "all", [0, 1e5**2] pixels: boxes outside it are ignored.
COCO_AREA_RANGE = (0.0, 1e10)
#: COCOeval's default limit of predictions per image (the 100 of ``stats[0]``).
COCO_MAX_DETECTIONS = 100


@dataclass(frozen=True)
class CocoMatches:
    """One image's scored boxes matched as COCOeval matches them.

    Attributes
    ----------
    scores : ndarray, shape (d,)
        The kept predictions' scores, highest first (ties in input order).
    matched : ndarray of bool, shape (n_thresholds, d)
        Whether each prediction matched a true box at each IoU threshold.
    ignored : ndarray of bool, shape (n_thresholds, d)
        Predictions that count neither as TP nor FP: matched to an ignored
        true box, or unmatched and outside the area range.
    n_true : int
        True boxes inside the area range (the recall's denominator).
    """

    scores: np.ndarray
    matched: np.ndarray
    ignored: np.ndarray
    n_true: int


def _check_scores(scores, n_pred: int) -> np.ndarray:
    conf = as_array(scores, "scores").astype(np.float64).reshape(-1)
    if conf.size != n_pred:
        raise MetricInputError("scores", f"scores has {conf.size} values but there are {n_pred} predicted boxes")
    if not np.all(np.isfinite(conf)):
        raise MetricInputError("scores", "scores contains NaN or infinite values")
    return conf


def _check_max_detections(max_detections) -> int | None:
    if max_detections is None:
        return None
    if isinstance(max_detections, bool) or not float(max_detections).is_integer() or max_detections < 1:
        raise MetricInputError("max_detections", f"max_detections must be a positive integer or None, "
                               f"got {max_detections!r}")
    return int(max_detections)


def _outside_area_range(boxes: np.ndarray) -> np.ndarray:
    half = boxes.shape[1] // 2
    area = np.prod(boxes[:, half:] - boxes[:, :half], axis=1)
    return (area < COCO_AREA_RANGE[0]) | (area > COCO_AREA_RANGE[1])


def coco_matches(ground_truth, prediction, scores, *, thresholds=COCO_IOU_THRESHOLDS,
                 max_detections: int | None = None) -> CocoMatches:
    """Match one image's scored boxes to its true boxes as COCOeval does.

    Parameters
    ----------
    ground_truth, prediction : array_like, shape (n, 2*ndim)
        True and predicted boxes, lower corner then upper corner.
    scores : array_like, shape (m,)
        Confidence of each predicted box.
    thresholds : float or sequence of float
        IoU thresholds; default :data:`COCO_IOU_THRESHOLDS`.
    max_detections : int or None
        Keep only the highest-scored predictions of the image (COCOeval's
        ``maxDets``; its ``stats[0]`` uses :data:`COCO_MAX_DETECTIONS`);
        None keeps all (COCOeval with ``maxDets`` at least the count).

    Returns
    -------
    CocoMatches

    Notes
    -----
    As ``COCOeval.evaluateImg``: predictions are taken by decreasing score
    (stable: ties in input order); at each threshold t each takes, among the
    true boxes not yet taken with ``IoU >= min(t, 1 - 1e-10)``, the one of
    highest IoU (the last of equal ones), preferring true boxes inside the
    area range; a prediction with none is a false positive. This greedy
    matching can find fewer pairs than :func:`match_boxes`' optimal one.
    """
    gt, pred = _check_box_pair(ground_truth, prediction)
    conf = _check_scores(scores, pred.shape[0])
    limits = np.minimum(np.asarray(check_thresholds(thresholds)), 1 - 1e-10)
    keep = np.argsort(-conf, kind="mergesort")[:_check_max_detections(max_detections)]
    pred, conf = pred[keep], conf[keep]
    true_ignored = _outside_area_range(gt)
    n_thr, n_pred, n_true = limits.size, pred.shape[0], gt.shape[0]
    matched = np.zeros((n_thr, n_pred), dtype=bool)
    on_ignored = np.zeros((n_thr, n_pred), dtype=bool)
    if n_true and n_pred:
        iou = _iou(pred, gt)
        taken = np.zeros((n_thr, n_true), dtype=bool)
        every = np.arange(n_thr)
        any_ignored = bool(true_ignored.any())
        for k in range(n_pred):
            fits = (iou[k] >= limits[:, None]) & ~taken
            if any_ignored:  # an ignored true box only when no regular one fits
                regular = fits & ~true_ignored
                fits = np.where(regular.any(axis=1, keepdims=True), regular, fits)
            best = np.where(fits, iou[k], -1.0)
            chosen = n_true - 1 - np.argmax(best[:, ::-1], axis=1)  # the last of equal IoUs
            hit = fits[every, chosen]
            taken[every[hit], chosen[hit]] = True
            matched[:, k] = hit
            on_ignored[:, k] = hit & true_ignored[chosen]
    ignored = on_ignored | (~matched & _outside_area_range(pred)[None, :])
    return CocoMatches(conf, matched, ignored, int(np.count_nonzero(~true_ignored)))


@dataclass(frozen=True)
class CocoPool:
    """Images' :class:`CocoMatches` ranked together, as ``COCOeval.accumulate`` pools them.

    Attributes
    ----------
    true_positive, false_positive : ndarray of bool, shape (n_thresholds, n)
        Each prediction of every image, by decreasing score (stable, images
        in the given order); ignored predictions are neither.
    image : ndarray of int, shape (n,)
        The image of each ranked prediction.
    n_true : ndarray of int
        True boxes (inside the area range) per image.
    """

    true_positive: np.ndarray
    false_positive: np.ndarray
    image: np.ndarray
    n_true: np.ndarray

    @classmethod
    def of(cls, matches: Sequence[CocoMatches]) -> CocoPool:
        """Rank the predictions of ``matches`` (one per image, all at the same thresholds) together."""
        order = np.argsort(-np.concatenate([m.scores for m in matches]), kind="mergesort")
        matched = np.concatenate([m.matched for m in matches], axis=1)[:, order]
        ignored = np.concatenate([m.ignored for m in matches], axis=1)[:, order]
        image = np.repeat(np.arange(len(matches)), [m.scores.size for m in matches])[order]
        return cls(matched & ~ignored, ~matched & ~ignored, image, np.array([m.n_true for m in matches], dtype=np.int64))

    def precision(self, weights=None) -> np.ndarray | None:
        """COCOeval's interpolated precision, shape ``(n_thresholds, 101)``.

        Parameters
        ----------
        weights : sequence of int, optional
            How often each image counts (a bootstrap sample); default once each.

        Returns
        -------
        ndarray or None
            Precision at the :data:`COCO_RECALL_POINTS`; None when the images
            have no true box (COCOeval: -1, undefined).

        Notes
        -----
        As ``COCOeval.accumulate``: TP and FP accumulate over the ranks,
        precision ``TP / (TP + FP + eps)`` is made non-increasing from the
        right, and each recall point takes it at the first rank whose recall
        reaches the point (0 beyond the last recall). An image counted w
        times adds w times its TP, FP and true boxes at each of its ranks:
        the numbers of w copies of the image (up to the order of equal scores).
        """
        if weights is None:
            n_true = int(self.n_true.sum())
            tp = np.cumsum(self.true_positive, axis=1).astype(float)
            fp = np.cumsum(self.false_positive, axis=1).astype(float)
        else:
            weights = np.asarray(weights, dtype=np.int64)
            n_true = int(weights @ self.n_true)
            counts = weights[self.image]
            tp = np.cumsum(self.true_positive * counts, axis=1).astype(float)
            fp = np.cumsum(self.false_positive * counts, axis=1).astype(float)
        if n_true == 0:
            return None
        recall = tp / n_true
        precision = tp / (fp + tp + np.spacing(1))
        envelope = np.maximum.accumulate(precision[:, ::-1], axis=1)[:, ::-1]
        out = np.zeros((tp.shape[0], COCO_RECALL_POINTS.size))
        for t in range(tp.shape[0]):
            at = np.searchsorted(recall[t], COCO_RECALL_POINTS, side="left")
            inside = at < tp.shape[1]
            out[t, inside] = envelope[t, at[inside]]
        return out

    def average_precision(self, weights=None) -> float:
        """Mean of :meth:`precision` over thresholds and recall points; NaN without true boxes."""
        precision = self.precision(weights)
        return math.nan if precision is None else float(np.mean(precision.ravel()))

    def average_precisions(self, weights) -> np.ndarray:
        """:meth:`average_precision` of many weightings (bootstrap samples) at once, faster.

        Parameters
        ----------
        weights : array_like of int, shape (n_samples, n_images)
            How often each image counts in each sample.

        Returns
        -------
        ndarray, shape (n_samples,)
            Identical, bit for bit, to ``[self.average_precision(w) for w in weights]``.

        Notes
        -----
        Recall grows only at true positives, and a false or ignored
        prediction never raises the precision, so the precision envelope read
        at the recall points is the running maximum over the true positives
        alone: a sample needs one cumulative count of its ranked predictions
        and, per threshold, sums over that threshold's true positives, where
        :meth:`precision` accumulates every rank twice per threshold.
        """
        positives, images, counted, group = self._ranked_positives
        out = np.full(len(weights), math.nan)
        for sample, weight in enumerate(np.asarray(weights, dtype=np.int64)):
            n_true = int(weight @ self.n_true)
            if n_true == 0:
                continue
            needed = _true_positives_needed(n_true)
            counts = weight[self.image]
            # predictions counted up to each rank: TP + FP of precision(), exact in floats
            counted_so_far = [np.cumsum(counts if mask is None else counts * mask).astype(float) for mask in counted]
            precision = np.zeros((len(positives), COCO_RECALL_POINTS.size))
            for t, ranks in enumerate(positives):
                tp = np.cumsum(weight[images[t]])
                at_ranks = tp / (counted_so_far[group[t]][ranks] + np.spacing(1))
                at = np.searchsorted(tp, needed, side="left")  # the first rank reaching each recall point
                reached = at < ranks.size
                if reached.any():  # each recall point takes the largest precision from its rank on
                    tail = np.maximum.reduceat(at_ranks, at[reached])
                    precision[t, reached] = np.maximum.accumulate(tail[::-1])[::-1]
            out[sample] = np.mean(precision.ravel())
        return out

    @cached_property
    def _ranked_positives(self) -> tuple[list[np.ndarray], list[np.ndarray], list[np.ndarray | None], list[int]]:
        """Per threshold the true positives' ranks and images; the distinct masks of counted predictions
        (None: every prediction counts) and which of them each threshold uses."""
        positives = [np.flatnonzero(row) for row in self.true_positive]
        counted: dict[bytes, int] = {}
        masks, group = [], []
        for row in self.true_positive | self.false_positive:
            key = row.tobytes()
            if key not in counted:
                counted[key] = len(masks)
                masks.append(None if row.all() else row)
            group.append(counted[key])
        return positives, [self.image[r] for r in positives], masks, group


def _true_positives_needed(n_true: int) -> np.ndarray:
    """The least TP count whose recall ``TP / n_true`` (a float, as COCOeval divides) reaches each recall point."""
    k = np.ceil(COCO_RECALL_POINTS * n_true).astype(np.int64)
    k = np.where((k - 1) / n_true >= COCO_RECALL_POINTS, k - 1, k)
    return np.where(k / n_true >= COCO_RECALL_POINTS, k, k + 1)


def coco_average_precision(ground_truths, predictions, scores, *, thresholds=COCO_IOU_THRESHOLDS,
                           max_detections: int | None = None) -> float:
    """COCO AP of a set of images, pooled: identical to pycocotools' COCOeval.

    Parameters
    ----------
    ground_truths, predictions : sequence of array_like, shape (n_i, 2*ndim)
        True and predicted boxes of each image.
    scores : sequence of array_like, shape (m_i,)
        Confidence of each predicted box of each image.
    thresholds : float or sequence of float
        IoU thresholds; default :data:`COCO_IOU_THRESHOLDS` (mAP@[.50:.95]).
    max_detections : int or None
        See :func:`coco_matches`; None keeps every prediction.

    Returns
    -------
    float
        The mean over thresholds and the 101 recall points of the
        interpolated precision of all images' predictions ranked together
        (:meth:`CocoPool.precision`). 2D boxes: equal to COCOeval (bbox, one
        category, area range "all", ``maxDets=[max_detections]``) on boxes
        ``[x_min, y_min, x_max - x_min, y_max - y_min]`` (``stats[0]`` for
        the default thresholds and ``max_detections=100``). 3D boxes get the
        same rules with volumes. NaN when no image has a true box (COCOeval
        reports -1). Images without true boxes still count: their
        predictions are false positives.

    Notes
    -----
    Pooled AP is not the mean of per-image APs: every prediction is ranked
    against all others, so an image with many objects weighs more.

    References
    ----------
    .. [1] Lin, T.-Y. et al. (2014). Microsoft COCO: Common Objects in
       Context. ECCV. :doi:`10.1007/978-3-319-10602-1_48`; evaluation code:
       https://github.com/cocodataset/cocoapi (``PythonAPI/pycocotools/cocoeval.py``)
    """
    if not len(ground_truths) == len(predictions) == len(scores):
        raise MetricInputError("predictions", f"{len(ground_truths)} ground truths, {len(predictions)} "
                               f"predictions and {len(scores)} score lists: one of each per image")
    if not len(ground_truths):
        raise MetricInputError("ground_truths", "no images: AP needs at least one image's boxes")
    thresholds = check_thresholds(thresholds)
    matches = [coco_matches(g, p, s, thresholds=thresholds, max_detections=max_detections)
               for g, p, s in zip(ground_truths, predictions, scores)]
    return CocoPool.of(matches).average_precision()


def average_precision(ground_truth, prediction, scores, *, threshold: float = 0.5,
                      max_detections: int | None = None) -> float:
    """COCO AP of one image's scored boxes at one IoU threshold (COCOeval's AP50 at 0.5).

    See :func:`coco_average_precision` (one image, one threshold). This is
    COCO's AP, unlike the instance segmentation ``ap`` (``TP/(TP+FP+FN)``).
    NaN when the image has no true box.
    """
    return coco_average_precision([ground_truth], [prediction], [scores], thresholds=threshold,
                                  max_detections=max_detections)


def mean_average_precision(ground_truth, prediction, scores, *, thresholds=COCO_IOU_THRESHOLDS,
                           max_detections: int | None = None) -> float:
    """COCO mAP@[.50:.95] of one image's scored boxes: :func:`coco_average_precision` of one image."""
    return coco_average_precision([ground_truth], [prediction], [scores], thresholds=thresholds,
                                  max_detections=max_detections)


def detection_scores(ground_truth, prediction, *, scores=None, max_distance=None, threshold=0.5, spacing=None) -> dict:
    """Precision, recall, F1 (and mAP for scored boxes) of one image.

    Points are matched by distance when ``max_distance`` is given, else the
    inputs are boxes matched at ``IoU >= threshold`` (optimal matching).
    ``map`` is only returned for boxes with ``scores`` (it is undefined
    without them): :func:`mean_average_precision`, COCO's mAP@[.50:.95] of
    the image with every prediction ranked, NaN when the image has no true box.
    """
    if max_distance is not None:
        res = match_points(ground_truth, prediction, max_distance=max_distance, spacing=spacing)
    else:
        res = match_boxes(ground_truth, prediction, threshold=threshold)
    out = {k: float(res[k]) for k in ("precision", "recall", "f1")}
    if scores is not None and max_distance is None:
        out["map"] = mean_average_precision(ground_truth, prediction, scores)
    return out
