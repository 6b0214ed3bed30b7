"""Benchmark the peak memory of `bmzcard evaluate` on a large 3D pair: chunked vs whole-volume path.

Run: `PYTHONPATH=src python bench/bench_memory.py [--size 256 512] [--format zarr npy]`.

A synthetic 3D pair is written once: instance labels (uint16, the shared
3D nuclei tiled to ``size``³ with unique labels per tile) and, for the
semantic task, their foreground mask (uint8); the prediction is the ground
truth shifted by one pixel along each axis with every 8th object dropped.
The "components" case scores the instance labels against the prediction's
foreground mask labelled by connected components (``--connected-components``).
Each evaluation (task x format x path) runs in a fresh process through
``bmzcard.evaluate.evaluate`` and reports:

- tracemalloc peak: numpy (and Python) allocations during the evaluation;
- RSS peak: the process's resident-set high-water mark (reset just before
  the evaluation through ``/proc/self/clear_refs``) minus its resident size
  then; it includes memory outside tracemalloc (e.g. the k-d trees) and, for
  memory-mapped ``.npy`` inputs, the mapped file pages read, which the kernel
  can drop at any time (Linux only).

Both are divided by the ground truth's size in bytes. Not a test: the figures
depend on the machine and library versions.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("BMZCARD_SHARED", REPO.parent / "shared"))
sys.path.insert(0, str(REPO / "src"))


def synthetic_pair(size: int):
    """Ground truth labels and a prediction, both ``size``³ uint16."""
    import numpy as np
    import tifffile

    tile = tifffile.imread(SHARED / "data" / "nuclei3d_synthetic_stardist" / "masks" / "img3d.tif").astype(np.int64)
    reps = [-(-size // s) for s in tile.shape]
    offsets = np.arange(int(np.prod(reps))).reshape(reps) * (int(tile.max()) + 1)
    labels = np.kron(offsets, np.ones(tile.shape, dtype=np.int64)) + np.tile(tile, reps)
    labels[np.tile(tile, reps) == 0] = 0
    truth = labels[:size, :size, :size]
    ids = np.unique(truth)[1:]
    lookup = np.zeros(int(truth.max()) + 1, dtype=np.uint16)
    lookup[ids] = np.arange(1, ids.size + 1)
    truth = lookup[truth]
    prediction = np.roll(truth, (1, 1, 1), axis=(0, 1, 2))
    prediction[np.isin(prediction, np.arange(8, ids.size + 1, 8))] = 0
    return truth, prediction


def write(path: Path, array, kind: str) -> Path:
    import numpy as np

    if kind == "npy":
        np.save(path.with_suffix(".npy"), array)
        return path.with_suffix(".npy")
    import zarr

    stored = zarr.create_array(str(path.with_suffix(".zarr")), shape=array.shape, dtype=array.dtype,
                               chunks=(16, *array.shape[1:]))
    stored[:] = array
    return path.with_suffix(".zarr")


def _status_kib(field: str) -> int:
    with open("/proc/self/status") as stream:
        return next(int(line.split()[1]) for line in stream if line.startswith(field + ":"))


# case -> (task, options of the rule)
CASES = {"instance": ("instance", {}), "semantic": ("semantic", {}),
         "components": ("instance", {"connected_components": True})}


def child(manifest: str, warm_up: str, case: str, chunked: bool) -> None:
    """Evaluate in this (fresh) process and print the peaks as JSON; ``warm_up``,
    a tiny pair evaluated first on both paths, loads every module before measuring."""
    import tracemalloc

    import numpy as np

    from bmzcard.evaluate import EvaluateOptions, evaluate
    from bmzcard.evaluate.images import open_lazy

    ground_truth = open_lazy(Path(manifest).parent / Path(manifest).read_text().splitlines()[1].split(",")[1])
    size = int(np.prod(ground_truth.shape)) * ground_truth.dtype.itemsize
    del ground_truth
    task, rule = CASES[case]
    options = EvaluateOptions(task=task, **rule, chunked_above=1 if chunked else None, resamples=100)
    for above in (1, None):
        evaluate(warm_up, options=EvaluateOptions(task=task, **rule, chunked_above=above, resamples=100))
    with open("/proc/self/clear_refs", "w") as stream:
        stream.write("5")  # resets the high-water mark to the current resident size
    before = _status_kib("VmRSS")
    tracemalloc.start()
    start = time.perf_counter()
    report = evaluate(manifest, options=options)
    seconds = time.perf_counter() - start
    _, traced = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    peak = _status_kib("VmHWM")
    print(json.dumps({"size": size, "traced": traced, "rss": (peak - before) * 1024, "seconds": seconds,
                      "computation": report.record["computation"], "metrics": report.results[0].metrics}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, nargs="+", default=[256])
    parser.add_argument("--format", nargs="+", default=["zarr", "npy"], choices=["zarr", "npy"])
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child[:3], args.child[3] == "chunked")
        return
    for size in args.size:
        run(size, args.format)


def run(size: int, formats: list[str]) -> None:
    """Evaluate the ``size``³ pair on both paths for each format and print a table."""
    import numpy as np

    truth, prediction = synthetic_pair(size)
    print(f"{size}³ pair, {int(truth.max())} objects; peak memory / ground truth size (fresh process each)")
    print(f"{'case':10} {'format':6} {'path':13} {'GT MiB':>7} {'traced':>7} {'RSS':>7} {'time s':>7}  identical")
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        for kind in formats:
            mask = (truth > 0).astype(np.uint8)
            predicted_mask = (prediction > 0).astype(np.uint8)
            for task, gt, pred in (("instance", truth, prediction), ("semantic", mask, predicted_mask),
                                   ("components", truth, predicted_mask)):
                gt_path = write(root / f"{task}_gt", gt, kind)
                pred_path = write(root / f"{task}_pred", pred, kind)
                manifest = root / f"{task}_{kind}.csv"
                manifest.write_text(f"image,ground_truth,prediction\n{gt_path.name},{gt_path.name},{pred_path.name}\n")
                tiny = [write(root / f"{task}_tiny_{name}", a[:8, :8, :8], kind) for name, a in (("gt", gt), ("pred", pred))]
                warm_up = root / f"{task}_{kind}_tiny.csv"
                warm_up.write_text(f"image,ground_truth,prediction\n{tiny[0].name},{tiny[0].name},{tiny[1].name}\n")
                results = {}
                for path in ("whole-volume", "chunked"):
                    out = subprocess.run([sys.executable, __file__, "--child", str(manifest), str(warm_up), task, path],
                                         check=True, capture_output=True, text=True).stdout
                    results[path] = json.loads(out.strip().splitlines()[-1])
                for path, r in results.items():
                    same = results["chunked"]["metrics"] == results["whole-volume"]["metrics"]
                    print(f"{task:10} {kind:6} {path:13} {r['size'] / 2**20:7.1f} {r['traced'] / r['size']:7.2f} "
                          f"{r['rss'] / r['size']:7.2f} {r['seconds']:7.2f}  {'yes' if same else 'NO'}")


if __name__ == "__main__":
    main()
