"""Metrics of ``bmzcard evaluate``: one metric, one pure function.

Modules: :mod:`.semantic` (IoU, Dice, HD, HD95, NSD), :mod:`.instance`
(matching at IoU thresholds, precision/recall/F1, AP as TP/(TP+FP+FN), PQ),
:mod:`.classification`, :mod:`.detection`, :mod:`.restoration` (PSNR, SSIM,
NRMSE, CARE normalization) and :mod:`.defaults` (the Metrics-Reloaded-based
default metric names per task). Definitions, edge cases and the choices
where peers disagree are in ``docs/metrics.md``.

The evaluate pipeline calls :func:`compute_metrics` once per image and
:func:`mean_over_images` for the table. Large images are computed on
several threads; :func:`limit_threads` caps them.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

import numpy as np

from . import classification, detection, instance, restoration, semantic
from ._checks import MetricInputError, check_pair
from ._threads import limit_threads
from .defaults import AVAILABLE_METRICS, DEFAULT_METRICS, TASK_ALIASES

__all__ = [
    "AVAILABLE_METRICS",
    "DEFAULT_METRICS",
    "MetricInputError",
    "classification",
    "compute_metrics",
    "detection",
    "instance",
    "limit_threads",
    "mean_over_images",
    "restoration",
    "semantic",
]


def _task(task: str) -> str:
    key = str(task).strip().lower()
    if key not in TASK_ALIASES:
        known = ", ".join(sorted(set(TASK_ALIASES.values())))
        raise MetricInputError("task", f"unknown task {task!r}; known tasks: {known}")
    return TASK_ALIASES[key]


def _names(task: str, metrics: Iterable[str] | None) -> list[str]:
    if metrics is None:
        return list(DEFAULT_METRICS[task])
    names = [str(m).lower() for m in metrics]
    unknown = [m for m in names if m not in AVAILABLE_METRICS[task]]
    if unknown:
        raise MetricInputError(
            "metrics",
            f"{unknown} are not {task} metrics; available: {AVAILABLE_METRICS[task]}",
        )
    return names


def _refuse(task: str, options: Mapping, allowed: Sequence[str]) -> None:
    extra = sorted(set(options) - set(allowed))
    if extra:
        raise MetricInputError(
            extra[0], f"option {extra[0]!r} does not apply to {task}; accepted: {sorted(allowed)}"
        )


def _at_most_one_nonzero(labels: np.ndarray) -> bool:
    """True for a binary mask (bool, or one non-zero value) without sorting."""
    if labels.dtype == bool or labels.size == 0:
        return True
    top = labels.max()
    return not np.any((labels != 0) & (labels != top))


def _unlabelled_pixels(ground_truth, ignore_mask, ignore_label) -> np.ndarray | None:
    """True where pixels are left out: the ignore mask's non-zero pixels and
    the ground truth's ``ignore_label`` (None: none are)."""
    ignore = None if ignore_mask is None else np.asarray(ignore_mask, dtype=bool)
    if ignore_label is not None:
        unlabelled = np.asarray(ground_truth) == ignore_label
        ignore = unlabelled if ignore is None else ignore | unlabelled
    return ignore


def _unlabelled_as_background(labels: np.ndarray, ignore_label) -> np.ndarray:
    """Instance labels with a non-zero ignore label set to 0: unlabelled pixels are no object."""
    return labels if ignore_label in (None, 0) else np.where(labels == ignore_label, 0, labels)


def _semantic(gt, pred, names, spacing, ignore_mask, options) -> dict[str, float]:
    _refuse("semantic", options, ("classes", "ignore_label", "tolerance"))
    gt, pred = check_pair(gt, pred, kind="labels")
    tolerance = options.get("tolerance", 2.0)
    classes = options.get("classes")
    ignore_label = options.get("ignore_label")
    ignore = _unlabelled_pixels(gt, ignore_mask, ignore_label)

    def one(g, p) -> dict[str, float]:
        out = {}
        if "dice" in names or "iou" in names:
            counts = semantic.overlap_counts(g, p, ignore_mask=ignore)
            out["iou"] = semantic._iou_from(*counts)
            out["dice"] = semantic._dice_from(*counts)
        if {"hd", "hd95", "nsd"} & set(names):
            d_gp, d_pg = semantic.boundary_distances(g, p, spacing=spacing, ignore_mask=ignore)
            if "hd" in names:
                out["hd"] = semantic._hd_from(d_gp, d_pg, 100.0)
            if "hd95" in names:
                out["hd95"] = semantic._hd_from(d_gp, d_pg, 95.0)
            if "nsd" in names:
                out["nsd"] = semantic._nsd_from(d_gp, d_pg, float(tolerance))
        return {n: out[n] for n in names}

    if classes is None:
        if ignore_label is None and _at_most_one_nonzero(gt) and _at_most_one_nonzero(pred):
            return one(gt, pred)  # binary: non-zero is foreground
        nonzero = [
            np.setdiff1d(np.unique(a), [0] + ([ignore_label] if ignore_label is not None else []))
            for a in (gt, pred)
        ]
        classes = [int(c) for c in np.union1d(*nonzero)]
    if len(classes) == 1:
        c = classes[0]
        return one(gt == c, pred == c)
    return class_means({c: one(gt == c, pred == c) for c in classes}, names)


