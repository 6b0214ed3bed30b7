"""Overhead of `bmzcard track` on a CPU-bound workload of about 60 seconds.

The workload is a fixed amount of pure-Python arithmetic in a child process,
calibrated once to last about `--seconds`. It runs alternately plain and under
`bmzcard track` (codecarbon's offline tracker sampling every 15 s), and reports:

- workload overhead: how much slower the workload's own loop ran while tracked
  (it times itself), i.e. the cost of sampling;
- total overhead: extra wall time of the whole `bmzcard track` call, including
  starting Python, codecarbon's hardware detection and stopping the tracker;
- tracker CPU: CPU seconds the `bmzcard track` process itself used (all child
  CPU time minus the workload's), which does not depend on other load on the
  machine the way wall times do.

Usage: ``PYTHONPATH=src python bench/bench_track_overhead.py [--seconds 60] [--rounds 2]``.
Results are printed and written to ``bench/results/track_overhead.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

WORKLOAD = """
import sys, time
n = int(sys.argv[1])
start = time.perf_counter()
total = 0
for i in range(n):
    total += i * i % 7
open(sys.argv[2], "w").write(str(time.perf_counter() - start))
"""


def _run_workload(prefix: list[str], iterations: int) -> tuple[float, float, float]:
    """(wall seconds of the whole call, seconds the workload timed itself, CPU seconds of all children)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp, "loop.txt")
        script = Path(tmp, "work.py")
        script.write_text(WORKLOAD)
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(
            [*prefix, sys.executable, str(script), str(iterations), str(out)],
            stdout=subprocess.DEVNULL,
            check=True,
        )
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        loop = float(out.read_text())
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return wall, loop, cpu


def _calibrate(seconds: float) -> int:
    iterations = 20_000_000
    _, loop, _ = _run_workload([], iterations)
    return int(iterations * seconds / loop)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--country", default="DEU", help="location passed to bmzcard track")
    args = parser.parse_args()

    iterations = _calibrate(args.seconds)
    with tempfile.TemporaryDirectory() as tmp:
        tracked = [sys.executable, "-m", "bmzcard", "track", "--country", args.country,
                   "--json", str(Path(tmp, "track.json")), "--"]  # fmt: skip
        plain_runs, tracked_runs = [], []
        for _ in range(args.rounds):  # alternate, so drift hits both alike
            plain_runs.append(_run_workload([], iterations))
            tracked_runs.append(_run_workload(tracked, iterations))

    def median(runs, index):
        return statistics.median(run[index] for run in runs)

    plain_wall, plain_loop, plain_cpu = (median(plain_runs, i) for i in range(3))
    tracked_wall, tracked_loop, tracked_cpu = (median(tracked_runs, i) for i in range(3))
    result = {
        "iterations": iterations,
        "rounds": args.rounds,
        "cpu_count": os.cpu_count(),
        "plain_wall_s": plain_wall,
        "tracked_wall_s": tracked_wall,
        "plain_loop_s": plain_loop,
        "tracked_loop_s": tracked_loop,
        "tracker_cpu_s": tracked_cpu - plain_cpu,
        "workload_overhead_percent": 100 * (tracked_loop - plain_loop) / plain_loop,
        "total_overhead_percent": 100 * (tracked_wall - plain_wall) / plain_wall,
        "tracker_cpu_percent": 100 * (tracked_cpu - plain_cpu) / plain_cpu,
        "runs": {"plain": plain_runs, "tracked": tracked_runs},
    }
    out = Path(__file__).parent / "results" / "track_overhead.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(
        f"workload {plain_loop:.1f} s plain, {tracked_loop:.1f} s tracked: "
        f"{result['workload_overhead_percent']:+.2f} % (aim < 2 %); "
        f"whole call {plain_wall:.1f} s vs {tracked_wall:.1f} s: {result['total_overhead_percent']:+.2f} %; "
        f"tracker CPU {result['tracker_cpu_s']:.2f} s ({result['tracker_cpu_percent']:+.2f} %)"
    )


if __name__ == "__main__":
    main()
