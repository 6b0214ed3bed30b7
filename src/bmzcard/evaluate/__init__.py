"""The ``evaluate`` producer: a model's metrics on a data set, per factor level.

manifest -> (model run through bioimageio.core | prediction files) -> explicit
thresholding/labelling -> :func:`bmzcard.metrics.compute_metrics` per image ->
per-level mean ± std, n and a seeded bootstrap CI -> an :class:`EvaluationReport`
holding the JSON document and the per-image CSV and, with ``for_card``, the
RDF's ``config.bioimageio.evaluations`` entry, the figures and the text of the
card's Evaluation section. It writes nothing: :mod:`bmzcard.outputs.evaluation`
does, and :mod:`.recompute` re-runs a recorded evaluation for ``check --verify``.

Classification is scored on each level's set of images instead
(:mod:`.classification`), and detection compares point or box files
(:mod:`.detection`; its ``map`` pooled over each level's images as COCOeval
pools a dataset). Every input is checked and every image computed before
anything is returned, so a bad row leaves nothing behind.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path

from bmzcard.errors import BmzcardError
from bmzcard.evaluate import classification, detection
from bmzcard.evaluate.aggregate import (
    DEFAULT_RESAMPLES,
    DEFAULT_SEED,
    Cell,
    level_members,
    metric_names,
    summarize,
)
from bmzcard.evaluate.card import evaluation_entry
from bmzcard.evaluate.chunked import CHUNKED_ABOVE
from bmzcard.evaluate.executors import run_rows
from bmzcard.evaluate.manifest import Manifest, Stage, read_manifest
from bmzcard.evaluate.pipeline import ImageResult, Job, load_pair, precheck
from bmzcard.evaluate.postprocess import SEGMENTATION, PredictionRule
from bmzcard.evaluate.predict import (
    ModelRunner,
    ModelSettings,
    default_task,
    load_description,
)
from bmzcard.evaluate.results import boxplot_png, figure_name, overlay_png, per_image_csv, result_json
from bmzcard.sources.package import Package

__all__ = ["SUPPORTED_TASKS", "CardMaterial", "EvaluateOptions", "EvaluationReport", "Figure", "evaluate"]

#: Canonical tasks evaluate can run.
SUPPORTED_TASKS = ("semantic", "instance", "restoration", "classification", "detection")
#: Tasks whose manifest rows hold images (the others: labels, point or box files).
IMAGE_TASKS = ("semantic", "instance", "restoration")


@dataclass(frozen=True)
class EvaluateOptions:
    """Everything ``evaluate`` is told; recorded in the provenance.

    Attributes
    ----------
    task : str or None
        Task name (aliases accepted); None takes it from the package.
    threshold, channel, connected_components
        See :class:`~bmzcard.evaluate.postprocess.PredictionRule`.
    ignore_label : int or None
        Segmentation: the ground-truth value of unlabelled pixels (sparse
        annotations), left out of the metrics like the manifest's
        ``ignore_mask`` files.
    classes : tuple of str or None
        Classification: the class names in the model's output order.
    match_distance, iou_threshold
        Detection: see :class:`~bmzcard.evaluate.detection.Matching`.
    metrics : tuple of str or None
        Metric names; None for the task's defaults.
    factors : tuple of str or None
        Factor columns to use; None for every extra column.
    spacing : tuple of float or None
        Pixel size per axis; None takes the model input's scale, else 1.
    weight_format, device, tile, allow_code
        See :class:`~bmzcard.evaluate.predict.ModelSettings`.
    workers : int
        Processes computing images in parallel (1: in this process).
    scheduler : str or None
        ``"local"`` (a local dask cluster) or a dask scheduler address; None
        for no dask.
    chunked_above : int or None
        Segmentation ground truths above this many bytes (default 64 MiB)
        are evaluated slab by slab with identical results: read lazily where
        the files allow (``.npy``, uncompressed TIFF, Zarr, with prediction
        files), else from memory, so that only the metrics' work is bounded;
        None: never.
    seed, resamples, confidence
        Bootstrap settings.
    dataset_id, dataset_source, dataset_role
        The RDF evaluation entry's dataset (needed by ``for_card``).
    """

    task: str | None = None
    threshold: float | None = None
    channel: int | None = None
    connected_components: bool = False
    ignore_label: int | None = None
    classes: tuple[str, ...] | None = None
    match_distance: float | None = None
    iou_threshold: float | None = None
    metrics: tuple[str, ...] | None = None
    factors: tuple[str, ...] | None = None
    spacing: tuple[float, ...] | None = None
    weight_format: str | None = None
    device: str = "auto"
    tile: int | None = None
    allow_code: bool = False
    workers: int = 1
    scheduler: str | None = None
    chunked_above: int | None = CHUNKED_ABOVE
    seed: int = DEFAULT_SEED
    resamples: int = DEFAULT_RESAMPLES
    confidence: float = 0.95
    dataset_id: str | None = None
    dataset_source: str | None = None
    dataset_role: str = "test"


@dataclass(frozen=True)
class Figure:
    """A figure of the card's Evaluation section, rendered, not yet written."""

    alt: str
    name: str  # file name in the card's evaluation folder
    data: bytes  # PNG


