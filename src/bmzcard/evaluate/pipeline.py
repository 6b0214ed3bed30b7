"""One image through the pipeline: read, predict (or read the prediction), compare.

Everything a worker process needs is in the picklable :class:`Job`; a worker
loads the model once (:func:`init_worker`) and returns plain results, so an
error in any process reaches the user as the same one-line message naming
the manifest row and file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from bmzcard.errors import BmzcardError
from bmzcard.evaluate.chunked import CHUNKED_ABOVE, chunked_inputs, is_large
from bmzcard.evaluate.images import image_shape, read_image
from bmzcard.evaluate.manifest import PROGRESS_EVERY, Manifest, Row, Stage, row_error
from bmzcard.evaluate.postprocess import SEGMENTATION, PredictionRule, integer_labels
from bmzcard.evaluate.predict import ModelRunner, ModelSettings
from bmzcard.metrics import MetricInputError, compute_metrics, limit_threads
from bmzcard.metrics.chunked import chunked_metrics


@dataclass(frozen=True)
class Job:
    """What to compute for each image (picklable, sent to worker processes).

    Attributes
    ----------
    manifest : Path
        For error messages.
    task : str
        Canonical task name of :mod:`bmzcard.metrics`.
    rule : PredictionRule
    metrics : tuple of str or None
        Metric names; None for the task's defaults.
    spacing : tuple of float or None
        Pixel size per axis for distance metrics.
    model : ModelSettings or None
        None when the manifest has predictions.
    chunked_above : int or None
        Segmentation ground truths above this many bytes are evaluated slab
        by slab, read lazily where the files allow
        (:mod:`bmzcard.evaluate.chunked`), else from memory; None never.
    ignore_label : int or None
        Ground-truth value of unlabelled pixels (sparse annotations), left
        out with the rows' ignore masks (:func:`ignored_pixels`).
    """

    manifest: Path
    task: str
    rule: PredictionRule
    metrics: tuple[str, ...] | None = None
    spacing: tuple[float, ...] | None = None
    model: ModelSettings | None = None
    chunked_above: int | None = CHUNKED_ABOVE
    ignore_label: int | None = None

    def describe_ignored(self, with_masks: bool) -> str:
        """Which pixels the metrics leave out, in words ("" for none)."""
        parts = [f"ground-truth value {self.ignore_label}"] if self.ignore_label is not None else []
        if with_masks:
            parts.append("the manifest's ignore masks")
        if not parts:
            return ""
        objects = "; objects more than half inside them are dropped" if self.task == "instance" else ""
        return f"unlabelled pixels ({' and '.join(parts)}) left out{objects}"


@dataclass
class ImageResult:
    """Metrics of one image and how its prediction was obtained."""

    row: int
    image: str
    factors: dict[str, str]
    metrics: dict[str, float]
    inference: str  # "file", or the ModelRunner mode ("whole", "whole-unpadded", "tiled")
    shape: tuple[int, ...] = field(default=())
    labels: dict[str, str] = field(default_factory=dict)  # classification: true and predicted class
    computation: str = "whole-volume"  # or "chunked": computed slab by slab


def precheck(manifest: Manifest, progress: Stage | None = None) -> None:
    """Read every file's header and compare shapes where no model runs.

    ``progress(done, total, "checking files")`` is called as rows are checked.

    Raises
    ------
    BmzcardError
        Naming the row and file of the first unreadable file or shape mismatch.
    """
    for row in manifest.rows:
        if progress is not None and (row.number % PROGRESS_EVERY == 0 or row.number == len(manifest.rows)):
            progress(row.number, len(manifest.rows), "checking files")
        shapes = {}
        for column in ("image", "ground_truth", "prediction", "ignore_mask"):
            path = getattr(row, column)
            if path is None:
                continue
            try:
                shapes[column] = image_shape(path)
            except BmzcardError as error:
                raise row_error(manifest.path, row.number, f"{column}: {error}") from None
        if row.ignore_mask is not None and shapes["ignore_mask"] != shapes["ground_truth"]:
            raise row_error(manifest.path, row.number,
                            f"shape mismatch: ignore_mask {row.ignore_mask.name} is {shapes['ignore_mask']}, "
                            f"ground_truth {row.ground_truth.name} is {shapes['ground_truth']}")
        if row.prediction is not None:
            truth, predicted = shapes["ground_truth"], _without_leading_ones(shapes["prediction"],
                                                                             len(shapes["ground_truth"]))
            if predicted != truth and predicted[-len(truth):] != truth:
                raise row_error(manifest.path, row.number,
                                f"shape mismatch: prediction {row.prediction.name} is {shapes['prediction']}, "
                                f"ground_truth {row.ground_truth.name} is {truth}")


def _without_leading_ones(shape: tuple[int, ...], ndim: int) -> tuple[int, ...]:
    while len(shape) > ndim and shape[0] == 1:
        shape = shape[1:]
    return shape


def load_pair(row: Row, job: Job, runner: ModelRunner | None
              ) -> tuple[np.ndarray | None, np.ndarray, np.ndarray, str]:
    """The image (None when not needed), ground truth and comparable prediction of a row.

    Raises
    ------
    BmzcardError
        Naming the manifest row for any unreadable file, NaN, model failure or
        shape mismatch.
    """
    try:
        truth = read_image(row.ground_truth)
        if job.task in SEGMENTATION:
            truth = integer_labels(truth, row.ground_truth, "the ground truth holds non-integer values; "
                                   "segmentation needs a label image")
        if row.prediction is not None:
            image, raw, inference, source = None, read_image(row.prediction), "file", row.prediction
        else:
            if runner is None:
                raise BmzcardError("no prediction column and no model package to predict with")
            image = read_image(row.image)
            raw, inference = runner.predict(image, row.image)
            source = f"model output for {row.image}"
        prediction = job.rule.apply(raw, truth.ndim, source)
    except BmzcardError as error:
        raise row_error(job.manifest, row.number, str(error)) from None
    if prediction.shape != truth.shape:
        what = f"prediction {row.prediction.name}" if row.prediction else f"model output for {row.image.name}"
        raise row_error(job.manifest, row.number, f"shape mismatch: {what} is {prediction.shape}, "
                        f"ground_truth {row.ground_truth.name} is {truth.shape}")
    return image, truth, prediction, inference


def ignored_pixels(row: Row, job: Job) -> dict:
    """The metrics' keyword arguments for sparse annotations: ``ignore_label``
    and the row's ``ignore_mask`` (read whole), where given."""
    options: dict = {} if job.ignore_label is None else {"ignore_label": job.ignore_label}
    if row.ignore_mask is not None:
        try:
            options["ignore_mask"] = read_image(row.ignore_mask) != 0
        except BmzcardError as error:
            raise row_error(job.manifest, row.number, f"ignore_mask: {error}") from None
    return options


