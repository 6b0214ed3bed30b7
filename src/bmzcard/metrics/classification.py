"""Image-level classification metrics from class labels.

``ground_truth`` and ``prediction`` are 1D sequences with one class label
(int, or str) per image. Per-class scores use one-vs-rest counts from the
confusion matrix; macro averages are unweighted means over ``classes``.
"""

from __future__ import annotations

import numpy as np

from ._checks import MetricInputError, as_array

__all__ = [
    "accuracy",
    "balanced_accuracy",
    "confusion_matrix",
    "f1",
    "precision",
    "precision_recall_f1",
    "recall",
]


def _check_labels(ground_truth, prediction, classes):
    gt = as_array(ground_truth, "ground_truth").reshape(-1) if np.ndim(ground_truth) <= 1 else None
    pred = as_array(prediction, "prediction").reshape(-1) if np.ndim(prediction) <= 1 else None
    if gt is None:
        raise MetricInputError(
            "ground_truth", f"ground_truth must be 1D (one label per image), got shape {np.shape(ground_truth)}"
        )
    if pred is None:
        raise MetricInputError(
            "prediction", f"prediction must be 1D (one label per image), got shape {np.shape(prediction)}"
        )
    if gt.size != pred.size:
        raise MetricInputError(
            "prediction", f"prediction has {pred.size} labels but ground_truth has {gt.size}"
        )
    if gt.size == 0:
        raise MetricInputError("ground_truth", "ground_truth is empty: no images to score")
    for name, arr in (("ground_truth", gt), ("prediction", pred)):
        if arr.dtype.kind == "f" and not np.all(np.mod(arr, 1) == 0):
            raise MetricInputError(name, f"{name} must hold class labels, got non-integer values")
    if classes is None:
        classes = np.union1d(gt, pred)
    else:
        classes = as_array(classes, "classes").reshape(-1)
        if np.unique(classes).size != classes.size:
            raise MetricInputError("classes", f"classes must be unique, got {classes.tolist()}")
        unknown = np.setdiff1d(np.union1d(gt, pred), classes)
        if unknown.size:
            raise MetricInputError(
                "classes", f"labels {unknown.tolist()} occur in the data but not in classes"
            )
    return gt, pred, classes


def confusion_matrix(ground_truth, prediction, *, classes=None) -> np.ndarray:
    """Confusion matrix ``C[i, j]`` = images of class ``classes[i]`` predicted as ``classes[j]``.

    Parameters
    ----------
    ground_truth, prediction : array_like, 1D
        One class label per image.
    classes : array_like, optional
        Row/column order; default the sorted union of both label sets.

    Returns
    -------
    ndarray of int64, shape (n_classes, n_classes)
        Rows are the true class, columns the predicted class (as
        scikit-learn).

    Raises
    ------
    MetricInputError
        If the lengths differ, inputs are empty or not 1D, or a label is not
        in ``classes``.
    """
    gt, pred, classes = _check_labels(ground_truth, prediction, classes)
    return _confusion(gt, pred, classes)


def _confusion(gt, pred, classes):
    order = np.argsort(classes, kind="stable")
    sorted_classes = classes[order]
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    gi = rank[np.searchsorted(sorted_classes, gt)]
    pi = rank[np.searchsorted(sorted_classes, pred)]
    k = classes.size
    return np.bincount(gi * k + pi, minlength=k * k).reshape(k, k).astype(np.int64)


def accuracy(ground_truth, prediction) -> float:
    """Fraction of images whose predicted class is the true class.

    Notes
    -----
    ``accuracy = trace(C) / sum(C)``. Depends on class prevalence; Metrics
    Reloaded prefers balanced accuracy for imbalanced data.
    """
    gt, pred, _ = _check_labels(ground_truth, prediction, None)
    return float(np.mean(gt == pred))


def balanced_accuracy(ground_truth, prediction, *, classes=None) -> float:
    """Mean per-class recall (sensitivity) over the classes present in the ground truth.

    Parameters
    ----------
    ground_truth, prediction : array_like, 1D
        One class label per image.
    classes : array_like, optional
        Classes to consider; default the union of both label sets.

    Returns
    -------
    float

    Notes
    -----
    ``BA = mean_c TP_c / (TP_c + FN_c)`` over classes with at least one true
    image (a class that never occurs in the ground truth has no recall and
    is left out, as in scikit-learn). Prevalence-independent; Metrics
    Reloaded's default for multi-class classification.

    References
    ----------
    .. [1] Brodersen, K. H. et al. (2010). The balanced accuracy and its
       posterior distribution. ICPR 2010, 3121-3124.
       :doi:`10.1109/ICPR.2010.764`
    .. [2] Maier-Hein, L. et al. (2024). Metrics reloaded. Nature Methods 21,
       195-212. :doi:`10.1038/s41592-023-02151-z`
    """
    gt, pred, classes = _check_labels(ground_truth, prediction, classes)
    c = _confusion(gt, pred, classes)
    support = c.sum(axis=1)
    present = support > 0
    return float(np.mean(np.diag(c)[present] / support[present]))


def precision_recall_f1(ground_truth, prediction, *, classes=None) -> dict:
    """Per-class and macro-averaged precision, recall and F1.

    Parameters
    ----------
    ground_truth, prediction : array_like, 1D
        One class label per image.
    classes : array_like, optional
        Classes to score; default the sorted union of both label sets.

    Returns
    -------
    dict
        ``classes``, ``precision``, ``recall``, ``f1`` (arrays per class) and
        ``macro_precision``, ``macro_recall``, ``macro_f1`` (floats).

    Notes
    -----
    One-vs-rest per class: precision ``TP/(TP+FP)``, recall ``TP/(TP+FN)``,
    F1 ``2TP/(2TP+FP+FN)``. A ratio with a zero denominator is 0.0 (as
    scikit-learn with ``zero_division=0``), so a macro mean never loses a
    class silently. Macro F1 is the mean of the per-class F1 values, not the
    F1 of the macro precision and recall.
    """
    gt, pred, classes = _check_labels(ground_truth, prediction, classes)
    c = _confusion(gt, pred, classes).astype(np.float64)
    tp = np.diag(c)
    fp = c.sum(axis=0) - tp
    fn = c.sum(axis=1) - tp

    def ratio(num, den):
        out = np.zeros_like(num)
        np.divide(num, den, out=out, where=den > 0)
        return out

    prec = ratio(tp, tp + fp)
    rec = ratio(tp, tp + fn)
    f1s = ratio(2 * tp, 2 * tp + fp + fn)
    return {
        "classes": classes,
        "precision": prec,
        "recall": rec,
        "f1": f1s,
        "macro_precision": float(prec.mean()),
        "macro_recall": float(rec.mean()),
        "macro_f1": float(f1s.mean()),
    }


def precision(ground_truth, prediction, *, classes=None) -> float:
    """Macro-averaged precision (see :func:`precision_recall_f1`)."""
    return precision_recall_f1(ground_truth, prediction, classes=classes)["macro_precision"]


def recall(ground_truth, prediction, *, classes=None) -> float:
    """Macro-averaged recall (see :func:`precision_recall_f1`)."""
    return precision_recall_f1(ground_truth, prediction, classes=classes)["macro_recall"]


def f1(ground_truth, prediction, *, classes=None) -> float:
    """Macro-averaged F1 (see :func:`precision_recall_f1`)."""
    return precision_recall_f1(ground_truth, prediction, classes=classes)["macro_f1"]