@dataclass
class CardMaterial:
    """What the RDF and the card get from an evaluation; the output stage adds the paths."""

    entry: dict  # the RDF's config.bioimageio.evaluations entry
    figures: list[Figure]
    diversity: str  # the factor levels with their image counts
    spread: str  # what "±" means in the results table
    appendix: str  # more text under the table (a confusion matrix), or ""


@dataclass
class EvaluationReport:
    """What ``evaluate`` computed; ``written`` and ``card`` are filled by the output stage."""

    task: str
    results: list[ImageResult]
    summary: dict[str, dict[str, Cell]]
    record: dict  # settings, versions and hashes, as stored in the provenance sidecar
    document: dict  # the --json document
    csv_text: str = ""  # the per-image CSV
    package: Package | None = None
    card_material: CardMaterial | None = None  # with ``for_card``
    written: list[Path] = field(default_factory=list)
    card: Path | None = None


def evaluate(
    manifest_path: str | Path,
    package: str | Path | None = None,
    options: EvaluateOptions = EvaluateOptions(),
    *,
    for_card: bool = False,
    progress: Stage | None = None,
) -> EvaluationReport:
    """Evaluate a model (or given predictions) on the images of a manifest; write nothing.

    Parameters
    ----------
    manifest_path : str or Path
        CSV/TSV manifest (see :mod:`bmzcard.evaluate.manifest`).
    package : str or Path, optional
        The model package; required to run the model and for ``for_card``.
    options : EvaluateOptions
    for_card : bool
        Also prepare the RDF evaluation entry, the figures and the card's
        text (:class:`CardMaterial`); checks before any image runs that the
        package's RDF can take them and that the data set is named.
    progress : callable, optional
        Called as ``progress(done, total, stage)`` while the manifest is read
        (``"reading the manifest"``), its files checked (``"checking files"``)
        and its images evaluated (``"evaluating images"``).

    Returns
    -------
    EvaluationReport

    Raises
    ------
    BmzcardError
        For any bad input, naming the file and manifest row.

    Examples
    --------
    >>> from bmzcard.evaluate import EvaluateOptions, evaluate
    >>> report = evaluate("test.csv", "my_model/", EvaluateOptions(threshold=0.5))  # doctest: +SKIP
    >>> report.summary["dice"]["overall"].mean  # doctest: +SKIP
    0.91
    """
    description, loaded_package = None, None
    if package is not None:
        loaded_package, loaded = load_description(package)
        description = loaded.description
    if for_card and loaded_package is None:
        raise BmzcardError("--write-card needs the model PACKAGE", field="--write-card")
    if for_card and loaded_package.is_zip:
        raise BmzcardError("--write-card cannot edit an RDF inside a zip; unzip the package and evaluate the folder",
                           path=loaded_package.source)
    task = _task(options.task, description)
    labels = classification.LABEL_COLUMNS if task == "classification" else ()
    manifest = read_manifest(manifest_path, factors=list(options.factors) if options.factors else None,
                             label_columns=labels, progress=progress)
    if not manifest.has_predictions and package is None:
        raise BmzcardError("the manifest has no prediction column, so the model must run: give its PACKAGE",
                           path=manifest.path)
    _check_metrics(task, options.metrics)
    rule = PredictionRule(task, options.threshold, options.channel, options.connected_components)
    rule.check()
    _check_task_options(task, options)
    if manifest.has_ignore_masks and task not in SEGMENTATION:
        raise BmzcardError(f"the ignore_mask column applies to segmentation, not {task}", path=manifest.path,
                           field="ignore_mask")
    if for_card:
        _check_dataset(options)
    model = None
    if not manifest.has_predictions:
        if task == "detection":
            raise BmzcardError("detection needs a prediction column (point or box files); evaluate does not "
                               "run detection models", path=manifest.path)
        model = ModelSettings(str(package), options.weight_format, options.device, options.tile, options.allow_code)
    spacing, unit = _spacing(options.spacing, description)
    job = Job(manifest.path, task, rule, options.metrics, spacing, model, options.chunked_above,
              options.ignore_label)
    if task in IMAGE_TASKS:
        precheck(manifest, progress)
    runner = ModelRunner(model) if model is not None else None  # refuses weights and code before any image
    if task == "classification" and runner is not None and options.classes:
        _check_class_count(options.classes, runner)
    results, summary, rule_text, extra = _run(manifest, job, options, runner, _distance_unit(spacing, unit),
                                              progress)
    record = _record(manifest, package, options, job, runner, results, unit, rule_text)
    document = dict(result_json(task, results, summary, record), **extra)
    report = EvaluationReport(task, results, summary, record, document,
                              csv_text=per_image_csv(results, manifest.factors, metric_names(results)),
                              package=loaded_package)
    if for_card:
        report.card_material = _card_material(report, manifest, options, job, runner)
    return report


