"""Large segmentation volumes with given predictions: metrics read slab by slab.

A row goes this way when its prediction is a file, the task is semantic or
instance segmentation, both files can be read lazily (memory-mapped ``.npy``
or uncompressed TIFF, or Zarr), the ground truth is an integer label image
larger than the job's ``chunked_above`` bytes, the prediction has the ground
truth's shape once leading singleton axes and the ``--channel`` are taken,
and an ignore mask, if any, can be read lazily too. Instances made by
connected components are labelled slab by slab and joined across slab
borders (:class:`ComponentLabels`). Anything else is read whole (and, when
large, still computed slab by slab by the pipeline); every way gives the
whole-volume numbers (:mod:`bmzcard.metrics.chunked`).
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np

from bmzcard.errors import BmzcardError
from bmzcard.evaluate.images import open_lazy
from bmzcard.evaluate.manifest import Row
from bmzcard.evaluate.postprocess import SEGMENTATION, PredictionRule, connected_components
from bmzcard.metrics.chunked import slab_step

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
        floating = np.issubdtype(raw.dtype, np.floating)
        self.dtype = np.dtype(bool if rule.threshold is not None else np.int64 if floating else raw.dtype)

    def __getitem__(self, key) -> np.ndarray:
        slab = np.asarray(self.raw[self.index + (key if isinstance(key, tuple) else (key,))])
        if np.issubdtype(slab.dtype, np.inexact) and not np.isfinite(slab).all():
            raise BmzcardError("NaN or infinite values in the prediction", path=self.where)
        # connected components are labelled by ComponentLabels, across slabs
        return self.rule.apply(slab, len(self.shape), self.where, label_components=False)


class ComponentLabels:
    """Connected components of a lazily read foreground, as labelled on the whole volume.

    Full connectivity, as :func:`~bmzcard.evaluate.postprocess.connected_components`.
    At construction every slab of ``step`` planes is labelled on its own and
    the labels that touch across each slab border (the last plane of one
    slab and the first of the next, at in-plane offsets of -1, 0 or 1) are
    joined into one object by a connected-components search on the graph of
    touching labels. Reading planes labels their slabs again (labelling is
    deterministic) and maps the labels to the joined objects, so one slab's
    labels and two border planes are in memory at a time. Object numbers
    differ from the whole-volume labelling; the objects themselves are the
    same, and so is every metric.

    Parameters
    ----------
    foreground : array-like
        Sliceable along the first axis; non-zero is foreground.
    step : int
        Planes per slab (the reader's slabs, so each is labelled twice only).
    """

    def __init__(self, foreground, step: int) -> None:
        from scipy.sparse import coo_matrix
        from scipy.sparse.csgraph import connected_components as graph_components

        self.foreground, self.step = foreground, max(1, int(step))
        self.shape = tuple(foreground.shape)
        self.dtype = np.dtype(np.int64)
        self.offsets: list[int] = []
        total, previous, touching = 0, None, []
        for start, stop in self._slabs(0, self.shape[0]):
            labels, count = self._labels(start, stop)
            labels[labels > 0] += total
            if previous is not None:
                touching.append(_touching(previous, labels[0]))
            previous = labels[-1].copy()
            self.offsets.append(total)
            total += count
        pairs = np.concatenate(touching, axis=1) if touching else np.zeros((2, 0), np.int64)
        graph = coo_matrix((np.ones(pairs.shape[1], np.int8), (pairs[0], pairs[1])), shape=(total + 1, total + 1))
        _, component = graph_components(graph, directed=False)
        # object numbers 1..n in order of first label; 0 stays background
        _, first = np.unique(component[1:], return_inverse=True)
        self.lookup = np.concatenate([[0], first.reshape(-1) + 1]).astype(np.int64)

    def _slabs(self, lo: int, hi: int):
        first = lo // self.step * self.step
        for start in range(first, hi, self.step):
            yield start, min(start + self.step, self.shape[0])

    def _labels(self, start: int, stop: int) -> tuple[np.ndarray, int]:
        labels, count = connected_components(np.asarray(self.foreground[start:stop]) != 0)
        return labels.astype(np.int64, copy=False), int(count)

    def __getitem__(self, key) -> np.ndarray:
        if not isinstance(key, slice) or key.step not in (None, 1):
            raise TypeError("ComponentLabels reads contiguous ranges of planes only")
        lo, hi, _ = key.indices(self.shape[0])
        pieces = []
        for start, stop in self._slabs(lo, hi):
            labels, _ = self._labels(start, stop)
            labels[labels > 0] += self.offsets[start // self.step]
            pieces.append(self.lookup[labels[max(lo, start) - start : min(hi, stop) - start]])
        return np.concatenate(pieces) if pieces else np.zeros((0, *self.shape[1:]), np.int64)


def _touching(before: np.ndarray, after: np.ndarray) -> np.ndarray:
    """Label pairs (2, n) of foreground pixels of two adjacent planes that
    touch with full connectivity (same position or a diagonal neighbour)."""
    pairs = []
    for offset in itertools.product((-1, 0, 1), repeat=before.ndim):
        a = tuple(slice(max(0, -o), n - max(0, o)) for o, n in zip(offset, before.shape))
        b = tuple(slice(max(0, o), n - max(0, -o)) for o, n in zip(offset, before.shape))
        x, y = before[a], after[b]
        both = (x > 0) & (y > 0)
        pairs.append(np.stack([x[both], y[both]]))
    pairs = np.concatenate(pairs, axis=1)
    if pairs.size and pairs.max() >= 1 << 32:
        return np.unique(pairs, axis=1)
    # one 64-bit key per pair: duplicates go with a 1-D unique, far faster than unique(axis=1)
    keys = np.unique((pairs[0].astype(np.uint64) << np.uint64(32)) | pairs[1].astype(np.uint64))
    return np.stack([keys >> np.uint64(32), keys & np.uint64(0xFFFFFFFF)]).astype(np.int64)


def is_large(array, above: int | None) -> bool:
    """Whether ``array`` (loaded or lazily read) holds more than ``above`` bytes; None: never."""
    return above is not None and int(np.prod(array.shape, dtype=np.int64)) * np.dtype(array.dtype).itemsize > above


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
    if above is None or rule.task not in SEGMENTATION:
        return None
    truth = open_lazy(row.ground_truth)
    if truth is None or not (truth.dtype == bool or np.issubdtype(truth.dtype, np.integer)):
        return None
    if not is_large(truth, above):
        return None
    raw = open_lazy(row.prediction)
    if raw is None:
        return None
    try:
        index = rule.leading_index(tuple(raw.shape), len(truth.shape), row.prediction)
    except BmzcardError:
        return None  # the whole-volume path reports it, naming the row
    if tuple(raw.shape)[len(index):] != tuple(truth.shape):
        return None
    ignored = {} if ignore_label is None else {"ignore_label": ignore_label}
    if row.ignore_mask is not None:
        mask = open_lazy(row.ignore_mask)
        if mask is None or tuple(mask.shape) != tuple(truth.shape):
            return None
        ignored["ignore_mask"] = mask  # non-zero is unlabelled; read slab by slab
    prediction = RuledPrediction(raw, rule, row.prediction, index)
    if rule.labels_components:
        prediction = ComponentLabels(prediction, slab_step(truth))
    return truth, prediction, ignored
