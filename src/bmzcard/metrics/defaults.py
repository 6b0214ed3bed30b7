"""Default metrics per task, following Metrics Reloaded.

Maier-Hein, L. et al. (2024). Metrics reloaded: recommendations for image
analysis validation. Nature Methods 21, 195-212.
doi:10.1038/s41592-023-02151-z

- semantic segmentation: an overlap metric (DSC) and a boundary metric
  (NSD at a tolerance); HD95 is Metrics Reloaded's alternative boundary
  metric and is reported beside NSD because it is what bioimage papers
  compare against. IoU is not added: it is a monotone function of DSC.
- instance segmentation: a detection metric at a localization criterion
  (F1 with precision and recall, IoU >= 0.5) plus a segmentation-quality
  term (PQ); the ``ap@t`` sweep and its mean (``map``) are the field's
  convention (StarDist, cellpose), ``TP/(TP+FP+FN)``, kept for comparison.
- object detection: F1 with precision and recall at a localization
  criterion; ``map`` (ranked AP) when confidence scores exist.
- image classification: balanced accuracy (prevalence-independent), with
  per-class-averaged precision, recall and F1.
- restoration: Metrics Reloaded does not cover it; bmzcard follows CARE
  (Weigert et al. 2018): PSNR, SSIM and NRMSE after CARE normalization.
"""

from __future__ import annotations

AP_THRESHOLDS: tuple[str, ...] = tuple(f"ap@{0.5 + 0.05 * i:.2f}" for i in range(10))
#: matched-instance counts as ``stardist.matching`` reports them: ``tp``, ``fp``, ``fn`` at IoU 0.5,
#: ``tp@0.55`` ... ``fn@0.95`` at the other thresholds. Selectable with ``--metrics``; not reported by default.
COUNT_METRICS: tuple[str, ...] = ("tp", "fp", "fn") + tuple(
    f"{count}@{0.5 + 0.05 * i:.2f}" for i in range(1, 10) for count in ("tp", "fp", "fn"))

#: task -> metric names reported by default, in table order.
DEFAULT_METRICS: dict[str, list[str]] = {
    "semantic": ["dice", "nsd", "hd95"],
    "instance": ["f1", "precision", "recall", "pq", *AP_THRESHOLDS, "map"],
    "detection": ["f1", "precision", "recall", "map"],
    "classification": ["balanced_accuracy", "precision", "recall", "f1"],
    "restoration": ["psnr", "ssim", "nrmse"],
}

#: task -> every metric name ``compute_metrics`` can return for it.
AVAILABLE_METRICS: dict[str, list[str]] = {
    "semantic": ["iou", "dice", "hd", "hd95", "nsd"],
    "instance": ["precision", "recall", "f1", "pq", *AP_THRESHOLDS, "map", *COUNT_METRICS],
    "detection": ["precision", "recall", "f1", "map"],
    "classification": ["accuracy", "balanced_accuracy", "precision", "recall", "f1"],
    "restoration": ["psnr", "ssim", "nrmse"],
}

#: accepted spellings of task names.
TASK_ALIASES: dict[str, str] = {
    "semantic": "semantic",
    "semantic-segmentation": "semantic",
    "semantic_segmentation": "semantic",
    "segmentation": "semantic",
    "instance": "instance",
    "instance-segmentation": "instance",
    "instance_segmentation": "instance",
    "detection": "detection",
    "object-detection": "detection",
    "object_detection": "detection",
    "classification": "classification",
    "image-classification": "classification",
    "image_classification": "classification",
    "restoration": "restoration",
    "denoising": "restoration",
    "image-restoration": "restoration",
    "image_restoration": "restoration",
}
