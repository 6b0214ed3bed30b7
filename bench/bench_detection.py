"""Benchmark box AP: bmzcard's COCO AP against pycocotools' COCOeval, side by side in one run.

Run: `PYTHONPATH=src python bench/bench_detection.py [--images 1000] [--boxes 50] [--repeat 3]`.
Synthetic 2D dataset (seeded): per image `--boxes` true boxes; predictions are
the true boxes jittered, about 10% of them missing, replaced by boxes
anywhere, and random scores. Both compute mAP@[.50:.95] pooled over all
images, every prediction ranked (at most 100 per image, COCO's default):

- pycocotools, default parameters (`stats[0]`; it also evaluates the small,
  medium and large area ranges, which `stats[0]` does not need);
- pycocotools restricted to what `stats[0]` needs (area range "all",
  `maxDets=[100]`): the same work as bmzcard;
- bmzcard `coco_average_precision(..., max_detections=100)` from the arrays.

pycocotools starts from the dataset dictionaries in memory (index creation
counted), bmzcard from the box arrays. The numbers must be identical (asserted);
the best of `--repeat` CPU times and the ratios are printed.

Then the bootstrap of the pooled mAP (`bmzcard evaluate`'s per-level interval),
for 100 images and for `--images`: `--resamples` bootstrap samples weighed one at
a time by `CocoPool.average_precision` (the plain COCOeval.accumulate, as
evaluate did before) and all at once by `CocoPool.average_precisions` (what
evaluate uses); identical numbers asserted, CPU time per resample and the ratio
printed. Not a test: timings depend on the machine.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import time

import numpy as np
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

from bmzcard.evaluate.aggregate import resample_indices
from bmzcard.metrics.detection import COCO_MAX_DETECTIONS, CocoPool, coco_average_precision, coco_matches


def dataset(images: int, boxes: int, seed: int = 0) -> tuple[list, list, list]:
    """True boxes, predicted boxes and scores per image (y_min, x_min, y_max, x_max)."""
    rng = np.random.default_rng(seed)
    truths, predictions, scores = [], [], []
    for _ in range(images):
        lower = rng.uniform(0, 1000, (boxes, 2))
        truth = np.hstack([lower, lower + rng.uniform(10, 80, (boxes, 2))])
        predicted = truth + rng.normal(0, 1.5, truth.shape)
        missed = rng.random(boxes) < 0.1
        stray = rng.uniform(0, 1000, (int(missed.sum()), 2))
        predicted[missed] = np.hstack([stray, stray + rng.uniform(10, 80, stray.shape)])
        predicted[:, 2:] = np.maximum(predicted[:, 2:], predicted[:, :2])
        truths.append(truth)
        predictions.append(predicted)
        scores.append(rng.random(boxes))
    return truths, predictions, scores


def coco_dicts(truths, predictions, scores) -> tuple[dict, dict]:
    """The ground truth and detection datasets as COCO expects them (x, y, w, h)."""
    images = [{"id": i + 1} for i in range(len(truths))]
    annotations, detections = [], []
    for index, (truth, predicted, score) in enumerate(zip(truths, predictions, scores)):
        for y0, x0, y1, x1 in truth.tolist():
            annotations.append({"id": len(annotations) + 1, "image_id": index + 1, "category_id": 1,
                                "bbox": [x0, y0, x1 - x0, y1 - y0], "area": (x1 - x0) * (y1 - y0), "iscrowd": 0})
        for (y0, x0, y1, x1), s in zip(predicted.tolist(), score.tolist()):
            detections.append({"id": len(detections) + 1, "image_id": index + 1, "category_id": 1,
                               "bbox": [x0, y0, x1 - x0, y1 - y0], "area": (x1 - x0) * (y1 - y0),
                               "iscrowd": 0, "score": s})
    categories = [{"id": 1}]
    return ({"images": images, "annotations": annotations, "categories": categories},
            {"images": images, "annotations": detections, "categories": categories})


def pycocotools_ap(truth: dict, detected: dict, restricted: bool) -> float:
    with contextlib.redirect_stdout(io.StringIO()):  # COCO and COCOeval print their progress
        ground, results = COCO(), COCO()
        ground.dataset, results.dataset = truth, detected
        ground.createIndex()
        results.createIndex()
        evaluation = COCOeval(ground, results, "bbox")
        if restricted:
            evaluation.params.areaRng, evaluation.params.areaRngLbl = [[0, 1e10]], ["all"]
            evaluation.params.maxDets = [COCO_MAX_DETECTIONS]
        evaluation.evaluate()
        evaluation.accumulate()
        if restricted:
            return float(np.mean(evaluation.eval["precision"][:, :, 0, 0, 0].ravel()))
        evaluation.summarize()
    return float(evaluation.stats[0])


def best_cpu(function, repeat: int) -> tuple[float, float]:
    """The value and the best CPU time of ``repeat`` calls (CPU time: robust to a busy machine)."""
    times = []
    for _ in range(repeat):
        start = time.process_time()
        value = function()
        times.append(time.process_time() - start)
    return value, min(times)


def bootstrap_per_resample(truths, predictions, scores, resamples: int, repeat: int) -> tuple[float, float]:
    """CPU seconds per resample of the pooled mAP's bootstrap: one weighting at a time, then all at once."""
    pool = CocoPool.of([coco_matches(t, p, s, max_detections=COCO_MAX_DETECTIONS)
                        for t, p, s in zip(truths, predictions, scores)])
    n = len(truths)
    weights = [np.bincount(d, minlength=n) for d in resample_indices(n, seed=0, resamples=resamples)]
    plain, plain_s = best_cpu(lambda: np.array([pool.average_precision(w) for w in weights]), repeat)
    fast, fast_s = best_cpu(lambda: pool.average_precisions(weights), repeat)
    assert np.array_equal(plain, fast)
    return plain_s / resamples, fast_s / resamples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=1000)
    parser.add_argument("--boxes", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--resamples", type=int, default=20, help="bootstrap samples timed")
    args = parser.parse_args()
    truths, predictions, scores = dataset(args.images, args.boxes)
    truth, detected = coco_dicts(truths, predictions, scores)
    ours, ours_s = best_cpu(lambda: coco_average_precision(truths, predictions, scores,
                                                           max_detections=COCO_MAX_DETECTIONS), args.repeat)
    full, full_s = best_cpu(lambda: pycocotools_ap(truth, detected, restricted=False), args.repeat)
    same, same_s = best_cpu(lambda: pycocotools_ap(truth, detected, restricted=True), args.repeat)
    assert ours == full == same, (ours, full, same)
    print(f"mAP@[.50:.95] of {args.images} images x {args.boxes} boxes: {ours!r} (identical in all three)")
    print(f"bmzcard coco_average_precision        {ours_s:8.3f} s CPU")
    print(f"pycocotools, area 'all', maxDets=[100] {same_s:8.3f} s CPU  ratio {same_s / ours_s:6.1f}x")
    print(f"pycocotools, default parameters        {full_s:8.3f} s CPU  ratio {full_s / ours_s:6.1f}x")
    print(f"bootstrap of the pooled mAP, {args.boxes} boxes per image (identical numbers):")
    for images in sorted({100, args.images}):
        plain_s, fast_s = bootstrap_per_resample(truths[:images], predictions[:images], scores[:images],
                                                 args.resamples, args.repeat)
        print(f"{images:6d} images: one weighting at a time {plain_s * 1e3:7.2f} ms, all at once "
              f"{fast_s * 1e3:7.2f} ms per resample  ratio {plain_s / fast_s:6.1f}x")


if __name__ == "__main__":
    main()
