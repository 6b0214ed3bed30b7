"""Side-by-side benchmark of bmzcard's metrics and the reference libraries.

Prints one table: operation, bmzcard time, reference time(s), ratio
(fastest reference / bmzcard), identical yes/no. Times are medians of
``--repeat`` runs (default 3) on synthetic data of the sizes named in the
issue; ``--quick`` uses small sizes. Peak memory of the HD/HD95 candidates
is measured in fresh subprocesses (peak RSS above the state after imports
and data creation, Linux only).

Run: ``PYTHONPATH=src python bench/bench_metrics.py [--quick]``. The
references (stardist, monai + torch, surface-distance, scikit-image) are the
test extras; a missing one is reported and skipped. This is a benchmark,
not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from bmzcard import metrics as bm
from bmzcard.metrics import instance as bmi
from bmzcard.metrics import restoration as bmr
from bmzcard.metrics import semantic as bms

SIZES = {
    "full": {"dice": 512, "hd": 256, "inst": 256, "n_obj": 5000, "ssim": 2048},
    "quick": {"dice": 128, "hd": 64, "inst": 64, "n_obj": 300, "ssim": 512},
}


# ---------------------------------------------------------------- data


def ball_pair(n: int):
    z, y, x = np.ogrid[:n, :n, :n]
    c = n / 2
    a = (z - c) ** 2 + (y - c + 3) ** 2 + (x - c) ** 2 < (0.35 * n) ** 2
    b = (z - c + 2) ** 2 + (y - c) ** 2 + ((x - c) / 1.02) ** 2 < (0.34 * n) ** 2
    return a, b


def boundary_pair(n: int):
    """A ball and a plausible prediction: slightly shifted and stretched,
    with a notch and a small false-positive blob (boundary errors of a few
    voxels plus outliers)."""
    z, y, x = np.ogrid[:n, :n, :n]
    c = n / 2
    r = 0.3 * n
    gt = (z - c) ** 2 + (y - c) ** 2 + (x - c) ** 2 < r**2
    pred = (z - c - 1) ** 2 + ((y - c + 1) / 1.02) ** 2 + ((x - c) / 0.98) ** 2 < r**2
    pred &= ~((z - c) ** 2 + (y - c - r) ** 2 + (x - c) ** 2 < (0.06 * n) ** 2)
    pred |= (z - 0.15 * n) ** 2 + (y - 0.15 * n) ** 2 + (x - 0.15 * n) ** 2 < (0.03 * n) ** 2
    return gt, pred


def _draw_ellipsoids(shape, centers, radii, labels):
    out = np.zeros(shape, np.int32)
    for c, r, lab in zip(centers, radii, labels):
        lo = np.maximum(np.floor(c - r).astype(int), 0)
        hi = np.minimum(np.ceil(c + r).astype(int) + 1, shape)
        if np.any(hi <= lo):
            continue
        grids = np.ogrid[tuple(slice(a, b) for a, b in zip(lo, hi))]
        d = sum(((g - ci) / ri) ** 2 for g, ci, ri in zip(grids, c, r))
        out[tuple(slice(a, b) for a, b in zip(lo, hi))][d <= 1] = lab
    return out


def instance_pair(n: int, n_obj: int, seed: int = 0):
    """~n_obj touching/overlapping ellipsoids, and a prediction with jittered
    centres and radii, 8% missed objects, 5% false positives and
    non-contiguous labels."""
    rng = np.random.default_rng(seed)
    shape = (n, n, n)
    centers = rng.uniform(0, n, (n_obj, 3))
    radii = rng.uniform(3, 7, (n_obj, 1)) * rng.uniform(0.8, 1.25, (n_obj, 3))
    gt = _draw_ellipsoids(shape, centers, radii, np.arange(1, n_obj + 1))
    keep = rng.random(n_obj) > 0.08
    c2 = centers[keep] + rng.normal(0, 0.8, (keep.sum(), 3))
    r2 = radii[keep] * rng.uniform(0.8, 1.2, (keep.sum(), 3))
    extra = n_obj // 20
    c2 = np.concatenate([c2, rng.uniform(0, n, (extra, 3))])
    r2 = np.concatenate([r2, rng.uniform(3, 7, (extra, 3))])
    labels = rng.permutation(np.arange(1, len(c2) + 1)) * 3 + 7
    return gt, _draw_ellipsoids(shape, c2, r2, labels)


def image_pair(n: int):
    from scipy import ndimage as ndi

    rng = np.random.default_rng(0)
    gt = ndi.gaussian_filter(rng.random((n, n)), 3)
    gt = (gt - gt.min()) / (gt.max() - gt.min())
    return gt, gt + 0.05 * rng.standard_normal(gt.shape)


# ---------------------------------------------------------------- timing


def median_time(fn: Callable, repeat: int):
    times = []
    result = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def fmt_time(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    return f"{seconds * 1e3:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


def same(a, b, rel=1e-6) -> bool:
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=rel, atol=1e-12))


# ---------------------------------------------------------------- candidates

def hd_candidates():
    """name -> (function(gt, pred) -> (hd, hd95 or None)), for HD/HD95."""
    from scipy import ndimage as ndi

    def ours(gt, pred):
        r = bm.compute_metrics("semantic", gt, pred, metrics=["hd", "hd95"])
        return r["hd"], r["hd95"]

    cands = {"bmzcard": ours}
    try:
        import torch
        from monai.metrics import compute_hausdorff_distance

        def monai(gt, pred):
            g = torch.from_numpy(gt[None, None])
            p = torch.from_numpy(pred[None, None])
            return (
                compute_hausdorff_distance(p, g).item(),
                compute_hausdorff_distance(p, g, percentile=95).item(),
            )

        cands["MONAI"] = monai
    except ImportError:
        pass
    try:
        from skimage.metrics import hausdorff_distance

        def skimage(gt, pred):
            # boundaries as MONAI (face erosion); scikit-image has no HD95
            bg = gt & ~ndi.binary_erosion(gt)
            bp = pred & ~ndi.binary_erosion(pred)
            return hausdorff_distance(bg, bp), None

        cands["scikit-image"] = skimage
    except ImportError:
        pass
    return cands


def peak_memory_child(op: str, candidate: str, n: int) -> None:
    """Run in a fresh process: peak RSS increase of one HD candidate."""
    gt, pred = boundary_pair(n)
    fn = hd_candidates()[candidate]
    fn(gt[:8, :8, :8].copy(), pred[:8, :8, :8].copy())  # warm up imports
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")
    base = _status("VmRSS")
    fn(gt, pred)
    print(_status("VmHWM") - base)


def _status(key: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024
    raise KeyError(key)


def peak_memory(candidate: str, n: int) -> int | None:
    if not Path("/proc/self/clear_refs").exists():
        return None
    out = subprocess.run(
        [sys.executable, __file__, "--peak-memory", "hd", candidate, str(n)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    try:
        return int(out.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return None


# ---------------------------------------------------------------- rows


def row(op, ours_t, refs: dict, identical: str, note: str = ""):
    best = min((t for t in refs.values() if t is not None), default=None)
    ratio = f"{best / ours_t:.1f}x" if best else "-"
    ref_text = "; ".join(f"{k} {fmt_time(v)}" for k, v in refs.items())
    return [op, fmt_time(ours_t), ref_text, ratio, identical, note]


def read_floor(a: np.ndarray, b: np.ndarray, repeat: int) -> tuple[float, int]:
    """The memory-bandwidth floor: the fastest read of both inputs (an OR
    reduction over 64-bit words), on one thread and on as many threads as
    bmzcard may use; returns (time, threads of the fastest)."""
    from concurrent.futures import ThreadPoolExecutor

    from bmzcard.metrics import _threads

    words = [x.reshape(-1).view(np.uint64) for x in (a, b)]
    best = None
    for k in sorted({1, _threads.thread_count()}):
        parts = tuple(w[lo:hi] for w in words for lo, hi in _threads.split(words[0].size, k))
        with ThreadPoolExecutor(k) as pool:
            t, _ = median_time(lambda pool=pool, parts=parts: list(pool.map(np.bitwise_or.reduce, parts)), repeat)
        if best is None or t < best[0]:
            best = (t, k)
    return best


def bench_dice(n, repeat):
    a, b = ball_pair(n)
    floor_t, floor_threads = read_floor(a, b, repeat)

    def ours():
        n_sizes, n_both = bms.overlap_counts(a, b)
        return 2 * n_both / n_sizes, n_both / (n_sizes - n_both)

    t_ours, r_ours = median_time(ours, repeat)

    def plain():
        inter = np.count_nonzero(a & b)
        s = np.count_nonzero(a) + np.count_nonzero(b)
        return 2 * inter / s, inter / (s - inter)

    refs, results = {}, {}
    refs["numpy"], results["numpy"] = median_time(plain, repeat)
    try:
        import surface_distance as sd

        refs["surface-distance"], d = median_time(lambda: sd.compute_dice_coefficient(a, b), repeat)
        results["surface-distance"] = (d, r_ours[1])
    except ImportError:
        pass
    try:
        import torch
        from monai.metrics import compute_dice, compute_iou

        ta = torch.from_numpy(a[None, None])
        tb = torch.from_numpy(b[None, None])
        refs["MONAI"], results["MONAI"] = median_time(
            lambda: (compute_dice(tb, ta).item(), compute_iou(tb, ta).item()), repeat
        )
    except ImportError:
        pass
    ok = all(same(r_ours, r) for r in results.values())
    note = (f"memory floor {fmt_time(floor_t)} ({floor_threads} thread(s)); "
            f"bmzcard = {t_ours / floor_t:.1f}x floor")
    return row(f"Dice+IoU {n}^3", t_ours, refs, "yes" if ok else "NO", note)


def bench_hd(n, repeat, memory: bool):
    gt, pred = boundary_pair(n)
    cands = hd_candidates()
    times, results = {}, {}
    for name, fn in cands.items():
        times[name], results[name] = median_time(lambda fn=fn: fn(gt, pred), repeat)
    ours = results["bmzcard"]
    checks = []
    for name, (hd, hd95) in results.items():
        if name == "bmzcard":
            continue
        checks.append(same(ours[0], hd))
        if hd95 is not None:
            checks.append(same(ours[1], hd95))
    note = f"HD {ours[0]:.3f}, HD95 {ours[1]:.3f}; scikit-image: HD only"
    if memory:
        mem = {name: peak_memory(name, n) for name in cands}
        note += "; peak MiB " + ", ".join(
            f"{k} {v / 2**20:.0f}" if v is not None else f"{k} ?" for k, v in mem.items()
        )
    refs = {k: v for k, v in times.items() if k != "bmzcard"}
    return row(f"HD+HD95 {n}^3", times["bmzcard"], refs, "yes" if all(checks) else "NO", note)


def bench_instance(n, n_obj, repeat):
    gt, pred = instance_pair(n, n_obj)
    n_true = np.unique(gt).size - 1
    thresholds = list(bmi.DEFAULT_THRESHOLDS)
    t1, ours1 = median_time(lambda: bmi.match_instances(gt, pred, thresholds=(0.5,)), repeat)
    ts, ours_s = median_time(lambda: bmi.match_instances(gt, pred), repeat)
    rows = []
    try:
        from stardist.matching import matching

        r1, ref1 = median_time(lambda: matching(gt, pred, thresh=0.5), repeat)
        rs, ref_s = median_time(lambda: matching(gt, pred, thresh=thresholds), repeat)

        def ident(ours, refs):
            return all(
                (o.tp, o.fp, o.fn) == (r.tp, r.fp, r.fn)
                and abs(o.pq - r.panoptic_quality) < 1e-5
                for o, r in zip(ours, refs)
            )

        rows.append(row(f"matching IoU>=0.5, {n}^3, {n_true} objects", t1,
                        {"stardist": r1}, "yes" if ident(ours1, [ref1]) else "NO"))
        rows.append(row(f"matching sweep 0.50-0.95, {n}^3", ts,
                        {"stardist": rs}, "yes" if ident(ours_s, ref_s) else "NO",
                        "stardist: matching(thresh=list), overlap computed once"))
    except ImportError:
        rows.append(row(f"matching {n}^3", t1, {}, "-", "stardist not installed"))
    return rows


def bench_ssim(n, repeat):
    gt, pred = image_pair(n)
    t_ours, ours = median_time(
        lambda: (bmr.ssim(gt, pred, data_range=1.0), bmr.psnr(gt, pred, data_range=1.0)), repeat
    )
    from skimage.metrics import peak_signal_noise_ratio, structural_similarity

    def ref():
        s = structural_similarity(gt, pred, data_range=1.0, gaussian_weights=True, sigma=1.5,
                                  use_sample_covariance=False)
        return s, peak_signal_noise_ratio(gt, pred, data_range=1.0)

    t_ref, theirs = median_time(ref, repeat)
    ok = same(ours, theirs, rel=1e-12)
    return row(f"SSIM+PSNR {n}^2", t_ours, {"scikit-image": t_ref}, "yes" if ok else "NO",
               "Gaussian window sigma 1.5, data_range 1")


def print_table(rows):
    head = ["operation", "bmzcard", "reference(s)", "ratio", "identical", "notes"]
    widths = [max(len(str(r[i])) for r in rows + [head]) for i in range(len(head))]
    line = " | ".join(h.ljust(w) for h, w in zip(head, widths))
    print(line)
    print("-+-".join("-" * w for w in widths))
    for r in rows:
        print(" | ".join(str(c).ljust(w) for c, w in zip(r, widths)))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes (seconds)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per timing (median)")
    parser.add_argument("--only", choices=["dice", "hd", "instance", "ssim"], action="append")
    parser.add_argument("--no-memory", action="store_true", help="skip peak-memory subprocesses")
    parser.add_argument("--same-process", action="store_true",
                        help="run every operation in this process (default: one fresh process each)")
    parser.add_argument("--peak-memory", nargs=3, metavar=("OP", "CANDIDATE", "N"), help=argparse.SUPPRESS)
    parser.add_argument("--rows-json", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.peak_memory:
        op, cand, n = args.peak_memory
        peak_memory_child(op, cand, int(n))
        return
    import warnings

    warnings.filterwarnings("ignore")
    size = SIZES["quick" if args.quick else "full"]
    only = set(args.only or ["dice", "hd", "instance", "ssim"])
    if not args.rows_json:
        print(f"# bmzcard metrics benchmark ({'quick' if args.quick else 'full'} sizes, "
              f"median of {args.repeat}, {os.cpu_count()} CPUs)")
    rows = []

    def progress(new):
        for r in new:
            print("  done:", " | ".join(str(c) for c in r[:5]), file=sys.stderr, flush=True)
        rows.extend(new)

    def run(op):
        if op == "dice":
            return [bench_dice(size["dice"], args.repeat)]
        if op == "hd":
            return [bench_hd(size["hd"], args.repeat, memory=not args.no_memory)]
        if op == "instance":
            return bench_instance(size["inst"], size["n_obj"], args.repeat)
        return [bench_ssim(size["ssim"], args.repeat)]

    ops = [op for op in ("dice", "hd", "instance", "ssim") if op in only]
    if args.rows_json:
        print(json.dumps([r for op in ops for r in run(op)]))
        return
    for op in ops:
        if args.same_process:
            progress(run(op))
            continue
        # a fresh process per operation: no memory, thread pools or caches
        # left over from the previous one (torch's in particular)
        cmd = [sys.executable, __file__, "--rows-json", "--only", op, "--repeat", str(args.repeat)]
        cmd += ["--quick"] if args.quick else []
        cmd += ["--no-memory"] if args.no_memory else []
        out = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if out.returncode != 0:
            print(out.stderr, file=sys.stderr)
            raise SystemExit(f"benchmark of {op} failed")
        progress(json.loads(out.stdout.strip().splitlines()[-1]))
    print_table(rows)
    print("ratio = fastest reference time / bmzcard time; identical = same values "
          "(counts exact, distances rel 1e-6 vs MONAI's float32, SSIM rel 1e-12)")


if __name__ == "__main__":
    main()
