"""Detection rows: point or box files per image, matched and scored per image.

Each manifest row names a ground-truth and a prediction file, a CSV (or TSV)
with a header and one object per line:

- points: columns ``y,x`` (2D) or ``z,y,x`` (3D), in pixels; matched
  one-to-one within ``--match-distance`` (in spacing units);
- boxes: ``y_min,x_min,y_max,x_max`` (3D: ``z_min`` ... ``z_max`` as well),
  lower corner then upper corner in continuous pixel coordinates; matched
  one-to-one at ``IoU >= --iou-threshold`` (default 0.5).

A prediction may add a ``score`` column (confidence); for boxes it gives
``map``, COCO's mAP@[.50:.95] (identical to pycocotools' COCOeval, every
prediction ranked), and then every prediction file must have it. Other
columns (an index, a class) are ignored.

Per image, ``precision``, ``recall``, ``f1`` and ``map`` are the image's
own (``map`` NaN for an image without true boxes, as COCOeval leaves it
undefined). Per level, :func:`summarize` gives the mean over images of the
first three, and ``map`` pooled over the level's images as COCOeval pools a
dataset (all predictions ranked together), not the mean of per-image APs;
its std and interval come from a bootstrap over the images.
A file with a header and no lines has no objects. Every file is read before
any metric is computed, so a bad file stops the run before anything is
written.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bmzcard.errors import BmzcardError
from bmzcard.evaluate.aggregate import Cell, level_members, resample_indices, set_cell
from bmzcard.evaluate.aggregate import summarize as summarize_per_image
from bmzcard.evaluate.manifest import Manifest, Row, row_error
from bmzcard.evaluate.pipeline import ImageResult
from bmzcard.metrics import MetricInputError, compute_metrics
from bmzcard.metrics.detection import CocoPool, coco_matches

#: Coordinate column names in array axis order.
AXES = ("z", "y", "x")
SCORE = "score"
#: The IoU threshold of box matching unless one is given (the COCO/VOC convention).
DEFAULT_IOU = 0.5
#: How :func:`summarize` aggregates, for the provenance and the card.
AGGREGATION = ("precision, recall, f1: mean over each level's images, std over images, percentile bootstrap of "
               "the mean; map: COCO mAP@[.50:.95] pooled over each level's images (all predictions ranked together, "
               "as pycocotools' COCOeval), std and percentile interval over a bootstrap of those images")
#: What the std of :func:`summarize`'s cells is, for the provenance.
STD = ("precision, recall, f1: sample standard deviation over images (ddof=1); map: standard deviation of the pooled "
       "map over the bootstrap samples of the level's images (ddof=1; samples without a true box left out)")
#: What "±" means in the card's results table.
SPREAD = ("Precision, recall and F1: mean over the column's images ± standard deviation over images. mAP: COCO "
          "mAP@[.50:.95] of the column's images pooled (all predictions ranked together, as pycocotools' COCOeval; "
          "not the mean of per-image values) ± its standard deviation over bootstrap samples of those images, n/a "
          "where the images hold no true box")


@dataclass(frozen=True)
class Detections:
    """The objects of one file.

    Attributes
    ----------
    kind : str
        ``"points"`` or ``"boxes"``.
    axes : tuple of str
        The spatial axes, e.g. ``("y", "x")``.
    coordinates : ndarray
        ``(n, ndim)`` points, or ``(n, 2 * ndim)`` boxes (lower then upper corner).
    scores : ndarray or None
        One confidence per object, when the file has a ``score`` column.
    """

    kind: str
    axes: tuple[str, ...]
    coordinates: np.ndarray
    scores: np.ndarray | None


@dataclass(frozen=True)
class Matching:
    """How detections are matched; recorded in the provenance.

    Attributes
    ----------
    match_distance : float or None
        Largest distance of a point match, in spacing units.
    iou_threshold : float or None
        Smallest IoU of a box match; None for :data:`DEFAULT_IOU`.
    """

    match_distance: float | None = None
    iou_threshold: float | None = None

    def check(self) -> None:
        """Refuse impossible values before any file is read."""
        if self.match_distance is not None and not self.match_distance >= 0:
            raise BmzcardError(f"--match-distance must be >= 0, got {self.match_distance:g}",
                               field="--match-distance")
        if self.iou_threshold is not None and not 0 < self.iou_threshold <= 1:
            raise BmzcardError(f"--iou-threshold must be in (0, 1], got {self.iou_threshold:g}",
                               field="--iou-threshold")

    def describe(self, kind: str, unit: str, scored: bool) -> str:
        """The matching rule in words, for the card and the provenance."""
        if kind == "points":
            return f"points matched one-to-one within {self.match_distance:g} {unit}"
        rule = f"boxes matched one-to-one at IoU >= {self.iou_threshold or DEFAULT_IOU:g} (optimal matching)"
        return rule + ("; map: COCO mAP@[.50:.95] as pycocotools' COCOeval (greedy matching in score order, "
                       "101-point interpolated precision, every prediction ranked)" if scored else "")


def read_detections(path: Path) -> Detections:
    """Read a point or box file (see the module docstring).

    Raises
    ------
    BmzcardError
        Naming the file (and its line) for unreadable text, missing or mixed
        coordinate columns, or a cell that is not a finite number.
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise BmzcardError(f"cannot read this point/box file: {error}", path=path) from None
    delimiter = "\t" if path.suffix.lower() in (".tsv", ".tab") else ","
    lines = [(number, cells) for number, cells in enumerate(csv.reader(text.splitlines(), delimiter=delimiter), 1)
             if any(c.strip() for c in cells)]
    if not lines:
        raise BmzcardError("empty point/box file: it needs at least a header (y,x or y_min,x_min,y_max,x_max)",
                           path=path)
    header = [c.strip().lower() for c in lines[0][1]]
    kind, axes, columns = _columns(header, path)
    wanted = columns + ([SCORE] if SCORE in header else [])
    values = np.empty((len(lines) - 1, len(wanted)))
    for index, (number, cells) in enumerate(lines[1:]):
        if len(cells) != len(header):
            raise BmzcardError(f"line {number} has {len(cells)} cells, the header has {len(header)}", path=path)
        for column, name in enumerate(wanted):
            cell = cells[header.index(name)].strip()
            try:
                values[index, column] = float(cell)
            except ValueError:
                values[index, column] = math.nan  # reported below, with infinities
            if not math.isfinite(values[index, column]):
                raise BmzcardError(f"line {number}, column {name!r}: {cell!r} is not a finite number", path=path)
    scores = values[:, len(columns)] if SCORE in header else None
    return Detections(kind, axes, values[:, :len(columns)], scores)