def _task(task: str | None, description) -> str:
    from bmzcard.metrics.defaults import TASK_ALIASES

    name = task or (default_task(description) if description is not None else None)
    if name is None:
        raise BmzcardError("cannot tell the task: the package names none in config.bioimageio.task or its tags; "
                           "give --task", field="--task")
    canonical = TASK_ALIASES.get(name.strip().lower())
    if canonical is None:
        known = ", ".join(sorted(set(TASK_ALIASES)))
        raise BmzcardError(f"unknown task {name!r}; known: {known}", field="--task")
    return canonical


def _check_metrics(task: str, names: Sequence[str] | None) -> None:
    from bmzcard.metrics import AVAILABLE_METRICS

    unknown = [n for n in names or () if n not in AVAILABLE_METRICS[task]]
    if unknown:
        raise BmzcardError(f"{unknown[0]!r} is not a {task} metric; available: {', '.join(AVAILABLE_METRICS[task])}",
                           field="--metrics")


def _check_task_options(task: str, options: EvaluateOptions) -> None:
    """Refuse an option of another task, so that it is not silently ignored."""
    owners = {"--channel": (IMAGE_TASKS, options.channel), "--classes": (("classification",), options.classes),
              "--ignore-label": (SEGMENTATION, options.ignore_label),
              "--match-distance": (("detection",), options.match_distance),
              "--iou-threshold": (("detection",), options.iou_threshold)}
    for option, (tasks, value) in owners.items():
        if value is not None and task not in tasks:
            raise BmzcardError(f"{option} does not apply to {task}", field=option)
    detection.Matching(options.match_distance, options.iou_threshold).check()


