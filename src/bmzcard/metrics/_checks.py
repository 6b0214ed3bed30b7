"""Shared input validation for the metric functions.

Every public metric calls one of these first, so that a wrong input fails
with an error that names the parameter and the offending value instead of a
numpy broadcasting error deep inside a computation.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from bmzcard.errors import BmzcardError


class MetricInputError(BmzcardError, ValueError):
    """An input to a metric is unusable; ``field`` names the parameter."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(message, field=parameter)
        self.parameter = parameter


def as_array(value, name: str) -> np.ndarray:
    """Return ``value`` as an ndarray, refusing objects and empty shapes."""
    try:
        array = np.asarray(value)
    except (TypeError, ValueError) as exc:  # ragged sequences and the like
        raise MetricInputError(name, f"{name} is not array-like: {exc}") from None
    if array.dtype == object:
        raise MetricInputError(
            name, f"{name} must be a numeric array, got dtype object"
        )
    return array


def check_pair(
    ground_truth,
    prediction,
    *,
    ndim: Sequence[int] | None = None,
    kind: str = "any",
) -> tuple[np.ndarray, np.ndarray]:
    """Validate a (ground_truth, prediction) pair of arrays.

    Parameters
    ----------
    ground_truth, prediction : array_like
        The arrays to compare; they must have the same shape.
    ndim : sequence of int, optional
        Allowed numbers of dimensions.
    kind : {"any", "mask", "labels", "intensity"}
        ``"mask"`` accepts bool or integer arrays (non-zero is foreground),
        ``"labels"`` accepts integer (or bool) arrays with no negative values,
        ``"intensity"`` accepts real numbers without NaN.

    Returns
    -------
    ground_truth, prediction : ndarray
    """
    gt = as_array(ground_truth, "ground_truth")
    pred = as_array(prediction, "prediction")
    for name, arr in (("ground_truth", gt), ("prediction", pred)):
        if arr.ndim == 0:
            raise MetricInputError(name, f"{name} must have at least one axis, got a scalar")
        if ndim is not None and arr.ndim not in ndim:
            allowed = " or ".join(str(n) for n in ndim)
            raise MetricInputError(
                name, f"{name} must have {allowed} dimensions, got shape {arr.shape}"
            )
        if kind in ("mask", "labels") and not (
            arr.dtype == bool or np.issubdtype(arr.dtype, np.integer)
        ):
            raise MetricInputError(
                name,
                f"{name} must be a boolean or integer array, got dtype {arr.dtype}",
            )
        if (
            kind == "labels"
            and np.issubdtype(arr.dtype, np.signedinteger)
            and arr.size
            and arr.min() < 0
        ):
            raise MetricInputError(
                name, f"{name} must not contain negative labels, found {arr.min()}"
            )
        if kind == "intensity":
            if not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
                raise MetricInputError(
                    name, f"{name} must be a real-valued array, got dtype {arr.dtype}"
                )
            if np.iscomplexobj(arr):
                raise MetricInputError(name, f"{name} must be real-valued, got dtype {arr.dtype}")
            if np.issubdtype(arr.dtype, np.floating) and not np.isfinite(arr).all():
                raise MetricInputError(name, f"{name} contains NaN or infinite values")
    if gt.shape != pred.shape:
        raise MetricInputError(
            "prediction",
            f"prediction has shape {pred.shape} but ground_truth has shape {gt.shape}",
        )
    return gt, pred


def check_ignore_mask(ignore_mask, shape: tuple[int, ...]) -> np.ndarray | None:
    """Validate an ignore mask (True = pixel excluded) against ``shape``."""
    if ignore_mask is None:
        return None
    mask = as_array(ignore_mask, "ignore_mask")
    if not (mask.dtype == bool or np.issubdtype(mask.dtype, np.integer)):
        raise MetricInputError(
            "ignore_mask", f"ignore_mask must be boolean, got dtype {mask.dtype}"
        )
    if mask.shape != tuple(shape):
        raise MetricInputError(
            "ignore_mask",
            f"ignore_mask has shape {mask.shape} but the images have shape {tuple(shape)}",
        )
    return mask.astype(bool, copy=False)


def check_spacing(spacing, ndim: int) -> np.ndarray:
    """Return the pixel spacing as a float array of length ``ndim``.

    ``None`` means unit spacing; a scalar is used for every axis.
    """
    if spacing is None:
        return np.ones(ndim)
    values = np.atleast_1d(np.asarray(spacing, dtype=float)) if _is_numeric(spacing) else None
    if values is None or values.ndim != 1:
        raise MetricInputError("spacing", f"spacing must be a number or a sequence of numbers, got {spacing!r}")
    if values.size == 1:
        values = np.repeat(values, ndim)
    if values.size != ndim:
        raise MetricInputError(
            "spacing",
            f"spacing has {values.size} values {tuple(values.tolist())} but the images have {ndim} axes",
        )
    if not np.all(np.isfinite(values)) or np.any(values <= 0):
        raise MetricInputError(
            "spacing", f"spacing must be positive and finite, got {tuple(values.tolist())}"
        )
    return values


def _is_numeric(value) -> bool:
    try:
        np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        return False
    return True


def check_positive(value, name: str, *, allow_zero: bool = False) -> float:
    """Return ``value`` as a float, requiring it to be finite and > 0 (or >= 0)."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise MetricInputError(name, f"{name} must be a number, got {value!r}") from None
    if not math.isfinite(number) or number < 0 or (number == 0 and not allow_zero):
        bound = ">= 0" if allow_zero else "> 0"
        raise MetricInputError(name, f"{name} must be finite and {bound}, got {value!r}")
    return number


def check_thresholds(thresholds, name: str = "thresholds") -> tuple[float, ...]:
    """Validate IoU thresholds in [0, 1]; a scalar becomes a 1-tuple."""
    values = np.atleast_1d(np.asarray(thresholds, dtype=float))
    if values.ndim != 1 or values.size == 0:
        raise MetricInputError(name, f"{name} must be a number or a non-empty sequence, got {thresholds!r}")
    if not np.all(np.isfinite(values)) or np.any(values < 0) or np.any(values > 1):
        raise MetricInputError(name, f"{name} must lie in [0, 1], got {values.tolist()}")
    return tuple(float(v) for v in values)