def _columns(header: list[str], path: Path) -> tuple[str, tuple[str, ...], list[str]]:
    """The kind, spatial axes and coordinate columns named by a header."""
    points = tuple(a for a in AXES if a in header)
    boxes = tuple(a for a in AXES if f"{a}_min" in header or f"{a}_max" in header)
    expected = "expected y,x or z,y,x (points) or y_min,x_min,y_max,x_max (boxes)"
    if points and boxes:
        raise BmzcardError(f"the header mixes point columns {points} and box columns; {expected}", path=path)
    axes = points or boxes
    if axes not in (("y", "x"), ("z", "y", "x")):
        raise BmzcardError(f"no usable coordinate columns in the header {','.join(header)}; {expected}", path=path)
    if points:
        return "points", axes, list(axes)
    columns = [f"{a}_min" for a in axes] + [f"{a}_max" for a in axes]
    missing = [c for c in columns if c not in header]
    if missing:
        raise BmzcardError(f"box column {missing[0]!r} is missing; {expected}", path=path)
    return "boxes", axes, columns


def _read_row(manifest: Path, row: Row) -> tuple[Detections, Detections]:
    if row.prediction is None:
        raise row_error(manifest, row.number, "detection needs a prediction column (files of points or boxes); "
                        "evaluate does not run detection models")
    pair = []
    for column in ("ground_truth", "prediction"):
        try:
            pair.append(read_detections(getattr(row, column)))
        except BmzcardError as error:
            raise row_error(manifest, row.number, f"{column}: {error}") from None
    truth, prediction = pair
    if (truth.kind, truth.axes) != (prediction.kind, prediction.axes):
        raise row_error(manifest, row.number, f"ground_truth has {truth.kind} ({','.join(truth.axes)}) but "
                        f"prediction has {prediction.kind} ({','.join(prediction.axes)})")
    return truth, prediction