def evaluate_row(row: Row, job: Job, runner: ModelRunner | None) -> ImageResult:
    """Metrics of one manifest row."""
    try:
        chunked = None if row.prediction is None else chunked_inputs(row, job.rule, job.chunked_above,
                                                                     job.ignore_label)
    except BmzcardError as error:
        raise row_error(job.manifest, row.number, str(error)) from None
    if chunked is not None:
        (truth, prediction, ignored), inference, computation, compute = chunked, "file", "chunked", chunked_metrics
    else:
        _, truth, prediction, inference = load_pair(row, job, runner)
        ignored = ignored_pixels(row, job)
        computation, compute = "whole-volume", compute_metrics
        # in memory already (a model's output, a file read whole), but the whole-volume
        # metrics' temporaries would be many times its size: computed slab by slab too
        if job.task in SEGMENTATION and is_large(truth, job.chunked_above):
            computation, compute = "chunked", chunked_metrics
    try:
        values = compute(job.task, truth, prediction, spacing=job.spacing,
                         metrics=list(job.metrics) if job.metrics else None, **ignored)
    except MetricInputError as error:
        raise row_error(job.manifest, row.number, f"{error} ({row.ground_truth.name})") from None
    except BmzcardError as error:  # a bad prediction slab, read only now on the chunked path
        raise row_error(job.manifest, row.number, str(error)) from None
    return ImageResult(row.number, row.name, dict(row.factors), {k: float(v) for k, v in values.items()},
                       inference, tuple(truth.shape), computation=computation)


# -- worker processes ---------------------------------------------------------
_worker: dict[str, object] = {}


def init_worker(job: Job) -> None:
    """Load the model once per worker process; the processes share the
    cores, so each computes its metrics on one thread."""
    limit_threads(1)
    _worker["job"] = job
    _worker["runner"] = ModelRunner(job.model) if job.model is not None else None


def run_in_worker(row: Row) -> tuple[str, object]:
    """``("ok", ImageResult)`` or ``("error", message)``: exceptions do not cross processes intact."""
    try:
        return "ok", evaluate_row(row, _worker["job"], _worker["runner"])  # type: ignore[arg-type]
    except BmzcardError as error:
        return "error", str(error)


def worker_job(row: Row, job: Job) -> tuple[str, object]:
    """:func:`run_in_worker` for workers that get the job with each row (dask): the model loads once."""
    if _worker.get("job") != job:
        try:
            init_worker(job)
        except BmzcardError as error:
            return "error", str(error)
    return run_in_worker(row)