def _run(manifest: Manifest, job: Job, options: EvaluateOptions, runner: ModelRunner | None, distance_unit: str,
         progress: Stage | None) -> tuple[list[ImageResult], dict[str, dict[str, Cell]], str, dict]:
    """Per-image results, the summary, the prediction rule in words and extra JSON content of the task."""
    bootstrap = {"seed": options.seed, "resamples": options.resamples, "confidence": options.confidence}
    if job.task == "classification":
        results = classification.evaluate_rows(manifest, options.classes, runner)
        order = classification.class_order(results, options.classes)
        summary = classification.summarize(results, manifest.factors, job.metrics, order, **bootstrap)
        matrices = classification.confusion_matrices(results, manifest.factors, order)
        return results, summary, classification.describe(manifest, options.classes), {"confusion_matrix": matrices}
    if job.task == "detection":
        matching = detection.Matching(options.match_distance, options.iou_threshold)
        pairs, kind, scored = detection.read_rows(manifest, matching)
        results = detection.evaluate_rows(manifest, pairs, matching, job.metrics, job.spacing, scored)
        return (results, detection.summarize(results, pairs, manifest.factors, **bootstrap),
                matching.describe(kind, distance_unit, scored), {})
    images = (lambda done, total: progress(done, total, "evaluating images")) if progress else None
    results = run_rows(manifest.rows, job, runner, workers=options.workers, scheduler=options.scheduler,
                       progress=images)
    ignored = job.describe_ignored(manifest.has_ignore_masks)
    rule_text = job.rule.describe() + (f"; {ignored}" if ignored else "")
    return results, summarize(results, manifest.factors, **bootstrap), rule_text, {}


def _check_class_count(classes: Sequence[str], runner: ModelRunner) -> None:
    """--classes must name every channel of the model's output, before any image runs."""
    names = runner.channel_names()
    if names is not None and len(names) != len(classes):
        raise BmzcardError(f"{len(classes)} class names given, but the model's output {runner.output.id} "
                           f"has {len(names)} channels ({', '.join(names)})", field="--classes")


def _check_dataset(options: EvaluateOptions) -> None:
    if not options.dataset_id or not options.dataset_source:
        raise BmzcardError("--write-card needs --dataset-id and --dataset-source (an http(s) URL of the data) "
                           "for the RDF's evaluation entry", field="--dataset-source")
    if not options.dataset_source.startswith(("http://", "https://")):
        raise BmzcardError(f"--dataset-source must be an http(s) URL, got {options.dataset_source!r}",
                           field="--dataset-source")


def _spacing(spacing, description) -> tuple[tuple[float, ...] | None, str | None]:
    """The given spacing, or the scale of the model input's space axes with their unit."""
    if spacing is not None or description is None:
        return spacing, None
    axes = [a for a in getattr(description.inputs[0], "axes", []) if getattr(a, "type", None) == "space"]
    scales = [float(getattr(a, "scale", 1.0) or 1.0) for a in axes]
    if not axes or all(s == 1.0 for s in scales):
        return None, None
    units = {str(getattr(a, "unit", None)) for a in axes}
    return tuple(scales), units.pop() if len(units) == 1 else None


def _versions() -> dict[str, str]:
    versions = {}
    for name in ("bmzcard", "bioimageio.core", "bioimageio.spec", "onnxruntime", "numpy", "scipy",
                 "scikit-image", "torch"):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return versions


def _record(manifest: Manifest, package, options: EvaluateOptions, job: Job, runner: ModelRunner | None,
            results: Sequence[ImageResult], unit: str | None, rule_text: str) -> dict:
    """Settings, versions and hashes: enough to re-compute the numbers."""
    aggregation = _aggregation(job.task, results)
    modes: dict[str, int] = {}
    for result in results:
        modes[result.inference] = modes.get(result.inference, 0) + 1
    computations: dict[str, int] = {}
    for result in results:
        computations[result.computation] = computations.get(result.computation, 0) + 1
    return {
        "manifest": str(manifest.path),
        "manifest_sha256": manifest.sha256,
        "files_outside_manifest_folder": manifest.outside_files(),
        "package": None if package is None else str(package),
        "task": job.task,
        "factors": list(manifest.factors),
        "levels": {f: manifest.levels(f) for f in manifest.factors},
        "prediction_rule": rule_text,
        "options": {k: (list(v) if isinstance(v, tuple) else v) for k, v in asdict(options).items()},
        "spacing": list(job.spacing) if job.spacing else None,
        "spacing_unit": unit,
        "weight_format": runner.weight_format if runner else None,
        "devices": (runner.devices() or "chosen by bioimageio.core") if runner else None,
        "inference": modes,
        "computation": computations,  # images evaluated "whole-volume" or "chunked" (slab by slab)
        "bootstrap": {"method": aggregation.method, "seed": options.seed, "resamples": options.resamples,
                      "confidence": options.confidence},
        "std": aggregation.std,
        "versions": _versions(),
    }


