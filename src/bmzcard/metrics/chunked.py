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

from . import _names, _task, class_means, instance_values
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
    _flat_points,
    _hd_from,
    _nearest,
    _nsd_from,
    _offset_shells,
    _ratio,
    _search_radius,
    _shell_search,
    _tree,
)

__all__ = ["DEFAULT_SLAB_BYTES", "chunked_metrics", "chunked_overlap"]

#: Bytes of one input read at a time (rounded up to whole planes and storage chunks).
DEFAULT_SLAB_BYTES = 1 << 20
_FAR_BATCH = 1 << 16


def _step(array, slab_bytes: int) -> int:
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
            "iou": lambda: _ratio(self.n_both, self.n_sizes - self.n_both),
            "dice": lambda: _ratio(2 * self.n_both, self.n_sizes),
            "hd": lambda: _hd_from(d_gp, d_pg, 100.0, _Distances.percentile),
            "hd95": lambda: _hd_from(d_gp, d_pg, 95.0, _Distances.percentile),
            "nsd": lambda: _nsd_from(d_gp, d_pg, tolerance, _Distances.within),
        }
        return {name: out[name]() for name in names}


def _foreground(labels: np.ndarray, value) -> np.ndarray:
    return labels != 0 if value is None else labels == value


def _classes(ground_truth, prediction, step: int) -> list[int] | None:
    """None for binary masks (each image has at most one non-zero value, as
    :func:`compute_metrics` decides), else the non-zero values of both."""
    values = [set(), set()]
    for start, stop in _slabs(ground_truth.shape[0], step):
        for seen, array in zip(values, (ground_truth, prediction)):
            seen.update(int(v) for v in np.unique(_read(array, start, stop)).tolist())  # True as 1
    nonzero = [v - {0} for v in values]
    if all(len(v) <= 1 for v in nonzero):
        return None
    return sorted(nonzero[0] | nonzero[1])


def _points(index: np.ndarray, shape, scale) -> np.ndarray:
    """Physical coordinates of flat indices into the whole volume."""
    return _flat_points(index, shape, [(0, 0)] * len(shape), scale)


def _semantic_pass(ground_truth, prediction, states, scale, step, boundaries: bool) -> None:
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
        for value, state in states.items():
            g, p = _foreground(g_ext, value), _foreground(p_ext, value)
            n_sizes, n_both = _count_chunks(g[centre], p[centre], None)
            state.n_sizes += n_sizes
            state.n_both += n_both
            if not boundaries or not (g.any() or p.any()):
                continue
            bg, bp = _boundary(g)[1:-1], _boundary(p)[1:-1]
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


def _resolve_far(ground_truth, prediction, states, scale, step) -> None:
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
                    index_dst = np.flatnonzero(dst) + start * plane
                    boundaries[key] = _tree(_points(index_dst, shape, scale)) if index_dst.size else None
                if boundaries[key] is None:
                    break  # the other mask has no boundary in this slab
                ask += lo
                found = _nearest(boundaries[key], _points(index[ask], shape, scale))
                best[ask] = np.minimum(best[ask], found)
    for _, direction, _, _, best in todo:
        direction.add(best)  # inf where the other mask has no boundary at all


def _semantic(ground_truth, prediction, names, scale, tolerance, step) -> dict[str, float]:
    classes = _classes(ground_truth, prediction, step)
    states = {value: _SemanticState() for value in (classes if classes is not None else [None])}
    boundaries = bool({"hd", "hd95", "nsd"} & set(names))
    _semantic_pass(ground_truth, prediction, states, scale, step, boundaries)
    if boundaries:
        _resolve_far(ground_truth, prediction, states, scale, step)
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


def chunked_overlap(ground_truth, prediction, *, slab_bytes: int = DEFAULT_SLAB_BYTES) -> LabelOverlap:
    """:func:`.instance.label_overlap` of two label volumes read slab by slab.

    Parameters
    ----------
    ground_truth, prediction : array-like of int or bool
        Label images of the same shape, sliceable along the first axis
        (numpy arrays, memory maps, Zarr arrays).
    slab_bytes : int, optional
        About how many bytes of one input to read at a time.

    Returns
    -------
    LabelOverlap
        Identical to :func:`.instance.label_overlap` of the whole arrays.
    """
    _check(ground_truth, prediction)
    parts = [[], [], [], [], [], [], []]  # labels, sizes (true, pred); pair labels (true, pred), intersection
    for start, stop in _slabs(ground_truth.shape[0], _step(ground_truth, slab_bytes)):
        o = label_overlap(_read(ground_truth, start, stop), _read(prediction, start, stop))
        for part, value in zip(parts, (o.true_labels, o.true_sizes, o.pred_labels, o.pred_sizes,
                                       o.true_labels[o.pair_true], o.pred_labels[o.pair_pred],
                                       o.pair_intersection)):
            part.append(value)
    true_labels, true_sizes = _merge_labels(parts[0], parts[1])
    pred_labels, pred_sizes = _merge_labels(parts[2], parts[3])
    return overlap_from_pairs(true_labels, true_sizes, pred_labels, pred_sizes,
                              np.searchsorted(true_labels, np.concatenate(parts[4])),
                              np.searchsorted(pred_labels, np.concatenate(parts[5])),
                              np.concatenate(parts[6]))


def chunked_metrics(
    task: str,
    ground_truth,
    prediction,
    *,
    spacing=None,
    metrics: Iterable[str] | None = None,
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
    tolerance : float, optional
        NSD tolerance in spacing units, default 2.0.
    slab_bytes : int, optional
        About how many bytes of one input to read at a time.

    Returns
    -------
    dict of str to float
        The same names and values as :func:`compute_metrics` with the same
        arguments (no ignore mask: sparse annotations are not supported here).

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
    if key == "instance":
        overlap = chunked_overlap(ground_truth, prediction, slab_bytes=slab_bytes)
        return instance_values(matches_from_overlap(overlap, DEFAULT_THRESHOLDS), names)
    scale = check_spacing(spacing, len(ground_truth.shape))
    return _semantic(ground_truth, prediction, names, scale, float(tolerance),
                     _step(ground_truth, slab_bytes))
