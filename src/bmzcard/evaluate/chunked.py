"""Large segmentation volumes with given predictions: metrics read slab by slab.

A row goes this way when its prediction is a file, the task is semantic or
instance segmentation, both files can be read lazily (memory-mapped ``.npy``
or Zarr), the ground truth is larger than the job's ``chunked_above`` bytes,
the prediction has the ground truth's shape (no channel axis to pick) and the
prediction rule works pixel by pixel (no connected components). Anything
else takes the whole-volume path; both give identical numbers
(:mod:`bmzcard.metrics.chunked`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from bmzcard.errors import BmzcardError
from bmzcard.evaluate.images import open_lazy
from bmzcard.evaluate.manifest import Row
from bmzcard.evaluate.postprocess import PredictionRule

#: Ground truths above this many bytes are evaluated slab by slab (64 MiB).
CHUNKED_ABOVE = 64 << 20


class RuledPrediction:
    """A lazily read prediction whose slabs pass through the prediction rule.

    Parameters
    ----------
    raw : array-like
        The prediction file's array (memory map or Zarr): the ground truth's
        shape after ``index``.
    rule : PredictionRule
        Applied to each slab read (thresholding, integer check).
    where : Path
        The file, for error messages.
    index : tuple of int
        Taken from the leading axes first (singleton axes, the channel).
    """

    def __init__(self, raw, rule: PredictionRule, where: Path, index: tuple[int, ...] = ()) -> None:
        self.raw, self.rule, self.where, self.index = raw, rule, where, index
        self.shape = tuple(raw.shape)[len(index):]
        chunks = getattr(raw, "chunks", None)
        self.chunks = tuple(chunks)[len(index):] if isinstance(chunks, tuple) else None
        floating = np.issubdtype(raw.dtype, np.floating)
        self.dtype = np.dtype(bool if rule.threshold is not None else np.int64 if floating else raw.dtype)

    def __getitem__(self, key) -> np.ndarray:
        slab = np.asarray(self.raw[self.index + (key if isinstance(key, tuple) else (key,))])
        if np.issubdtype(slab.dtype, np.inexact) and not np.isfinite(slab).all():
            raise BmzcardError("NaN or infinite values in the prediction", path=self.where)
        return self.rule.apply(slab, len(self.shape), self.where)


def _leading_index(shape: tuple[int, ...], truth_shape: tuple[int, ...], rule: PredictionRule):
    """The index of the leading axes (singletons, the channel) that :meth:`PredictionRule.apply`
    takes away, or None when the rest is not the ground truth's shape (the whole-volume path
    then reports what is wrong)."""
    index: tuple[int, ...] = ()
    while len(shape) > len(truth_shape) and shape[0] == 1 and rule.channel is None:
        index, shape = index + (0,), shape[1:]
    if len(shape) == len(truth_shape) + 1 and rule.channel is not None and 0 <= rule.channel < shape[0]:
        index, shape = index + (rule.channel,), shape[1:]
    return index if shape == truth_shape else None


def chunked_inputs(row: Row, rule: PredictionRule, above: int | None, ignore_label: int | None):
    """The lazily read ground truth, ruled prediction and ignore options of a row
    (the arguments of :func:`bmzcard.metrics.chunked.chunked_metrics`), or None
    where the whole-volume path applies.

    Parameters
    ----------
    row : Row
        A manifest row with a prediction file.
    rule : PredictionRule
        How the prediction becomes labels.
    above : int or None
        Size threshold in bytes of the ground truth; None never chunks.
    ignore_label : int or None
        The ground-truth value of unlabelled pixels.
    """
    if above is None or rule.task not in ("semantic", "instance"):
        return None
    if rule.task == "instance" and (rule.threshold is not None or rule.connected_components):
        return None  # connected components need the whole volume
    truth = open_lazy(row.ground_truth)
    if truth is None or not (truth.dtype == bool or np.issubdtype(truth.dtype, np.integer)):
        return None
    if int(np.prod(truth.shape, dtype=np.int64)) * truth.dtype.itemsize <= above:
        return None
    raw = open_lazy(row.prediction)
    index = None if raw is None else _leading_index(tuple(raw.shape), tuple(truth.shape), rule)
    if index is None:
        return None
    ignored = {} if ignore_label is None else {"ignore_label": ignore_label}
    if row.ignore_mask is not None:
        mask = open_lazy(row.ignore_mask)
        if mask is None or tuple(mask.shape) != tuple(truth.shape):
            return None
        ignored["ignore_mask"] = mask  # non-zero is unlabelled; read slab by slab
    return truth, RuledPrediction(raw, rule, row.prediction, index), ignored
