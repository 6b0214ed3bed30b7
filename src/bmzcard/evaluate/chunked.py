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
from bmzcard.evaluate.postprocess import PredictionRule

#: Ground truths above this many bytes are evaluated slab by slab (64 MiB).
CHUNKED_ABOVE = 64 << 20


class RuledPrediction:
    """A lazily read prediction whose slabs pass through the prediction rule.

    Parameters
    ----------
    raw : array-like
        The prediction file's array (memory map or Zarr), same shape as the
        ground truth.
    rule : PredictionRule
        Applied to each slab read (thresholding, integer check).
    where : Path
        The file, for error messages.
    """

    def __init__(self, raw, rule: PredictionRule, where: Path) -> None:
        self.raw, self.rule, self.where = raw, rule, where
        self.shape = tuple(raw.shape)
        self.chunks = getattr(raw, "chunks", None)
        floating = np.issubdtype(raw.dtype, np.floating)
        self.dtype = np.dtype(bool if rule.threshold is not None else np.int64 if floating else raw.dtype)

    def __getitem__(self, key) -> np.ndarray:
        slab = np.asarray(self.raw[key])
        if np.issubdtype(slab.dtype, np.inexact) and not np.isfinite(slab).all():
            raise BmzcardError("NaN or infinite values in the prediction", path=self.where)
        return self.rule.apply(slab, len(self.shape), self.where)


def chunked_pair(truth_path: Path, prediction_path: Path, rule: PredictionRule, above: int | None):
    """The lazily read ground truth and ruled prediction, or None where the whole-volume path applies.

    Parameters
    ----------
    truth_path, prediction_path : Path
        The manifest row's files.
    rule : PredictionRule
        How the prediction becomes labels.
    above : int or None
        Size threshold in bytes of the ground truth; None never chunks.
    """
    if above is None or rule.task not in ("semantic", "instance") or rule.channel is not None:
        return None
    if rule.task == "instance" and (rule.threshold is not None or rule.connected_components):
        return None  # connected components need the whole volume
    truth = open_lazy(truth_path)
    if truth is None or not (truth.dtype == bool or np.issubdtype(truth.dtype, np.integer)):
        return None
    if int(np.prod(truth.shape, dtype=np.int64)) * truth.dtype.itemsize <= above:
        return None
    raw = open_lazy(prediction_path)
    if raw is None or tuple(raw.shape) != tuple(truth.shape):
        return None
    return truth, RuledPrediction(raw, rule, prediction_path)