def class_means(per: Mapping[int, Mapping[str, float]], names: Sequence[str]) -> dict[str, float]:
    """Each metric's mean over the classes, and its value per class as ``name[c]``."""
    result: dict[str, float] = {}
    for name in names:
        values = [per[c][name] for c in per]
        result[name] = float(np.mean(values)) if values else math.nan
        for c in per:
            result[f"{name}[{c}]"] = per[c][name]
    return result


def _instance(gt, pred, names, spacing, ignore_mask, options) -> dict[str, float]:
    _refuse("instance", options, ("ignore_fraction", "ignore_label"))
    ignore_label = options.get("ignore_label")
    if ignore_label is not None:
        gt, pred = check_pair(gt, pred, kind="labels")
        ignore_mask = _unlabelled_pixels(gt, ignore_mask, ignore_label)
        gt = _unlabelled_as_background(gt, ignore_label)
    thresholds = instance.DEFAULT_THRESHOLDS
    matches = instance.match_instances(
        gt,
        pred,
        thresholds=thresholds,
        ignore_mask=ignore_mask,
        ignore_fraction=options.get("ignore_fraction", 0.5),
    )
    return instance_values(matches, names)


def instance_values(matches: Sequence[instance.InstanceMatch], names: Sequence[str]) -> dict[str, float]:
    """The instance metrics ``names`` from the matches at :data:`instance.DEFAULT_THRESHOLDS`."""
    at = {f"ap@{m.threshold:.2f}": m for m in matches}
    first = matches[0]  # IoU >= 0.5
    values = {
        "precision": first.precision,
        "recall": first.recall,
        "f1": first.f1,
        "pq": first.pq,
        "map": float(np.mean([m.ap for m in matches])),
        **{k: m.ap for k, m in at.items()},
        **instance.count_values(matches),
    }
    return {n: float(values[n]) for n in names}


def _detection(gt, pred, names, spacing, ignore_mask, options) -> dict[str, float]:
    _refuse("detection", options, ("scores", "max_distance", "threshold"))
    if ignore_mask is not None:
        raise MetricInputError("ignore_mask", "ignore_mask does not apply to detection")
    out = detection.detection_scores(
        gt,
        pred,
        scores=options.get("scores"),
        max_distance=options.get("max_distance"),
        threshold=options.get("threshold", 0.5),
        spacing=spacing,
    )
    # map needs confidence scores; without them it is not reported
    return {n: out[n] for n in names if n in out}


def _classification(gt, pred, names, spacing, ignore_mask, options) -> dict[str, float]:
    _refuse("classification", options, ("classes",))
    if ignore_mask is not None:
        raise MetricInputError("ignore_mask", "ignore_mask does not apply to classification")
    classes = options.get("classes")
    out: dict[str, float] = {}
    if "accuracy" in names:
        out["accuracy"] = classification.accuracy(gt, pred)
    if "balanced_accuracy" in names:
        out["balanced_accuracy"] = classification.balanced_accuracy(gt, pred, classes=classes)
    if {"precision", "recall", "f1"} & set(names):
        prf = classification.precision_recall_f1(gt, pred, classes=classes)
        out.update(precision=prf["macro_precision"], recall=prf["macro_recall"], f1=prf["macro_f1"])
    return {n: out[n] for n in names}


