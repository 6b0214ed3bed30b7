"""Segmentation metrics of large volumes, read slab by slab with bounded memory.

:func:`chunked_metrics` gives the same numbers as :func:`bmzcard.metrics.compute_metrics`
for the semantic and instance tasks, but never holds a full-size copy of the
inputs: it reads them in slabs along the first axis (any array that can be
sliced there, such as a Zarr array or a memory-mapped ``.npy``).

- Dice/IoU: foreground and intersection counts summed over slabs.
- HD/HD95/NSD: each slab's boundary is found on the slab read with one more
  plane on either side, so it equals the whole-volume boundary (6-/4-connected,
  outside the image is background). The grid search of
  :mod:`.semantic` runs on the slab extended by the search radius. The
  points farther than that radius from the other boundary get the distance
  to the nearest boundary point of their own slab (a k-d tree), then, in a
  second pass, to the other slabs' boundaries that can be nearer (one k-d
  tree at a time).
  Distances are kept as counts per distinct value (almost all are 0 or one of
  a few grid distances); HD95 is interpolated between the two order
  statistics as ``numpy.percentile`` does, so the memory does not grow with
  the boundary size.
- Instance matching: object sizes and overlapping label pairs collected per
  slab with :func:`.instance.label_overlap` and summed per label and pair.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import numpy as np

from . import _names, _task, _unlabelled_as_background, _unlabelled_pixels, class_means, instance_values
from ._checks import MetricInputError, check_spacing
from .instance import (
    DEFAULT_THRESHOLDS,
    LabelOverlap,
    label_overlap,
    matches_from_overlap,
    overlap_from_pairs,
)
from .semantic import (
    _boundary,
    _count_chunks,
    _dice_from,
    _flat_points,
    _hd_from,
    _iou_from,
    _nearest,
    _nsd_from,
    _offset_shells,
    _search_radius,
    _shell_search,
    _tree,
)

__all__ = ["DEFAULT_SLAB_BYTES", "chunked_metrics", "chunked_overlap", "slab_step"]

#: Bytes of one input read at a time (rounded up to whole planes and storage chunks).
DEFAULT_SLAB_BYTES = 1 << 20
_FAR_BATCH = 1 << 16


def slab_step(array, slab_bytes: int = DEFAULT_SLAB_BYTES) -> int:
    """Planes per slab: about ``slab_bytes`` of ``array``, whole storage chunks."""
    plane = int(np.prod(array.shape[1:], dtype=np.int64)) * np.dtype(array.dtype).itemsize
    step = max(1, slab_bytes // max(plane, 1))
    try:
        chunks = getattr(array, "chunks", None)
    except NotImplementedError:  # zarr: an irregular chunk grid
        chunks = None
    if isinstance(chunks, tuple) and chunks and isinstance(chunks[0], int):
        step = -(-step // chunks[0]) * chunks[0]  # whole chunks: none is decoded twice
    return int(step)


def _slabs(length: int, step: int) -> Iterator[tuple[int, int]]:
    for start in range(0, length, step):
        yield start, min(start + step, length)


def _read(array, start: int, stop: int) -> np.ndarray:
    """Planes ``start:stop`` of ``array``; planes outside it are zeros (background)."""
    lo, hi = max(start, 0), min(stop, array.shape[0])
    inside = np.asarray(array[lo:hi])
    if lo == start and hi == stop:
        return inside
    out = np.zeros((stop - start, *array.shape[1:]), dtype=inside.dtype)
    out[lo - start : hi - start] = inside
    return out


def _check(ground_truth, prediction) -> None:
    for name, array in (("ground_truth", ground_truth), ("prediction", prediction)):
        dtype = np.dtype(array.dtype)
        if not (dtype == bool or np.issubdtype(dtype, np.integer)):
            raise MetricInputError(name, f"{name} must be a boolean or integer label image, got dtype {dtype}")
    if tuple(ground_truth.shape) != tuple(prediction.shape):
        raise MetricInputError(
            "prediction", f"prediction has shape {tuple(prediction.shape)} but ground_truth has shape "
            f"{tuple(ground_truth.shape)}")
    if len(ground_truth.shape) == 0:
        raise MetricInputError("ground_truth", "ground_truth must have at least one axis")


# -- semantic ------------------------------------------------------------------


class _Distances:
    """The distances of one direction (boundary of one mask to the other's)
    as counts per distinct value, with the points still to be resolved."""

    def __init__(self) -> None:
        self.counts: dict[float, int] = {}
        # points beyond the grid search: flat indices into the volume and the
        # nearest distance found so far (within their own slab)
        self.far_index: list[np.ndarray] = []
        self.far_best: list[np.ndarray] = []

    def add(self, values: np.ndarray) -> None:
        distinct, counts = np.unique(values, return_counts=True)
        for value, count in zip(distinct.tolist(), counts.tolist()):
            self.counts[value] = self.counts.get(value, 0) + count

    @property
    def size(self) -> int:
        return sum(self.counts.values())

    def percentile(self, percentile: float) -> float:
        """``numpy.percentile`` (linear) of the distances, from the counts alone."""
        if percentile >= 100:
            return max(self.counts)
        values = sorted(self.counts)
        ends = np.cumsum([self.counts[v] for v in values])  # rank after each value
        virtual = (int(ends[-1]) - 1) * (percentile / 100)
        below = int(np.floor(virtual))
        above = min(below + 1, int(ends[-1]) - 1)
        lo = values[int(np.searchsorted(ends, below, side="right"))]
        hi = values[int(np.searchsorted(ends, above, side="right"))]
        gamma = virtual - below
        # numpy's interpolation: from the nearer of the two order statistics
        diff = hi - lo
        return float(hi - diff * (1 - gamma) if gamma >= 0.5 else lo + diff * gamma)

    def within(self, tolerance: float) -> int:
        return sum(count for value, count in self.counts.items() if value <= tolerance)


class _SemanticState:
    """Running counts and boundary distances of one class (or of the binary masks)."""

    def __init__(self) -> None:
        self.n_sizes = self.n_both = 0  # |G| + |P| and |G & P|
        self.gt_to_pred = _Distances()
        self.pred_to_gt = _Distances()

    def values(self, names: Iterable[str], tolerance: float) -> dict[str, float]:
        d_gp, d_pg = self.gt_to_pred, self.pred_to_gt
        out = {
            "iou": lambda: _iou_from(self.n_sizes, self.n_both),
            "dice": lambda: _dice_from(self.n_sizes, self.n_both),
            "hd": lambda: _hd_from(d_gp, d_pg, 100.0, _Distances.percentile),
            "hd95": lambda: _hd_from(d_gp, d_pg, 95.0, _Distances.percentile),
            "nsd": lambda: _nsd_from(d_gp, d_pg, tolerance, _Distances.within),
        }
        return {name: out[name]() for name in names}


def _foreground(labels: np.ndarray, value) -> np.ndarray:
    return labels != 0 if value is None else labels == value


def _classes(ground_truth, prediction, step: int, ignore_label=None) -> list[int] | None:
    """None for binary masks (each image has at most one non-zero value and
    no ignore label, as :func:`compute_metrics` decides), else the non-zero
    values of both other than the ignore label."""
    values = [set(), set()]
    for start, stop in _slabs(ground_truth.shape[0], step):
        for seen, array in zip(values, (ground_truth, prediction)):
            seen.update(int(v) for v in np.unique(_read(array, start, stop)).tolist())  # True as 1
    nonzero = [v - {0} for v in values]
    if ignore_label is None and all(len(v) <= 1 for v in nonzero):
        return None
    return sorted((nonzero[0] | nonzero[1]) - {ignore_label})


class _Unlabelled:
    """The pixels left out, read slab by slab: the ground truth's ignore
    label and the non-zero pixels of a lazily read ignore mask."""

    def __init__(self, ground_truth, mask, label) -> None:
        self.ground_truth, self.mask, self.label = ground_truth, mask, label

    def __bool__(self) -> bool:
        return self.mask is not None or self.label is not None

    def keep(self, start: int, stop: int, truth_planes: np.ndarray | None = None) -> np.ndarray | None:
        """True where planes ``start:stop`` count (None: everywhere);
        ``truth_planes`` saves reading the ground truth again."""
        if not self:
            return None
        if self.label is not None and truth_planes is None:
            truth_planes = _read(self.ground_truth, start, stop)
        mask = None if self.mask is None else _read(self.mask, start, stop)
        return ~_unlabelled_pixels(truth_planes, mask, self.label)


def _points(index: np.ndarray, shape, scale) -> np.ndarray:
    """Physical coordinates of flat indices into the whole volume."""
    return _flat_points(index, shape, [(0, 0)] * len(shape), scale)


def _semantic_pass(ground_truth, prediction, states, scale, step, boundaries: bool,
                   unlabelled: _Unlabelled) -> None:
    """One pass over the slabs: counts, boundaries and grid-searched distances."""
    shells, reach = _offset_shells(scale, _search_radius(scale))
    margin = int(reach[0]) if boundaries else 0
    shape = tuple(ground_truth.shape)
    plane = int(np.prod(shape[1:], dtype=np.int64))
    for start, stop in _slabs(shape[0], step):
        # one plane more than the search margin, so the margin's boundary is exact
        g_ext = _read(ground_truth, start - margin - 1, stop + margin + 1)
        p_ext = _read(prediction, start - margin - 1, stop + margin + 1)
        centre = slice(margin + 1, margin + 1 + stop - start)
        keep = unlabelled.keep(start - margin - 1, stop + margin + 1, g_ext)
        for value, state in states.items():
            g, p = _foreground(g_ext, value), _foreground(p_ext, value)
            n_sizes, n_both = _count_chunks(g[centre], p[centre], None if keep is None else keep[centre])
            state.n_sizes += n_sizes
            state.n_both += n_both
            if not boundaries or not (g.any() or p.any()):
                continue
            bg, bp = _boundary(g)[1:-1], _boundary(p)[1:-1]
            if keep is not None:  # as the whole-volume path: boundary pixels left out are dropped
                bg &= keep[1:-1]
                bp &= keep[1:-1]
            offset = (start - margin) * plane  # flat index of the extended slab's first pixel
            for src, dst, out in ((bg, bp, state.gt_to_pred), (bp, bg, state.pred_to_gt)):
                index = np.flatnonzero(src[margin : margin + stop - start]) + margin * plane
                if index.size == 0:
                    continue
                distances, pending = _shell_search(index, dst, shells, reach)
                resolved = np.ones(index.size, dtype=bool)
                resolved[pending] = False
                out.add(distances[resolved])
                if pending.size:
                    far = index[pending] + offset
                    dst_index = np.flatnonzero(dst) + offset
                    best = np.full(far.size, np.inf)
                    if dst_index.size:
                        best = _nearest(_tree(_points(dst_index, shape, scale)), _points(far, shape, scale))
                    out.far_index.append(far)
                    out.far_best.append(best)


def _resolve_far(ground_truth, prediction, states, scale, step, unlabelled: _Unlabelled) -> None:
    """Exact distances of the points beyond the grid search.

    Each point already has the distance to the nearest boundary point of its
    own slab; the other slabs are searched, one k-d tree at a time, only for
    the points whose distance along the first axis to that slab is below it.
    """
    shape = tuple(ground_truth.shape)
    plane = int(np.prod(shape[1:], dtype=np.int64))
    todo = []
    for value, state in states.items():
        for direction, other in ((state.gt_to_pred, prediction), (state.pred_to_gt, ground_truth)):
            if direction.far_index:
                # one list at a time: the pieces and the whole are never all held
                index = np.concatenate(direction.far_index)
                direction.far_index = []
                best = np.concatenate(direction.far_best)
                direction.far_best = []
                todo.append((value, direction, other, index, best))
    for start, stop in _slabs(shape[0], step):
        boundaries = {}
        for value, _, other, index, best in todo:
            # in batches: the temporaries stay small however many points there are
            for lo in range(0, index.size, _FAR_BATCH):
                z = index[lo : lo + _FAR_BATCH] // plane
                gap = np.maximum(np.maximum(start - z, z - (stop - 1)), 0) * scale[0]
                # a slab whose planes are farther than the best distance cannot hold
                # a nearer point (the margin covers rounding of the computed distance)
                ask = np.flatnonzero(((z < start) | (z >= stop)) & (gap * (1 - 1e-9) < best[lo : lo + _FAR_BATCH]))
                if ask.size == 0:
                    continue
                key = (value, id(other))
                if key not in boundaries:
                    dst = _boundary(_foreground(_read(other, start - 1, stop + 1), value))[1:-1]
                    keep = unlabelled.keep(start, stop)
                    if keep is not None:
                        dst &= keep
                    index_dst = np.flatnonzero(dst) + start * plane
                    boundaries[key] = _tree(_points(index_dst, shape, scale)) if index_dst.size else None
                if boundaries[key] is None:
                    break  # the other mask has no boundary in this slab
                ask += lo
                found = _nearest(boundaries[key], _points(index[ask], shape, scale))
                best[ask] = np.minimum(best[ask], found)
    for _, direction, _, _, best in todo:
        direction.add(best)  # inf where the other mask has no boundary at all


def _semantic(ground_truth, prediction, names, scale, tolerance, step, unlabelled: _Unlabelled) -> dict[str, float]:
    classes = _classes(ground_truth, prediction, step, unlabelled.label)
    states = {value: _SemanticState() for value in (classes if classes is not None else [None])}
    boundaries = bool({"hd", "hd95", "nsd"} & set(names))
    _semantic_pass(ground_truth, prediction, states, scale, step, boundaries, unlabelled)
    if boundaries:
        _resolve_far(ground_truth, prediction, states, scale, step, unlabelled)
    per = {value: state.values(names, tolerance) for value, state in states.items()}
    if classes is None or len(classes) == 1:
        return next(iter(per.values()))
    return class_means(per, names)


# -- instance ------------------------------------------------------------------


def _merge_labels(labels: list[np.ndarray], sizes: list[np.ndarray]):
    """Sorted distinct labels and their summed sizes."""
    merged, inverse = np.unique(np.concatenate(labels), return_inverse=True)
    total = np.zeros(merged.size, dtype=np.int64)
    np.add.at(total, inverse.reshape(-1), np.concatenate(sizes))
    return merged, total


def chunked_overlap(ground_truth, prediction, *, slab_bytes: int = DEFAULT_SLAB_BYTES, ignore_mask=None,
                    ignore_label=None, ignore_fraction: float = 0.5) -> LabelOverlap:
    """:func:`.instance.label_overlap` of two label volumes read slab by slab.

    Parameters
    ----------
    ground_truth, prediction : array-like of int or bool
        Label images of the same shape, sliceable along the first axis
        (numpy arrays, memory maps, Zarr arrays).
    slab_bytes : int, optional
        About how many bytes of one input to read at a time.
    ignore_mask : array-like, optional
        Non-zero where the ground truth is unlabelled, sliceable as the
        inputs.
    ignore_label : int, optional
        The ground-truth value of unlabelled pixels (background where it is
        not 0).
    ignore_fraction : float, optional
        Objects with more than this fraction of their pixels unlabelled are
        left out, as :func:`bmzcard.metrics.compute_metrics` does.

    Returns
    -------
    LabelOverlap
        Identical to :func:`.instance.label_overlap` of the whole arrays
        (after the objects left out became background).
    """
    _check(ground_truth, prediction)
    unlabelled = _Unlabelled(ground_truth, ignore_mask, ignore_label)
    parts = [[] for _ in range(11)]  # labels, sizes (true, pred); pair labels, intersection; ignored labels, sizes
    for start, stop in _slabs(ground_truth.shape[0], slab_step(ground_truth, slab_bytes)):
        g, p = _read(ground_truth, start, stop), _read(prediction, start, stop)
        keep = unlabelled.keep(start, stop, g)
        g = _unlabelled_as_background(g, ignore_label)
        o = label_overlap(g, p)
        values = [o.true_labels, o.true_sizes, o.pred_labels, o.pred_sizes, o.true_labels[o.pair_true],
                  o.pred_labels[o.pair_pred], o.pair_intersection]
        if keep is not None:
            # the objects' sizes where ignored: their labels outside what is kept
            i = label_overlap(np.where(keep, 0, g), np.where(keep, 0, p))
            values += [i.true_labels, i.true_sizes, i.pred_labels, i.pred_sizes]
        for part, value in zip(parts, values):
            part.append(value)
    true_labels, true_sizes = _merge_labels(parts[0], parts[1])
    pred_labels, pred_sizes = _merge_labels(parts[2], parts[3])
    pair_true, pair_pred = np.concatenate(parts[4]), np.concatenate(parts[5])
    intersection = np.concatenate(parts[6])
    if unlabelled:
        kept = []
        for labels, sizes, ignored_parts in ((true_labels, true_sizes, parts[7:9]),
                                             (pred_labels, pred_sizes, parts[9:11])):
            ignored_labels, ignored_sizes = _merge_labels(*ignored_parts)
            ignored = np.zeros(labels.size, dtype=np.int64)
            ignored[np.searchsorted(labels, ignored_labels)] = ignored_sizes
            kept.append(ignored <= ignore_fraction * sizes)
        keep_pair = (kept[0][np.searchsorted(true_labels, pair_true)]
                     & kept[1][np.searchsorted(pred_labels, pair_pred)])
        pair_true, pair_pred, intersection = pair_true[keep_pair], pair_pred[keep_pair], intersection[keep_pair]
        true_labels, true_sizes = true_labels[kept[0]], true_sizes[kept[0]]
        pred_labels, pred_sizes = pred_labels[kept[1]], pred_sizes[kept[1]]
    return overlap_from_pairs(true_labels, true_sizes, pred_labels, pred_sizes,
                              np.searchsorted(true_labels, pair_true), np.searchsorted(pred_labels, pair_pred),
                              intersection)


def chunked_metrics(
    task: str,
    ground_truth,
    prediction,
    *,
    spacing=None,
    metrics: Iterable[str] | None = None,
    ignore_mask=None,
    ignore_label=None,
    ignore_fraction: float = 0.5,
    tolerance: float = 2.0,
    slab_bytes: int = DEFAULT_SLAB_BYTES,
) -> dict[str, float]:
    """:func:`bmzcard.metrics.compute_metrics` of two label volumes, read slab by slab.

    Parameters
    ----------
    task : str
        ``"semantic"`` or ``"instance"`` (aliases accepted).
    ground_truth, prediction : array-like of int or bool
        Label images of the same shape, sliceable along the first axis.
    spacing : float or sequence of float, optional
        Pixel size per axis, for HD, HD95 and NSD. Default 1.
    metrics : iterable of str, optional
        Names to compute instead of the task's defaults.
    ignore_mask : array-like, optional
        Non-zero where the ground truth is unlabelled (sparse annotations),
        of the inputs' shape and sliceable as they are.
    ignore_label : int, optional
        The ground-truth value of unlabelled pixels.
    ignore_fraction : float, optional
        Instance: objects with more than this fraction of their pixels
        ignored are left out (default 0.5).
    tolerance : float, optional
        NSD tolerance in spacing units, default 2.0.
    slab_bytes : int, optional
        About how many bytes of one input to read at a time.

    Returns
    -------
    dict of str to float
        The same names and values as :func:`compute_metrics` with the same
        arguments.

    Raises
    ------
    MetricInputError
        For another task, an unknown metric, or inputs that are not label
        images of the same shape.

    Notes
    -----
    Peak memory: the work on one slab (about 25 bytes per pixel of the slab
    for the boundary distances) plus 16 bytes per boundary pixel farther than
    the grid search radius (three pixels) from the other boundary, and 8
    bytes more per such pixel while they are resolved.
    """
    key = _task(task)
    if key not in ("semantic", "instance"):
        raise MetricInputError("task", f"chunked metrics cover semantic and instance segmentation, not {key}")
    names = _names(key, metrics)
    _check(ground_truth, prediction)
    if ignore_mask is not None and tuple(ignore_mask.shape) != tuple(ground_truth.shape):
        raise MetricInputError("ignore_mask", f"ignore_mask has shape {tuple(ignore_mask.shape)} but ground_truth "
                               f"has shape {tuple(ground_truth.shape)}")
    if key == "instance":
        if not 0 <= ignore_fraction <= 1:
            raise MetricInputError("ignore_fraction", f"ignore_fraction must be in [0, 1], got {ignore_fraction}")
        overlap = chunked_overlap(ground_truth, prediction, slab_bytes=slab_bytes, ignore_mask=ignore_mask,
                                  ignore_label=ignore_label, ignore_fraction=ignore_fraction)
        return instance_values(matches_from_overlap(overlap, DEFAULT_THRESHOLDS), names)
    scale = check_spacing(spacing, len(ground_truth.shape))
    return _semantic(ground_truth, prediction, names, scale, float(tolerance), slab_step(ground_truth, slab_bytes),
                     _Unlabelled(ground_truth, ignore_mask, ignore_label))