@dataclass(frozen=True)
class Aggregation:
    """How a task's per-level cells were made, in words for the record and the card."""

    method: str  # the record's bootstrap method
    std: str  # what the record's std is
    spread: str  # what a card cell's "±" is


PER_IMAGE = Aggregation("percentile bootstrap of the mean over images",
                        "sample standard deviation over images (ddof=1)",
                        "Mean ± standard deviation over images")
PER_SET = Aggregation(classification.BOOTSTRAP,
                      "standard deviation of the metric over the bootstrap samples (ddof=1)",
                      "Each value is the metric computed on the column's images ± its standard deviation over the "
                      "bootstrap samples of those images")
POOLED_MAP = Aggregation(detection.AGGREGATION, detection.STD, detection.SPREAD)


def _aggregation(task: str, results: Sequence[ImageResult]) -> Aggregation:
    """Classification is scored per set of images, detection's map pooled per level, the rest averaged."""
    if task == "classification":
        return PER_SET
    if task == "detection" and "map" in metric_names(results):
        return POOLED_MAP
    return PER_IMAGE


def _card_material(report: EvaluationReport, manifest: Manifest, options: EvaluateOptions, job: Job,
                   runner: ModelRunner | None) -> CardMaterial:
    """The RDF entry, the figures and the Evaluation section's text, before any file is written."""
    entry = entry_of(report, options)
    figures: list[Figure] = []
    # classification has no per-image metric values to plot, only right or wrong
    for metric in report.summary if report.task != "classification" else ():
        if "[" in metric or metric.startswith("ap@"):
            continue  # per-class and per-threshold values are in the table; their means get the plots
        figures.append(Figure(f"{metric} per image by factor level", figure_name(metric),
                              boxplot_png(metric, report.results, manifest.factors)))
    if report.task in IMAGE_TASKS:
        example = _typical_row(report, manifest)
        image, truth, prediction, _ = load_pair(example, job, runner)
        figures.append(Figure(f"example: {example.name}", "example_overlay.png",
                              overlay_png(image, truth, prediction, report.task,
                                          f"{example.name} (manifest row {example.number})")))
    spread = _aggregation(report.task, report.results).spread
    appendix = ""
    if report.task == "classification":
        appendix = ("Confusion matrix of all images (rows: true class, columns: predicted class):\n\n"
                    + classification.confusion_table(report.document["confusion_matrix"]))
    members = level_members(report.results, manifest.factors)
    diversity = "; ".join(f"{f}: " + ", ".join(f"{lvl} ({len(members[f'{f}={lvl}'])} images)"
                                               for lvl in manifest.levels(f)) for f in manifest.factors)
    return CardMaterial(entry, figures, diversity or f"{len(report.results)} images, no factors", spread, appendix)


def entry_of(report: EvaluationReport, options: EvaluateOptions) -> dict:
    """The RDF evaluation entry of an evaluation (same labels and cell format as the card's table)."""
    return evaluation_entry(report.summary, dataset_id=options.dataset_id, dataset_source=options.dataset_source,
                            dataset_role=options.dataset_role, description=report.record["prediction_rule"],
                            distance_unit=_distance_unit(report.record["spacing"], report.record["spacing_unit"]),
                            task=report.task)


def _distance_unit(spacing: Sequence[float] | None, unit: str | None) -> str:
    if spacing is None:
        return "pixels"
    return unit or "spacing units"


def _typical_row(report: EvaluationReport, manifest: Manifest):
    """The row whose first metric is closest to that metric's overall median: a fair example."""
    import numpy as np

    first = next(iter(report.summary))
    values = np.array([r.metrics.get(first, np.nan) for r in report.results], dtype=float)
    finite = np.where(np.isfinite(values))[0]
    if finite.size == 0:
        return manifest.rows[0]
    median = np.median(values[finite])
    return manifest.rows[int(finite[np.argmin(np.abs(values[finite] - median))])]