def _restoration(gt, pred, names, spacing, ignore_mask, options) -> dict[str, float]:
    _refuse("restoration", options, ("normalize", "data_range", "low", "high", "sigma"))
    normalize = options.get("normalize", "care")
    if normalize not in ("care", None):
        raise MetricInputError("normalize", f"normalize must be 'care' or None, got {normalize!r}")
    data_range = options.get("data_range")
    if normalize == "care":
        gt, pred = restoration.care_normalize(
            gt, pred, low=options.get("low", 0.1), high=options.get("high", 99.9)
        )
        data_range = 1.0 if data_range is None else data_range
    if ignore_mask is not None:
        raise MetricInputError("ignore_mask", "ignore_mask is not supported for restoration metrics")
    out: dict[str, float] = {}
    if "psnr" in names:
        out["psnr"] = restoration.psnr(gt, pred, data_range=data_range)
    if "nrmse" in names:
        out["nrmse"] = restoration.nrmse(gt, pred, data_range=data_range)
    if "ssim" in names:
        out["ssim"] = restoration.ssim(
            gt, pred, data_range=data_range, sigma=options.get("sigma", 1.5)
        )
    return {n: out[n] for n in names}


_TASKS = {
    "semantic": _semantic,
    "instance": _instance,
    "detection": _detection,
    "classification": _classification,
    "restoration": _restoration,
}


def compute_metrics(
    task: str,
    ground_truth,
    prediction,
    *,
    spacing=None,
    ignore_mask=None,
    metrics: Iterable[str] | None = None,
    **options,
) -> dict[str, float]:
    """Compute the default metrics of ``task`` for one image.

    Parameters
    ----------
    task : str
        ``"semantic"``, ``"instance"``, ``"detection"``, ``"classification"``
        or ``"restoration"`` (aliases such as ``"instance-segmentation"``
        are accepted).
    ground_truth, prediction : array_like
        For segmentation: label images of the same shape; for detection:
        points ``(n, ndim)`` or boxes ``(n, 2*ndim)``; for classification:
        1D class labels of *all* images (classification is scored on the
        dataset, not per image); for restoration: intensity images.
    spacing : float or sequence of float, optional
        Pixel size per axis (from the axes' scale); used by HD, HD95, NSD
        and point matching. Default 1.
    ignore_mask : array_like of bool, optional
        True where the ground truth is unlabelled (sparse annotations).
    metrics : iterable of str, optional
        Names to compute instead of the defaults (see
        :data:`AVAILABLE_METRICS`).
    **options
        Task options. semantic: ``classes`` (default: binary when each
        image has at most one non-zero value, else every non-zero value),
        ``ignore_label`` (ground-truth value meaning unlabelled),
        ``tolerance`` (NSD, default 2.0 in spacing units). instance:
        ``ignore_label`` (ground-truth value meaning unlabelled; its pixels
        join ``ignore_mask``), ``ignore_fraction``. detection: ``max_distance`` (points) or
        ``threshold`` (boxes, default 0.5), ``scores``. classification:
        ``classes``. restoration: ``normalize`` ("care" by default, then
        ``data_range`` defaults to 1.0; None requires ``data_range``),
        ``low``/``high`` percentiles, ``sigma``.

    Returns
    -------
    dict of str to float
        Lower-case metric names (:data:`DEFAULT_METRICS` of the task) to
        values. Multi-class semantic results also hold ``name[c]`` per class;
        ``name`` is then the mean over classes. Values can be ``inf`` (e.g.
        HD with one empty mask) but are never silently dropped.

    Raises
    ------
    MetricInputError
        For an unknown task, metric or option, or unusable inputs; the error
        names the parameter.
    """
    key = _task(task)
    names = _names(key, metrics)
    return _TASKS[key](ground_truth, prediction, names, spacing, ignore_mask, options)


def mean_over_images(per_image: Sequence[Mapping[str, float]]) -> dict[str, float]:
    """Per-image mean of each metric (what the Evaluation table shows).

    Every image counts once, whatever its number of objects or pixels; this
    differs from pooled totals (:func:`instance.pooled_matches`). A metric
    missing from some image, or an ``inf``/NaN value, is not skipped: the
    mean is then NaN or ``inf`` respectively, so the table shows it.

    Raises
    ------
    MetricInputError
        If ``per_image`` is empty.
    """
    if not per_image:
        raise MetricInputError("per_image", "per_image is empty: no images to average")
    names: list[str] = []
    for row in per_image:
        for name in row:
            if name not in names:
                names.append(name)
    return {
        name: float(np.mean([row.get(name, math.nan) for row in per_image])) for name in names
    }
