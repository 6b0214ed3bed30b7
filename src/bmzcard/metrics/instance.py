"""Instance segmentation metrics: one-to-one matching of labelled objects.

Objects are the connected sets of equal non-zero labels in a label image
(label 0 is background; labels need not be contiguous and may be 64-bit).
A ground-truth object and a predicted object are matched when their IoU is
at least the threshold (``IoU >= t``, as StarDist and cellpose; torchmetrics
and MONAI's panoptic quality use ``>``). The matching is one-to-one and
optimal: it maximizes the number of matches and, among those, the summed
IoU, which is what :func:`stardist.matching.matching` computes with a linear
assignment. Above IoU 0.5 a match is unique (an object cannot overlap two
disjoint objects by more than half of their union each), so no assignment
solver is needed there and every threshold reuses the same candidate pairs.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Sequence

import numpy as np

from . import _threads
from ._checks import MetricInputError, check_ignore_mask, check_pair, check_thresholds
from ._matching import max_matching

__all__ = [
    "DEFAULT_THRESHOLDS",
    "InstanceMatch",
    "LabelOverlap",
    "average_precision",
    "count_values",
    "label_overlap",
    "match_instances",
    "matches_from_overlap",
    "mean_average_precision",
    "panoptic_quality",
    "pooled_matches",
]

#: IoU thresholds 0.50, 0.55, ..., 0.95.
DEFAULT_THRESHOLDS: tuple[float, ...] = tuple(round(0.5 + 0.05 * i, 2) for i in range(10))

_CHUNK = 1 << 16
_DENSE_LABEL_LIMIT = 1 << 24
_PARALLEL_SIZE = 1 << 22


@dataclass(frozen=True)
class LabelOverlap:
    """The overlapping object pairs of two label images.

    Attributes
    ----------
    true_labels, pred_labels : ndarray
        The non-zero labels present, sorted.
    true_sizes, pred_sizes : ndarray of int64
        Pixel count of each object.
    pair_true, pair_pred : ndarray of intp
        For each overlapping pair, the index into ``true_labels`` and
        ``pred_labels``.
    pair_intersection : ndarray of int64
        Pixels shared by the pair.
    """

    true_labels: np.ndarray
    pred_labels: np.ndarray
    true_sizes: np.ndarray
    pred_sizes: np.ndarray
    pair_true: np.ndarray
    pair_pred: np.ndarray
    pair_intersection: np.ndarray

    @property
    def pair_iou(self) -> np.ndarray:
        """IoU of each pair, float64."""
        union = self.true_sizes[self.pair_true] + self.pred_sizes[self.pair_pred]
        union = union - self.pair_intersection
        return self.pair_intersection / union


@dataclass(frozen=True)
class InstanceMatch:
    """Counts and scores of a one-to-one matching at one IoU threshold.

    ``ap`` is ``TP / (TP + FP + FN)`` (StarDist's "accuracy", the Data
    Science Bowl 2018 "average precision"), not COCO's area under the
    precision-recall curve.
    """

    threshold: float
    tp: int
    fp: int
    fn: int
    n_true: int
    n_pred: int
    precision: float
    recall: float
    f1: float
    ap: float
    pq: float
    mean_matched_iou: float
    mean_true_iou: float

    def as_dict(self) -> dict:
        return asdict(self)


def count_values(matches: Sequence[InstanceMatch]) -> dict[str, int]:
    """``tp``, ``fp``, ``fn`` at the first threshold (IoU 0.5), ``tp@0.75`` etc. at the others."""
    values: dict[str, int] = {}
    for index, match in enumerate(matches):
        suffix = "" if index == 0 else f"@{match.threshold:.2f}"
        values.update({f"tp{suffix}": match.tp, f"fp{suffix}": match.fp, f"fn{suffix}": match.fn})
    return values


def _runs_part(g: np.ndarray, p: np.ndarray, lo: int, hi: int):
    """Change points i+1 (for lo <= i < hi) where (g, p) differs from the
    previous pixel, with the labels there; chunked to stay in cache."""
    size = min(_CHUNK, max(hi - lo, 1))
    gbuf = np.empty(size, dtype=bool)
    pbuf = np.empty(size, dtype=bool)
    starts, run_g, run_p = [], [], []
    for start in range(lo, hi, size):
        stop = min(start + size, hi)
        m = stop - start
        g_next = g[start + 1 : stop + 1]
        p_next = p[start + 1 : stop + 1]
        change = np.not_equal(g_next, g[start:stop], out=gbuf[:m])
        change |= np.not_equal(p_next, p[start:stop], out=pbuf[:m])
        hits = np.flatnonzero(change)
        if hits.size:
            starts.append(hits + (start + 1))
            run_g.append(g_next[hits])
            run_p.append(p_next[hits])
    return starts, run_g, run_p


def _runs(g: np.ndarray, p: np.ndarray):
    """Runs of equal (g, p) along the flattened arrays: start index, length
    and the two labels of each run. Large images are split between threads
    (numpy releases the GIL in these loops)."""
    n = g.size
    parts = _threads.thread_count() if n > _PARALLEL_SIZE else 1
    results = _threads.map_parts(lambda r: _runs_part(g, p, *r), _threads.split(n - 1, parts))
    starts = [np.zeros(1, dtype=np.intp)] + [a for r in results for a in r[0]]
    run_g = [g[:1]] + [a for r in results for a in r[1]]
    run_p = [p[:1]] + [a for r in results for a in r[2]]
    starts = np.concatenate(starts)
    lengths = np.diff(starts, append=n)
    return starts, lengths, np.concatenate(run_g), np.concatenate(run_p)


def _label_index(values: np.ndarray, weights: np.ndarray):
    """Sorted non-zero labels among ``values``, their summed weights, and
    the index of each value into them (-1 for label 0)."""
    top = int(values.max()) if values.size else 0
    if top < _DENSE_LABEL_LIMIT:
        v = values.astype(np.intp, copy=False)
        sizes = np.bincount(v, weights=weights, minlength=top + 1)
        present = np.flatnonzero(sizes[1:] > 0) + 1 if sizes.size > 1 else np.zeros(0, np.intp)
        lookup = np.full(top + 1, -1, dtype=np.intp)
        lookup[present] = np.arange(present.size)
        return present.astype(values.dtype), np.rint(sizes[present]).astype(np.int64), lookup[v]
    labels, inverse = np.unique(values, return_inverse=True)
    sizes = np.bincount(inverse, weights=weights, minlength=labels.size)
    if labels[0] == 0:
        labels = labels[1:]
        sizes = sizes[1:]
        inverse = inverse - 1
    return labels, np.rint(sizes).astype(np.int64), inverse.astype(np.intp)


def _group_sum(keys: np.ndarray, weights: np.ndarray):
    """Unique ``keys`` (non-negative int64) and the summed int ``weights``."""
    if keys.size == 0:
        return keys, weights
    key_bits = int(keys.max()).bit_length()
    weight_bits = max(int(weights.max()).bit_length(), 1)
    if key_bits + weight_bits <= 63:
        # pack key and weight in one word: a plain (SIMD) sort groups them
        packed = np.sort((keys << weight_bits) | weights)
        keys = packed >> weight_bits
        weights = packed & ((1 << weight_bits) - 1)
    else:
        order = np.argsort(keys, kind="stable")
        keys = keys[order]
        weights = weights[order]
    first = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
    return keys[first], np.add.reduceat(weights, first)


def _as_label_array(array: np.ndarray) -> np.ndarray:
    flat = array.reshape(-1)
    if flat.dtype == bool:
        flat = flat.view(np.uint8)
    return flat


def label_overlap(ground_truth, prediction) -> LabelOverlap:
    """Collect the overlapping object pairs of two label images in one pass.

    Parameters
    ----------
    ground_truth, prediction : array_like of int or bool
        Label images of the same shape; 0 is background, every other value
        an object. Labels need not be contiguous; 64-bit labels are allowed.

    Returns
    -------
    LabelOverlap
        Object labels, sizes and the sparse table of pairwise intersections.

    Raises
    ------
    MetricInputError
        If the shapes differ, an input is not an integer array, or a label
        is negative.

    Notes
    -----
    The flattened images are cut into runs of constant (ground truth,
    prediction) label pairs; sizes and intersections are sums of run
    lengths grouped by label and by label pair. No dense
    ``n_true x n_pred`` table is built.
    """
    # "mask" checks dtype and shape; negative labels are checked on the run
    # values below, which contain every value of the images (one pass less)
    gt, pred = check_pair(ground_truth, prediction, kind="mask")
    g = _as_label_array(gt)
    p = _as_label_array(pred)
    n = g.size
    if n == 0:
        empty = np.zeros(0, dtype=np.int64)
        return LabelOverlap(empty, empty, empty, empty, empty.astype(np.intp), empty.astype(np.intp), empty)
    _, lengths, run_g, run_p = _runs(g, p)
    for name, values in (("ground_truth", run_g), ("prediction", run_p)):
        if values.dtype.kind == "i" and values.min() < 0:
            raise MetricInputError(
                name, f"{name} must not contain negative labels, found {values.min()}"
            )
    true_labels, true_sizes, gi = _label_index(run_g, lengths)
    pred_labels, pred_sizes, pi = _label_index(run_p, lengths)
    both = np.flatnonzero((gi >= 0) & (pi >= 0))
    return overlap_from_pairs(true_labels, true_sizes, pred_labels, pred_sizes,
                              gi[both], pi[both], lengths[both])


def overlap_from_pairs(true_labels, true_sizes, pred_labels, pred_sizes,
                       true_index, pred_index, intersections) -> LabelOverlap:
    """A `LabelOverlap` from (true, predicted) label index pairs, repeated pairs summed.

    Parameters
    ----------
    true_labels, true_sizes, pred_labels, pred_sizes : ndarray
        The labels of each side, sorted, and their pixel counts.
    true_index, pred_index : ndarray of int
        Positions into ``true_labels`` / ``pred_labels`` of each overlapping run.
    intersections : ndarray of int
        Pixels each run shares; a pair met in several runs (or chunks) is summed.
    """
    n_pred = max(pred_labels.size, 1)
    keys = np.asarray(true_index).astype(np.int64) * n_pred
    keys += np.asarray(pred_index)
    keys, inter = _group_sum(keys, np.asarray(intersections).astype(np.int64))
    return LabelOverlap(
        true_labels=true_labels,
        pred_labels=pred_labels,
        true_sizes=true_sizes,
        pred_sizes=pred_sizes,
        pair_true=(keys // n_pred).astype(np.intp),
        pair_pred=(keys % n_pred).astype(np.intp),
        pair_intersection=inter.astype(np.int64),
    )


def _drop_ignored(gt, pred, ignore, fraction):
    """Remove objects with more than ``fraction`` of their pixels ignored."""
    gt = gt.copy()
    pred = pred.copy()
    for labels in (gt, pred):
        flat = labels.reshape(-1)
        ids, inverse = np.unique(flat, return_inverse=True)
        total = np.bincount(inverse.reshape(-1), minlength=ids.size)
        ignored = np.bincount(inverse.reshape(-1)[ignore.reshape(-1)], minlength=ids.size)
        drop = (ignored > fraction * total) & (ids != 0)
        if drop.any():
            flat[drop[inverse.reshape(-1)]] = 0
    return gt, pred


def _matching_at(overlap: LabelOverlap, iou32: np.ndarray, threshold: float):
    """Number of matches and summed IoU (float32 scores) at one threshold."""
    ok = np.flatnonzero(iou32 >= np.float32(threshold))
    if ok.size == 0:
        return 0, 0.0
    scores = iou32[ok].astype(np.float64)
    # above IoU 0.5 the candidates already form a matching: max_matching
    # returns them all after one bincount per side
    chosen = max_matching(
        overlap.pair_true[ok],
        overlap.pair_pred[ok],
        scores,
        overlap.true_labels.size,
        overlap.pred_labels.size,
    )
    return int(chosen.size), float(scores[chosen].sum())


def _scores(threshold, tp, n_true, n_pred, matched_sum) -> InstanceMatch:
    fp = n_pred - tp
    fn = n_true - tp
    if n_true == 0 and n_pred == 0:
        # nothing to find and nothing found: perfect, not undefined
        return InstanceMatch(threshold, 0, 0, 0, 0, 0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0)
    if tp == 0:
        return InstanceMatch(threshold, 0, fp, fn, n_true, n_pred, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
    return InstanceMatch(
        threshold=threshold,
        tp=tp,
        fp=fp,
        fn=fn,
        n_true=n_true,
        n_pred=n_pred,
        precision=tp / (tp + fp),
        recall=tp / (tp + fn),
        f1=2 * tp / (2 * tp + fp + fn),
        ap=tp / (tp + fp + fn),
        pq=matched_sum / (tp + fp / 2 + fn / 2),
        mean_matched_iou=matched_sum / tp,
        mean_true_iou=matched_sum / n_true,
    )


def match_instances(
    ground_truth,
    prediction,
    *,
    thresholds=DEFAULT_THRESHOLDS,
    ignore_mask=None,
    ignore_fraction: float = 0.5,
) -> list[InstanceMatch]:
    """Match objects one-to-one at each IoU threshold and score the result.

    Parameters
    ----------
    ground_truth, prediction : array_like of int or bool
        Label images of the same shape (2D, 3D, ...); 0 is background.
    thresholds : float or sequence of float, optional
        IoU thresholds in [0, 1]; default 0.50, 0.55, ..., 0.95.
    ignore_mask : array_like of bool, optional
        True where the ground truth is unlabelled (sparse annotations).
        Objects of either image with more than ``ignore_fraction`` of their
        pixels inside it are removed before matching.
    ignore_fraction : float, optional
        See ``ignore_mask``; default 0.5.

    Returns
    -------
    list of InstanceMatch
        One per threshold, in the given order.

    Raises
    ------
    MetricInputError
        If the shapes differ, a label is negative or not an integer, or a
        threshold is outside [0, 1].

    Notes
    -----
    With ``TP`` matched pairs, ``FP = n_pred - TP`` and ``FN = n_true - TP``:

    - precision ``TP/(TP+FP)``, recall ``TP/(TP+FN)``, F1 ``2TP/(2TP+FP+FN)``;
    - ap ``TP/(TP+FP+FN)`` (not COCO's area under the curve);
    - pq ``sum(IoU of matched pairs) / (TP + FP/2 + FN/2)`` (Kirillov et al.),
      with matches at ``IoU >= t`` (their definition uses ``> 0.5``).

    IoU is compared in single precision, as StarDist does, so the counts
    equal ``stardist.matching.matching`` on the same inputs.

    Edge cases: no objects in either image -> every score 1.0 (StarDist
    returns 0); otherwise a score whose numerator has ``TP = 0`` is 0.0
    (e.g. recall when the ground truth is empty but the prediction is not).
    No score is ever NaN.

    References
    ----------
    .. [1] Schmidt, U., Weigert, M., Broaddus, C., Myers, G. (2018). Cell
       detection with star-convex polygons. MICCAI 2018, 265-273.
       :doi:`10.1007/978-3-030-00934-2_30`
    .. [2] Kirillov, A. et al. (2019). Panoptic segmentation. CVPR 2019,
       9404-9413. :doi:`10.1109/CVPR.2019.00963`
    .. [3] Caicedo, J. C. et al. (2019). Nucleus segmentation across imaging
       experiments: the 2018 Data Science Bowl. Nature Methods 16,
       1247-1253. :doi:`10.1038/s41592-019-0612-7`
    """
    gt, pred = check_pair(ground_truth, prediction, kind="mask")
    thresholds = check_thresholds(thresholds)
    ignore = check_ignore_mask(ignore_mask, gt.shape)
    if ignore is not None:
        if not 0 <= ignore_fraction <= 1:
            raise MetricInputError(
                "ignore_fraction", f"ignore_fraction must be in [0, 1], got {ignore_fraction}"
            )
        gt, pred = _drop_ignored(gt, pred, ignore, ignore_fraction)
    return matches_from_overlap(label_overlap(gt, pred), thresholds)


def matches_from_overlap(overlap: LabelOverlap, thresholds) -> list[InstanceMatch]:
    """:func:`match_instances` on overlaps already collected (e.g. chunk by chunk).

    Parameters
    ----------
    overlap : LabelOverlap
        Object sizes and pairwise intersections of the two label images.
    thresholds : sequence of float
        IoU thresholds, checked by the caller.

    Returns
    -------
    list of InstanceMatch
        One per threshold, in the given order.
    """
    iou32 = overlap.pair_iou.astype(np.float32)
    n_true = int(overlap.true_labels.size)
    n_pred = int(overlap.pred_labels.size)
    results = []
    for t in thresholds:
        tp, matched_sum = _matching_at(overlap, iou32, t)
        results.append(_scores(t, tp, n_true, n_pred, matched_sum))
    return results


def average_precision(ground_truth, prediction, *, threshold: float = 0.5, ignore_mask=None) -> float:
    """``TP / (TP + FP + FN)`` at one IoU threshold (see :func:`match_instances`)."""
    (match,) = match_instances(
        ground_truth, prediction, thresholds=(threshold,), ignore_mask=ignore_mask
    )
    return match.ap


def mean_average_precision(
    ground_truth, prediction, *, thresholds=DEFAULT_THRESHOLDS, ignore_mask=None
) -> float:
    """Mean over ``thresholds`` of ``TP / (TP + FP + FN)`` (default 0.50:0.05:0.95)."""
    matches = match_instances(
        ground_truth, prediction, thresholds=thresholds, ignore_mask=ignore_mask
    )
    return float(np.mean([m.ap for m in matches]))


def panoptic_quality(ground_truth, prediction, *, threshold: float = 0.5, ignore_mask=None) -> float:
    """Panoptic quality at one IoU threshold (see :func:`match_instances`)."""
    (match,) = match_instances(
        ground_truth, prediction, thresholds=(threshold,), ignore_mask=ignore_mask
    )
    return match.pq


def pooled_matches(per_image: list[list[InstanceMatch]]) -> list[InstanceMatch]:
    """Dataset totals: sum TP/FP/FN and matched IoU over images, then score.

    Parameters
    ----------
    per_image : list of list of InstanceMatch
        :func:`match_instances` results of each image, same thresholds.

    Returns
    -------
    list of InstanceMatch
        One per threshold. These *pooled* scores weight every object
        equally; the mean of per-image scores weights every image equally.
        The two differ; bmzcard's tables show per-image means and say so.
    """
    if not per_image:
        raise MetricInputError("per_image", "per_image is empty: no images to pool")
    out = []
    for column in zip(*per_image):
        thresholds = {m.threshold for m in column}
        if len(thresholds) != 1:
            raise MetricInputError("per_image", f"images were matched at different thresholds {sorted(thresholds)}")
        tp = sum(m.tp for m in column)
        n_true = sum(m.n_true for m in column)
        n_pred = sum(m.n_pred for m in column)
        matched = sum(m.mean_matched_iou * m.tp for m in column)
        out.append(_scores(column[0].threshold, tp, n_true, n_pred, matched))
    return out