def read_rows(manifest: Manifest, matching: Matching) -> tuple[list[tuple[Detections, Detections]], str, bool]:
    """Every row's ground truth and prediction, checked against each other and ``matching``.

    Returns
    -------
    pairs : list of (Detections, Detections)
        Ground truth and prediction per row, in manifest order.
    kind : str
        ``"points"`` or ``"boxes"``, the same in every row.
    scored : bool
        Whether the predictions are boxes with scores (then ``map`` is computed).

    Raises
    ------
    BmzcardError
        Naming the manifest and row: an unreadable file, points in one row and
        boxes in another, scores in some prediction files only, or a
        ``--match-distance``/``--iou-threshold`` that does not fit the kind.
    """
    pairs = [_read_row(manifest.path, row) for row in manifest.rows]
    kind = pairs[0][0].kind
    for row, (truth, prediction) in zip(manifest.rows, pairs):
        if truth.kind != kind:
            raise row_error(manifest.path, row.number, f"has {truth.kind} but row 1 has {kind}; "
                            "use one kind of object per manifest")
        if (prediction.scores is None) != (pairs[0][1].scores is None):
            raise row_error(manifest.path, row.number, "a score column must be in every prediction file or in "
                            "none (mAP ranks all predictions by score)")
    if kind == "points" and matching.match_distance is None:
        raise BmzcardError("the manifest's files hold points; give --match-distance (in spacing units)",
                           path=manifest.path, field="--match-distance")
    if kind == "points" and matching.iou_threshold is not None:
        raise BmzcardError("--iou-threshold applies to boxes, the files hold points", field="--iou-threshold")
    if kind == "boxes" and matching.match_distance is not None:
        raise BmzcardError("--match-distance applies to points, the files hold boxes", field="--match-distance")
    return pairs, kind, kind == "boxes" and pairs[0][1].scores is not None


def evaluate_rows(manifest: Manifest, pairs: Sequence[tuple[Detections, Detections]], matching: Matching,
                  metrics: Sequence[str] | None, spacing: tuple[float, ...] | None,
                  scored: bool) -> list[ImageResult]:
    """Precision, recall, F1 (and ``map`` when ``scored``) of every row.

    Raises
    ------
    BmzcardError
        Naming the row, when ``map`` is asked for without scored boxes or a
        metric refuses the row's objects.
    """
    if metrics and "map" in metrics and not scored:
        raise BmzcardError("map needs boxes with a score column in every prediction file", field="--metrics")
    results = []
    for row, (truth, prediction) in zip(manifest.rows, pairs):
        try:
            values = compute_metrics("detection", truth.coordinates, prediction.coordinates, spacing=spacing,
                                     metrics=list(metrics) if metrics else None,
                                     max_distance=matching.match_distance,
                                     threshold=matching.iou_threshold or DEFAULT_IOU, scores=prediction.scores)
        except MetricInputError as error:
            raise row_error(manifest.path, row.number, f"{error} ({row.ground_truth.name})") from None
        results.append(ImageResult(row.number, row.name, dict(row.factors), {k: float(v) for k, v in values.items()},
                                   "file"))
    return results


def summarize(results: Sequence[ImageResult], pairs: Sequence[tuple[Detections, Detections]],
              factors: Sequence[str], *, seed: int, resamples: int, confidence: float) -> dict[str, dict[str, Cell]]:
    """``{metric: {level: Cell}}``: per-image means, and ``map`` pooled per level.

    ``map`` of a level is COCO's mAP of the level's images pooled (NaN when
    they hold no true box); its std and interval come from the pooled mAP of
    each bootstrap resample of those images, drawn as
    :func:`~bmzcard.evaluate.aggregate.resample_indices` draws them (seeded
    per level). The other metrics are as :func:`bmzcard.evaluate.aggregate.summarize`.
    """
    summary = summarize_per_image(results, factors, seed=seed, resamples=resamples, confidence=confidence)
    if "map" not in summary:
        return summary
    matches = [coco_matches(truth.coordinates, prediction.coordinates, prediction.scores)
               for truth, prediction in pairs]
    for level, indices in level_members(results, factors).items():
        pool = CocoPool.of([matches[i] for i in indices])
        draws = resample_indices(len(indices), seed=seed, resamples=resamples)
        replicates = pool.average_precisions([np.bincount(d, minlength=len(indices)) for d in draws])
        summary["map"][level] = set_cell(pool.average_precision(), replicates, len(indices), confidence)
    return summary
