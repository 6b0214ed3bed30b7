"""Classification rows: one class label per image, scored on sets of images.

The manifest's ``ground_truth`` and ``prediction`` cells are class labels
(text or integers, compared as text: ``3`` and ``03`` differ). Without a
prediction column the model runs on each image; its output must be one score
per class, and the predicted class is the argmax, named by ``--classes`` (in
the model's output order) or else by its index.

Classification metrics are not means of per-image values. For each level
(overall and each factor level) a metric is computed on that level's images:
that is the cell's ``mean``. Its ``std`` is the standard deviation of the
metric over a seeded bootstrap of the level's images (a standard error), and
``ci_low``/``ci_high`` are that bootstrap's percentiles. Per-class values
(``precision[cat]``) are NaN for a level, or a bootstrap sample, in which the
class neither occurs nor is predicted; such samples are left out of the
class's interval.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from bmzcard.errors import BmzcardError
from bmzcard.evaluate.aggregate import OVERALL, Cell, level_members, resample_indices, set_cell
from bmzcard.evaluate.manifest import Manifest, Row, row_error
from bmzcard.evaluate.pipeline import ImageResult
from bmzcard.facts import md_text
from bmzcard.metrics import classification, compute_metrics
from bmzcard.metrics.defaults import DEFAULT_METRICS

#: Metrics also reported per class, as ``name[class]``.
PER_CLASS = ("precision", "recall", "f1")
LABEL_COLUMNS = ("ground_truth", "prediction")
MODEL_RULE = "predicted class = argmax of the model's class scores"
BOOTSTRAP = "metric computed on each level's images; std and interval from a percentile bootstrap over those images"


def describe(manifest: Manifest, classes: Sequence[str] | None) -> str:
    """How the predicted classes were obtained, for the card and the provenance."""
    if manifest.has_predictions:
        return "class labels of the manifest's prediction column compared as given"
    names = f" (classes in output order: {', '.join(classes)})" if classes else " (classes named by index)"
    return MODEL_RULE + names


def evaluate_rows(manifest: Manifest, classes: Sequence[str] | None, runner) -> list[ImageResult]:
    """True and predicted class of every row, and whether they agree.

    Parameters
    ----------
    manifest : Manifest
        Read with :data:`LABEL_COLUMNS` as label columns.
    classes : sequence of str or None
        The class names in the model's output order; every label must be one.
    runner : ModelRunner or None
        Predicts when the manifest has no prediction column.

    Raises
    ------
    BmzcardError
        Naming the manifest and row: a label that is a file beside the
        manifest or not in ``classes``, or a model output that is not one
        score per class.
    """
    results = []
    for row in manifest.rows:
        truth = row.labels["ground_truth"]
        if "prediction" in row.labels:
            predicted, inference = row.labels["prediction"], "file"
        else:
            predicted, inference = _model_label(manifest, row, classes, runner)
        for column, label in (("ground_truth", truth), ("prediction", predicted)):
            if (manifest.path.parent / label).is_file():  # most likely a segmentation manifest
                raise row_error(manifest.path, row.number, f"{column} {label!r} is a file; a classification "
                                "manifest holds class labels in ground_truth and prediction")
            if classes and label not in classes:
                raise row_error(manifest.path, row.number, f"{column} class {label!r} is not one of --classes "
                                f"{', '.join(classes)}")
        results.append(ImageResult(row.number, row.name, dict(row.factors), {"correct": float(truth == predicted)},
                                   inference, labels={"ground_truth": truth, "prediction": predicted}))
    return results


def _model_label(manifest: Manifest, row: Row, classes: Sequence[str] | None, runner) -> tuple[str, str]:
    from bmzcard.evaluate.images import read_image

    try:
        scores, mode = runner.predict(read_image(row.image), row.image)
    except BmzcardError as error:
        raise row_error(manifest.path, row.number, str(error)) from None
    scores = np.squeeze(np.asarray(scores))
    if scores.ndim != 1:
        raise row_error(manifest.path, row.number, f"the model output for {row.image.name} has shape "
                        f"{np.shape(scores)}; classification needs one score per class")
    index = int(np.argmax(scores))
    if classes and len(classes) != scores.size:
        raise row_error(manifest.path, row.number, f"the model gives {scores.size} class scores but --classes "
                        f"names {len(classes)} classes")
    return (classes[index] if classes else str(index)), mode


def class_order(results: Sequence[ImageResult], classes: Sequence[str] | None) -> list[str]:
    """``classes`` when given, else every label seen, numerically sorted when all are integers."""
    if classes:
        return list(classes)
    seen = {r.labels[c] for r in results for c in LABEL_COLUMNS}
    numeric = all(label.lstrip("-").isdigit() for label in seen)
    return sorted(seen, key=int if numeric else str)


def _codes(results: Sequence[ImageResult], column: str, order: list[str]) -> np.ndarray:
    position = {label: code for code, label in enumerate(order)}
    return np.array([position[r.labels[column]] for r in results], dtype=np.int64)


def _scores(truth: np.ndarray, predicted: np.ndarray, names: Sequence[str], order: list[str]) -> dict[str, float]:
    """The metrics of one set of images (labels as class codes), per-class values included."""
    values = compute_metrics("classification", truth, predicted, metrics=names)
    wanted = [n for n in names if n in PER_CLASS]
    if wanted:
        per_class = classification.precision_recall_f1(truth, predicted)
        present = {int(code): i for i, code in enumerate(per_class["classes"])}
        for name in wanted:
            for code, label in enumerate(order):
                values[f"{name}[{label}]"] = (float(per_class[name][present[code]]) if code in present
                                              else math.nan)
    return values


def summarize(results: Sequence[ImageResult], factors: Sequence[str], metrics: Sequence[str] | None,
              order: list[str], *, seed: int, resamples: int, confidence: float) -> dict[str, dict[str, Cell]]:
    """``{metric: {level: Cell}}`` with each metric computed on each level's images.

    Every level draws its bootstrap samples from a generator seeded with
    ``seed``, and all metrics of a level share those samples: the same data
    and seed give the same numbers.
    """
    names = list(metrics) if metrics else DEFAULT_METRICS["classification"]
    truth, predicted = _codes(results, "ground_truth", order), _codes(results, "prediction", order)
    summary: dict[str, dict[str, Cell]] = {}
    for level, indices in level_members(results, factors).items():
        indices = np.asarray(indices)
        values = _scores(truth[indices], predicted[indices], names, order)
        draws = resample_indices(indices.size, seed=seed, resamples=resamples)
        replicates = [_scores(truth[indices[d]], predicted[indices[d]], names, order) for d in draws]
        for name, value in values.items():
            spread = np.array([r[name] for r in replicates])
            summary.setdefault(name, {})[level] = set_cell(value, spread, int(indices.size), confidence)
    return summary


def confusion_matrices(results: Sequence[ImageResult], factors: Sequence[str], order: list[str]) -> dict:
    """The ``confusion_matrix`` of the JSON result: one matrix per level, rows true, columns predicted."""
    truth, predicted = _codes(results, "ground_truth", order), _codes(results, "prediction", order)
    codes = np.arange(len(order))
    return {
        "classes": order,
        "rows": "true class",
        "columns": "predicted class",
        "levels": {level: classification.confusion_matrix(truth[indices], predicted[indices], classes=codes).tolist()
                   for level, indices in level_members(results, factors).items()},
    }


def confusion_table(matrices: dict) -> str:
    """The overall matrix of :func:`confusion_matrices` as a Markdown table for the card."""
    names = [md_text(label) for label in matrices["classes"]]
    lines = [f"| true \\ predicted | {' | '.join(names)} |", "|---" * (len(names) + 1) + "|"]
    lines += [f"| {name} | {' | '.join(str(n) for n in row)} |"
              for name, row in zip(names, matrices["levels"][OVERALL])]
    return "\n".join(lines)
