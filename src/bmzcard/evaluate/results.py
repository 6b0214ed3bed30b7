"""What ``evaluate`` produces besides the numbers: the JSON result, the per-image CSV and the figures.

Each function returns text or bytes; the output stage
(:mod:`bmzcard.outputs.evaluation`) writes them only after every image
succeeded, so a failing evaluation leaves no partial files behind.
Figures use matplotlib's Agg backend (no display needed).
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Sequence

import numpy as np

from bmzcard.evaluate.aggregate import OVERALL, Cell, level_members
from bmzcard.evaluate.pipeline import ImageResult


def result_json(task: str, results: Sequence[ImageResult], summary: dict[str, dict[str, Cell]],
                settings: dict) -> dict:
    """The ``--json`` document.

    ``{"task", "per_image": [{"image", "row", "factors", "metrics"}], "summary":
    {metric: {level: {"mean", "std", "n", "ci_low", "ci_high"}}}, "settings"}``;
    metric names are lower case, levels are ``overall`` and ``factor=level``.
    Classification images also have ``"labels"`` (true and predicted class).
    Non-finite values are written as the strings ``"inf"``/``"nan"``.
    """
    return {
        "task": task,
        "per_image": [
            {"image": r.image, "row": r.row, "factors": r.factors,
             "metrics": {k: (v if math.isfinite(v) else str(v)) for k, v in r.metrics.items()},
             **({"labels": r.labels} if r.labels else {})}
            for r in results
        ],
        "summary": {metric: {level: cell.to_json() for level, cell in cells.items()}
                    for metric, cells in summary.items()},
        "settings": settings,
    }


def per_image_csv(results: Sequence[ImageResult], factors: Sequence[str], metrics: Sequence[str]) -> str:
    """One row per image: row, image, factors, inference mode, labels (classification), then each metric."""
    labels = list(dict.fromkeys(name for r in results for name in r.labels))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["row", "image", *factors, "inference", *labels, *metrics])
    for r in results:
        writer.writerow([r.row, r.image, *(r.factors[f] for f in factors), r.inference,
                         *(r.labels[name] for name in labels), *(repr(r.metrics.get(m, math.nan)) for m in metrics)])
    return buffer.getvalue()


def figure_name(metric: str) -> str:
    """A file name for a metric's box plot: ``ap@0.50`` -> ``boxplot_ap_0.50.png``."""
    return "boxplot_" + re.sub(r"[^A-Za-z0-9.]+", "_", metric).strip("_") + ".png"


def boxplot_png(metric: str, results: Sequence[ImageResult], factors: Sequence[str]) -> bytes:
    """A box plot of one metric: Overall, then each level of each factor, images as dots."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    members = level_members(results, factors)
    labels, groups = [], []
    for level, indices in members.items():
        values = np.array([results[i].metrics.get(metric, math.nan) for i in indices], dtype=float)
        labels.append("Overall" if level == OVERALL else level.replace("=", "\n"))
        groups.append(values[np.isfinite(values)])
    figure = Figure(figsize=(1.4 + 1.1 * len(groups), 3.2), dpi=100)
    axes = figure.subplots()
    axes.boxplot(groups, showfliers=False)
    axes.set_xticks(range(1, len(labels) + 1), labels)
    jitter = np.random.default_rng(0)  # fixed, so figures are reproducible byte for byte
    for position, values in enumerate(groups, start=1):
        axes.plot(position + jitter.uniform(-0.12, 0.12, values.size), values, "o", ms=3.5, alpha=0.6,
                  color="tab:blue")
    axes.set_ylabel(metric)
    axes.set_title(f"{metric} per image")
    axes.grid(axis="y", alpha=0.3)
    figure.tight_layout()
    return _png(figure)


def overlay_png(image: np.ndarray | None, truth: np.ndarray, prediction: np.ndarray, task: str,
                title: str) -> bytes:
    """Image, ground truth and prediction side by side (middle slice of a volume).

    For segmentation the ground truth and prediction outlines are also drawn
    over the image.
    """
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    truth2d, prediction2d = _slice2d(truth), _slice2d(prediction)
    image2d = _slice2d(_single_channel(image, truth.shape)) if image is not None else None
    panels = [("image", image2d)] if image2d is not None else []
    panels += [("ground truth", truth2d), ("prediction", prediction2d)]
    segmentation = task in ("semantic", "instance")
    figure = Figure(figsize=(3.0 * len(panels), 3.3), dpi=100)
    for index, (label, data) in enumerate(panels):
        axes = figure.add_subplot(1, len(panels), index + 1)
        if segmentation and label != "image":
            axes.imshow(data, cmap="nipy_spectral" if task == "instance" else "gray", interpolation="nearest")
        else:
            low, high = np.percentile(data, [1, 99.8]) if data.size else (0, 1)
            axes.imshow(data, cmap="gray", vmin=low, vmax=high)
        if segmentation and label == "image":
            for mask, colour in ((truth2d, "lime"), (prediction2d, "magenta")):
                if np.any(mask):
                    axes.contour(np.asarray(mask) != 0, levels=[0.5], colors=colour, linewidths=0.8)
            label = "image (green: truth, magenta: prediction)"
        axes.set_title(label, fontsize=8)
        axes.set_axis_off()
    figure.suptitle(title, fontsize=9)
    figure.tight_layout()
    return _png(figure)


def _single_channel(image: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    array = np.asarray(image)
    if array.shape == shape:
        return array
    if array.ndim == len(shape) + 1:
        return array[0] if array.shape[1:] == shape else array[..., 0]
    return np.squeeze(array)


def _slice2d(array: np.ndarray) -> np.ndarray:
    array = np.asarray(array)
    while array.ndim > 2:
        array = array[array.shape[0] // 2]
    return array.astype(float) if array.dtype == bool else array


def _png(figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()

